"""Simulated deploy of a site against moto's S3 and CloudFront server on 127.0.0.1 (run by scripts/bench-site.ts).

Two ways to deploy the same site zip into an empty bucket, alternating within each run:

- "passes" (the BucketDeployment design this library used before): one upload pass per group of files (hashed or
  not, times the six explicit content types), each pass as aws-cdk-lib's BucketDeployment handler runs it: download
  the whole zip to /tmp, extract it all, then `aws s3 sync` of the extracted folder with the group's filters (the AWS
  CLI lists the destination, then uploads the selected files with its default of 10 concurrent requests, each with
  the group's Cache-Control and Content-Type). The AWS CLI is not installed here, so the sync is simulated with boto3
  (listing, then PUTs from a pool of 10 threads). Passes run in the stages CloudFormation runs them (the hashed
  groups together, then the other unhashed groups together, then `Files`, which waits for its invalidation), then
  the release cleanup (the zip's central directory, the bucket listing, the manifest, the sweep);
- "one pass": the library's handler (src/site/runtime/site-deploy/index.py `deploy`) as the Lambda runs it.

Each run resets moto and uploads the zip to the asset bucket outside the timed part. CloudFront invalidations
complete at once in moto, so the waits the passes design does on AWS (seconds to minutes) are not counted.

Prints JSON: the wall times per run of each way, and the request counts of the last run.
"""

import argparse
import datetime
import concurrent.futures
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.dont_write_bytecode = True
sys.path.insert(0, str(ROOT / "src" / "site" / "runtime" / "site-deploy"))

import index  # noqa: E402
import releases  # noqa: E402

ASSETS = "cdk-assets-bench"
SITE = "site-bench"
# the content-type groups of the passes design (src/site/site-deployment.ts before the one-pass deploy)
OLD_GROUPS = [("JavaScript", ("js", "mjs")), ("Css", ("css",)), ("Svg", ("svg",)), ("Wasm", ("wasm",)),
              ("WebManifest", ("webmanifest",)), ("SourceMap", ("map",))]


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}

    def __call__(self, model, **kwargs):
        with self.lock:
            self.calls[model.name] = self.calls.get(model.name, 0) + 1


def clients(endpoint, counter):
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"})
    config = Config(retries={"mode": "standard", "max_attempts": 10}, max_pool_connections=64)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config)
    cf = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1", config=config)
    s3.meta.events.register("before-call.s3", counter)
    cf.meta.events.register("before-call.cloudfront", counter)
    return s3, cf


def reset(endpoint, s3, cf, zip_path, key):
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset", method="POST")).read()
    s3.create_bucket(Bucket=ASSETS)
    s3.create_bucket(Bucket=SITE)
    s3.upload_file(str(zip_path), ASSETS, key)
    return cf.create_distribution(DistributionConfig={
        "CallerReference": str(time.time()), "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "site.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0},
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0},
    })["Distribution"]["Id"]


def old_groups(names, plan):
    """The passes of the BucketDeployment design: (id, hashed, files), hashed groups first."""
    groups = []
    for hashed in (True, False):
        of_class = [n for n in names if index.plan_file(n, plan).hashed == hashed]
        base = "HashedAssets" if hashed else "Files"
        typed = {n for _, exts in OLD_GROUPS for n in of_class if index.extension_of(n) in exts}
        groups.append((base, hashed, [n for n in of_class if n not in typed]))
        for gid, exts in OLD_GROUPS:
            files = [n for n in of_class if index.extension_of(n) in exts]
            if files:
                groups.append((base + gid, hashed, files))
    return groups


def one_old_pass(s3, cf, distribution, key, plan, group, wait):
    """One BucketDeployment pass: download, extract all, list the destination, upload the group (10 at a time)."""
    gid, hashed, files = group
    work = Path(tempfile.mkdtemp(prefix="bench-pass-"))
    try:
        zip_path = work / "source.zip"
        s3.download_file(ASSETS, key, str(zip_path))
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(work / "contents")
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=SITE):
            page.get("Contents")

        def put(name):
            p = index.plan_file(name, plan)
            with open(work / "contents" / name, "rb") as f:
                s3.put_object(Bucket=SITE, Key=name, Body=f.read(), CacheControl=p.cache_control, ContentType=p.content_type)
        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(put, files))
        if not hashed:
            paths = ["/" + f for f in files] + (["/"] if gid == "Files" else [])
            inv = cf.create_invalidation(DistributionId=distribution, InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": gid + str(time.time())})
            if wait:
                cf.get_invalidation(DistributionId=distribution, Id=inv["Invalidation"]["Id"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def deploy_passes(s3, cf, distribution, props):
    key, plan = props["Source"]["ObjectKey"], props["Plan"]
    members, _ = index.read_members(s3, ASSETS, key)
    groups = old_groups(sorted(members), plan)
    stages = [[g for g in groups if g[1]], [g for g in groups if not g[1] and g[0] != "Files"],
              [g for g in groups if g[0] == "Files"]]
    for stage in stages:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(stage))) as pool:
            for f in [pool.submit(one_old_pass, s3, cf, distribution, key, plan, g, g[0] == "Files") for g in stage]:
                f.result()
    # the release cleanup, after every pass: list the zip, list the bucket, record and sweep
    members, _ = index.read_members(s3, ASSETS, key)
    files = set(members)
    hashed = {k for k in files if index.plan_file(k, plan).hashed}
    before = index.list_objects(s3, SITE)
    now = datetime.datetime.now(datetime.timezone.utc)
    history, unreadable, ignored = index.read_history(s3, props, before, now, files - hashed)
    current = releases.Release(releases.release_id(files, hashed), releases.format_time(now), hashed, files)
    index.record_and_sweep(s3, props, current, before, now, history, unreadable, ignored)
    return len(groups), len(stages) + 1


def resolved_props(props, distribution):
    resolved = dict(props, BucketName=SITE, DistributionId=distribution,
                    Source={"BucketName": ASSETS, "ObjectKey": props["Source"]["ObjectKey"]})
    resolved = json.loads(json.dumps(resolved, default=str))
    return {k: (v if isinstance(v, (dict, list, str)) else str(v)) for k, v in resolved.items()}


def deploy_way(way, s3, cf, distribution, props):
    if way == "passes":
        return deploy_passes(s3, cf, distribution, props)
    return index.deploy(s3, cf, props)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--zip", required=True)
    parser.add_argument("--props", required=True)
    parser.add_argument("--zip2", help="a next release: timed deploy after an untimed deploy of the first, the same way")
    parser.add_argument("--props2")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    props = json.loads(Path(args.props).read_text())
    props2 = json.loads(Path(args.props2).read_text()) if args.props2 else None
    counter = Counter()
    s3, cf = clients(args.endpoint, counter)
    times = {"passes": [], "one pass": []}
    counts = {}
    results = {}
    for run in range(args.runs):
        order = ["passes", "one pass"] if run % 2 == 0 else ["one pass", "passes"]
        for way in order:
            distribution = reset(args.endpoint, s3, cf, Path(args.zip), props["Source"]["ObjectKey"])
            timed_props = resolved_props(props, distribution)
            if props2:
                deploy_way(way, s3, cf, distribution, timed_props)
                s3.upload_file(args.zip2, ASSETS, props2["Source"]["ObjectKey"])
                timed_props = resolved_props(props2, distribution)
            counter.calls = {}
            start = time.monotonic()
            results[way] = deploy_way(way, s3, cf, distribution, timed_props)
            seconds = time.monotonic() - start
            times[way].append(seconds)
            counts[way] = dict(counter.calls)
            objects = index.list_objects(s3, SITE)
            print("run %d/%d %-8s %.2f s, %d objects" % (run + 1, args.runs, way, seconds, len(objects)), file=sys.stderr)
    counts["passes"]["_passes"], counts["passes"]["_stages"] = results["passes"]
    counts["one pass"]["_gets_of_zip"] = results["one pass"]["Gets"]
    counts["one pass"]["_unchanged"] = results["one pass"]["Unchanged"]
    print(json.dumps({"times": times, "counts": counts}))


if __name__ == "__main__":
    main()
