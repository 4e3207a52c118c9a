import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FunctionOriginVerification, OriginVerificationOptions } from './origin-verification';
import { RESERVED_HEADER_EXPLANATIONS, reservedHeaderReason } from './reserved-headers';
import { PropErrors, show } from '../private/validation';

/** The header CloudFront adds to API requests, unless `headerName` says otherwise. */
export const DEFAULT_ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/** How long the function caches the secret's values, unless `cacheTtl` says otherwise. */
export const DEFAULT_ORIGIN_VERIFY_CACHE_TTL = Duration.minutes(5);
const MAX_CACHE_TTL = Duration.hours(1);

/** The wrapper's handler: a module in the layer (`/opt/python/cdk_spa_origin_verify.py`). */
export const ORIGIN_VERIFY_HANDLER = 'cdk_spa_origin_verify.handler';
/** Environment variables the wrapper reads (see src/api/runtime/origin-verify-layer/python/cdk_spa_origin_verify.py). */
export const ORIGIN_VERIFY_ENV = {
  handler: 'CDK_SPA_ORIGIN_VERIFY_HANDLER',
  secretArn: 'CDK_SPA_ORIGIN_VERIFY_SECRET_ARN',
  header: 'CDK_SPA_ORIGIN_VERIFY_HEADER',
  cacheTtl: 'CDK_SPA_ORIGIN_VERIFY_CACHE_TTL',
  importAt: 'CDK_SPA_ORIGIN_VERIFY_IMPORT',
  viewerHost: 'CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST',
};
const ENV_PREFIX = 'CDK_SPA_ORIGIN_VERIFY_';
/** The secret versions the wrapper reads; the function may read no other. */
export const ORIGIN_VERIFY_STAGES = ['AWSCURRENT', 'AWSPREVIOUS'];

const LAYER_DIR = path.join(__dirname, 'runtime', 'origin-verify-layer');

const HEADER_NAME_RE = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const VERSION_ID_RE = /^[A-Za-z0-9-]{32,64}$/;

/** Checks a header name for the origin secret. */
function validateHeaderName(errors: PropErrors, prop: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) {
    return;
  }
  if (!HEADER_NAME_RE.test(name)) {
    errors.add(`${prop} is ${show(name)}, but a header name must start with a letter and hold only letters, digits and hyphens `
      + `(at most 128 characters). Use a name such as ${show(DEFAULT_ORIGIN_VERIFY_HEADER)}, or leave it unset.`);
    return;
  }
  const reason = reservedHeaderReason(name);
  if (reason !== undefined) {
    errors.add(`${prop} is ${show(name)}, but ${RESERVED_HEADER_EXPLANATIONS[reason]}. The header carries the origin secret, so it must `
      + 'be a name of its own that nothing else sets, reads or logs (not Host, User-Agent, Referer, Origin, Content-Type, Authorization, Cookie, '
      + `Via, X-Forwarded-*, X-Amz-*, X-Amzn-*, CloudFront-*, X-Edge-*, ...). Use a custom name such as ${show(DEFAULT_ORIGIN_VERIFY_HEADER)}.`);
  }
}

function validateCacheTtl(errors: PropErrors, prop: string, ttl: Duration | undefined): void {
  if (ttl === undefined || ttl.isUnresolved()) {
    return;
  }
  const ms = ttl.toMilliseconds();
  if (ms % 1000 !== 0 || ms < 1000 || ms > MAX_CACHE_TTL.toMilliseconds()) {
    errors.add(`${prop} is ${show(ttl)}, but it must be whole seconds from 1 second to 1 hour. `
      + 'A shorter time makes a removed secret version stop working sooner; a longer one reads Secrets Manager less often. '
      + `Leave it unset for ${DEFAULT_ORIGIN_VERIFY_CACHE_TTL.toHumanString()}.`);
  }
}

/** Names the wrapper uses must not be set by the user. */
export function validateOriginVerifyEnvironment(errors: PropErrors, prop: string, environment: { [key: string]: string }): void {
  for (const name of Object.keys(environment)) {
    if (name.startsWith(ENV_PREFIX)) {
      errors.add(`${prop} sets ${show(name)}, but names starting with ${show(ENV_PREFIX)} configure origin verification `
        + 'and are set by this construct. Rename the variable.');
    }
  }
}

/** The function props that decide whether the app must be initialized before requests arrive. */
export interface InitializedFunctionProps {
  readonly snapStart?: boolean;
  readonly provisionedConcurrency?: number;
}

/** `importOnFirstRequest` defeats SnapStart and provisioned concurrency, whose point is an initialized app. */
function validateImportMode(errors: PropErrors, prefix: string, importOnFirstRequest: boolean | undefined,
  fn: InitializedFunctionProps, fnPrefix: string): void {
  if (importOnFirstRequest !== true) {
    return;
  }
  if (fn.snapStart) {
    errors.add(`${prefix}importOnFirstRequest is true, but ${fnPrefix}snapStart is true: the snapshot is taken after the init phase, `
      + 'so it would not hold the app, and every restored environment would import it during a request. Remove importOnFirstRequest.');
  }
  if (fn.provisionedConcurrency !== undefined) {
    errors.add(`${prefix}importOnFirstRequest is true, but ${fnPrefix}provisionedConcurrency is ${show(fn.provisionedConcurrency)}: `
      + 'provisioned environments are initialized before requests arrive, and importing the app on the first request '
      + 'would move that work back onto a request. Remove importOnFirstRequest.');
  }
}

/**
 * Keys of `secrets` become environment variables too (holding the secret's ARN or parameter name), set after the
 * wrapper's: a reserved name would silently replace an origin-check setting (for example the secret the header is
 * compared with).
 */
export function validateOriginVerifySecretKeys(errors: PropErrors, prop: string, secrets: { [key: string]: unknown }): void {
  for (const name of Object.keys(secrets)) {
    if (name.startsWith(ENV_PREFIX)) {
      errors.add(`${prop} has the key ${show(name)}, but names starting with ${show(ENV_PREFIX)} configure origin verification `
        + 'and are set by this construct: the secret\'s ARN or parameter name would replace an origin-check setting. Rename the key.');
    }
  }
}

/** Validates the facade's `api.originVerification`. */
export function validateOriginVerificationOptions(errors: PropErrors, prefix: string, options: OriginVerificationOptions | undefined,
  fn: InitializedFunctionProps = {}, fnPrefix: string = ''): void {
  if (!options) {
    return;
  }
  if (options.enabled === false) {
    const set = (['headerName', 'secretVersionId', 'cacheTtl', 'importOnFirstRequest'] as const).filter((k) => options[k] !== undefined);
    if (set.length > 0) {
      errors.add(`${prefix}enabled is false, but ${set.map((k) => prefix + k).join(', ')} ${set.length > 1 ? 'are' : 'is'} set, `
        + 'which only apply while origin verification is on. Remove them, or remove enabled: false.');
    }
    return;
  }
  validateHeaderName(errors, `${prefix}headerName`, options.headerName);
  validateCacheTtl(errors, `${prefix}cacheTtl`, options.cacheTtl);
  validateImportMode(errors, prefix, options.importOnFirstRequest, fn, fnPrefix);
  const versionId = options.secretVersionId;
  if (versionId !== undefined && !Token.isUnresolved(versionId) && !VERSION_ID_RE.test(versionId)) {
    errors.add(`${prefix}secretVersionId is ${show(versionId)}, but a Secrets Manager version id is 32 to 64 letters, digits and hyphens `
      + '(a UUID such as "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"). Use the VersionId that `aws secretsmanager put-secret-value` printed, '
      + 'or leave it unset for the current version.');
  }
}

/** Validates FastApiFunction's `originVerification`. */
export function validateFunctionOriginVerification(errors: PropErrors, prefix: string, options: FunctionOriginVerification | undefined,
  fn: InitializedFunctionProps = {}): void {
  if (!options) {
    return;
  }
  validateHeaderName(errors, `${prefix}headerName`, options.headerName);
  validateCacheTtl(errors, `${prefix}cacheTtl`, options.cacheTtl);
  validateImportMode(errors, prefix, options.importOnFirstRequest, fn, '');
}

/** What a function needs to run behind the origin check. */
export interface OriginVerifyFunctionSettings {
  /** The wrapper's handler, in place of the user's. */
  readonly handler: string;
  /** Variables the wrapper reads (the user's handler, the secret, the header, the cache time). */
  readonly environment: { [key: string]: string };
  /** The layer that holds the wrapper. */
  readonly layer: lambda.ILayerVersion;
}

/**
 * The handler, environment and layer that put the origin check in front of `userHandler`. The check
 * itself is src/api/runtime/origin-verify-layer/python/cdk_spa_origin_verify.py. The user's handler is imported
 * in the init phase unless `options.importOnFirstRequest`; the viewer host is trusted only with `options.trustViewerHost`.
 */
export function originVerifyFunctionSettings(scope: Construct, options: FunctionOriginVerification, userHandler: string,
  runtime: lambda.Runtime, architecture: lambda.Architecture): OriginVerifyFunctionSettings {
  const layer = new lambda.LayerVersion(scope, 'OriginVerifyLayer', {
    description: 'Origin verification: refuses requests without the secret header CloudFront adds (cdk-spa-with-lambda-api)',
    code: lambda.Code.fromAsset(LAYER_DIR, { exclude: ['**/__pycache__', '**/*.pyc'] }),
    compatibleRuntimes: [runtime],
    compatibleArchitectures: [architecture],
  });
  return {
    handler: ORIGIN_VERIFY_HANDLER,
    environment: {
      [ORIGIN_VERIFY_ENV.handler]: userHandler,
      [ORIGIN_VERIFY_ENV.secretArn]: options.secret.secretArn,
      [ORIGIN_VERIFY_ENV.header]: options.headerName ?? DEFAULT_ORIGIN_VERIFY_HEADER, // compared case-insensitively
      [ORIGIN_VERIFY_ENV.cacheTtl]: String((options.cacheTtl ?? DEFAULT_ORIGIN_VERIFY_CACHE_TTL).toSeconds()),
      [ORIGIN_VERIFY_ENV.importAt]: options.importOnFirstRequest ? 'first-request' : 'init',
      ...(options.trustViewerHost ? { [ORIGIN_VERIFY_ENV.viewerHost]: 'trust' } : {}),
    },
    layer,
  };
}

/** Lets the function read the two secret versions the check accepts, and nothing else of the secret. */
export function grantOriginVerifySecret(options: FunctionOriginVerification, grantee: iam.IGrantable): void {
  options.secret.grantRead(grantee, ORIGIN_VERIFY_STAGES);
}
