"""Streaming mode (api.streaming: LWA + uvicorn + the app) against the Mangum path, side by side in one run.

    npx projen bench:streaming [-- --runs 7]

Both modes serve the same FastAPI app (test/fixtures/streaming-app, installed for this host into
bench-out/streaming/bundle from the wheelhouse, bytecode compiled) behind the same origin check (the layer's
Python, copied and compiled into bench-out/streaming/layer), with the same secret work: boto3 (the Lambda runtime's,
linked from this virtualenv) reads the secret from a Secrets Manager endpoint on localhost on the first request.
Each run starts fresh processes with a bare virtualenv's Python (the standard library only).

(a) Cold start: the time to the first accepted response (GET /api/health with the secret and the viewer host) of
    a fresh environment. As in scripts/bench-coldstart.py, the init phase runs at the full CPU of a core (Lambda's
    init burst) and the first request under a cgroup v1 CPU quota of the 256 MB share (14470 us per 100000 us):
    - streaming: the Lambda Web Adapter (built by `npx projen test:lwa`) and the layer's exec wrapper are started
      as Lambda starts them, against the Runtime API of test/api/streaming/lambda_sim.py; init ends when the adapter
      asks for the first invocation (uvicorn is listening, the app imported). Both processes then go into the quota
      group and one request is sent through the simulated Function URL; timed until its last byte.
    - Mangum: a Python process imports cdk_spa_origin_verify (the app is imported at init), moves into the quota
      group and calls the handler with the same request as a Function URL payload 2.0 event (no Runtime API client:
      this favours the Mangum path by the runtime client's polling, a few milliseconds).
(b) Time to first byte of a 5-event SSE stream with 0.5 s between events (GET /api/events?n=5&interval=0.5), in a
    warm environment at full CPU: streaming, the first body byte at the client through LWA; buffered, the Mangum
    handler's return (Mangum and API Gateway send nothing before the whole body exists).

Figures are medians; the ratios are the result (the machine's cores are shared, absolute times vary). It needs
root and the cgroup v1 cpu controller for (a); the group is removed afterwards, also on failure or Ctrl-C.
"""

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "test" / "fixtures" / "streaming-app"
LAYER_SRC = ROOT / "src" / "api" / "runtime" / "origin-verify-layer"
LWA = ROOT / ".bundle-cache" / "lwa" / "bin" / "lambda-adapter"
WHEELHOUSE = ROOT / ".bundle-cache" / "wheelhouse"
OUT = ROOT / "bench-out" / "streaming"

sys.path.insert(0, str(ROOT / "test" / "api" / "streaming"))
from lambda_sim import FUNCTION_URL_HOST, LambdaSim, stop_processes  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_coldstart", ROOT / "scripts" / "bench-coldstart.py")
bench_coldstart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_coldstart)
CpuQuotaGroup, CgroupUnavailable = bench_coldstart.CpuQuotaGroup, bench_coldstart.CgroupUnavailable

SECRET = "s" * 64
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:bench-AbCdEf"
THROUGH_CLOUDFRONT = {"x-origin-verify": SECRET, "x-cdk-spa-viewer-host": "app.example.com"}

# The Mangum path's process: init (import the wrapper and the app), "ready", then on each stdin line one event.
MANGUM_CHILD = textwrap.dedent('''
    import json, sys, time
    import cdk_spa_origin_verify as ov  # the Lambda init phase: imports the app
    assert ov._verifier is not None
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    context = type("Context", (), {"function_name": "bench", "aws_request_id": "bench",
                                   "get_remaining_time_in_millis": lambda self: 900000})()
    for line in sys.stdin:
        event = json.loads(line)
        start = time.perf_counter()
        response = ov.handler(event, context)
        sys.stdout.write(json.dumps({"status": response["statusCode"], "seconds": time.perf_counter() - start,
                                     "body": response.get("body", "")[:200]}) + "\\n")
        sys.stdout.flush()
''')


def prepare():
    """The bundle (cached by requirements), the layer copy, a bare Python and the runtime's boto3, all compiled."""
    bundle, stamp = OUT / "bundle", OUT / "bundle.stamp"
    inputs = (APP / "requirements.txt").read_text() + sys.version
    if not (stamp.exists() and stamp.read_text() == inputs):
        shutil.rmtree(bundle, ignore_errors=True)
        source = ["--no-index", "--find-links", str(WHEELHOUSE)] if WHEELHOUSE.is_dir() else []
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-warn-conflicts", "--only-binary=:all:", *source, "--target", str(bundle),
                        "-r", str(APP / "requirements.txt")], check=True)
        stamp.write_text(inputs)
    shutil.rmtree(bundle / "app", ignore_errors=True)
    shutil.copytree(APP / "app", bundle / "app")
    layer = OUT / "layer"
    shutil.rmtree(layer, ignore_errors=True)
    shutil.copytree(LAYER_SRC, layer, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    python = OUT / "python"
    if not (python / "bin" / "python3").exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(python)], check=True)
    runtime = OUT / "runtime-site"
    shutil.rmtree(runtime, ignore_errors=True)
    runtime.mkdir()
    for name in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"):
        origin = Path(importlib.util.find_spec(name).origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime / source.name).symlink_to(source)
    for folder in (bundle, layer):
        subprocess.run([str(python / "bin" / "python3"), "-m", "compileall", "-q", str(folder)], check=True)
    return bundle, layer, python / "bin", runtime


def environment(sim, bundle, layer, python_bin, runtime):
    return {
        "PATH": f"{python_bin}:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
        "LAMBDA_TASK_ROOT": str(bundle), "PYTHONPATH": str(runtime),
        "AWS_LAMBDA_RUNTIME_API": sim.runtime_api, "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench", "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "token",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://{sim.secrets_manager}",
        "AWS_LAMBDA_EXEC_WRAPPER": "/opt/cdk-spa-streaming/bootstrap", "AWS_LWA_INVOKE_MODE": "response_stream",
        "AWS_LWA_PORT": str(free_port()), "AWS_LWA_READINESS_CHECK_PROTOCOL": "tcp",
        "CDK_SPA_ORIGIN_VERIFY_HANDLER": "app.main.handler", "CDK_SPA_ORIGIN_VERIFY_SECRET_ARN": SECRET_ARN,
        "CDK_SPA_ORIGIN_VERIFY_HEADER": "x-origin-verify", "CDK_SPA_ORIGIN_VERIFY_CACHE_TTL": "300",
        "CDK_SPA_ORIGIN_VERIFY_IMPORT": "init", "CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST": "trust",
    }


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def function_url_event(path, query=""):
    """The request as a Function URL (payload 2.0) event, as lambda_sim builds it for the streaming mode."""
    now = time.time()
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"host": FUNCTION_URL_HOST, "accept": "*/*", "x-forwarded-proto": "https", "x-forwarded-port": "443",
                    "x-forwarded-for": "198.51.100.7", "via": "2.0 0a1b2c3d.cloudfront.net (CloudFront)",
                    "user-agent": "Amazon CloudFront", **THROUGH_CLOUDFRONT},
        "queryStringParameters": dict(p.split("=", 1) for p in query.split("&")) if query else None,
        "requestContext": {"accountId": "anonymous", "apiId": "abc", "domainName": FUNCTION_URL_HOST, "domainPrefix": "abc",
                           "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "130.176.0.1",
                                    "userAgent": "Amazon CloudFront"},
                           "requestId": "bench", "routeKey": "$default", "stage": "$default",
                           "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)), "timeEpoch": int(now * 1000)},
        "isBase64Encoded": False,
    }


class Streaming:
    """One fresh streaming environment: LWA and the exec wrapper, as Lambda starts them."""

    def __init__(self, paths):
        self.sim = LambdaSim(SECRET)
        env = environment(self.sim, *paths)
        layer = paths[1]
        self.start = time.perf_counter()
        self.adapter = subprocess.Popen([str(LWA)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.runtime = subprocess.Popen([str(layer / "cdk-spa-streaming" / "bootstrap"), "/var/runtime/bootstrap"],
                                        env=env, cwd=env["LAMBDA_TASK_ROOT"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        if not self.sim.init_done.wait(60):
            self.close()
            raise RuntimeError("the streaming environment did not finish its init phase within 60 s")
        self.init = time.perf_counter() - self.start

    def get(self, path):
        """(status, seconds to the first body byte, seconds to the last)."""
        start = time.perf_counter()
        connection = http.client.HTTPConnection(*self.sim.function_url.split(":"), timeout=60)
        connection.request("GET", path, headers=THROUGH_CLOUDFRONT)
        response = connection.getresponse()
        response.read1(1) if hasattr(response, "read1") else response.read(1)
        first = time.perf_counter() - start
        response.read()
        connection.close()
        return response.status, first, time.perf_counter() - start

    def close(self):
        stop_processes(self.runtime, self.adapter)
        self.sim.close()


class Mangum:
    """One fresh Mangum-path process (the origin-verify wrapper in front of the same app)."""

    def __init__(self, paths, child):
        bundle, layer, python_bin, runtime = paths
        self.sim = LambdaSim(SECRET)  # only its Secrets Manager endpoint is used
        env = environment(self.sim, *paths)
        env["PYTHONPATH"] = f"{bundle}:{layer / 'python'}:{runtime}"
        self.start = time.perf_counter()
        self.process = subprocess.Popen([str(python_bin / "python3"), "-B", str(child)], env=env, cwd=str(bundle),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            raise RuntimeError("the Mangum process failed in its init phase")
        self.init = time.perf_counter() - self.start

    def invoke(self, path, query=""):
        start = time.perf_counter()
        self.process.stdin.write(json.dumps(function_url_event(path, query)) + "\n")
        self.process.stdin.flush()
        result = json.loads(self.process.stdout.readline())
        return result["status"], time.perf_counter() - start

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.sim.close()


def cold_streaming(paths, group):
    env = Streaming(paths)
    try:
        group.add(env.adapter.pid)
        group.add(env.runtime.pid)
        status, _, first = env.get("/api/health")
    finally:
        env.close()
    if status != 200:
        raise RuntimeError(f"streaming: the first request got {status}, not 200")
    return env.init, first


def cold_mangum(paths, child, group):
    env = Mangum(paths, child)
    try:
        group.add(env.process.pid)
        status, first = env.invoke("/api/health")
    finally:
        env.close()
    if status != 200:
        raise RuntimeError(f"Mangum: the first request got {status}, not 200")
    return env.init, first


def _interrupted(*_):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs per mode (default 7), after one warm-up each")
    args = parser.parse_args()
    if not LWA.exists():
        print(f"{LWA} is missing: run `npx projen test:lwa` first.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupted)
    OUT.mkdir(parents=True, exist_ok=True)
    paths = prepare()
    cold = {"streaming": [], "mangum": []}
    ttfb = {"streaming": [], "mangum": []}
    with tempfile.TemporaryDirectory() as tmp:
        child = Path(tmp) / "mangum_child.py"
        child.write_text(MANGUM_CHILD)
        try:
            with CpuQuotaGroup() as group:
                for run in range(args.runs + 1):
                    order = (("streaming", "mangum") if run % 2 == 0 else ("mangum", "streaming"))
                    for mode in order:
                        sample = cold_streaming(paths, group) if mode == "streaming" else cold_mangum(paths, child, group)
                        if run > 0:  # the first round warms the file cache
                            cold[mode].append(sample)
        except CgroupUnavailable as reason:
            print(f"(a) skipped: cgroups are not available here ({reason}); no cold-start figure is printed.")
            cold = None
        # (b) warm environments at full CPU, one of each, requests alternating
        streaming, mangum = Streaming(paths), Mangum(paths, child)
        try:
            streaming.get("/api/health")
            mangum.invoke("/api/health")
            for _ in range(args.runs):
                status, first, total = streaming.get("/api/events?n=5&interval=0.5")
                assert status == 200
                ttfb["streaming"].append((first, total))
                status, total = mangum.invoke("/api/events", "n=5&interval=0.5")
                assert status == 200
                ttfb["mangum"].append((total, total))
        finally:
            streaming.close()
            mangum.close()

    med = lambda values: statistics.median(values) * 1000  # noqa: E731
    version = sys.version.split()[0]
    print(f"Streaming mode vs the Mangum path, the same FastAPI app and origin check: python {version}, "
          f"lambda_web_adapter 0.9.1, {args.runs} runs per mode (medians), {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} when done.\n")
    if cold:
        rows = {m: (med([r[0] for r in cold[m]]), med([r[1] for r in cold[m]]), med([r[0] + r[1] for r in cold[m]]))
                for m in cold}
        print("(a) Cold start: init phase at full CPU, first request under the 256 MB CPU share (cgroup v1 quota 14470/100000 us)\n")
        print("| mode | init phase | first request, 256 MB share | time to first accepted response |")
        print("|---|---:|---:|---:|")
        for mode, label in (("mangum", "Mangum (HTTP API path)"), ("streaming", "streaming (LWA + uvicorn)")):
            print(f"| {label} | {rows[mode][0]:.0f} ms | {rows[mode][1]:.0f} ms | {rows[mode][2]:.0f} ms |")
        s, m = rows["streaming"], rows["mangum"]
        print(f"| ratio streaming / Mangum | {s[0] / m[0]:.2f}x | {s[1] / m[1]:.2f}x | **{s[2] / m[2]:.2f}x** |\n")
    s_first, s_total = med([r[0] for r in ttfb["streaming"]]), med([r[1] for r in ttfb["streaming"]])
    m_first = med([r[0] for r in ttfb["mangum"]])
    print("(b) Time to first byte of a 5-event SSE stream, 0.5 s between events (warm, full CPU)\n")
    print("| mode | first byte | last byte |")
    print("|---|---:|---:|")
    print(f"| buffered (Mangum) | {m_first:.0f} ms | {m_first:.0f} ms |")
    print(f"| streaming (LWA + uvicorn) | {s_first:.0f} ms | {s_total:.0f} ms |")
    print(f"| ratio buffered / streaming | **{m_first / s_first:.0f}x** | {m_first / s_total:.2f}x |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: no figures (the CPU quota group was removed)", file=sys.stderr)
        sys.exit(130)
