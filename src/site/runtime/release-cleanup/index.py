"""Release cleanup of a SpaWithLambdaApi site bucket (CloudFormation custom resource; Lambda Python 3.14, runs on 3.11+).

Runs after every upload of the site (its properties change with the site's content) and:

1. lists the files of the release being deployed from the source zips the BucketDeployments extracted
   (the same `zipfile` module, so the same names), and classifies the hashed ones with the same `fnmatch`
   the AWS CLI's `s3 sync --include` uses;
2. records the release in a manifest `<prefix><release id>.json` (the release id is a hash of its hashed
   file list, so redeploying the same assets is the same release; `deployedAt` orders releases);
3. keeps the newest `KeepReleases` releases (the current one included) and deletes every object that is
   neither a file of the current release nor a hashed file of a kept release (mark and sweep, so
   files a failed run left behind are collected by the next one), plus the manifests of dropped releases.

Safety rules: a file of the current release is never deleted; objects under the manifest prefix are only
deleted when they are the manifest of a dropped release; a manifest that cannot be read stops the sweep
(nothing is deleted) instead of guessing; a bucket that has objects but no manifest yet (a site deployed
before this cleanup existed) gets an "adopted" release that keeps those objects for one more release.

Planted or corrupt manifests: a manifest is only trusted when it is what this cleanup writes: its key is
`<prefix><releaseId>.json`, its release id is the hash of its hashed files, its `deployedAt` is a timestamp that
is neither in the future nor later than the moment S3 stored the object (LastModified, set by S3), and it lists
no file the current release serves as unhashed (`index.html` is never content-hashed). Any other manifest is
ignored (logged and reported, left in place): it can neither keep files nor push a real release out of the
`KeepReleases` newest.

Out-of-band objects: an object that is neither a file of the current release nor a file of any trusted
release (uploaded by hand, or by another tool) is deleted only once it is older than `OutOfBandGraceSeconds`
(its LastModified); until then it is reported as deferred.

Only the standard library and boto3 (both in the Lambda Python runtime). `on_event` is the handler of the
aws-cdk-lib custom-resources Provider framework. The decision is the pure function `plan_cleanup`.
"""

import datetime
import fnmatch
import hashlib
import io
import json
import logging
import re
import zipfile

logger = logging.getLogger()
logger.setLevel(logging.INFO)

MANIFEST_FORMAT = 1
DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys
TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'
TIME_RE = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$')
CLOCK_SKEW = datetime.timedelta(minutes=5)  # between the Lambda's clock and S3's
DEFAULT_GRACE_SECONDS = 24 * 3600


# ---------------------------------------------------------------------------------------------------------
# pure logic


class Release:
    """A release: its id, when it was (last) deployed, its content-hashed files and (when known) all its files."""

    def __init__(self, release_id, deployed_at, hashed, files=None):
        self.id = release_id
        self.deployed_at = deployed_at
        self.hashed = sorted(set(hashed))
        self.files = sorted(set(files)) if files is not None else None

    def to_manifest(self):
        manifest = {
            'format': MANIFEST_FORMAT,
            'releaseId': self.id,
            'deployedAt': self.deployed_at,
            'hashed': self.hashed,
        }
        if self.files is not None:
            manifest['files'] = self.files
        return manifest

    @staticmethod
    def from_manifest(data):
        if not isinstance(data, dict) or data.get('format') != MANIFEST_FORMAT:
            raise ValueError('not a release manifest of format %d' % MANIFEST_FORMAT)
        release_id, deployed_at, hashed = data.get('releaseId'), data.get('deployedAt'), data.get('hashed')
        if not isinstance(release_id, str) or not isinstance(deployed_at, str) or not isinstance(hashed, list) \
                or not all(isinstance(h, str) for h in hashed):
            raise ValueError('release manifest without releaseId, deployedAt or hashed list')
        files = data.get('files')
        if files is not None and (not isinstance(files, list) or not all(isinstance(f, str) for f in files)):
            raise ValueError('release manifest whose files is not a list of names')
        return Release(release_id, deployed_at, hashed, files)


class Plan:
    def __init__(self, kept, dropped, delete, deferred=()):
        self.kept = kept                  # release ids, newest first
        self.dropped = dropped            # release ids
        self.delete = delete              # sorted object keys
        self.deferred = sorted(deferred)  # out-of-band objects still within the grace period


def normalize_zip_name(name):
    """The key `zipfile.extractall` + `aws s3 sync` give a zip member: no empty, `.` or `..` segments."""
    return '/'.join(part for part in name.split('/') if part not in ('', '.', '..'))


def is_hashed(key, globs, exclude=('*',)):
    """Whether `aws s3 sync --exclude <e>... --include <glob>...` would select `key` (fnmatch, case-sensitive).

    The last matching filter decides and every exclude comes before every include (BucketDeployment's order),
    so a key is selected when it matches an include glob or no exclude glob.
    """
    return any(fnmatch.fnmatchcase(key, glob) for glob in globs) \
        or not any(fnmatch.fnmatchcase(key, glob) for glob in exclude)


def release_id(hashed):
    """A release is its set of content-hashed files: the same assets deployed again are the same release."""
    return hashlib.sha256('\n'.join(sorted(set(hashed))).encode('utf-8')).hexdigest()


def manifest_key(prefix, rid):
    return '%s%s.json' % (prefix, rid)


def manifest_id(prefix, key):
    """The release id of a manifest key, or None for any other key."""
    if key.startswith(prefix) and key.endswith('.json') and '/' not in key[len(prefix):]:
        return key[len(prefix):-len('.json')]
    return None


def format_time(moment):
    return moment.astimezone(datetime.timezone.utc).strftime(TIME_FORMAT)


def parse_time(text):
    return datetime.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=datetime.timezone.utc)


def untrusted_reason(release, key, stored_at, now, current_unhashed, prefix):
    """Why a parsed manifest is not one this cleanup wrote, or None when it is.

    stored_at: when S3 stored the manifest object (LastModified); now: this run's time; both datetimes.
    current_unhashed: the files the current release serves without a content hash (index.html, ...).
    """
    if key != manifest_key(prefix, release.id):
        return 'its key does not name its release id'
    expected = release_id(release.hashed)
    if release.id != expected and release.id != 'adopted-' + expected[:16]:
        return 'its release id is not the hash of its hashed files'
    if not TIME_RE.match(release.deployed_at):
        return 'deployedAt is not a timestamp'
    if release.deployed_at > format_time(now + CLOCK_SKEW):
        return 'deployedAt %s is in the future' % release.deployed_at
    if release.deployed_at > format_time(stored_at + CLOCK_SKEW):
        return 'deployedAt %s is later than the moment S3 stored it (%s)' % (release.deployed_at, format_time(stored_at))
    # an adopted release lists every object of a site deployed before manifests existed, hashed or not
    unhashed = [] if release.id.startswith('adopted-') else sorted(set(release.hashed) & set(current_unhashed))
    if unhashed:
        return 'it lists files the current release serves unhashed as hashed: %s' % ', '.join(unhashed[:5])
    return None


def plan_cleanup(objects, current_files, current, history, keep, prefix, known=None, young=()):
    """Decides what to delete. Pure: no I/O.

    objects: every key in the bucket (manifests included); current_files: every file of the release being
    deployed; current: its Release (deployed now); history: the trusted Releases read from the manifests (the
    current release's own older manifest may be among them); keep: how many releases to keep, the current
    one included (at least 1); known: the files of every trusted release (None: every object counts as a
    release file); young: objects stored more recently than the out-of-band grace period.
    """
    keep = max(1, int(keep))
    others = [r for r in history if r.id != current.id]
    others.sort(key=lambda r: (r.deployed_at, r.id), reverse=True)
    releases = [current] + others
    kept, dropped = releases[:keep], releases[keep:]

    protected = set(current_files)
    for release in kept:
        protected.update(release.hashed)
        protected.add(manifest_key(prefix, release.id))

    dropped_manifests = {manifest_key(prefix, r.id) for r in dropped}
    young = set(young)
    delete, deferred = [], []
    for key in objects:
        if key in protected:
            continue
        if key.startswith(prefix):
            # the reserved prefix: only the manifests of dropped releases go
            if key in dropped_manifests:
                delete.append(key)
            continue
        if known is not None and key not in known and key in young:
            deferred.append(key)  # out-of-band and recent: deleted by a run after the grace period
            continue
        delete.append(key)

    unsafe = set(delete) & set(current_files)
    if unsafe:  # cannot happen by construction; never let a change break this rule silently
        raise AssertionError('refusing to delete files of the current release: %s' % sorted(unsafe)[:5])
    return Plan([r.id for r in kept], [r.id for r in dropped], sorted(delete), deferred)


# ---------------------------------------------------------------------------------------------------------
# S3


class S3RangeFile(io.RawIOBase):
    """A read-only, seekable file over an S3 object, read with ranged GETs.

    `zipfile` only needs the end of the archive (the central directory) to list it, so listing a large
    source zip costs a few small requests instead of a download.
    """

    def __init__(self, s3, bucket, key):
        super().__init__()
        self._s3, self._bucket, self._key = s3, bucket, key
        self._size = s3.head_object(Bucket=bucket, Key=key)['ContentLength']
        self._pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer):
        if self._pos >= self._size or len(buffer) == 0:
            return 0
        end = min(self._size, self._pos + len(buffer)) - 1
        body = self._s3.get_object(Bucket=self._bucket, Key=self._key, Range='bytes=%d-%d' % (self._pos, end))['Body']
        data = body.read()
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)


def list_zip(s3, bucket, key):
    """The keys `s3 sync` writes for the files of a source zip."""
    raw = S3RangeFile(s3, bucket, key)
    with zipfile.ZipFile(io.BufferedReader(raw, buffer_size=1 << 16)) as archive:
        names = (normalize_zip_name(info.filename) for info in archive.infolist() if not info.is_dir())
        return sorted({name for name in names if name})


def list_objects(s3, bucket):
    """Every key of the bucket with the time S3 stored it (LastModified, a datetime)."""
    stored = {}
    token = None
    while True:
        kwargs = {'Bucket': bucket}
        if token:
            kwargs['ContinuationToken'] = token
        page = s3.list_objects_v2(**kwargs)
        for o in page.get('Contents', []):
            stored[o['Key']] = o['LastModified']
        if not page.get('IsTruncated'):
            return stored
        token = page['NextContinuationToken']


def put_manifest(s3, bucket, prefix, release):
    s3.put_object(
        Bucket=bucket,
        Key=manifest_key(prefix, release.id),
        Body=json.dumps(release.to_manifest(), indent=1).encode('utf-8'),
        ContentType='application/json',
        CacheControl='no-store',
    )


def delete_keys(s3, bucket, keys):
    """Deletes in batches; returns the keys that could not be deleted (the next run retries them)."""
    failed = []
    for i in range(0, len(keys), DELETE_BATCH):
        batch = keys[i:i + DELETE_BATCH]
        response = s3.delete_objects(Bucket=bucket, Delete={'Objects': [{'Key': k} for k in batch], 'Quiet': True})
        for error in response.get('Errors', []):
            logger.warning('could not delete %s: %s %s', error.get('Key'), error.get('Code'), error.get('Message'))
            failed.append(error.get('Key'))
    return failed


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def run(s3, props, now=None):
    """One cleanup for the release described by the custom resource's properties. Returns a summary."""
    now = now or now_iso()
    now_time = parse_time(now)
    bucket = props['BucketName']
    prefix = props['ManifestPrefix']
    keep = int(props['KeepReleases'])
    grace = datetime.timedelta(seconds=int(props.get('OutOfBandGraceSeconds', DEFAULT_GRACE_SECONDS)))

    current_files, hashed = set(), set()
    for source in props['Sources']:
        for name in list_zip(s3, source['BucketName'], source['ObjectKey']):
            if name.startswith(prefix):
                continue  # never uploaded over a manifest (the construct rejects such sources)
            current_files.add(name)
            if is_hashed(name, source.get('HashedGlobs', []), source.get('HashedExclude', ['*'])):
                hashed.add(name)
    if not current_files:
        raise ValueError('the release has no files: refusing to clean up the bucket %s' % bucket)

    current = Release(release_id(hashed), now, hashed, current_files)
    stored = list_objects(s3, bucket)
    objects = sorted(stored)
    current_unhashed = current_files - hashed

    history, unreadable, ignored = [], [], []
    for key in objects:
        rid = manifest_id(prefix, key)
        if rid is None:
            continue
        try:
            body = s3.get_object(Bucket=bucket, Key=key)['Body'].read()
            release = Release.from_manifest(json.loads(body))
        except Exception as e:  # noqa: BLE001 - any unreadable manifest stops the sweep
            logger.warning('unreadable release manifest %s: %s', key, e)
            unreadable.append(key)
            continue
        reason = untrusted_reason(release, key, stored[key], now_time, current_unhashed, prefix)
        if reason:
            logger.warning('ignoring release manifest %s, which this cleanup did not write: %s', key, reason)
            ignored.append(key)
            continue
        history.append(release)

    # The manifest of this release is written first: should anything below fail, the next run still knows it.
    put_manifest(s3, bucket, prefix, current)

    if not history and not unreadable:
        legacy = sorted(k for k in objects if not k.startswith(prefix) and k not in current_files)
        if legacy:
            # Deployed before this cleanup existed: keep what is there for one more release.
            adopted = Release('adopted-' + release_id(legacy)[:16], '0000-00-00T00:00:00.000000Z', legacy)
            put_manifest(s3, bucket, prefix, adopted)
            history.append(adopted)
            objects.append(manifest_key(prefix, adopted.id))

    summary = {'ReleaseId': current.id, 'Files': len(current_files), 'HashedFiles': len(hashed)}
    if ignored:
        summary['Ignored'] = ('manifests this cleanup did not write: %s' % ', '.join(ignored))[:500]
    if unreadable:
        summary.update({'Deleted': 0, 'Kept': '', 'Skipped': 'unreadable manifests: %s' % ', '.join(unreadable)[:500]})
        return summary

    objects.append(manifest_key(prefix, current.id))
    known = set(current_files)
    for release in history:
        known.update(release.hashed)
        known.update(release.files or ())
    young = {key for key, at in stored.items() if now_time - at < grace}
    plan = plan_cleanup(sorted(set(objects)), current_files, current, history, keep, prefix, known, young)
    failed = delete_keys(s3, bucket, plan.delete)
    logger.info('release %s: kept %s, dropped %s, deleted %d object(s), %d failed',
                current.id, plan.kept, plan.dropped, len(plan.delete) - len(failed), len(failed))
    summary.update({'Deleted': len(plan.delete) - len(failed), 'Kept': ','.join(plan.kept)[:1000]})
    if plan.deferred:
        logger.info('kept %d out-of-band object(s) younger than %s: %s', len(plan.deferred), grace, plan.deferred[:20])
        summary['Deferred'] = len(plan.deferred)
    if failed:
        summary['FailedDeletes'] = len(failed)
    return summary


# ---------------------------------------------------------------------------------------------------------
# custom resource handler (custom-resources Provider framework)


def on_event(event, context=None, s3=None):
    request = event['RequestType']
    props = event['ResourceProperties']
    physical_id = 'site-release-cleanup:%s' % props['BucketName']
    if request == 'Delete':
        # The site stays as it is: the bucket's removal policy decides what happens to its objects.
        return {'PhysicalResourceId': event.get('PhysicalResourceId', physical_id)}
    if s3 is None:
        import boto3  # the Lambda runtime ships it; imported here so tests need no AWS SDK
        s3 = boto3.client('s3')
    summary = run(s3, props)
    return {'PhysicalResourceId': physical_id, 'Data': {k: str(v) for k, v in summary.items()}}
