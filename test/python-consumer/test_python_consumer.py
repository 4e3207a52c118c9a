"""The Python package, tried as a Python user would: a fresh virtualenv with aws-cdk-lib and constructs from
PyPI and the freshly built wheel (dist/python), a Python CDK app (app.py) that defines the example stack, and
``cdk synth``. Its cloud assembly must equal the TypeScript example's (example/app.ts): same template, same
asset hashes, same bundled Lambda code.

Needs the wheel: ``npx projen package:python`` (``npx projen build`` runs this test after packaging).

    python3 -m pytest test/python-consumer -q -p no:cacheprovider
"""

import difflib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PACKAGE_JSON = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
STACK = "SpaWithLambdaApiExample"
CDK = ROOT / "node_modules" / ".bin" / "cdk"
TS_NODE = ROOT / "node_modules" / ".bin" / "ts-node"

# Both apps read the optional custom domain from context, exactly as example/app.ts documents it.
DOMAIN_CONTEXT = {
    "domainName": "app.example.com",
    "hostedZoneId": "Z0123456789ABCDEFGHIJ",
    "hostedZoneName": "example.com",
    "certificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555",
}


def run(args: List[str], cwd: Path, env: Optional[Dict[str, str]] = None) -> str:
    started = time.monotonic()
    result = subprocess.run(
        args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    print(f"$ {' '.join(str(a) for a in args[:4])}{' ...' if len(args) > 4 else ''}  ({time.monotonic() - started:.1f} s)")
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(str(a) for a in args)} exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result.stdout


@pytest.fixture(scope="session")
def wheel() -> Path:
    """The wheel jsii-pacmak built from the current compile (not an older one)."""
    version = PACKAGE_JSON["version"]
    module = PACKAGE_JSON["jsii"]["targets"]["python"]["module"]
    path = ROOT / "dist" / "python" / f"{module}-{version}-py3-none-any.whl"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `npx projen package:python` first.", pytrace=False)
    assembly = ROOT / ".jsii"
    if assembly.is_file() and path.stat().st_mtime < assembly.stat().st_mtime:
        pytest.fail(
            f"{path.name} is older than .jsii (the last compile): run `npx projen package:python` again.",
            pytrace=False,
        )
    return path


PINNED = ROOT / "test" / "python-consumer" / "requirements.txt"


def pinned_versions() -> Dict[str, str]:
    """The versions test/python-consumer/requirements.txt pins (generated with hashes by `npx projen pins`)."""
    pins = {}
    for line in PINNED.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_pinned_cdk_is_the_one_the_library_is_built_with():
    """The Python app synthesizes against the aws-cdk-lib and constructs of package-lock.json, not newer ones."""
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    pins = pinned_versions()
    for name in ("aws-cdk-lib", "constructs"):
        locked = lock[f"node_modules/{name}"]["version"]
        assert pins.get(name) == locked, (
            f"test/python-consumer/requirements.txt pins {name}=={pins.get(name)}, but package-lock.json has {locked}: "
            f"set {name}=={locked} in test/python-consumer/requirements.in and run `npx projen pins`."
        )


@pytest.fixture(scope="session")
def venv_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv with every package pinned with its hash (requirements.txt), then the wheel without its deps."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", str(venv)], cwd=ROOT)
    python = venv / "bin" / "python"
    env = {"PIP_REQUIRE_VIRTUALENV": "0"}
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run(pip + ["--require-hashes", "-r", str(PINNED)], cwd=ROOT, env=env)
    run(pip + ["--no-deps", str(wheel)], cwd=ROOT, env=env)
    # the wheel's requirements (jsii, publication, aws-cdk-lib, constructs) are met by the pinned set
    run([str(python), "-m", "pip", "check"], cwd=ROOT, env=env)
    return python


@pytest.fixture(scope="session")
def example_site() -> Path:
    """The example SPA build both apps deploy (the build task makes it first; built here when run alone)."""
    dist = ROOT / "example" / "frontend" / "dist"
    if not (dist / "index.html").is_file():
        run(["npm", "run", "build", "--workspace", "example/frontend"], cwd=ROOT)
    return dist


def synth(app_command: str, outdir: Path, context: Dict[str, str]) -> Path:
    """`cdk synth` as a user runs it, from a folder without cdk.json, with bundling (no Docker)."""
    args = [str(CDK), "synth", "--app", app_command, "--output", str(outdir),
            "--quiet", "--no-notices", "--no-version-reporting"]
    for key, value in context.items():
        args += ["--context", f"{key}={value}"]
    workdir = outdir.parent
    run(args, cwd=workdir, env={
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "AWS_EC2_METADATA_DISABLED": "true",
        "TS_NODE_TRANSPILE_ONLY": "true",
    })
    return outdir


def typescript_app() -> str:
    return shlex.join([str(TS_NODE), "--project", str(ROOT / "tsconfig.dev.json"), "--prefer-ts-exts",
                       str(ROOT / "example" / "app.ts")])


def python_app(python: Path) -> str:
    return shlex.join([str(python), str(HERE / "app.py")])


def load(outdir: Path, name: str) -> Dict[str, Any]:
    return json.loads((outdir / name).read_text(encoding="utf-8"))


def differences(expected: Any, actual: Any) -> str:
    """A unified diff of two JSON documents (sorted keys), limited to what differs."""
    a = json.dumps(expected, indent=1, sort_keys=True).splitlines()
    b = json.dumps(actual, indent=1, sort_keys=True).splitlines()
    return "\n".join(list(difflib.unified_diff(a, b, "typescript", "python", lineterm="", n=3))[:200])


def fastapi_functions(template: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The FastAPI function resources (construct path App/ApiFunction/Function), by logical id."""
    return {
        logical_id: resource for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource.get("Metadata", {}).get("aws:cdk:path", "").endswith("/App/ApiFunction/Function/Resource")
    }


def lambda_asset_files(outdir: Path, template: Dict[str, Any]) -> Dict[str, List[str]]:
    """Relative file names in each bundled FastAPI function asset, by logical id."""
    found: Dict[str, List[str]] = {}
    for logical_id, resource in fastapi_functions(template).items():
        asset = outdir / resource["Metadata"]["aws:asset:path"]
        found[logical_id] = sorted(str(p.relative_to(asset)) for p in asset.rglob("*") if p.is_file())
    return found


@pytest.fixture(scope="session", params=["defaults", "custom domain"])
def assemblies(request: pytest.FixtureRequest, venv_python: Path, example_site: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    context = DOMAIN_CONTEXT if request.param == "custom domain" else {}
    work = tmp_path_factory.mktemp(request.param.replace(" ", "-"))
    apps = {"typescript": typescript_app(), "python": python_app(venv_python)}
    # both synths at once: each is mostly one process waiting on another (CLI, app, jsii kernel, pip)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {language: pool.submit(synth, command, work / f"{language}.out", context)
                   for language, command in apps.items()}
        return {language: future.result() for language, future in futures.items()}


def test_the_python_app_uses_the_built_wheel(venv_python: Path) -> None:
    # find_spec, not import: importing would start the jsii kernel (seconds) only to print a path
    out = run([str(venv_python), "-c",
               "import importlib.metadata as m, importlib.util as u;"
               "print(m.version('cdk-spa-with-lambda-api'), m.version('aws-cdk-lib'), m.version('constructs'),"
               " u.find_spec('cdk_spa_with_lambda_api').origin)"],
              cwd=ROOT)
    version, cdk_version, constructs_version, module_file = out.split()
    assert version == PACKAGE_JSON["version"]
    assert cdk_version == PACKAGE_JSON["devDependencies"]["aws-cdk-lib"]
    assert constructs_version == PACKAGE_JSON["devDependencies"]["constructs"]
    assert Path(module_file).is_relative_to(venv_python.parent.parent), module_file


def test_the_python_template_equals_the_typescript_template(assemblies: Dict[str, Path]) -> None:
    ts = load(assemblies["typescript"], f"{STACK}.template.json")
    py = load(assemblies["python"], f"{STACK}.template.json")
    # analyticsReporting is off in both apps: CDKMetadata would record the calling language
    assert "CDKMetadata" not in ts["Resources"] and "CDKMetadata" not in py["Resources"]
    functions = list(fastapi_functions(py).values())
    assert len(functions) == 1 and functions[0]["Properties"]["Architectures"] == ["arm64"]
    assert py == ts, "the Python app's template differs from the TypeScript example's:\n" + differences(ts, py)


def test_asset_hashes_are_the_same_in_both_languages(assemblies: Dict[str, Path]) -> None:
    ts = load(assemblies["typescript"], f"{STACK}.assets.json")
    py = load(assemblies["python"], f"{STACK}.assets.json")
    assert len(ts["files"]) >= 3  # the SPA, the FastAPI bundle, the deployment handler...
    assert sorted(py["files"]) == sorted(ts["files"])
    assert py == ts, "the Python app's asset manifest differs from the TypeScript example's:\n" + differences(ts, py)


def test_the_bundled_fastapi_code_is_the_same_in_both_languages(assemblies: Dict[str, Path]) -> None:
    template = load(assemblies["typescript"], f"{STACK}.template.json")
    ts = lambda_asset_files(assemblies["typescript"], template)
    py = lambda_asset_files(assemblies["python"], template)
    assert len(ts) == 1
    files = next(iter(ts.values()))
    assert "app/main.py" in files and any(f.startswith("pydantic_core/") and f.endswith(".so") for f in files)
    assert py == ts


def documented_python_app() -> str:
    """The Python app in docs/languages.md ("A whole app, in TypeScript and in Python"), which the README links to."""
    doc = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    section = doc[doc.index("\n## A whole app, in TypeScript and in Python\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) == 1, "expected one Python block in that section of docs/languages.md"
    return blocks[0]


def test_the_documented_python_example_synthesizes(venv_python: Path, example_site: Path,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    project = tmp_path_factory.mktemp("documented-app")
    (project / "app.py").write_text(documented_python_app(), encoding="utf-8")
    (project / "frontend").mkdir()
    (project / "frontend" / "dist").symlink_to(example_site, target_is_directory=True)
    (project / "backend").symlink_to(ROOT / "example" / "backend", target_is_directory=True)
    outdir = project / "cdk.out"
    # run as `python app.py` with the context the CLI would pass; bundling skipped: the example tests above bundle
    run([str(venv_python), "app.py"], cwd=project, env={
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps({"aws:cdk:bundling-stacks": [], "aws:cdk:enable-path-metadata": True}),
    })
    template = load(outdir, "MyApp.template.json")
    types = sorted({r["Type"] for r in template["Resources"].values()})
    for expected in ("AWS::CloudFront::Distribution", "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::ApiGatewayV2::Api"):
        assert expected in types
    functions = list(fastapi_functions(template).values())
    assert len(functions) == 1 and functions[0]["Properties"]["Architectures"] == ["arm64"]
