import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { SpaRouting } from '../routing/spa-routing';

/**
 * The single-page app: where its build output is and how it is routed.
 */
export interface SpaSiteOptions {
  /**
   * Path of the built SPA folder (for example `frontend/dist`). It must contain `index.html`.
   *
   * The construct lists the folder at synth time: it sorts the files into hashed and unhashed, sets the
   * `Content-Type` of `.js`, `.mjs`, `.css`, `.svg`, `.wasm`, `.webmanifest` and `.map` files explicitly, and
   * invalidates exactly the unhashed files. Set exactly one of `source` and `sourceAsset`.
   *
   * @default - none; `sourceAsset` must be set instead
   */
  readonly source?: string;

  /**
   * A prebuilt site as a BucketDeployment source, for example `s3deploy.Source.asset('frontend', { bundling })`
   * (built by the CDK at synth time) or `s3deploy.Source.bucket(bucket, 'site.zip')`.
   *
   * Its files cannot be listed at synth time, so `hashedAssetGlobs` is required with it, content types are those
   * the upload guesses from the file names, and only `/` and `/index.html` are invalidated (the other unhashed
   * files are `no-cache`). Set exactly one of `source` and `sourceAsset`.
   *
   * @default - none; `source` must be set instead
   */
  readonly sourceAsset?: s3deploy.ISource;

  /**
   * Globs of the content-hashed files in the site, with `aws s3 sync` semantics (fnmatch: `*` also
   * matches `/`). When set, they replace the detection of content hashes in file names.
   *
   * Content-hashed files get `Cache-Control: public, max-age=31536000, immutable`, are uploaded before the other
   * files and are kept for `keepReleases` releases. Every other file gets `no-cache`. Without globs, a file of
   * `source` is content-hashed when its NAME carries a hash as Vite/Rollup (`index-BdQq_4o_.js`), esbuild and
   * Angular (`main-5YAOG3CD.js`), webpack and Create React App (`main.3f2a9c1b.chunk.js`) write it, in any
   * folder, and every file in the folders SvelteKit, Astro and Next.js reserve for hashed output (`_app/immutable/`,
   * `_astro/`, `_next/static/`); files a build copies verbatim (Vite's `public/`, such as `public/assets/logo.svg`) keep their name
   * across releases, so they are `no-cache`. Required with `sourceAsset`, whose files cannot be listed.
   *
   * @default - with `source`, detected from the file names; with `sourceAsset`, required
   */
  readonly hashedAssetGlobs?: string[];

  /**
   * How many releases keep their content-hashed files in the bucket, the current one included.
   *
   * Browser tabs opened before a deploy keep loading the previous release's chunks, so at least 2. A release
   * is a distinct set of hashed files; older files that no kept release lists are deleted after each deploy.
   *
   * @default 2
   */
  readonly keepReleases?: number;

  /**
   * How deep links such as `/items/42` get the SPA shell, and prerendered pages such as `/about` their own file.
   *
   * The default function routes the pages of `source` exactly, from its file list (`/about` serves `about.html` or
   * `about/index.html`), then gives other extension-less paths the shell; with `sourceAsset`, whose files are unknown
   * at synth time, the shell rule alone applies. See docs/routing.md.
   *
   * @default SpaRouting.viewerRequestFunction()
   */
  readonly routing?: SpaRouting;
}
