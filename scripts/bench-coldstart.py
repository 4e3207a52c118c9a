"""Cold start of the API function: the app imported in Lambda's init phase (the default) vs on the first request.

    npx projen bench:coldstart [-- --runs 7]

What it measures, side by side in one run: a fresh Python process loads the origin-verification wrapper
(src/api/runtime/origin-verify-layer/python) in front of the example backend (example/backend, FastAPI + Mangum,
installed for this host into bench-out/coldstart/bundle with its bytecode compiled, as the bundler does), then
answers one accepted request (AWS's payload 2.0 sample event test/fixtures/apigw-events/get-cookies.json,
GET /api/health, with the origin secret and the viewer host). The secret comes from a stub client, so no AWS call
is made and both modes do the same work except where the app is imported.

The model of Lambda's CPU, stated honestly:
- the init phase (process start and module import) runs at the full CPU of one core of this machine: Lambda gives
  the init phase burst CPU, up to 10 seconds, whatever the memory size;
- the first invocation runs under a cgroup v1 CPU quota of the 256 MB share: 256 / 1769 of a vCPU,
  cpu.cfs_quota_us = 14470 per cpu.cfs_period_us = 100000 (Lambda gives one full vCPU at 1769 MB).
The process is moved into the quota group between the two phases. The time to the first accepted response is
the sum of both phases, as the caller of a cold start waits for both. Figures are medians over the runs; the
machine's cores are shared, so compare the ratio, not the absolute milliseconds, with Lambda.

It needs root and the cgroup v1 cpu controller (/sys/fs/cgroup/cpu). Where that is not available it says so and
prints no figure: a number measured without the quota would not model the first invocation. The quota group gets
a unique name and is removed afterwards, also when a run fails or the benchmark is interrupted.
"""

import argparse
import json
import os
import secrets
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
BACKEND = ROOT / "example" / "backend"
LAYER = ROOT / "src" / "api" / "runtime" / "origin-verify-layer" / "python"
EVENT = ROOT / "test" / "fixtures" / "apigw-events" / "get-cookies.json"
WHEELHOUSE = ROOT / ".bundle-cache" / "wheelhouse"
OUT = ROOT / "bench-out" / "coldstart"

CGROUP_CPU = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 100_000
# 256 MB of the 1769 MB that get one full vCPU: 256 / 1769 = 14.47 % of each period
QUOTA_US = 14_470
MODES = (("init", "init import (default)"), ("first-request", "first-request import (opt-in)"))

# Runs in a fresh interpreter (-S -s -B: no site-packages, nothing written): the bundle and the layer are the only
# code it can import. It reports when the init phase is done, waits until the parent has moved it into the quota
# group, then times one accepted request.
CHILD = textwrap.dedent('''
    import json, os, sys, time
    bundle, layer, event_file = sys.argv[1:4]
    sys.path[:0] = [bundle, layer]
    os.environ.update({
        "CDK_SPA_ORIGIN_VERIFY_HANDLER": "app.main.handler",
        "CDK_SPA_ORIGIN_VERIFY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111111111111:secret:bench-AbCdEf",
        "CDK_SPA_ORIGIN_VERIFY_HEADER": "x-origin-verify",
        "CDK_SPA_ORIGIN_VERIFY_VIEWER_HOST": "trust",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
    })
    SECRET = "s" * 64

    class StubSecretsManager:
        def get_secret_value(self, SecretId, VersionStage):
            if VersionStage == "AWSPREVIOUS":
                error = Exception("no previous version")
                error.response = {"Error": {"Code": "ResourceNotFoundException"}}
                raise error
            return {"SecretString": SECRET}

    import cdk_spa_origin_verify as ov  # the Lambda init phase: in init mode this imports the app
    if ov._verifier is None:
        ov._verifier = ov.from_environment(client_factory=StubSecretsManager)
    else:
        ov._verifier._secret_values._client_factory = StubSecretsManager
    imported = "app.main" in sys.modules
    init_cpu = time.process_time()  # CPU seconds of the whole process so far: interpreter start and imports
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the parent moved this process into the quota group

    with open(event_file, encoding="utf-8") as f:
        event = json.load(f)
    event["headers"].update({"x-origin-verify": SECRET, "x-cdk-spa-viewer-host": "app.example.com"})
    context = type("Context", (), {"function_name": "bench", "aws_request_id": "bench",
                                   "get_remaining_time_in_millis": lambda self: 15000})()
    start, start_cpu = time.perf_counter(), time.process_time()
    response = ov.handler(event, context)
    first_request, first_request_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    sys.stdout.write(json.dumps({"status": response["statusCode"], "first_request": first_request,
                                 "init_cpu": init_cpu, "first_request_cpu": first_request_cpu,
                                 "app_imported_at_init": imported}) + "\\n")
''')


class CgroupUnavailable(Exception):
    """The CPU quota cannot be applied on this machine."""


class CpuQuotaGroup:
    """A uniquely named cgroup v1 cpu group with the 256 MB share as its quota; removed on exit."""

    def __init__(self):
        self.path = None

    def __enter__(self):
        if os.geteuid() != 0:
            raise CgroupUnavailable("the benchmark is not running as root, and only root can create cgroups")
        if not (CGROUP_CPU / "cpu.cfs_quota_us").exists():
            raise CgroupUnavailable(f"there is no cgroup v1 cpu controller at {CGROUP_CPU} (cgroup v2 only, or none)")
        path = CGROUP_CPU / f"cdk-spa-bench-coldstart-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except OSError as error:
            raise CgroupUnavailable(f"cannot create {path}: {error}") from error
        self.path = path
        try:
            (path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (path / "cpu.cfs_quota_us").write_text(str(QUOTA_US))
        except OSError as error:
            self.__exit__(None, None, None)
            raise CgroupUnavailable(f"cannot set the CPU quota of {path}: {error}") from error
        return self

    def add(self, pid):
        (self.path / "cgroup.procs").write_text(str(pid))

    def __exit__(self, *_):
        if self.path is None:
            return
        # move anything left back to the root group, then remove the (now empty) group
        for pid in (self.path / "cgroup.procs").read_text().split():
            try:
                (CGROUP_CPU / "cgroup.procs").write_text(pid)
            except OSError:
                pass
        for _ in range(50):
            try:
                self.path.rmdir()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print(f"warning: could not remove {self.path}; remove it with: rmdir {self.path}", file=sys.stderr)
        self.path = None


def prepare_bundle(python):
    """The example backend and its dependencies installed for this host, bytecode compiled (cached in bench-out)."""
    bundle = OUT / "bundle"
    stamp = OUT / "bundle.stamp"
    inputs = (BACKEND / "requirements.txt").read_text() + python + sys.version
    if stamp.exists() and stamp.read_text() == inputs and (bundle / "app" / "main.py").exists():
        shutil.rmtree(bundle / "app")
        shutil.copytree(BACKEND / "app", bundle / "app")
    else:
        shutil.rmtree(bundle, ignore_errors=True)
        bundle.mkdir(parents=True)
        source = ["--no-index", "--find-links", str(WHEELHOUSE)] if WHEELHOUSE.is_dir() else []
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-warn-conflicts",
                        "--only-binary=:all:",
                        *source, "--target", str(bundle), "-r", str(BACKEND / "requirements.txt")], check=True)
        shutil.copytree(BACKEND / "app", bundle / "app")
        stamp.write_text(inputs)
    subprocess.run([python, "-m", "compileall", "-q", str(bundle)], check=True)
    return bundle


def one_run(python, bundle, child, mode, group):
    env = {"PATH": os.environ.get("PATH", ""), "CDK_SPA_ORIGIN_VERIFY_IMPORT": mode, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    process = subprocess.Popen([python, "-S", "-s", "-B", str(child), str(bundle), str(LAYER), str(EVENT)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {mode} child failed before its first request")
        init = time.perf_counter() - start
        group.add(process.pid)
        process.stdin.write("go\n")
        process.stdin.flush()
        result = json.loads(process.stdout.readline())
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if result["status"] != 200:
        raise RuntimeError(f"the {mode} child answered {result['status']}, not 200: the request was not accepted")
    if result["app_imported_at_init"] != (mode == "init"):
        raise RuntimeError(f"in {mode} mode the app was {'' if result['app_imported_at_init'] else 'not '}imported at init")
    return init, result["first_request"], result["init_cpu"], result["first_request_cpu"]


def _interrupted(*_):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="measured runs per mode (default 7), after one warm-up each")
    parser.add_argument("--python", default=shutil.which("python3.11") or sys.executable,
                        help="the interpreter to measure (default python3.11, else this one)")
    args = parser.parse_args()

    # SIGTERM ends the run like Ctrl-C, so the quota group is removed either way
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        with CpuQuotaGroup() as group:
            bundle = prepare_bundle(args.python)
            with tempfile.TemporaryDirectory() as tmp:
                child = Path(tmp) / "coldstart_child.py"
                child.write_text(CHILD)
                samples = {mode: [] for mode, _ in MODES}
                for run in range(args.runs + 1):
                    for mode, _ in (MODES if run % 2 == 0 else MODES[::-1]):  # alternate the order against drift
                        sample = one_run(args.python, bundle, child, mode, group)
                        if run > 0:  # the first round warms the file cache
                            samples[mode].append(sample)
    except CgroupUnavailable as reason:
        print(f"Cold-start benchmark: cgroups are not available here ({reason}), so the first invocation cannot be "
              "run at the 256 MB CPU share. No figure is printed: a number measured at full CPU would not model Lambda.")
        return 0

    version = subprocess.run([args.python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    share = QUOTA_US / PERIOD_US
    rows = {}
    for mode, label in MODES:
        runs = samples[mode]
        med = lambda values: statistics.median(values) * 1000  # noqa: E731
        rows[mode] = {
            "label": label,
            "init": med([r[0] for r in runs]),
            "first": med([r[1] for r in runs]),
            "total": med([r[0] + r[1] for r in runs]),
            "init_cpu": med([r[2] for r in runs]),
            "first_cpu": med([r[3] for r in runs]),
            # the same work on an otherwise idle machine: init at one full core, the request at the share
            "model": med([r[2] + r[3] / share for r in runs]),
        }
    load = os.getloadavg()[0]
    print(f"Cold start of the example backend behind the origin check: python {version}, {args.runs} runs per mode "
          f"(medians), {os.cpu_count()} cores, load average {load:.1f} when done.")
    print(f"Init phase at full CPU (Lambda's init burst); first request under a CPU quota of {QUOTA_US}/{PERIOD_US} us "
          "(the 256 MB share, 256/1769 of a vCPU). CPU time in parentheses; the last column is CPU time of the init "
          "phase + CPU time of the first request / 0.1447, the figure an idle machine would give.\n")
    print("| app imported | init phase, full CPU | first request, 256 MB share | time to first accepted response "
          "| same, from CPU time |")
    print("|---|---:|---:|---:|---:|")
    for mode, _ in MODES:
        r = rows[mode]
        print(f"| {r['label']} | {r['init']:.0f} ms ({r['init_cpu']:.0f} ms) | {r['first']:.0f} ms ({r['first_cpu']:.0f} ms) "
              f"| {r['total']:.0f} ms | {r['model']:.0f} ms |")
    lazy, eager = rows["first-request"], rows["init"]
    print(f"| ratio first-request / init | {lazy['init'] / eager['init']:.2f}× | {lazy['first'] / eager['first']:.2f}× "
          f"| **{lazy['total'] / eager['total']:.2f}×** | **{lazy['model'] / eager['model']:.2f}×** |")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: no figures (the CPU quota group was removed)", file=sys.stderr)
        sys.exit(130)
