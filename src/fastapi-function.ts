import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { pythonBundledCode } from './private/python-bundling';
import { PropErrors, validateFunctionProps } from './private/validation';

/**
 * Properties of a {@link FastApiFunction}.
 */
export interface FastApiFunctionProps {
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
   * Function timeout. At most 30 seconds, the HTTP API integration timeout.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
   * @default Duration.seconds(15)
   */
  readonly timeout?: Duration;

  /**
   * Environment variables for the function.
   *
   * Names Lambda reserves (`AWS_REGION`, `_HANDLER`, ...) are rejected at synth time.
   *
   * @default - no extra variables
   */
  readonly environment?: { [key: string]: string };

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
   * @default "FastAPI application (Mangum)"
   */
  readonly description?: string;
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
 *   source: path.join(__dirname, 'backend'),
 *   handler: 'app.main.handler',
 * });
 */
export class FastApiFunction extends Construct implements iam.IGrantable {
  /** The default runtime: the newest Python runtime with aarch64 wheels for FastAPI's dependencies. */
  public static readonly DEFAULT_RUNTIME = lambda.Runtime.PYTHON_3_14;

  /** The Lambda function. */
  public readonly function: lambda.Function;

  /** The function's log group (JSON logs, with retention). */
  public readonly logGroup: logs.LogGroup;

  /** The principal the function runs as; grant it access to your resources. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: FastApiFunctionProps) {
    super(scope, id);

    const resolved = resolveFunctionProps(props);
    const errors = new PropErrors();
    validateFunctionProps(errors, resolved, '');
    errors.throwIfAny('FastApiFunction', id);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy,
    });

    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    this.function = new lambda.Function(this, 'Function', {
      description: props.description ?? 'FastAPI application (Mangum)',
      runtime: resolved.runtime,
      architecture,
      handler: resolved.handler,
      code: pythonBundledCode({
        entry: path.resolve(resolved.source),
        runtime: resolved.runtime,
        architecture,
      }),
      memorySize: resolved.memorySize,
      timeout: resolved.timeout,
      environment: resolved.environment,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
    });
    this.grantPrincipal = this.function.grantPrincipal;
  }
}

/** FastApiFunction props with every default applied. */
export function resolveFunctionProps(props: FastApiFunctionProps) {
  return {
    source: props.source,
    handler: props.handler ?? 'app.main.handler',
    runtime: props.runtime ?? FastApiFunction.DEFAULT_RUNTIME,
    timeout: props.timeout ?? Duration.seconds(15),
    memorySize: props.memorySize ?? 256,
    environment: props.environment ?? {},
  };
}
