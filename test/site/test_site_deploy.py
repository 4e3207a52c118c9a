"""Runs the site deploy custom resource (src/site/runtime/site-deploy) the way CloudFormation does, on this machine.

- the properties are those of the synthesized template (test/site/synth-site-release.ts synthesizes each build with
  SiteDeployment; only the Refs are replaced by the local bucket, distribution and asset bucket names);
- the site zip is the build folder zipped as the CDK publishes an asset, put into a local "CDK asset bucket";
- the events are CloudFormation's (Create, Update with OldResourceProperties, Delete; every scalar a string, as
  CloudFormation hands them to custom resources), with a pre-signed-URL stand-in: a local HTTP server that captures the
  cfn-response the handler PUTs;
- S3 and CloudFront are moto's server (moto[server], pinned in requirements-dev.txt), started on 127.0.0.1 here.

Run: python3 -m pytest test/site/test_site_deploy.py -q -p no:cacheprovider
"""

import datetime
import http.server
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # no __pycache__ in the function's asset folder
sys.path.insert(0, str(ROOT / "src" / "site" / "runtime" / "site-deploy"))

import index  # noqa: E402
import releases  # noqa: E402

VITE_BUILD = ROOT / "test" / "fixtures" / "vite-build"
SITE_BUCKET = "site-bucket"
ASSETS_BUCKET = "cdk-hnb659fds-assets-111111111111-us-east-1"
PREFIX = ".releases/"
HASHED = "public, max-age=31536000, immutable"
# a real chunk name the name detector misses: esbuild's hash of letters only (the one miss of the real builds,
# docs/measurements.md); the detector once missed Vite's base64url hashes with "-" too (assets/DataTable-zilpd-68.js)
MISSED_CHUNK = "assets/chunk-UWMYANJB.js"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def aws():
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = "http://127.0.0.1:%d" % port
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    yield {"s3": s3, "cloudfront": cloudfront}
    server.stop()


class Responses:
    """A stand-in for CloudFormation's pre-signed response URL: captures what the handler PUTs."""

    def __init__(self):
        self.bodies = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):  # noqa: N802
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/cfn-response" % self.server.server_address[1]


@pytest.fixture(scope="module")
def responses():
    r = Responses()
    yield r
    r.server.shutdown()


def synth(folders, globs=None, keep=None):
    """The custom resource properties the synthesized template gives each build folder."""
    cmd = [str(ROOT / "node_modules" / ".bin" / "ts-node"), "--project", "tsconfig.dev.json",
           "test/site/synth-site-release.ts", *[str(f) for f in folders]]
    if globs:
        cmd += ["--globs", ",".join(globs)]
    env = dict(os.environ, TS_NODE_TRANSPILE_ONLY="true", CDK_DISABLE_CLI_TELEMETRY="true")
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    answer = json.loads(out)
    props = [answer[str(f)]["properties"] for f in folders]
    for p in props:
        if keep is not None:
            p["KeepReleases"] = keep
    return props


def zip_folder(folder):
    """The folder zipped as the CDK publishes a folder asset (deflated, files in sorted order, links followed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            z.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def as_cloudformation(value):
    """CloudFormation hands every scalar of a custom resource's properties to the handler as a string."""
    if isinstance(value, dict):
        return {k: as_cloudformation(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_cloudformation(v) for v in value]
    return value if isinstance(value, str) else json.dumps(value)


class Site:
    """One stack's site deployment on the local S3 and CloudFront: deploys builds as CloudFormation would."""

    def __init__(self, aws, responses, bucket=SITE_BUCKET):
        self.s3, self.cloudfront, self.responses = aws["s3"], aws["cloudfront"], responses
        self.bucket = bucket
        self.s3.create_bucket(Bucket=bucket)
        try:
            self.s3.create_bucket(Bucket=ASSETS_BUCKET)
        except self.s3.exceptions.BucketAlreadyOwnedByYou:
            pass
        self.distribution = self.cloudfront.create_distribution(DistributionConfig={
            "CallerReference": str(uuid.uuid4()), "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "%s.s3.amazonaws.com" % bucket,
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0},
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                     "MinTTL": 0},
        })["Distribution"]["Id"]
        self.props = None
        self.puts = []  # keys in the order S3 acknowledged their PutObject

        def remember(params, context, **kwargs):
            context["put_key"] = params["Key"]

        def acknowledged(http_response, context, **kwargs):
            if http_response.status_code == 200:
                self.puts.append(context["put_key"])
        self.s3.meta.events.register("before-parameter-build.s3.PutObject", remember)
        self.s3.meta.events.register("after-call.s3.PutObject", acknowledged)

    def resolve(self, props, folder):
        """The template's properties with the Refs resolved, and the build's zip published under its asset key."""
        resolved = json.loads(json.dumps(props))
        resolved["BucketName"] = self.bucket
        resolved["DistributionId"] = self.distribution
        resolved["Source"]["BucketName"] = ASSETS_BUCKET
        self.s3.put_object(Bucket=ASSETS_BUCKET, Key=resolved["Source"]["ObjectKey"], Body=zip_folder(folder))
        resolved.pop("ServiceToken")
        resolved["ServiceToken"] = "arn:aws:lambda:us-east-1:111111111111:function:SiteDeployFunction"
        return as_cloudformation(resolved)

    def send(self, request_type, props, old=None):
        event = {
            "RequestType": request_type, "ServiceToken": props["ServiceToken"], "ResponseURL": self.responses.url,
            "StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/Site/1", "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": "SiteDeploymentRelease0A1B2C3D", "ResourceType": "Custom::SpaSiteDeployment",
            "ResourceProperties": props,
        }
        if request_type != "Create":
            event["PhysicalResourceId"] = "spa-site-deployment:%s" % self.bucket
        if old is not None:
            event["OldResourceProperties"] = old
        before = len(self.responses.bodies)
        self.puts.clear()
        index.handler(event, None, s3=self.s3, cloudfront=self.cloudfront)
        assert len(self.responses.bodies) == before + 1, "exactly one cfn-response per event"
        response = self.responses.bodies[-1]
        assert response["RequestId"] == event["RequestId"] and response["StackId"] == event["StackId"]
        return response

    def deploy(self, props, folder):
        resolved = self.resolve(props, folder)
        if self.props is None:
            response = self.send("Create", resolved)
        else:
            response = self.send("Update", resolved, self.props)
        assert response["Status"] == "SUCCESS", response["Reason"]
        self.props = resolved
        return response

    def keys(self):
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def files(self):
        return [k for k in self.keys() if not k.startswith(PREFIX)]

    def head(self, key):
        return self.s3.head_object(Bucket=self.bucket, Key=key)

    def body(self, key):
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def invalidations(self):
        items = self.cloudfront.list_invalidations(DistributionId=self.distribution)["InvalidationList"].get("Items", [])
        return [self.cloudfront.get_invalidation(DistributionId=self.distribution, Id=i["Id"])
                ["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []) for i in items]


def files_of(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())


def referenced(html):
    """The files index.html loads (src="/x.js", href="/x.css"), without the leading slash."""
    return sorted(set(re.findall(r'(?:src|href)="/([^"]+\.[A-Za-z0-9]+)"', html)))


def build(base, tmp, name, chunk, js_name, extra=None, remove=()):
    """A Vite build: the committed one, with a lazily loaded route chunk `chunk`, the entry renamed to `js_name`."""
    folder = tmp / name
    shutil.copytree(base, folder)
    entry = folder / "assets" / "index-DESi9q8R.js"
    code = entry.read_text() + '\nconst DataTable = () => import("/%s");\n' % chunk
    entry.unlink()
    (folder / js_name).write_text(code)
    (folder / chunk).write_text("export default function DataTable() { return %r }\n" % name)
    html = (folder / "index.html").read_text().replace("/assets/index-DESi9q8R.js", "/" + js_name)
    (folder / "index.html").write_text(html.replace("<title>", "<title>%s " % name))
    for f in remove:
        (folder / f).unlink()
    for f, text in (extra or {}).items():
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_text(text)
    return folder


# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def releases3(aws, responses, tmp_path_factory):
    """Four deploys of a Vite app with keepReleases 3; the detector misses release 1's route chunk."""
    tmp = tmp_path_factory.mktemp("builds")
    r1 = build(VITE_BUILD, tmp, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js", extra={"old-route.html": "<p>old</p>"})
    r2 = build(VITE_BUILD, tmp, "r2", "assets/DataTable-Qx7_kP2m.js", "assets/index-Rr2bXk1q.js", remove=["robots.txt"])
    r3 = build(VITE_BUILD, tmp, "r3", "assets/DataTable-Zt4wN8cV.js", "assets/index-R3pQ9zLm.js", remove=["robots.txt"])
    r4 = build(VITE_BUILD, tmp, "r4", "assets/DataTable-Hm5yU1oA.js", "assets/index-R4sW2eTy.js", remove=["robots.txt"])
    props = synth([r1, r2, r3, r4], keep=3)
    site = Site(aws, responses, "site-three-releases")
    answers, states, puts, invalidations = [], [], [], []
    for folder, p in zip([r1, r2, r3, r4], props):
        answers.append(site.deploy(p, folder))
        states.append(site.files())
        puts.append(list(site.puts))
        invalidations.append(site.invalidations())
    return {"site": site, "builds": [r1, r2, r3, r4], "props": props, "answers": answers, "states": states,
            "puts": puts, "invalidations": invalidations}


def test_the_detector_misses_the_route_chunk_so_the_plan_serves_it_no_cache(releases3):
    plan = releases3["props"][0]["Plan"]
    assert not index.plan_file(MISSED_CHUNK, plan).hashed  # the premise of the scenario
    assert index.plan_file("assets/index-Ab3dE_9x.js", plan).hashed


def test_each_object_has_the_cache_control_and_content_type_of_the_plan(aws, responses, tmp_path):
    folder = build(VITE_BUILD, tmp_path, "types", MISSED_CHUNK, "assets/index-Ab3dE_9x.js", extra={
        "assets/app-Ab3dE_9x.js.map": "{}", "assets/mod-Bq7_x2Lk.wasm": "\0asm", "manifest.webmanifest": "{}",
        "fonts/inter.woff2": "w", "docs/guide.html": "<p>guide</p>", "LICENSE": "MIT",
    })
    [props] = synth([folder])
    site = Site(aws, responses, "site-types")
    answer = site.deploy(props, folder)
    expected = {
        "index.html": ("no-cache", "text/html; charset=utf-8"),
        "docs/guide.html": ("no-cache", "text/html; charset=utf-8"),
        "assets/index-Ab3dE_9x.js": (HASHED, "text/javascript; charset=utf-8"),
        "assets/index-5K79yzeN.css": (HASHED, "text/css; charset=utf-8"),
        "assets/app-Ab3dE_9x.js.map": (HASHED, "application/json"),
        "assets/mod-Bq7_x2Lk.wasm": (HASHED, "application/wasm"),
        MISSED_CHUNK: ("no-cache", "text/javascript; charset=utf-8"),
        "favicon.svg": ("no-cache", "image/svg+xml"),
        "robots.txt": ("no-cache", "text/plain; charset=utf-8"),
        "manifest.webmanifest": ("no-cache", "application/manifest+json"),
        "fonts/inter.woff2": ("no-cache", "font/woff2"),
        "LICENSE": ("no-cache", "application/octet-stream"),
    }
    assert site.files() == sorted(expected)
    for key, (cache, content_type) in expected.items():
        head = site.head(key)
        assert (key, head["CacheControl"], head["ContentType"]) == (key, cache, content_type)
        assert site.body(key) == (folder / key).read_bytes()
    assert answer["Data"]["Files"] == str(len(expected)) and answer["Data"]["HashedFiles"] == "4"


def test_index_html_is_written_after_every_file_it_references_and_html_after_other_files(releases3):
    states = [[]] + releases3["states"]
    for i, (folder, puts, props) in enumerate(zip(releases3["builds"], releases3["puts"], releases3["props"])):
        files = [k for k in puts if not k.startswith(PREFIX)]
        unchanged = set(files_of(folder)) - set(files)
        assert len(files) == len(set(files))  # every file uploaded at most once
        # not uploaded again: hashed files of a kept release, already in the bucket with the same content
        assert str(len(unchanged)) == releases3["answers"][i]["Data"]["Unchanged"]
        assert all(index.plan_file(k, props["Plan"]).hashed and k in states[i] for k in unchanged)
        assert files[-1] == "index.html"
        refs = referenced((folder / "index.html").read_text())
        assert len(refs) >= 3
        for ref in refs:
            assert ref in unchanged or files.index(ref) < files.index("index.html")
        plan = props["Plan"]
        phases = [index.plan_file(k, plan).phase for k in files]
        assert phases == sorted(phases), "hashed files, then the other files, then HTML, then index.html"


def test_a_route_chunk_the_detector_misses_survives_two_later_deploys_then_ages_out(releases3):
    s1, s2, s3, s4 = releases3["states"]
    r1 = releases3["builds"][0]
    assert MISSED_CHUNK in s1
    assert MISSED_CHUNK in s2  # a tab still on release 1 lazy-loads it after deploy 2 ...
    assert MISSED_CHUNK in s3  # ... and after deploy 3 (keepReleases 3)
    assert MISSED_CHUNK not in s4  # release 1 aged out
    # the whole of release 1 stayed while it was kept: hashed or not, removed from later builds or not
    for state in (s2, s3):
        assert set(files_of(r1)) <= set(state)
    assert "old-route.html" in s3 and "old-route.html" not in s4  # an unhashed file removed in release 2
    site = releases3["site"]
    # after deploy 4: exactly releases 2, 3 and 4, plus their manifests
    expected = set()
    for folder in releases3["builds"][1:]:
        expected |= set(files_of(folder))
    assert set(s4) == expected
    manifests = [k for k in site.keys() if k.startswith(PREFIX)]
    assert len(manifests) == 3
    assert releases3["answers"][3]["Data"]["Kept"].count(",") == 2


def test_the_content_of_overwritten_keys_is_the_newest_release(releases3):
    site, r4 = releases3["site"], releases3["builds"][3]
    for f in files_of(r4):
        assert site.body(f) == (r4 / f).read_bytes()


def test_one_invalidation_per_deploy_of_the_changed_unhashed_paths(releases3):
    per_deploy = [len(after) - len(before) for before, after in
                  zip([[]] + releases3["invalidations"][:-1], releases3["invalidations"])]
    assert per_deploy == [1, 1, 1, 1]
    first, second = releases3["invalidations"][0][0], releases3["invalidations"][1][-1]
    # deploy 1: every unhashed file is new
    assert sorted(first) == sorted(["/", "/index.html", "/favicon.svg", "/robots.txt", "/old-route.html", "/" + MISSED_CHUNK])
    # deploy 2: only index.html changed (favicon.svg is the same; hashed files are never invalidated)
    assert sorted(second) == ["/", "/index.html"]
    assert not any(p == "/*" or "index-" in p for batch in releases3["invalidations"][-1] for p in batch)


def test_rollback_is_an_update_back_to_the_old_properties_and_redeploys_the_previous_release(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    r2 = build(VITE_BUILD, tmp_path, "r2", "assets/DataTable-Qx7_kP2m.js", "assets/index-Rr2bXk1q.js")
    p1, p2 = synth([r1, r2])
    site = Site(aws, responses, "site-rollback")
    site.deploy(p1, r1)
    old = site.props
    new = site.resolve(p2, r2)
    assert site.send("Update", new, old)["Status"] == "SUCCESS"
    assert b"r2" in site.body("index.html")
    # a later resource of the stack failed: CloudFormation rolls back with the old properties as the new ones
    rollback = site.send("Update", old, new)
    assert rollback["Status"] == "SUCCESS"
    assert b"r1" in site.body("index.html")
    assert site.body(MISSED_CHUNK) == (r1 / MISSED_CHUNK).read_bytes()
    assert "assets/DataTable-Qx7_kP2m.js" in site.files()  # release 2 is still a kept release
    assert site.puts[-1] == "index.html" or site.puts[-1].startswith(PREFIX)


def test_delete_leaves_every_object(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    [p1] = synth([r1])
    site = Site(aws, responses, "site-delete")
    site.deploy(p1, r1)
    before = site.keys()
    response = site.send("Delete", site.props)
    assert response["Status"] == "SUCCESS"
    assert response["PhysicalResourceId"] == "spa-site-deployment:site-delete"
    assert site.keys() == before


def test_a_failed_deploy_answers_failed_with_the_reason(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    [p1] = synth([r1])
    site = Site(aws, responses, "site-failure")
    props = site.resolve(p1, r1)
    props["Source"]["ObjectKey"] = "missing.zip"
    response = site.send("Create", props)
    assert response["Status"] == "FAILED"
    assert "404" in response["Reason"] or "Not Found" in response["Reason"]
    assert site.keys() == []


def test_no_upload_writes_the_manifest_prefix_even_with_a_json_glob(aws, responses, tmp_path):
    """A prebuilt zip (site.sourceAsset: unchecked at synth) holding .releases/ files, classified by "*.json"."""
    folder = tmp_path / "prebuilt"
    folder.mkdir()
    (folder / "index.html").write_text("<p>hi</p>")
    (folder / "data.json").write_text("{}")
    forged = {"format": 1, "releaseId": "x", "deployedAt": "2020-01-01T00:00:00.000000Z", "hashed": []}
    [props] = synth([VITE_BUILD])
    site = Site(aws, responses, "site-reserved")
    resolved = site.resolve(props, VITE_BUILD)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("index.html", "<p>hi</p>")
        z.writestr("data.json", "{}")
        z.writestr(".releases/forged.json", json.dumps(forged))
        z.writestr("./.releases/x.json", json.dumps(forged))
        z.writestr("a/../.releases/y.json", json.dumps(forged))
    site.s3.put_object(Bucket=ASSETS_BUCKET, Key="prebuilt.zip", Body=buffer.getvalue())
    resolved["Source"]["ObjectKey"] = "prebuilt.zip"
    # what SiteDeployment writes for sourceAsset with hashedAssetGlobs ["*.json", "assets/*"] (site-deployment.test.ts)
    resolved["Plan"]["Hashed"] = {"Exclude": ["*"], "Include": ["*.json", "assets/*"]}
    response = site.send("Create", resolved)
    assert response["Status"] == "SUCCESS", response["Reason"]
    assert not any(k.startswith(PREFIX) for k in site.puts[:-1])  # only the release's own manifest, written last
    manifests = [k for k in site.keys() if k.startswith(PREFIX)]
    assert manifests == [PREFIX + response["Data"]["ReleaseId"] + ".json"]
    assert ".releases/forged.json" in response["Data"]["Refused"] and ".releases/x.json" in response["Data"]["Refused"]
    assert site.head("data.json")["CacheControl"] == HASHED
    assert "a/.releases/y.json" in site.files()  # ".." is dropped, not resolved: the key is not under the prefix


def test_a_self_consistent_forged_manifest_pushes_the_real_previous_release_out(aws, responses, tmp_path):
    """docs/security.md: with write access to the bucket, a manifest that passes every check counts as a release."""
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    r2 = build(VITE_BUILD, tmp_path, "r2", "assets/DataTable-Qx7_kP2m.js", "assets/index-Rr2bXk1q.js")
    p1, p2 = synth([r1, r2])
    site = Site(aws, responses, "site-forged")
    site.deploy(p1, r1)
    # planted between deploys by someone who can write the bucket: consistent id, a plausible time
    files, hashed = ["planted.txt"], []
    forged = releases.Release(releases.release_id(files, hashed), releases.format_time(datetime.datetime.now(datetime.timezone.utc)), hashed, files)
    site.s3.put_object(Bucket=site.bucket, Key=releases.manifest_key(PREFIX, forged.id), Body=json.dumps(forged.to_manifest()))
    answer = site.deploy(p2, r2)
    assert forged.id in answer["Data"]["Kept"]
    assert MISSED_CHUNK not in site.files()  # release 1 was pushed out of the 2 kept releases
    # a manifest that is not self-consistent is ignored instead
    bad = dict(forged.to_manifest(), files=["index.html", "x"])
    site.s3.put_object(Bucket=site.bucket, Key=releases.manifest_key(PREFIX, forged.id), Body=json.dumps(bad))
    answer = site.deploy(p1, r1)
    assert "Ignored" in answer["Data"] and forged.id not in answer["Data"]["Kept"]


def test_a_large_site_uploads_in_few_ranged_reads(aws, responses, tmp_path):
    folder = tmp_path / "large"
    shutil.copytree(VITE_BUILD, folder)
    for i in range(300):
        (folder / "assets" / ("chunk%d-Bx%05dQ.js" % (i, i))).write_text("export const x = %d;\n" % i * 50)
    [props] = synth([folder])
    site = Site(aws, responses, "site-large")
    answer = site.deploy(props, folder)
    assert answer["Data"]["Files"] == str(len(files_of(folder)))
    assert int(answer["Data"]["Gets"]) < 60  # runs of neighbouring members, not one GET per file
    assert site.body("assets/chunk7-Bx00007Q.js") == (folder / "assets" / "chunk7-Bx00007Q.js").read_bytes()


def test_planted_manifests_that_are_not_self_consistent_are_ignored(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    r2 = build(VITE_BUILD, tmp_path, "r2", "assets/DataTable-Qx7_kP2m.js", "assets/index-Rr2bXk1q.js")
    p1, p2 = synth([r1, r2])
    site = Site(aws, responses, "site-planted")
    site.deploy(p1, r1)
    future = releases.Release(releases.release_id(["x.js"], ["x.js"]), "2999-01-01T00:00:00.000000Z", ["x.js"], ["x.js"])
    hashed_html = releases.Release(releases.release_id(["index.html"], ["index.html"]),
                                   releases.format_time(datetime.datetime.now(datetime.timezone.utc)), ["index.html"], ["index.html"])
    wrong_id = dict(hashed_html.to_manifest(), releaseId="r2-" + "0" * 64)
    for key, body in [(releases.manifest_key(PREFIX, future.id), future.to_manifest()),
                      (releases.manifest_key(PREFIX, hashed_html.id), hashed_html.to_manifest()),
                      (releases.manifest_key(PREFIX, "r2-" + "0" * 64), wrong_id)]:
        site.s3.put_object(Bucket=site.bucket, Key=key, Body=json.dumps(body))
    answer = site.deploy(p2, r2)
    assert answer["Data"]["Ignored"].count(PREFIX) == 3
    assert MISSED_CHUNK in site.files()  # the real previous release is still one of the 2 kept
    assert len(answer["Data"]["Kept"].split(",")) == 2


def test_an_object_no_release_lists_is_deleted_only_after_the_grace_period(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    [p1] = synth([r1])
    site = Site(aws, responses, "site-out-of-band")
    site.deploy(p1, r1)
    site.s3.put_object(Bucket=site.bucket, Key="uploaded-by-hand.txt", Body=b"x")
    assert site.props["OutOfBandGraceSeconds"] == "86400"
    answer = site.send("Update", site.props, site.props)
    assert answer["Data"]["Deferred"] == "1" and "uploaded-by-hand.txt" in site.files()
    # the same deploy once the object is older than the grace period (shortened here to 1 second)
    time.sleep(1.5)
    answer = site.send("Update", dict(site.props, OutOfBandGraceSeconds="1"), site.props)
    assert "Deferred" not in answer["Data"] and "uploaded-by-hand.txt" not in site.files()
    assert set(files_of(r1)) <= set(site.files())


def test_an_unreadable_manifest_stops_the_sweep(aws, responses, tmp_path):
    r1 = build(VITE_BUILD, tmp_path, "r1", MISSED_CHUNK, "assets/index-Ab3dE_9x.js")
    r2 = build(VITE_BUILD, tmp_path, "r2", "assets/DataTable-Qx7_kP2m.js", "assets/index-Rr2bXk1q.js")
    r3 = build(VITE_BUILD, tmp_path, "r3", "assets/DataTable-Zt4wN8cV.js", "assets/index-R3pQ9zLm.js")
    p1, p2, p3 = synth([r1, r2, r3])
    site = Site(aws, responses, "site-unreadable")
    site.deploy(p1, r1)
    site.deploy(p2, r2)
    site.s3.put_object(Bucket=site.bucket, Key=PREFIX + "garbage.json", Body=b"{not json")
    answer = site.deploy(p3, r3)
    assert "unreadable" in answer["Data"]["Skipped"] and answer["Data"]["Deleted"] == "0"
    assert MISSED_CHUNK in site.files()  # nothing deleted, release 1 included


def test_hashed_files_a_kept_release_uploaded_with_the_same_headers_are_not_uploaded_again(releases3):
    answers = releases3["answers"]
    assert answers[0]["Data"]["Unchanged"] == "0"
    # the stylesheet is the same in every build: uploaded by deploy 1 only
    assert "assets/index-5K79yzeN.css" in releases3["puts"][0]
    assert all("assets/index-5K79yzeN.css" not in puts for puts in releases3["puts"][1:])
    assert all(a["Data"]["Unchanged"] == "1" for a in answers[1:])
    head = releases3["site"].head("assets/index-5K79yzeN.css")
    assert (head["CacheControl"], head["ContentType"]) == (HASHED, "text/css; charset=utf-8")
    # unhashed files are always uploaded, even when unchanged (favicon.svg)
    assert all("favicon.svg" in puts for puts in releases3["puts"])


def test_a_hashed_file_is_uploaded_again_when_its_headers_would_differ():
    plan = {"HashedCacheControl": HASHED, "UnhashedCacheControl": "no-cache", "Hashed": {"Exclude": ["*"], "Include": ["assets/*"]},
            "ContentTypes": {"js": "text/javascript; charset=utf-8", "map": "application/json"}, "DefaultContentType": "application/octet-stream"}
    plans = {k: index.plan_file(k, plan) for k in ["assets/a-Bq7_x2Lk.js", "assets/a-Bq7_x2Lk.js.map", "assets/b-Cq7_x2Lk.js", "index.html"]}
    before = {k: (None, "etag-" + k) for k in plans}
    uploaded = {"hashedCacheControl": HASHED, "types": {"js": "text/javascript; charset=utf-8", "map": "binary/octet-stream"}}
    previous = releases.Release("r", "2026-01-01T00:00:00.000000Z", ["assets/a-Bq7_x2Lk.js", "assets/a-Bq7_x2Lk.js.map", "index.html"],
                                list(plans), uploaded)
    assert index.reusable_objects([previous], plans, before, plan) == {"assets/a-Bq7_x2Lk.js": "etag-assets/a-Bq7_x2Lk.js"}
    # another Cache-Control for hashed files: nothing is reused
    assert index.reusable_objects([previous], plans, before, dict(plan, HashedCacheControl="public, max-age=60")) == {}
    # a release of an earlier version, which did not record how it uploaded: nothing is reused
    assert index.reusable_objects([releases.Release("r", previous.deployed_at, previous.hashed, previous.files)], plans, before, plan) == {}
