"""Site deployment of a SpaWithLambdaApi: upload, release cleanup and CloudFront invalidation in one pass.

A Lambda-backed CloudFormation custom resource (`Custom::SpaSiteDeployment`; Lambda Python 3.14, runs on 3.11+,
standard library and boto3 only). It answers CloudFormation itself on the event's pre-signed `ResponseURL`.

Create and Update (a rollback is an Update back to the previous properties, so it re-uploads the previous release):

1. reads the central directory of the site zip (the CDK asset) with a few ranged GETs;
2. gives every file its `Cache-Control` and `Content-Type` from the plan the construct computed at synth time
   (`Plan`: which files are content-hashed, as `aws s3 sync`-style exclude/include globs, and the content type of
   every extension); no key under the manifest prefix is ever written from the zip;
3. uploads in phases, each one in parallel (a thread pool), each file streamed out of the zip with ranged GETs
   (runs of neighbouring members in one request, decompressed in memory; no file is written to /tmp):
   hashed files, then the other files but HTML, then HTML files but `index.html`, then `index.html`;
4. records the release and deletes what no kept release lists (releases.py);
5. creates one CloudFront invalidation of the unhashed paths whose content changed (none when none did), or `/*` when
   more than `MAX_INVALIDATION_PATHS` changed (a wildcard is billed as one path).

Delete leaves the bucket as it is (as BucketDeployment's retainOnDelete default): the bucket's removal policy decides.
"""

import concurrent.futures
import datetime
import hashlib
import io
import json
import logging
import struct
import threading
import time
import urllib.parse
import urllib.request
import zipfile
import zlib

import releases
from releases import Release

logger = logging.getLogger()
logger.setLevel(logging.INFO)

DEFAULT_CONCURRENCY = 16
CHUNK_BYTES = 8 * 1024 * 1024  # neighbouring zip members fetched in one ranged GET, up to this size
MAX_INVALIDATION_PATHS = 1000   # more changed paths than this: one "/*" (CloudFront bills a wildcard as one path)
DEFAULT_GRACE_SECONDS = 24 * 3600
LOCAL_HEADER = struct.Struct('<4sHHHHHIIIHH')  # zip local file header, 30 bytes
PHASES = ('hashed files', 'unhashed files', 'HTML files', 'index.html')


# ---------------------------------------------------------------------------------------------------------
# the plan: which file gets which headers, in which phase


def extension_of(key):
    name = key.rsplit('/', 1)[-1]
    dot = name.rfind('.')
    return name[dot + 1:].lower() if dot > 0 else ''


class FilePlan:
    def __init__(self, key, hashed, cache_control, content_type, phase):
        self.key, self.hashed, self.cache_control, self.content_type, self.phase = \
            key, hashed, cache_control, content_type, phase


def plan_file(key, plan):
    """The headers and upload phase of one file, from the construct's plan."""
    filters = plan['Hashed']
    hashed = releases.is_hashed(key, filters.get('Include', []), filters.get('Exclude', ['*']))
    types = plan.get('ContentTypes', {})
    content_type = types.get(extension_of(key), plan.get('DefaultContentType', 'application/octet-stream'))
    html = extension_of(key) in ('html', 'htm')
    phase = 3 if key == 'index.html' else 2 if html else 0 if hashed else 1
    cache = plan['HashedCacheControl'] if hashed else plan['UnhashedCacheControl']
    return FilePlan(key, hashed, cache, content_type, phase)


# ---------------------------------------------------------------------------------------------------------
# the site zip, read from S3 with ranged GETs


class S3RangeFile(io.RawIOBase):
    """A read-only, seekable file over an S3 object, read with ranged GETs (for `zipfile` to list the archive)."""

    def __init__(self, s3, bucket, key):
        super().__init__()
        self._s3, self._bucket, self._key = s3, bucket, key
        self.size = s3.head_object(Bucket=bucket, Key=key)['ContentLength']
        self._pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer):
        if self._pos >= self.size or len(buffer) == 0:
            return 0
        end = min(self.size, self._pos + len(buffer)) - 1
        data = self._s3.get_object(Bucket=self._bucket, Key=self._key, Range='bytes=%d-%d' % (self._pos, end))['Body'].read()
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)


class Member:
    """A file of the zip: its key, where its bytes are (`start`..`end`, local header included) and how to read them."""

    def __init__(self, key, info, start, end):
        self.key, self.info, self.start, self.end = key, info, start, end


def read_members(s3, bucket, key):
    """The files of the zip by the key they are uploaded to (normalized, the last of duplicates wins), and the zip's size."""
    raw = S3RangeFile(s3, bucket, key)
    with zipfile.ZipFile(io.BufferedReader(raw, buffer_size=1 << 16)) as archive:
        infos = sorted(archive.infolist(), key=lambda i: i.header_offset)
        central = archive.start_dir
    members = {}
    for i, info in enumerate(infos):
        if info.is_dir():
            continue
        name = releases.normalize_zip_name(info.filename)
        if not name:
            continue
        end = infos[i + 1].header_offset if i + 1 < len(infos) else central
        members[name] = Member(name, info, info.header_offset, end)
    return members, raw.size


def extract(member, region, region_start):
    """The content of `member` out of `region` (bytes of the zip from `region_start`), checked against its CRC."""
    offset = member.start - region_start
    fields = LOCAL_HEADER.unpack_from(region, offset)
    if fields[0] != b'PK\x03\x04':
        raise ValueError('%s: no local file header at offset %d' % (member.key, member.start))
    data_start = offset + LOCAL_HEADER.size + fields[9] + fields[10]
    data = bytes(region[data_start:data_start + member.info.compress_size])
    if member.info.compress_type == zipfile.ZIP_STORED:
        content = data
    elif member.info.compress_type == zipfile.ZIP_DEFLATED:
        content = zlib.decompressobj(-15).decompress(data)
    else:
        raise ValueError('%s: unsupported zip compression method %d' % (member.key, member.info.compress_type))
    if len(content) != member.info.file_size or zlib.crc32(content) != member.info.CRC:
        raise ValueError('%s: size or CRC does not match the zip directory' % member.key)
    return content


def runs(members, chunk_bytes=CHUNK_BYTES):
    """Members (sorted by offset) grouped into runs of neighbours whose bytes one ranged GET can fetch."""
    group = []
    for m in sorted(members, key=lambda m: m.start):
        if group and (m.start != group[-1].end or m.end - group[0].start > chunk_bytes):
            yield group
            group = []
        group.append(m)
    if group:
        yield group


# ---------------------------------------------------------------------------------------------------------
# upload


class Uploader:
    def __init__(self, s3, source_bucket, source_key, bucket, concurrency, reusable=None):
        self.s3, self.source_bucket, self.source_key, self.bucket = s3, source_bucket, source_key, bucket
        self.concurrency = concurrency
        # hashed keys a kept release uploaded with the same headers -> their ETag: not uploaded again when unchanged
        self.reusable = reusable or {}
        self.etags = {}  # key -> ETag (the MD5 of a single-part upload) of the object now in the bucket
        self.lock = threading.Lock()
        self.gets = 0
        self.unchanged = 0
        self.order = []  # keys in the order their upload completed

    def put(self, plan, content):
        if plan.key in self.reusable:
            md5 = hashlib.md5(content).hexdigest()  # noqa: S324 - compared with S3's ETag, not a security check
            if md5 == self.reusable[plan.key]:
                with self.lock:
                    self.etags[plan.key] = md5
                    self.unchanged += 1
                return
        response = self.s3.put_object(Bucket=self.bucket, Key=plan.key, Body=content,
                                      CacheControl=plan.cache_control, ContentType=plan.content_type)
        with self.lock:
            self.etags[plan.key] = response.get('ETag', '').strip('"')
            self.order.append(plan.key)

    def fetch_and_put(self, group, plans):
        start, end = group[0].start, group[-1].end
        region = self.s3.get_object(Bucket=self.source_bucket, Key=self.source_key,
                                    Range='bytes=%d-%d' % (start, end - 1))['Body'].read()
        with self.lock:
            self.gets += 1
        for m in group:
            self.put(plans[m.key], extract(m, region, start))

    def upload_phase(self, members, plans):
        """Uploads the members in parallel; returns once every one is stored, raises the first failure."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            # runs are cut so that the pool has work for every thread
            total = sum(m.end - m.start for m in members)
            chunk = max(64 * 1024, min(CHUNK_BYTES, total // (self.concurrency * 2) + 1))
            futures = [pool.submit(self.fetch_and_put, g, plans) for g in runs(members, chunk)]
            for f in concurrent.futures.as_completed(futures):
                f.result()


# ---------------------------------------------------------------------------------------------------------
# the deploy


def list_objects(s3, bucket):
    """Every key of the bucket -> (LastModified, ETag without quotes)."""
    stored = {}
    for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket):
        for o in page.get('Contents', []):
            stored[o['Key']] = (o['LastModified'], o.get('ETag', '').strip('"'))
    return stored


def put_manifest(s3, bucket, prefix, release):
    s3.put_object(Bucket=bucket, Key=releases.manifest_key(prefix, release.id),
                  Body=json.dumps(release.to_manifest(), indent=1).encode('utf-8'),
                  ContentType='application/json', CacheControl='no-store')


def delete_keys(s3, bucket, keys):
    """Deletes in batches of 1000; returns the keys that could not be deleted (the next deploy retries them)."""
    failed = []
    for i in range(0, len(keys), releases.DELETE_BATCH):
        batch = keys[i:i + releases.DELETE_BATCH]
        response = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in batch], 'Quiet': True})
        for error in response.get('Errors', []):
            logger.warning('could not delete %s: %s %s', error.get('Key'), error.get('Code'), error.get('Message'))
            failed.append(error.get('Key'))
    return failed


def invalidation_paths(changed):
    """CloudFront paths of the changed unhashed keys (`/` and `/dir/` with an index.html), or ["/*"] past the limit."""
    paths = set()
    for key in changed:
        paths.add('/' + urllib.parse.quote(key, safe='/-_.~'))
        if key == 'index.html' or key.endswith('/index.html'):
            paths.add('/' + urllib.parse.quote(key[:-len('index.html')], safe='/-_.~'))
    if len(paths) > MAX_INVALIDATION_PATHS:
        logger.info('%d changed paths: invalidating "/*" instead (billed as one path)', len(paths))
        return ['/*']
    return sorted(paths)


def read_history(s3, props, before, now, current_unhashed):
    """The trusted releases of the bucket's manifests, and the keys of the unreadable and of the ignored ones."""
    bucket, prefix = props['BucketName'], props['ManifestPrefix']
    history, unreadable, ignored = [], [], []
    for key in sorted(before):
        if releases.manifest_id(prefix, key) is None:
            continue
        try:
            release = Release.from_manifest(json.loads(s3.get_object(Bucket=bucket, Key=key)['Body'].read()))
        except Exception as e:  # noqa: BLE001 - any unreadable manifest stops the sweep
            logger.warning('unreadable release manifest %s: %s', key, e)
            unreadable.append(key)
            continue
        reason = releases.untrusted_reason(release, key, before[key][0], now, current_unhashed, prefix)
        if reason:
            logger.warning('ignoring release manifest %s: %s', key, reason)
            ignored.append(key)
            continue
        history.append(release)
    return history, unreadable, ignored


def upload_description(plans, plan):
    """How this release uploads its hashed files: recorded in its manifest, so a later deploy can skip unchanged ones."""
    types = {extension_of(k): p.content_type for k, p in plans.items() if p.hashed}
    return {'hashedCacheControl': plan['HashedCacheControl'], 'types': dict(sorted(types.items()))}


def reusable_objects(history, plans, before, plan):
    """Hashed keys that a trusted release uploaded with the headers this one would set: key -> their current ETag."""
    reusable = {}
    for release in history:
        uploaded = release.uploaded
        if not uploaded or uploaded['hashedCacheControl'] != plan['HashedCacheControl']:
            continue
        for key in release.hashed:
            p = plans.get(key)
            if p is not None and p.hashed and key in before and uploaded['types'].get(extension_of(key)) == p.content_type:
                reusable[key] = before[key][1]
    return reusable


def deploy(s3, cloudfront, props, now=None):
    """One deploy of the release the properties describe. Returns the summary reported to CloudFormation."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    bucket = props['BucketName']
    prefix = props['ManifestPrefix']
    plan = props['Plan']
    source = props['Source']
    concurrency = int(props.get('Concurrency', DEFAULT_CONCURRENCY))

    members, _ = read_members(s3, source['BucketName'], source['ObjectKey'])
    refused = sorted(k for k in members if k.startswith(prefix))
    for key in refused:  # the reserved prefix is never written from a site (the construct refuses such folders)
        logger.warning('not uploading %s: the prefix %s is reserved for release manifests', key, prefix)
        del members[key]
    if not members:
        raise ValueError('the site zip s3://%s/%s has no files: refusing to deploy it' % (source['BucketName'], source['ObjectKey']))
    plans = {key: plan_file(key, plan) for key in members}
    files = set(members)
    hashed = {k for k, p in plans.items() if p.hashed}

    before = list_objects(s3, bucket)
    history, unreadable, ignored = read_history(s3, props, before, now, files - hashed)
    uploader = Uploader(s3, source['BucketName'], source['ObjectKey'], bucket, concurrency,
                        reusable_objects(history, plans, before, plan))
    started = time.monotonic()
    for phase in range(len(PHASES)):
        batch = [m for k, m in members.items() if plans[k].phase == phase]
        if batch:
            uploader.upload_phase(batch, plans)
            logger.info('%s: %d', PHASES[phase], len(batch))
    seconds = time.monotonic() - started

    changed = sorted(k for k, p in plans.items() if not p.hashed and before.get(k, (None, None))[1] != uploader.etags[k])
    summary = {'Files': len(files), 'HashedFiles': len(hashed), 'Unchanged': uploader.unchanged,
               'UploadSeconds': round(seconds, 2), 'Gets': uploader.gets}
    if refused:
        summary['Refused'] = ', '.join(refused)[:300]
    current = Release(releases.release_id(files, hashed), releases.format_time(now), hashed, files,
                      upload_description(plans, plan))
    summary.update(record_and_sweep(s3, props, current, before, now, history, unreadable, ignored))

    distribution = props.get('DistributionId')
    if distribution and changed:
        paths = invalidation_paths(changed)
        cloudfront.create_invalidation(DistributionId=distribution, InvalidationBatch={
            'Paths': {'Quantity': len(paths), 'Items': paths},
            'CallerReference': 'spa-%s-%s' % (summary['ReleaseId'][:24], now.strftime('%Y%m%dT%H%M%S%f')),
        })
        summary['Invalidated'] = ' '.join(paths)[:500]
    return summary


def record_and_sweep(s3, props, current, before, now, history, unreadable, ignored):
    """Writes the release's manifest, then deletes what no kept release lists. Returns its part of the summary."""
    bucket, prefix = props['BucketName'], props['ManifestPrefix']
    keep = int(props['KeepReleases'])
    grace = datetime.timedelta(seconds=int(props.get('OutOfBandGraceSeconds', DEFAULT_GRACE_SECONDS)))
    files = set(current.files)
    stored = {k: at for k, (at, _) in before.items()}
    for key in files:
        stored[key] = now
    objects = sorted(stored)

    # The manifest of this release is written first: should anything below fail, the next deploy still knows it.
    put_manifest(s3, bucket, prefix, current)

    if not history and not unreadable:
        legacy = sorted(k for k in objects if not k.startswith(prefix) and k not in files and k in before)
        if legacy:  # deployed before manifests existed: keep what is there for one more release
            adopted = Release('adopted-' + releases.legacy_release_id(legacy)[:16], '0000-00-00T00:00:00.000000Z', legacy)
            put_manifest(s3, bucket, prefix, adopted)
            history.append(adopted)
            objects.append(releases.manifest_key(prefix, adopted.id))

    summary = {'ReleaseId': current.id}
    if ignored:
        summary['Ignored'] = ('manifests not counted: %s' % ', '.join(ignored))[:500]
    if unreadable:
        summary.update({'Deleted': 0, 'Kept': '', 'Skipped': ('unreadable manifests: %s' % ', '.join(unreadable))[:500]})
        return summary

    objects.append(releases.manifest_key(prefix, current.id))
    known = set(files)
    for release in history:
        known.update(release.hashed)
        known.update(release.files or ())
    young = {key for key, at in stored.items() if now - at < grace}
    decision = releases.plan_cleanup(sorted(set(objects)), files, current, history, keep, prefix, known, young)
    failed = delete_keys(s3, bucket, decision.delete)
    logger.info('release %s: kept %s, dropped %s, deleted %d object(s), %d failed',
                current.id, decision.kept, decision.dropped, len(decision.delete) - len(failed), len(failed))
    summary.update({'Deleted': len(decision.delete) - len(failed), 'Kept': ','.join(decision.kept)[:1000]})
    if decision.deferred:
        summary['Deferred'] = len(decision.deferred)
    if failed:
        summary['FailedDeletes'] = len(failed)
    return summary


# ---------------------------------------------------------------------------------------------------------
# the CloudFormation custom resource


def send_response(event, status, physical_id, data=None, reason=None):
    """PUTs the custom resource's answer to CloudFormation's pre-signed ResponseURL (Data must stay under 4 KB)."""
    body = json.dumps({
        'Status': status,
        'Reason': (reason or 'see the CloudWatch logs of the site deployment function')[:1000],
        'PhysicalResourceId': physical_id,
        'StackId': event['StackId'],
        'RequestId': event['RequestId'],
        'LogicalResourceId': event['LogicalResourceId'],
        'NoEcho': False,
        'Data': {k: str(v) for k, v in (data or {}).items()},
    }).encode('utf-8')
    request = urllib.request.Request(event['ResponseURL'], data=body, method='PUT',
                                     headers={'Content-Type': '', 'Content-Length': str(len(body))})
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - CloudFormation's https URL
                response.read()
                return
        except Exception as e:  # noqa: BLE001
            logger.warning('could not send the response (attempt %d): %s', attempt + 1, e)
            time.sleep(2 ** attempt)
    raise RuntimeError('could not send the custom resource response')


def clients():
    import boto3  # the Lambda runtime ships it; imported here so that the pure parts need no AWS SDK
    from botocore.config import Config
    config = Config(retries={'mode': 'standard', 'max_attempts': 10}, max_pool_connections=DEFAULT_CONCURRENCY * 2)
    return boto3.client('s3', config=config), boto3.client('cloudfront', config=config)


def handler(event, context=None, s3=None, cloudfront=None):
    request = event['RequestType']
    props = event['ResourceProperties']
    physical_id = event.get('PhysicalResourceId') or 'spa-site-deployment:%s' % props['BucketName']
    if request == 'Delete':
        # The objects stay: the bucket's removal policy decides (a replaced resource's Delete must not undo the new one).
        send_response(event, 'SUCCESS', physical_id)
        return
    answered = threading.Event()
    timer = None
    if context is not None:  # answer FAILED before Lambda's timeout rather than leave CloudFormation waiting an hour
        remaining = context.get_remaining_time_in_millis() / 1000.0 - 20

        def on_timeout():
            if not answered.is_set():
                answered.set()
                send_response(event, 'FAILED', physical_id, reason='the site deployment ran out of time')
        timer = threading.Timer(max(1.0, remaining), on_timeout)
        timer.daemon = True
        timer.start()
    try:
        if s3 is None:
            s3, cloudfront = clients()
        summary = deploy(s3, cloudfront, props)
        status, reason = 'SUCCESS', None
    except Exception as e:  # noqa: BLE001 - every failure is reported to CloudFormation, which rolls back
        logger.exception('site deployment failed')
        summary, status, reason = {}, 'FAILED', '%s: %s' % (type(e).__name__, e)
    finally:
        if timer:
            timer.cancel()
    physical_id = 'spa-site-deployment:%s' % props['BucketName']
    if not answered.is_set():
        answered.set()
        send_response(event, status, physical_id, summary, reason)
