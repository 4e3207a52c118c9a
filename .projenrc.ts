import { awscdk, javascript, DependencyType } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const repositoryUrl = 'https://github.com/cdk-spa-with-lambda-api/cdk-spa-with-lambda-api.git';

// Versions are pinned on purpose: integ-runner 2.197.10 reads cloud-assembly schema 53 at most
// (aws-cdk-lib <= 2.257), and the newest integ-tests-alpha on the registry is 2.245.0-alpha.0.
const CDK_VERSION = '2.245.0';
const INTEG_TESTS_ALPHA_VERSION = '2.245.0-alpha.0';
const INTEG_RUNNER_VERSION = '2.197.10';
// The CDK CLI that integ-runner 2.197.10 itself depends on, so both share one toolkit.
const CDK_CLI_VERSION = '2.1115.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-spa-with-lambda-api',
  description:
    'One CDK construct that serves a single-page app and its FastAPI (Python) API behind one CloudFront distribution: private S3 with OAC, SPA routing that never masks API errors, an ARM64 Lambda bundled without Docker, and an API that cannot be reached around CloudFront.',
  author: 'cdk-spa-with-lambda-api contributors',
  authorAddress: repositoryUrl,
  authorOrganization: false,
  repositoryUrl,
  license: 'Apache-2.0',
  stability: 'experimental',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'construct', 'cloudfront', 'spa', 'fastapi', 'lambda', 'python', 'apigateway'],

  // peer dependency ^2.245.0 (no upper bound below aws-cdk-lib 3): test/compat.test.ts installs the packed library with
  // this floor (and cdk-nag 2) and with the newest aws-cdk-lib (and cdk-nag 3); the devDependency stays at the floor
  cdkVersion: CDK_VERSION,
  cdkVersionPinning: false,
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // Node 22 LTS is the floor. 22.13 rather than 22.0: the dev toolchain declares it (vite needs >= 22.12 and
  // typescript-eslint's eslint-visitor-keys ^22.13), so npm prints no EBADENGINE warning at the declared floor.
  // The GitHub workflows run on this version; .ci/run runs the suite on Node 24, the newest LTS.
  minNodeVersion: '22.13.0',
  // `npx cdk-spa-with-lambda-api dev`: the site and the API on one local port, routed as in production (src/dev)
  bin: { 'cdk-spa-with-lambda-api': 'lib/dev/cli.js' },

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    include: ['.projenrc.ts'],
    // the example frontend has its own tsconfig (DOM, Vite) and is type-checked by its build
    exclude: ['**/node_modules', '**/cdk.out', '**/*.snapshot', 'lib', 'dist', 'example/frontend', '.bundle-cache',
      // the compatibility apps compile in their own scratch projects, against other aws-cdk-lib and cdk-nag versions
      'test/fixtures/compat'],
  },
  typecheckTests: true,
  // lint src, tests, the example and scripts against tsconfig.dev.json (the jsii tsconfig covers src only)
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'example', 'scripts'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', '*.generated.ts', 'coverage', 'cdk.out', '*.snapshot/', 'example/frontend/', 'test/fixtures/compat/'],
  },
  experimentalIntegRunner: true,

  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    extraCliOptions: ['--maxWorkers=2'],
    jestConfig: {
      testTimeout: 60_000,
      // bundling tests share one pip cache and one bundle cache; keep heavy suites off the watch path
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '/example/'],
      // each run gets its own TMPDIR, removed at the end (cdk.out* folders of every synth, staged assets, bundles)
      globalSetup: '<rootDir>/test/jest-tmpdir-setup.js',
      globalTeardown: '<rootDir>/test/jest-tmpdir-teardown.js',
    },
  },

  // multi-language packages (building them is the languages issue; they must not break the build here)
  publishToPypi: {
    distName: 'cdk-spa-with-lambda-api',
    module: 'cdk_spa_with_lambda_api',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkspawithlambdaapi',
    mavenGroupId: 'io.github.cdk-spa-with-lambda-api',
    mavenArtifactId: 'cdk-spa-with-lambda-api',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-spa-with-lambda-api/cdk-spa-with-lambda-api-go',
    packageName: 'cdkspawithlambdaapi',
  },

  // Bundled into the jsii package: the Python bundler reads pyproject.toml and uv.lock (TOML) at synth time, compares
  // PEP 440 versions, and leaves out what the project's .gitignore ignores (ignore: the matcher eslint and prettier use).
  bundledDeps: ['smol-toml@^1.9.1', '@renovatebot/pep440@^4.2.4', 'ignore@^7.0.17'],

  devDeps: [
    'cdk-nag@^2.37.0',
    `aws-cdk@${CDK_CLI_VERSION}`,
  ],

  gitignore: [
    'cdk.out/',
    '*.cdk.out/',
    '/example/cdk.out/',
    '/.bundle-cache/',
    '__pycache__/',
    '.pytest_cache/',
    // a virtualenv, or a link to one (a trailing slash would not match a link)
    '.venv',
    '/example/frontend/dist/',
    '/bench-out/',
    // the dev server's virtualenv and synthesized app (`cdk-spa-with-lambda-api dev`)
    '.cdk-spa-dev/',
    // integ snapshots keep templates and manifests; asset folders (the assertion provider's bundle) are rebuilt
    'test/*.snapshot/asset.*',
  ],
  npmignoreEnabled: true,
  npmIgnoreOptions: {
    ignorePatterns: ['/example/', '/scripts/', '/bench-out/', '/.bundle-cache/', '/.ci/', '__pycache__/'],
  },
  githubOptions: { mergify: false },
  pullRequestTemplate: false,
});

// Pin over the `latest` that experimentalIntegRunner writes (addDevDeps would not override it).
project.deps.addDependency(`@aws-cdk/integ-tests-alpha@${INTEG_TESTS_ALPHA_VERSION}`, DependencyType.DEVENV);
project.deps.addDependency(`@aws-cdk/integ-runner@${INTEG_RUNNER_VERSION}`, DependencyType.DEVENV);

// integ-runner: no metadata-service lookups (7 s per run) and no type-checking in ts-node (tsc does that)
for (const name of ['integ', 'integ:update']) {
  project.tasks.tryFind(name)?.env('AWS_REGION', 'us-east-1');
  project.tasks.tryFind(name)?.env('TS_NODE_TRANSPILE_ONLY', 'true');
}

// The compatibility matrix (test/compat.test.ts): the upgrade workflow moves its newest end (aws-cdk-lib, cdk-nag,
// Node) to the newest versions on the registry, so that a pull request shows whether the library still works with
// what users install today. The minimum end follows the peer dependency's floor.
const compatBump = project.addTask('upgrade:compat-matrix', {
  description: 'Bump test/fixtures/compat/versions.json to the newest aws-cdk-lib, cdk-nag and Node of its major',
  exec: 'node projenrc/bump-compat-versions.js',
});
// `upgrade` itself is locked by projen; `post-upgrade` is its extension point
project.tasks.tryFind('post-upgrade')?.spawn(compatBump);

// Runtime code shipped inside assets (src/<concept>/runtime/**: the CloudFront Function, the origin-verification
// layer, the site deploy handler) lives next to its concept and is copied beside the compiled code in lib/.
project.compileTask.exec('node projenrc/copy-runtime.js');

// The example frontend is an npm workspace, so `npm ci` at the root installs it too.
project.package.addField('workspaces', ['example/frontend']);

// ---- the main job: build the SPA, bundle the API for ARM64 without Docker, synthesize the example app ----
const offlineCdk = {
  // no telemetry, notices or metadata-service lookups on a machine without AWS credentials
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  TS_NODE_TRANSPILE_ONLY: 'true',
};
const exampleFrontend = project.addTask('example:frontend', {
  description: 'Build the example SPA (Vite) into example/frontend/dist',
  exec: 'npm run build --workspace example/frontend',
});
const exampleSynth = project.addTask('example:synth', {
  description: 'Synthesize the example app into example/cdk.out (the Lambda is bundled for ARM64, without Docker)',
  cwd: 'example',
  env: offlineCdk,
  exec: 'cdk synth --quiet',
});
const exampleSummary = project.addTask('example:summary', {
  description: 'Print where the example was synthesized, its resources by type, every asset by what it is, and the next command',
  env: offlineCdk,
  exec: 'ts-node --project tsconfig.dev.json example/summary.ts example/cdk.out',
});
const example = project.addTask('example', {
  description: 'The main job: build the SPA, bundle the API and synthesize the example app, then summarize it',
});
example.spawn(exampleFrontend);
example.spawn(exampleSynth);
example.spawn(exampleSummary);

// ---- the local loop: the example on one port, routed as CloudFront routes it, with hot reload ----
// Vite dev server mode (HMR for the SPA); the settings come from example/app.ts, synthesized without bundling.
// The synthesized app checks that site.source has an index.html, so the SPA is built once, the first time only.
project.addTask('example:dev', {
  description: 'Run the example locally on one port (PORT or --port, default 3000): the SPA through the Vite dev server and /api/* through the Mangum handler, with the production routing and headers',
  cwd: 'example',
  env: { TS_NODE_TRANSPILE_ONLY: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
  steps: [
    { exec: '[ -f frontend/dist/index.html ] || npm run build --prefix frontend' },
    { exec: 'ts-node --project ../tsconfig.dev.json ../src/dev/cli.ts dev --vite frontend', receiveArgs: true },
  ],
});

// ---- the example backend's own tests run with the suite ----
const testPython = project.addTask('test:python', {
  description: 'Run the Python tests: the example backend, the origin-verification checker, and the site deploy handler against moto\'s S3 and CloudFront on 127.0.0.1',
  // failed runs only keep their temp folders (moto data, bundles, the streaming app)
  exec: 'python3 -m pytest example/backend test/api test/site/test_site_deploy.py -q -p no:cacheprovider -o tmp_path_retention_policy=failed',
});
project.testTask.spawn(testPython);

// ---- Python pins: every Python input of the tests and of the example, generated with hashes from its .in file ----
project.addTask('pins', {
  description: 'Generate every Python pin (example backend, requirements-dev, wheelhouse lists, Python consumer) from its .in file, with hashes',
  exec: 'bash projenrc/pins.sh',
});
const pinsUpgrade = project.addTask('pins:upgrade', {
  description: 'Move every Python pin to the newest release (uv pip compile --upgrade), with hashes',
  exec: 'bash projenrc/pins.sh --upgrade',
});
// the weekly upgrade workflow moves the Python pins too, so they do not rot
project.tasks.tryFind('post-upgrade')?.spawn(pinsUpgrade);

// ---- Python bundling: a wheelhouse for offline bundling tests, and the bundling benchmark ----
// The bundling tests install with `--no-index --find-links .bundle-cache/wheelhouse` (one uv test goes online).
// The lists pin every file with its hashes, and pip checks them (--require-hashes). The download runs only when the
// lists changed since the last one, into a new folder that then replaces the old one: a file of an older pin never
// stays behind to hide a pin that the registry no longer matches (what a warm cache once hid).
const wheelhouseLists = 'test/fixtures/python-wheelhouse/wheels-aarch64.txt test/fixtures/python-wheelhouse/wheels-host.txt test/fixtures/python-wheelhouse/sdists.txt';
const pipDownload = 'python3 -m pip download --quiet --disable-pip-version-check --require-hashes --dest .bundle-cache/wheelhouse.new';
const wheelhouse = project.addTask('test:wheelhouse', {
  description: 'Download the wheels and sdists the Python bundling tests install from (aarch64 for the default runtime, and the host), hash-checked',
  condition: `! (cat ${wheelhouseLists} | cmp -s - .bundle-cache/wheelhouse/.lists)`,
  steps: [
    { exec: 'rm -rf .bundle-cache/wheelhouse.new && mkdir -p .bundle-cache/wheelhouse.new' },
    { exec: `${pipDownload} --only-binary=:all: --implementation cp --python-version 3.14 --abi cp314 --platform manylinux_2_34_aarch64 --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 -r test/fixtures/python-wheelhouse/wheels-aarch64.txt` },
    { exec: `${pipDownload} --only-binary=:all: -r test/fixtures/python-wheelhouse/wheels-host.txt` },
    { exec: `${pipDownload} --no-deps --no-binary=:all: -r test/fixtures/python-wheelhouse/sdists.txt` },
    { exec: `cat ${wheelhouseLists} > .bundle-cache/wheelhouse.new/.lists` },
    { exec: 'rm -rf .bundle-cache/wheelhouse && mv .bundle-cache/wheelhouse.new .bundle-cache/wheelhouse' },
  ],
});
project.testTask.prependSpawn(wheelhouse);
// ---- the streaming path's end-to-end test (test/api/streaming) runs the real AWS Lambda Web Adapter ----
// Built from the crates.io crate with its own lock file (--locked) and release profile, into .bundle-cache/lwa;
// rebuilt only when the pin changes. 2 minutes on 2 idle cores with empty caches, 6 on busy ones (docs/measurements.md).
const LWA_VERSION = '0.9.1';
const lwa = project.addTask('test:lwa', {
  description: `Build the AWS Lambda Web Adapter ${LWA_VERSION} (crates.io: lambda_web_adapter) into .bundle-cache/lwa for the streaming tests`,
  condition: `! [ "$(cat .bundle-cache/lwa/.pin 2>/dev/null)" = "lambda_web_adapter=${LWA_VERSION}" ]`,
  steps: [
    { exec: `cargo install lambda_web_adapter --version =${LWA_VERSION} --locked --force --root .bundle-cache/lwa` },
    { exec: `echo lambda_web_adapter=${LWA_VERSION} > .bundle-cache/lwa/.pin` },
  ],
});
project.testTask.prependSpawn(lwa);
project.addTask('bench:bundling', {
  description: 'Benchmark the Python bundler against naive pip and a prebuilt asset (median of repeated runs); prints a Markdown table',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project tsconfig.dev.json scripts/bench-bundling.ts',
  receiveArgs: true,
});
project.addTask('bench:excludes', {
  description: 'Synth-time cost of honouring .gitignore in the Python bundle: the asset hash with respectGitignore on vs off (medians); prints a Markdown table',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project tsconfig.dev.json scripts/bench-excludes.ts',
  receiveArgs: true,
});
project.addTask('bench:coldstart', {
  description: 'Cold start of the API function: the app imported in the init phase (full CPU) vs on the first request '
    + '(under the 256 MB CPU quota, cgroup v1, as root); prints a Markdown table of medians and the ratio',
  exec: 'python3 scripts/bench-coldstart.py',
  receiveArgs: true,
});
project.addTask('bench:streaming', {
  description: 'Streaming mode (LWA + uvicorn) vs the Mangum path: cold start under the 256 MB CPU quota (cgroup v1, as root) '
    + 'and time to first byte of a 5-event SSE stream; prints Markdown tables of medians and ratios (needs `npx projen test:lwa`)',
  exec: 'python3 scripts/bench-streaming.py',
  receiveArgs: true,
});
project.addTask('bench:site', {
  description: 'Simulated deploy of a generated 3,000-file / 59 MB site against moto\'s S3 and CloudFront on 127.0.0.1: the '
    + 'BucketDeployment passes vs the one-pass handler (paired runs), and the count table; prints Markdown',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project tsconfig.dev.json scripts/bench-site.ts',
  receiveArgs: true,
});
project.addTask('bench:site-synth', {
  description: 'Benchmark the synth of a generated 3,000-file site against one plain BucketDeployment (paired runs); prints a Markdown table',
  env: { CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true', TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project tsconfig.dev.json scripts/bench-site-synth.ts',
  receiveArgs: true,
});
// CI builds the example SPA too (its own `tsc --noEmit` type-checks the frontend)
project.testTask.prependSpawn(exampleFrontend);

// ---- languages: npm and Python packages in every build, Java and Go with `npx projen package-all` ----
// jsii-rosetta strict: every TypeScript example in the README and in doc comments must compile (fixtures in
// rosetta/); the translations it writes to .jsii.tabl.json.gz are what jsii-pacmak puts in the Python, Java and
// Go docs (the language packages are built from the npm tarball, so it ships in it, as aws-cdk-lib's does).
project.package.file.addOverride('jsii.metadata.jsii.rosetta.strict', true);
// rosetta compiles the examples in a scratch npm project: they use `path` and `__dirname`
project.package.addField('jsiiRosetta', { exampleDependencies: { '@types/node': '^22' } });
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile every README and doc-comment example (strict) and translate them into .jsii.tabl.json.gz',
  exec: 'jsii-rosetta extract --strict --compress-tablet',
});
project.postCompileTask.spawn(rosettaExtract);
project.gitignore.exclude('/.jsii.tabl.json', '/.jsii.tabl.json.gz');
project.npmignore?.include('/.jsii.tabl.json.gz', '/rosetta/');

// `package` makes the npm and Python packages, in CI and locally alike (projen's default makes all four
// outside CI), then tries the wheel: the Python consumer test needs it, so it cannot run in `test`, which comes
// before `package` in `build` (and `build` itself is locked by projen).
const testPythonConsumer = project.addTask('test:python-consumer', {
  description: 'Install the built wheel into a new virtualenv, synthesize the example stack from Python and compare it with the TypeScript example',
  // the virtualenv and four cloud assemblies take ~500 MB: keep them only when a test failed
  exec: 'python3 -m pytest test/python-consumer -q -p no:cacheprovider -o tmp_path_retention_policy=failed',
});
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);
packageTask.spawn(project.tasks.tryFind('package:python')!);
packageTask.spawn(testPythonConsumer);
// Go: generate the module, then compile it in a scratch copy (what jsii-pacmak's own Go build does, plus a
// fallback to the nearest version the Go proxy serves when it refuses one; see scripts/go-build-check.ts).
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset('jsii-pacmak -v --target go --code-only');
packageGo.exec('ts-node --project tsconfig.dev.json scripts/go-build-check.ts dist/go/cdkspawithlambdaapi', {
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
});

project.synth();
