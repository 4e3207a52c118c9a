/**
 * What the SPA-routing function answers for a path that is neither a file nor a prerendered page of the build.
 *
 * Choose one with the static factory methods.
 */
export class SpaRoutingFallback {
  /**
   * The SPA shell, `/index.html`, with status 200: the client-side router shows the route. The default.
   */
  public static spaShell(): SpaRoutingFallback {
    return new SpaRoutingFallback(undefined);
  }

  /**
   * The build's not-found page with status 404, as a static site answers (Astro, Next.js `output: 'export'` and
   * SvelteKit with `fallback: '404.html'` write one).
   *
   * The page must be a file of `site.source` (checked at synth time); `site.sourceAsset` cannot be listed, so it
   * cannot be used with this fallback. `/` still serves `/index.html`. The function answers the page's path in the
   * viewer-request event and sets the status to 404 in the viewer-response event (the same function, associated
   * twice), so API paths, which have their own behaviour, are never touched.
   *
   * @param page the page's path in `site.source`, without a leading `/`
   * @default page "404.html"
   */
  public static notFoundPage(page?: string): SpaRoutingFallback {
    return new SpaRoutingFallback(page ?? '404.html');
  }

  /**
   * The not-found page's path in the site, or undefined for the SPA shell.
   */
  public readonly page?: string;

  private constructor(page: string | undefined) {
    this.page = page;
  }
}

/**
 * Options of the SPA-routing CloudFront Function.
 */
export interface ViewerRequestFunctionOptions {
  /**
   * Whether prerendered pages are routed exactly, from the build's own file list.
   *
   * With `site.source`, the construct lists the folder at synth time and writes its pages into the function:
   * `/x` serves `/x` when it is a file, else `/x.html`, else `/x/index.html`; `/x/` serves `/x/index.html`, else
   * `/x.html`; segments match exactly, never by prefix. Other paths follow the SPA rule. The route table must fit
   * the 10 KB limit of a CloudFront Function's code (about 350 pages of 15-character paths; docs/routing.md):
   * beyond it, synth fails and names this option. With `site.sourceAsset`, whose files are unknown at synth time,
   * there is no route table and the SPA rule alone applies.
   *
   * @default true
   */
  readonly prerenderedRoutes?: boolean;

  /**
   * What a path that is neither a file nor a page of the build is answered with.
   *
   * @default SpaRoutingFallback.spaShell()
   */
  readonly fallback?: SpaRoutingFallback;
}

/**
 * How the distribution serves the SPA shell (`/index.html`) for client-side routes such as `/items/42`.
 *
 * Choose one with the static factory methods.
 */
export class SpaRouting {
  /**
   * A viewer-request CloudFront Function on the default (S3) behaviour only. Recommended and the default.
   *
   * Prerendered pages first (with `site.source`, unless `prerenderedRoutes` is false): `/about` serves
   * `/about.html` or `/about/index.html` when the build has it. Then browser navigations (the `Accept` header
   * includes `text/html`) to anything that is not a known static file, and every path whose last segment has no
   * file extension, are answered with `/index.html` and status 200, so deep links such as `/users/john.doe` work
   * (or with the build's 404 page and status 404, with `SpaRoutingFallback.notFoundPage()`). Asset requests pass
   * through: a missing asset is S3's 404. The API behaviour is untouched, so an API 404 or 403 reaches the client
   * exactly as the API sent it.
   *
   * @param options prerendered routes and the fallback
   */
  public static viewerRequestFunction(options?: ViewerRequestFunctionOptions): SpaRouting {
    return new SpaRouting('viewer-request-function', options?.prerenderedRoutes ?? true, options?.fallback ?? SpaRoutingFallback.spaShell());
  }

  /**
   * Distribution-wide custom error responses: 403 and 404 are answered with `/index.html` and status 200.
   *
   * This is how many SPA stacks do it, and it is kept for compatibility. It applies to every behaviour,
   * including the API: an API 404 or 403 reaches the client as the SPA's HTML with status 200. The
   * construct adds a warning when this mode is chosen. Error responses are cached for 0 seconds so that a
   * deep link is never served from a stale error cache.
   */
  public static errorResponses(): SpaRouting {
    return new SpaRouting('error-responses', false, SpaRoutingFallback.spaShell());
  }

  /**
   * No SPA routing: every path is served as-is from the bucket (a missing file is 404).
   *
   * For multi-page static sites whose links name their files.
   */
  public static none(): SpaRouting {
    return new SpaRouting('none', false, SpaRoutingFallback.spaShell());
  }

  /**
   * The mode's name: `viewer-request-function`, `error-responses` or `none`.
   */
  public readonly mode: string;

  /**
   * Whether the function routes prerendered pages from the build's file list (viewer-request-function only).
   */
  public readonly prerenderedRoutes: boolean;

  /**
   * What unknown paths are answered with (viewer-request-function only).
   */
  public readonly fallback: SpaRoutingFallback;

  private constructor(mode: string, prerenderedRoutes: boolean, fallback: SpaRoutingFallback) {
    this.mode = mode;
    this.prerenderedRoutes = prerenderedRoutes;
    this.fallback = fallback;
  }
}
