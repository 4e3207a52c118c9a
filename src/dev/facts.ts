import * as path from 'path';
import { Stage, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { resolveFunctionProps } from '../api/function-validation';
import { DEFAULT_CONTENT_SECURITY_POLICY } from '../distribution/security-headers';
// a cycle, but only used when the construct calls recordDevFacts (both modules are loaded by then)
import { SpaWithLambdaApiProps } from '../spa-with-lambda-api-props';

/** The metadata type under which a SpaWithLambdaApi records what the local dev server needs. */
export const DEV_METADATA_TYPE = 'cdk-spa-with-lambda-api:dev';

/** The version of the recorded facts; the dev command reads only the versions it knows. */
export const DEV_FACTS_VERSION = 1;

/**
 * What the local dev server (`cdk-spa-with-lambda-api dev`) needs to serve an app as its distribution does,
 * recorded by the construct in the cloud assembly, so nothing is configured twice. Paths are relative to the
 * cloud assembly folder that holds the stack, so the assembly is the same on every machine.
 */
export interface DevFacts {
  readonly version: 1;
  /** `site.source`, when the site is a folder (not `site.sourceAsset`). */
  readonly site?: string;
  readonly hashedAssetGlobs?: string[];
  /** `viewer-request-function`, `error-responses` or `none`. */
  readonly routing: string;
  /** Whether the routing function routes prerendered pages from the site's file list (absent in facts of older versions: true). */
  readonly prerenderedRoutes?: boolean;
  /** The static site's not-found page (`SpaRoutingFallback.notFoundPage()`), served with 404 for unknown paths. */
  readonly notFoundPage?: string;
  /** The Content-Security-Policy of the construct's security headers; undefined with the user's own policy. */
  readonly contentSecurityPolicy?: string;
  /** True when `responseHeadersPolicy` is the user's own (its headers are not known at synth time). */
  readonly customResponseHeadersPolicy: boolean;
  readonly api: {
    readonly source: string;
    readonly handler: string;
    readonly prefix: string;
    /** `api.environment` without values that are tokens (resolved only at deploy time). */
    readonly environment: Record<string, string>;
    /** Names of `api.secrets` (they hold ARNs in Lambda; locally the value must come from the shell). */
    readonly secrets: string[];
    /** e.g. `python3.14` */
    readonly runtime: string;
    readonly timeoutSeconds: number;
    /** True in streaming mode (`api.streaming`): the app runs under uvicorn; absent otherwise. */
    readonly streaming?: boolean;
  };
}

/**
 * Records the dev facts of a SpaWithLambdaApi as construct metadata (in `<stack>.metadata.json` of the cloud
 * assembly). Called once by the construct, after its props are validated.
 */
export function recordDevFacts(scope: Construct, props: SpaWithLambdaApiProps, apiPrefix: string): void {
  const outdir = Stage.of(scope)?.outdir;
  const rel = (p: string): string => (outdir ? path.relative(outdir, path.resolve(p)) : path.resolve(p)).split(path.sep).join('/');
  const literal = (v: string | undefined): v is string => v !== undefined && !Token.isUnresolved(v);
  const environment: Record<string, string> = {};
  for (const [k, v] of Object.entries(props.api.environment ?? {})) {
    if (literal(v)) environment[k] = v;
  }
  const fn = resolveFunctionProps(props.api);
  const facts: DevFacts = {
    version: 1,
    site: literal(props.site.source) ? rel(props.site.source) : undefined,
    hashedAssetGlobs: props.site.hashedAssetGlobs,
    routing: props.site.routing?.mode ?? 'viewer-request-function',
    prerenderedRoutes: props.site.routing?.prerenderedRoutes ?? true,
    notFoundPage: props.site.routing?.fallback.page,
    contentSecurityPolicy: props.responseHeadersPolicy ? undefined : (props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY),
    customResponseHeadersPolicy: props.responseHeadersPolicy !== undefined,
    api: {
      source: rel(props.api.source),
      handler: fn.handler,
      prefix: apiPrefix,
      environment,
      secrets: Object.keys(props.api.secrets ?? {}),
      runtime: fn.runtime.name,
      timeoutSeconds: fn.timeout.isUnresolved() ? (fn.streaming ? 900 : 30) : fn.timeout.toSeconds(),
      ...(fn.streaming ? { streaming: true } : {}),
    },
  };
  scope.node.addMetadata(DEV_METADATA_TYPE, facts);
}
