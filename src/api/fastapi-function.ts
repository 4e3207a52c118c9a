import * as path from 'path';
import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionLogging } from './function-logging';
import { grantVpcAccess, LIVE_ALIAS_NAME, suppressTracingFinding, warnPlaintextSecrets } from './function-operations';
import { FunctionSecret } from './function-secret';
import { DEFAULT_PYTHON_RUNTIME, resolveFunctionProps, validateFunctionOptions } from './function-validation';
import { checkHandlerAttribute, handlerWarning } from './handler-check';
import { FunctionOriginVerification } from './origin-verification';
import {
  grantOriginVerifySecret, originVerifyFunctionSettings, validateFunctionOriginVerification, validateOriginVerifyEnvironment,
  validateOriginVerifySecretKeys,
} from './origin-verification-layer';
import { originVerificationRefusedMetric } from './origin-verification-metric';
import { streamingAdapterLayer, streamingImportError, validateStreamingFunction } from './streaming-function';
import { streamingEnvironment } from './streaming-runtime';
import { pythonBundledCode } from '../bundling/python-bundling';
import { PythonBundlingOptions } from '../bundling/python-bundling-options';
import { acknowledgePinnedRuntime } from '../private/nag';
import { isValidated, PropErrors } from '../private/validation';

/**
 * Options of a FastAPI function that {@link FastApiFunction} and `SpaWithLambdaApi`'s `api` share.
 */
export interface FastApiFunctionOptions {
  /**
   * Path of the FastAPI project folder.
   *
   * It holds `requirements.txt` and the handler module. The folder is copied into the bundle
   * (without tests, caches, virtualenvs and `.env` files) and the requirements are installed next
   * to it as wheels for the function's runtime and architecture, without Docker.
   */
  readonly source: string;

  /**
   * The Lambda handler, as `module.attribute` relative to `source`.
   *
   * For `handler = Mangum(app)` in `app/main.py`, this is `app.main.handler`.
   *
   * @default "app.main.handler"
   */
  readonly handler?: string;

  /**
   * The Python runtime.
   *
   * @default lambda.Runtime.PYTHON_3_14
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The instruction set architecture. ARM64 (Graviton) is cheaper per millisecond.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Memory in MB, from 128 to 10240. CPU scales with memory.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Function timeout. At most 30 seconds, the HTTP API integration timeout; with `streaming`, up to 15 minutes.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
   * @default - Duration.seconds(15); Duration.minutes(5) with `streaming`
   */
  readonly timeout?: Duration;

  /**
   * Streaming mode: run the app under uvicorn behind the AWS Lambda Web Adapter (LWA), in Lambda's response-streaming
   * invoke mode, so Server-Sent Events and other streamed responses reach the client as they are produced, up to
   * 200 MB and 15 minutes. `SpaWithLambdaApi` then serves `<prefix>/*` from a Function URL in `RESPONSE_STREAM` mode
   * instead of an HTTP API (see docs/streaming.md for when to choose it).
   *
   * The handler's module must define a FastAPI app or a Mangum handler (its `.app` is served); the project must
   * depend on `uvicorn`. Needs origin verification (the origin check runs as ASGI middleware in front of the app).
   * Not allowed with `vpc` (Function URLs do not stream from a VPC-attached function) or `snapStart` (the pinned
   * adapter has no SnapStart hooks).
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
   * @default false
   */
  readonly streaming?: boolean;

  /**
   * The Lambda Web Adapter layer of streaming mode, for a partition or region without AWS's published layer
   * (China, GovCloud) or another adapter version. It must provide the `lambda-adapter` extension (`/opt/extensions`).
   * Requires `streaming`.
   *
   * @see https://github.com/awslabs/aws-lambda-web-adapter
   * @default - AWS's published arm64 layer `LambdaAdapterLayerArm64:25` (LWA 0.9.1) in the stack's region
   */
  readonly streamingAdapterLayer?: lambda.ILayerVersion;

  /**
   * Environment variables for the function.
   *
   * Names Lambda reserves (`AWS_REGION`, `_HANDLER`, ...) are rejected at synth time.
   *
   * @default - no extra variables
   */
  readonly environment?: { [key: string]: string };

  /**
   * How the project is bundled: installer (uv, pip or Docker), extra excludes, bytecode precompilation,
   * Docker fallback, extra install arguments, bundle cache.
   *
   * Without Docker by default: the dependencies are installed as wheels for the function's runtime and
   * architecture on the machine that runs `cdk synth`.
   *
   * @default - uv when it is on PATH, otherwise pip; precompiled when an interpreter of the runtime's version is found; cached
   */
  readonly bundling?: PythonBundlingOptions;

  /**
   * Secrets the function reads at run time, by environment variable name: Secrets Manager secrets or SSM
   * SecureString parameters.
   *
   * Each variable holds the secret's ARN (Secrets Manager) or the parameter's name (SSM), never the value, and
   * the function may read that secret or parameter only. Read the value once per cold start, on first use
   * (see "Secrets at runtime" in docs/operations.md). Plain `environment` values whose names end in `_SECRET`, `_PASSWORD`,
   * `_KEY` or `_TOKEN`, or that are URLs with a password, produce a warning. With origin verification, keys starting
   * with `CDK_SPA_ORIGIN_VERIFY_` are rejected: those variables configure the origin check.
   *
   * @default - no secrets
   */
  readonly secrets?: { [name: string]: FunctionSecret };

  /**
   * AWS X-Ray tracing of the function's invocations.
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * The VPC to run the function in, for example to reach a private PostgreSQL database.
   *
   * In a VPC the function reaches AWS APIs (Secrets Manager, SSM) and the internet only through a NAT
   * gateway or VPC endpoints in its subnets.
   *
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` for the function's network interfaces. Requires `vpc`.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function's network interfaces. Requires `vpc`.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Lambda SnapStart: initialize the function once when a version is published and resume later cold starts
   * from that snapshot. Needs Python 3.12 or newer, and cannot be combined with `provisionedConcurrency`.
   *
   * A version is published on each deploy that changes the function, and invocations go to the `live` alias
   * that points at it.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html
   * @default false
   */
  readonly snapStart?: boolean;

  /**
   * Execution environments kept initialized (provisioned concurrency) on the `live` alias. At most
   * `reservedConcurrency` when that is set; cannot be combined with `snapStart`.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html
   * @default - no provisioned concurrency
   */
  readonly provisionedConcurrency?: number;

  /**
   * Concurrency reserved for the function, which is also its maximum concurrency.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default - no reservation: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
}

/**
 * Properties of a {@link FastApiFunction}.
 */
export interface FastApiFunctionProps extends FastApiFunctionOptions {
  /**
   * How long the function's log group keeps logs.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A description of the function.
   *
   * @default - "FastAPI application (Mangum)", or "FastAPI application (uvicorn, Lambda Web Adapter, response streaming)" with `streaming`
   */
  readonly description?: string;

  /**
   * Refuse every invocation whose header does not carry the value of a secret, before the handler module
   * is imported: for a function behind your own CloudFront distribution that adds the secret as an origin
   * custom header. `SpaWithLambdaApi` sets this for its API function, from its `api.originVerification`.
   *
   * The handler becomes a small wrapper from a layer (`cdk_spa_origin_verify.handler`); your handler is
   * named in the `CDK_SPA_ORIGIN_VERIFY_HANDLER` environment variable and is imported in the init phase
   * (burst CPU; the SnapStart snapshot or a provisioned environment holds the initialized app). Refused requests
   * get `403 {"message": "Forbidden"}`, never call the handler, and are counted in the `OriginVerificationRefused`
   * metric (see `metricOriginVerificationRefused()`).
   *
   * @default - no check: every invocation reaches the handler
   */
  readonly originVerification?: FunctionOriginVerification;
}

/**
 * An ARM64 Python Lambda function that runs a FastAPI app through Mangum.
 *
 * The project is bundled on the machine that runs `cdk synth`, without Docker: pip installs
 * manylinux wheels for the target runtime and architecture into the bundle. The asset hash is
 * computed from the source folder, the runtime and the architecture, so synths are deterministic.
 * Logs are JSON, in a log group with retention.
 *
 * @example
 * const api = new FastApiFunction(this, 'Api', {
 *   source: './backend', // relative to where cdk synth runs
 *   handler: 'app.main.handler',
 * });
 */
export class FastApiFunction extends Construct implements iam.IGrantable, ec2.IConnectable {
  /**
   * The default runtime: pinned, not the newest Python runtime the installed aws-cdk-lib knows.
   *
   * Upgrading aws-cdk-lib never changes it (a runtime change re-bundles every dependency for another CPython ABI, and
   * native dependencies publish aarch64 wheels for a new Python some time after its release); it moves in a release
   * of this library whose bundling tests pass on the new runtime. cdk-nag's AwsSolutions-L1 is acknowledged, with
   * this reason, on a function that uses it. Set `runtime` to move earlier.
   */
  public static readonly DEFAULT_RUNTIME: lambda.Runtime = DEFAULT_PYTHON_RUNTIME;

  /** The Lambda function. */
  public readonly function: lambda.Function;

  /** The function's log group (JSON logs, with retention). */
  public readonly logGroup: logs.LogGroup;

  /** The principal the function runs as; grant it access to your resources. */
  public readonly grantPrincipal: iam.IPrincipal;

  /**
   * The function's execution role. It has no AWS managed policy: an inline policy lets it write to its
   * own log group only; grants add to its default policy.
   */
  public readonly role: iam.IRole;

  /**
   * The `live` alias, when `snapStart` or `provisionedConcurrency` is set; it points at the version published
   * by the last deploy.
   */
  public readonly alias?: lambda.Alias;

  /**
   * What callers should invoke: the `live` alias when there is one, else the function (`$LATEST`).
   * `SpaWithLambdaApi`'s HTTP API integration invokes this.
   */
  public readonly invokeTarget: lambda.IFunction;

  constructor(scope: Construct, id: string, props: FastApiFunctionProps) {
    super(scope, id);

    const resolved = resolveFunctionProps(props);
    if (!isValidated(props)) { // SpaWithLambdaApi validates its api props before it builds this function
      const errors = new PropErrors();
      validateFunctionOptions(errors, props, '');
      validateFunctionOriginVerification(errors, 'originVerification.', props.originVerification, props);
      validateStreamingFunction(errors, props, '', Stack.of(this));
      if (props.streaming === true && !props.originVerification) {
        errors.add('streaming is true, but originVerification is not set. In streaming mode the origin check runs as ASGI middleware '
          + 'in front of the app and names your handler to uvicorn; a Function URL without it would serve anyone. '
          + 'Pass originVerification with the secret your CloudFront distribution sends, or set streaming to false.');
      }
      if (props.streaming === true && props.originVerification?.importOnFirstRequest) {
        errors.add(streamingImportError('originVerification.importOnFirstRequest', ''));
      }
      if (props.originVerification) {
        validateOriginVerifyEnvironment(errors, 'environment', resolved.environment);
        validateOriginVerifySecretKeys(errors, 'secrets', props.secrets ?? {});
      }
      errors.throwIfAny('FastApiFunction', id);
    }
    const handlerNotVerified = Token.isUnresolved(resolved.handler) || Token.isUnresolved(resolved.source) ? undefined
      : handlerWarning(checkHandlerAttribute(resolved.source, resolved.handler, resolved.python), 'handler', resolved.handler);
    if (handlerNotVerified) {
      Annotations.of(this).addWarningV2('cdk-spa-with-lambda-api:handlerNotVerified', handlerNotVerified);
    }

    // least privilege: no AWS managed policy, logs only to this function's own log group
    const logging = functionLogging(this, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.logGroup = logging.logGroup;
    this.role = logging.role;

    const architecture = props.architecture ?? lambda.Architecture.ARM_64;

    const originVerify = props.originVerification
      ? originVerifyFunctionSettings(this, props.originVerification, resolved.handler, resolved.runtime, architecture)
      : undefined;
    // streaming: our exec wrapper starts uvicorn behind LWA and ignores the handler, which stays the user's
    const streaming = props.streaming === true;
    const layers = [
      ...(originVerify ? [originVerify.layer] : []),
      ...(streaming ? [streamingAdapterLayer(this, props.streamingAdapterLayer)] : []),
    ];
    this.function = new lambda.Function(this, 'Function', {
      description: props.description ?? (streaming ? 'FastAPI application (uvicorn, Lambda Web Adapter, response streaming)' : 'FastAPI application (Mangum)'),
      runtime: resolved.runtime,
      architecture,
      handler: streaming ? resolved.handler : (originVerify?.handler ?? resolved.handler),
      code: pythonBundledCode({
        ...props.bundling,
        entry: path.resolve(resolved.source),
        runtime: resolved.runtime,
        architecture,
        scope: this,
        requiredModules: streaming ? [{ name: 'uvicorn', reason: 'streaming mode runs the app under uvicorn behind the Lambda Web Adapter' }] : undefined,
      }),
      memorySize: resolved.memorySize,
      timeout: resolved.timeout,
      environment: { ...resolved.environment, ...originVerify?.environment, ...(streaming ? streamingEnvironment() : {}) },
      layers: layers.length > 0 ? layers : undefined,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      tracing: props.tracing,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      snapStart: props.snapStart ? lambda.SnapStartConf.ON_PUBLISHED_VERSIONS : undefined,
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.grantPrincipal = this.function.grantPrincipal;

    // secrets: the ARN or parameter name in the environment, read access to that secret only
    for (const [name, secret] of Object.entries(props.secrets ?? {})) {
      this.function.addEnvironment(name, secret.reference);
      secret.grantRead(this.function);
    }
    warnPlaintextSecrets(this, resolved.environment);
    if (props.vpc) {
      grantVpcAccess(this, this.function);
    }
    suppressTracingFinding(this.function, props.tracing);
    if (props.snapStart || props.provisionedConcurrency !== undefined) {
      if (props.snapStart) {
        Annotations.of(this.function).acknowledgeWarning('@aws-cdk/aws-lambda:snapStartRequirePublish',
          'FastApiFunction publishes a version on every change and invokes it through the live alias');
      }
      this.alias = new lambda.Alias(this, 'LiveAlias', {
        aliasName: LIVE_ALIAS_NAME,
        version: this.function.currentVersion,
        provisionedConcurrentExecutions: props.provisionedConcurrency,
      });
    }
    this.invokeTarget = this.alias ?? this.function;
    if (resolved.runtime.name === FastApiFunction.DEFAULT_RUNTIME.name) {
      acknowledgePinnedRuntime(this.function, 'Set the runtime prop (for example lambda.Runtime.PYTHON_3_15) to move earlier.');
    }
    if (props.originVerification) {
      grantOriginVerifySecret(props.originVerification, this.function);
    }
  }

  /**
   * The requests the origin check refused (`originVerification`): the `OriginVerificationRefused` metric in the
   * `CdkSpaWithLambdaApi` namespace, which the check writes to the function's log in Embedded Metric Format,
   * one count per refused request. Sum over 5 minutes by default. Without `originVerification` it has no data.
   */
  public metricOriginVerificationRefused(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return originVerificationRefusedMetric(this.function, props);
  }

  /**
   * The network connections of the function in its VPC, for example
   * `database.connections.allowDefaultPortFrom(api)`. Only for a function with `vpc`.
   */
  public get connections(): ec2.Connections {
    return this.function.connections;
  }
}
