"""The streaming path run for real: the Lambda Web Adapter (built from the crates.io crate lambda_web_adapter by
``npx projen test:lwa`` into .bundle-cache/lwa) against a Lambda Runtime API on localhost (lambda_sim.py), with the
layer's exec wrapper starting uvicorn on the layer's cdk_spa_streaming:app in front of a FastAPI app installed like
a bundle (pip --target, test/fixtures/streaming-app), with the environment the construct sets
(src/api/streaming-runtime.ts and the origin-verification variables).

The processes are the ones Lambda starts: the adapter as an extension (it registers, waits for the app, then
polls for invocations), and the exec wrapper in place of the Python runtime, given the runtime's bootstrap as its
argument. The Python the wrapper finds on PATH is a bare virtualenv (standard library only); the runtime's boto3
comes on PYTHONPATH, as the managed runtime provides it, so the app can only import what its bundle holds.

Timestamps are CLOCK_MONOTONIC (time.monotonic), shared by every process on the machine.

One test (``test_a_45_second_request_completes``) takes 45 seconds by design: an HTTP API would have cut it at 30.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lambda_sim import LambdaSim, stop_processes

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "src" / "api" / "runtime" / "origin-verify-layer"
CONTRACT = ROOT / "src" / "api" / "streaming-runtime.ts"
APP = ROOT / "test" / "fixtures" / "streaming-app"
LWA = ROOT / ".bundle-cache" / "lwa" / "bin" / "lambda-adapter"
CACHE = ROOT / ".bundle-cache" / "streaming-e2e"
WHEELHOUSE = ROOT / ".bundle-cache" / "wheelhouse"

SECRET = "cf-origin-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:AppOriginVerifySecret-AbCdEf"
HEADER = "x-origin-verify"
VIEWER_HOST = "app.example.com"
THROUGH_CLOUDFRONT = {HEADER: SECRET, "x-cdk-spa-viewer-host": VIEWER_HOST}


def contract():
    """The exec wrapper path and the LWA environment, read from the TypeScript contract the construct uses."""
    source = CONTRACT.read_text()
    wrapper = re.search(r"STREAMING_EXEC_WRAPPER = '([^']+)'", source).group(1)
    port = re.search(r"STREAMING_PORT = (\d+)", source).group(1)
    body = source[source.index("function streamingEnvironment"):]
    env = {}
    for name, literal, constant in re.findall(r"^\s+(AWS_[A-Z_]+): (?:'([^']*)'|String\(STREAMING_PORT\)|(STREAMING_EXEC_WRAPPER)),",
                                              body, re.M):
        env[name] = literal or (wrapper if constant else port)
    return wrapper, env


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stamped(directory, inputs):
    stamp = directory / ".inputs"
    return stamp.exists() and stamp.read_text() == inputs


@pytest.fixture(scope="module")
def lambda_python():
    """A Python with nothing but the standard library (the bundle and the runtime's boto3 come on the path)."""
    venv = CACHE / "python"
    inputs = sys.version + sys.executable
    if not _stamped(venv, inputs):
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        (venv / ".inputs").write_text(inputs)
    return venv / "bin"


@pytest.fixture(scope="module")
def runtime_site(tmp_path_factory):
    """boto3 and its dependencies, as the managed Python runtime provides them (links to this venv's pinned copies)."""
    import importlib.util

    site = tmp_path_factory.mktemp("runtime-site")
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (site / source.name).symlink_to(source)
    return site


@pytest.fixture(scope="module")
def bundle():
    """The fixture app installed like a bundle (pip --target, binary wheels only, from the wheelhouse), cached."""
    target = CACHE / "bundle"
    requirements = APP / "requirements.txt"
    inputs = requirements.read_text() + sys.version
    if not _stamped(target, inputs):
        shutil.rmtree(target, ignore_errors=True)
        source = ["--no-index", "--find-links", str(WHEELHOUSE)] if WHEELHOUSE.is_dir() else []
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-warn-conflicts", "--only-binary=:all:", *source, "--target", str(target),
                        "-r", str(requirements)], check=True)
        (target / ".inputs").write_text(inputs)
    shutil.rmtree(target / "app", ignore_errors=True)
    shutil.copytree(APP / "app", target / "app")
    return target


class Environment:
    """One execution environment: LWA and the exec wrapper, started as Lambda starts them."""

    def __init__(self, sim, env, workdir):
        self.sim = sim
        self.calls = workdir / "calls.jsonl"
        self.calls.write_text("")
        self.log = workdir / "function.log"
        env = {**env, "STREAMING_TEST_CALLS": str(self.calls)}
        with open(self.log, "wb") as log:
            self.adapter = subprocess.Popen([str(LWA)], env=env, stdout=log, stderr=subprocess.STDOUT)
            wrapper = LAYER / env["AWS_LAMBDA_EXEC_WRAPPER"].removeprefix("/opt/")
            self.started = time.monotonic()
            self.runtime = subprocess.Popen([str(wrapper), "/var/runtime/bootstrap"], env=env, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=env["LAMBDA_TASK_ROOT"])
        if not sim.init_done.wait(60):
            self.close()
            pytest.fail(f"the adapter never asked for an invocation; function log:\n{self.log.read_text()}")
        self.ready = time.monotonic()

    def records(self, kind=None):
        lines = [json.loads(line) for line in self.calls.read_text().splitlines()]
        return [r for r in lines if kind is None or r["kind"] == kind]

    def request(self, method, path, headers=None, body=None, timeout=120):
        connection = http.client.HTTPConnection(*self.sim.function_url.split(":"), timeout=timeout)
        connection.request(method, path, body=body, headers=headers or {})
        return connection, connection.getresponse()

    def close(self):
        stop_processes(self.runtime, self.adapter)


def function_env(sim, lambda_python, runtime_site, bundle, **overrides):
    _, lwa_env = contract()
    env = {
        "PATH": f"{lambda_python}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in the layer's source folder (its asset)
        "LAMBDA_TASK_ROOT": str(bundle),
        "PYTHONPATH": str(runtime_site),
        "AWS_LAMBDA_RUNTIME_API": sim.runtime_api,
        # the reserved variables Lambda sets (the adapter's runtime client reads several of them)
        "AWS_LAMBDA_FUNCTION_NAME": "app-api",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/app-api",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.14",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": "app.main.handler",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "session-token",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://{sim.secrets_manager}",
        **lwa_env,
        "AWS_LWA_PORT": str(free_port()),  # the contract's 8080 may be taken on a shared machine
        # the origin verification, as originVerifyFunctionSettings sets it
        "CDK_SPA_ORIGIN_VERIFY_HANDLER": "app.main.handler",
        "CDK_SPA_ORIGIN_VERIFY_SECRET_ARN": SECRET_ARN,
        "CDK_SPA_ORIGIN_VERIFY_HEADER": HEADER,
        "CDK_SPA_ORIGIN_VERIFY_CACHE_TTL": "300",
        "CDK_SPA_ORIGIN_VERIFY_IMPORT": "init",
        "CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST": "trust",
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="module")
def function(lambda_python, runtime_site, bundle, tmp_path_factory):
    if not LWA.exists():
        pytest.fail(f"{LWA} is missing: build the Lambda Web Adapter with `npx projen test:lwa` (cached in .bundle-cache/lwa)")
    sim = LambdaSim(SECRET)
    environment = Environment(sim, function_env(sim, lambda_python, runtime_site, bundle), tmp_path_factory.mktemp("fn"))
    yield environment
    environment.close()
    sim.close()


def test_the_contract_is_what_lwa_needs():
    wrapper, env = contract()
    assert wrapper == "/opt/cdk-spa-streaming/bootstrap"
    assert env == {"AWS_LAMBDA_EXEC_WRAPPER": wrapper, "AWS_LWA_INVOKE_MODE": "response_stream", "AWS_LWA_PORT": "8080",
                   "AWS_LWA_READINESS_CHECK_PROTOCOL": "tcp"}


def test_the_adapter_registers_and_the_app_is_imported_in_the_init_phase(function):
    assert function.sim.extensions == [{"name": "lambda-adapter", "events": []}]
    assert function.sim.init_errors == []
    imports = function.records("import")
    assert len(imports) == 1 and function.started < imports[0]["t"] < function.ready
    # the readiness check opened a TCP connection only: no request reached the origin check before the first invocation
    assert function.records("request") == []
    assert "OriginVerificationRefused" not in function.log.read_text()


def test_sse_events_reach_the_client_as_the_generator_yields_them(function):
    sent = time.monotonic()
    connection, response = function.request("GET", "/api/events?n=5&interval=0.5", THROUGH_CLOUDFRONT)
    assert response.status == 200
    assert response.getheader("content-type").startswith("text/event-stream")
    arrivals, events, block = [], [], []
    while True:
        line = response.readline()
        if not line:
            break
        if line.strip():
            block.append(line.decode().strip())
            continue
        if any(b.startswith("data:") for b in block):
            arrivals.append(time.monotonic())
            events.append(block)
        block = []
    connection.close()
    yields = [r["t"] for r in function.records("yield")]
    assert [json.loads(next(b for b in e if b.startswith("data:"))[5:])["i"] for e in events] == [0, 1, 2, 3, 4]
    assert all("event: tick" in e for e in events)
    assert len(yields) == 5 and sent < yields[0]
    # the first event is in the client's hands before the generator yields its last one (2 s later)
    assert arrivals[0] < yields[-1], (arrivals, yields)
    # and each event arrives before the next one is produced: one by one, not buffered
    for i in range(4):
        assert yields[i] <= arrivals[i] < yields[i + 1], (i, arrivals, yields)
    # LWA answered in streaming mode, with the http-integration-response prelude
    assert function.sim.stream_modes[-1] == "application/vnd.awslambda.http-integration-response"


def test_a_request_without_the_secret_is_refused_and_never_reaches_the_app(function):
    before = len(function.records("request"))
    for headers in ({}, {HEADER: "guessed-value-0123456789"}, {"x-cdk-spa-viewer-host": VIEWER_HOST}):
        connection, response = function.request("GET", "/api/whoami", headers)
        assert response.status == 403
        assert json.loads(response.read()) == {"message": "Forbidden"}
        connection.close()
    assert len(function.records("request")) == before  # the app was never called
    log = function.log.read_text()
    metrics = [json.loads(line) for line in log.splitlines() if "OriginVerificationRefused" in line and line.startswith("{")]
    assert [m["reason"] for m in metrics[-3:]] == ["missing header", "wrong header value", "missing header"]
    assert "guessed-value" not in log and SECRET not in log
    reads = function.sim.secret_reads
    assert reads and {r["SecretId"] for r in reads} == {SECRET_ARN}
    assert {r.get("VersionStage") for r in reads} <= {"AWSCURRENT", "AWSPREVIOUS"}


def test_a_direct_invoke_with_any_payload_is_refused_too(function):
    # LWA forwards an event that is not an HTTP request to POST /events (AWS_LWA_PASS_THROUGH_PATH), without headers
    from lambda_sim import Invocation

    before = len(function.records("request"))
    invocation = Invocation({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}})
    function.sim.invocations[invocation.id] = invocation
    function.sim.pending.put(invocation)
    items = []
    while not items or items[-1][0] not in ("end", "buffered", "error"):
        items.append(invocation.out.get(timeout=30))
    body = b"".join(value for kind, value in items if kind == "data")
    assert items[0][0] == "prelude" and items[0][1]["statusCode"] == 403, items
    assert json.loads(body) == {"message": "Forbidden"}
    assert len(function.records("request")) == before


def test_the_app_sees_the_viewer_host_in_urls_and_redirects(function):
    spoofed = {"x-forwarded-host": "evil.example", "forwarded": "host=evil.example;proto=http"}
    connection, response = function.request("GET", "/api/whoami", {**THROUGH_CLOUDFRONT, **spoofed})
    seen = json.loads(response.read())
    connection.close()
    assert response.status == 200
    assert seen == {"url": "https://app.example.com/api/whoami", "url_for": "https://app.example.com/api/whoami",
                    "host": VIEWER_HOST}
    connection, response = function.request("GET", "/api/login", THROUGH_CLOUDFRONT)
    response.read()
    connection.close()
    assert (response.status, response.getheader("location")) == (303, "https://app.example.com/api/whoami")
    request = function.records("request")[-1]
    assert HEADER not in request["headers"] and "forwarded" not in request["headers"]
    assert request["headers"]["x-forwarded-host"] == VIEWER_HOST


def test_a_plain_json_post_reaches_the_app(function):
    body = json.dumps({"name": "Ada"})
    connection, response = function.request("POST", "/api/echo", {**THROUGH_CLOUDFRONT, "content-type": "application/json"}, body)
    assert (response.status, json.loads(response.read())) == (200, {"body": {"name": "Ada"}})
    connection.close()


def test_cookies_travel_both_ways_and_every_set_cookie_reaches_the_viewer(function):
    connection, response = function.request("GET", "/api/cookies", {**THROUGH_CLOUDFRONT, "cookie": "a=1; b=2"})
    body = json.loads(response.read())
    set_cookies = response.headers.get_all("set-cookie")
    connection.close()
    assert body == {"received": {"a": "1", "b": "2"}}
    assert function.sim.events[-1]["cookies"] == ["a=1", "b=2"]  # a Function URL event carries them apart
    assert sorted(c.split(";")[0] for c in set_cookies) == ["session=abc", "theme=dark"]
    assert any("HttpOnly" in c and "Secure" in c for c in set_cookies if c.startswith("session="))


def test_a_45_second_request_completes(function):
    """SLOW BY DESIGN (45 s): a request an HTTP API integration would cut at 30 s completes through the stream."""
    start = time.monotonic()
    connection, response = function.request("GET", "/api/slow?seconds=45", THROUGH_CLOUDFRONT, timeout=90)
    assert (response.status, json.loads(response.read())) == (200, {"slept": 45})
    connection.close()
    assert time.monotonic() - start >= 45


def test_without_uvicorn_in_the_bundle_the_wrapper_says_so_and_fails(lambda_python, runtime_site, tmp_path):
    sim = LambdaSim(SECRET)
    try:
        task = tmp_path / "task"
        shutil.copytree(APP / "app", task / "app")  # the app, but none of its dependencies
        env = function_env(sim, lambda_python, runtime_site, task)
        wrapper = LAYER / env["AWS_LAMBDA_EXEC_WRAPPER"].removeprefix("/opt/")
        result = subprocess.run([str(wrapper), "/var/runtime/bootstrap"], env=env, capture_output=True, text=True, timeout=60)
    finally:
        sim.close()
    assert result.returncode != 0
    assert "api.streaming runs the app under uvicorn, but uvicorn cannot be imported" in result.stderr
    assert "Add uvicorn to the API project's dependencies" in result.stderr


def test_the_wrapper_puts_the_layers_versioned_site_packages_on_the_path(lambda_python, runtime_site, bundle, tmp_path):
    # a layer may ship packages in /opt/python/lib/python3.X/site-packages, which the Python runtime puts on sys.path
    layer = tmp_path / "opt"
    shutil.copytree(LAYER, layer, ignore=shutil.ignore_patterns("__pycache__"))
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    site = layer / "python" / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (site / "layer_dep.py").write_text("VALUE = 'from a layer'\n")
    task = tmp_path / "task"
    task.mkdir()
    (task / "handler_app.py").write_text(
        "import layer_dep\n"
        "async def app(scope, receive, send):\n"
        "    if scope['type'] != 'http':\n"
        "        return\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': layer_dep.VALUE.encode()})\n")
    shutil.copytree(bundle, task / "deps", ignore=shutil.ignore_patterns("app"))  # uvicorn
    port = free_port()
    env = {"PATH": f"{lambda_python}:/usr/bin:/bin", "LAMBDA_TASK_ROOT": str(task), "AWS_LWA_PORT": str(port),
           "PYTHONPATH": f"{task / 'deps'}:{runtime_site}", "CDK_SPA_ORIGIN_VERIFY_HANDLER": "handler_app.app"}
    server = subprocess.Popen([str(layer / "cdk-spa-streaming" / "bootstrap")], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                response = connection.getresponse()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode() if server.poll() is not None else "timeout"
                time.sleep(0.1)
        assert (response.status, response.read()) == (200, b"from a layer")
        assert response.getheader("server") is None  # --no-server-header
    finally:
        server.terminate()
        server.wait(10)
