/**
 * The contract between the streaming API origin (CDK side) and its runtime (the origin-verify layer):
 * how a function in streaming mode starts uvicorn behind the AWS Lambda Web Adapter (LWA).
 *
 * The function keeps its usual handler (`module.attr`, e.g. `app.main.handler`). The LWA layer provides the
 * adapter extension (`/opt/extensions/lambda-adapter`); our own exec wrapper (in the origin-verify layer) replaces
 * the Python runtime's bootstrap and starts uvicorn on the ASGI app `cdk_spa_streaming:app`, which resolves the
 * handler from `CDK_SPA_ORIGIN_VERIFY_HANDLER` (a Mangum instance is unwrapped to its `.app`), imports it in the
 * init phase, and puts the origin check in front of it as ASGI middleware.
 *
 * What the runtime needs from the construct (checked by test/api/streaming, which reads this file):
 * - the origin-verify layer on the function in streaming mode **always**, also with origin verification off: it holds
 *   the exec wrapper and `cdk_spa_streaming`; and `CDK_SPA_ORIGIN_VERIFY_HANDLER` set to the user's handler always
 *   (it names the app to serve). The other `CDK_SPA_ORIGIN_VERIFY_*` variables only with verification on; without
 *   `CDK_SPA_ORIGIN_VERIFY_SECRET_ARN` the app is served unchanged.
 * - the app is always imported in the init phase: `CDK_SPA_ORIGIN_VERIFY_IMPORT=first-request` has no effect in
 *   streaming mode (uvicorn imports the app before it listens), so `importOnFirstRequest` with streaming should be
 *   a synth error.
 * - uvicorn in the user's bundle: without it the wrapper prints what to add on stderr and exits 78, which fails the
 *   init phase (`Runtime.ExitError` in the function's log).
 * - LWA forwards events that are not HTTP requests (a direct `lambda:Invoke` with any payload) to `POST /events`
 *   (`AWS_LWA_PASS_THROUGH_PATH`): they carry no secret header, so the origin check refuses them too.
 *
 * @internal
 */
export const STREAMING_EXEC_WRAPPER = '/opt/cdk-spa-streaming/bootstrap';
/** The ASGI application uvicorn serves (a module of the origin-verify layer, in /opt/python). @internal */
export const STREAMING_ASGI_APP = 'cdk_spa_streaming:app';
/** The loopback port uvicorn listens on and LWA forwards to. @internal */
export const STREAMING_PORT = 8080;

/** The environment a streaming function needs, besides the origin-verification variables. @internal */
export function streamingEnvironment(): { [name: string]: string } {
  return {
    AWS_LAMBDA_EXEC_WRAPPER: STREAMING_EXEC_WRAPPER,
    AWS_LWA_INVOKE_MODE: 'response_stream',
    AWS_LWA_PORT: String(STREAMING_PORT),
    // LWA waits until uvicorn accepts connections (it listens once the app is imported and its startup ran). Its
    // default HTTP check (GET /) would reach the origin check without the secret on every cold start: a 403 that
    // counts as ready, but also a refused request in the OriginVerificationRefused metric.
    AWS_LWA_READINESS_CHECK_PROTOCOL: 'tcp',
  };
}
