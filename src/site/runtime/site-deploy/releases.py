"""Releases of a SpaWithLambdaApi site bucket: manifests, trust rules and the sweep decision (pure, no I/O).

A release is one build as deployed: all its files (`files`) and the ones that are content-hashed (`hashed`). It is
recorded in a manifest `<prefix><release id>.json`; the release id is a hash of its file names and of which of them
are hashed, so redeploying the same build (a rollback included) is the same release, made the newest again.

After every deploy the newest `KeepReleases` releases (the current one included) are kept, and every object that is
neither a file of the current release nor ANY file of a kept release (hashed or not: correctness must not depend on
the hash detector) is deleted, plus the manifests of dropped releases (mark and sweep, so files a failed run left
behind are collected by the next one). A file of a kept release that the current release overwrote is simply the
current file.

Safety rules: a file of the current release is never deleted; objects under the manifest prefix are only deleted when
they are the manifest of a dropped release; a manifest that cannot be read stops the sweep (nothing is deleted)
instead of guessing; a bucket that has objects but no manifest yet (a site deployed before manifests existed) gets an
"adopted" release that keeps those objects for one more release.

Manifests: a manifest is only counted when it is self-consistent: its key is `<prefix><releaseId>.json`, its release
id is the hash of its contents, its `deployedAt` is a timestamp that is neither in the future nor later than the
moment S3 stored the object (LastModified, set by S3), and it lists no file the current release serves unhashed as
hashed. Any other manifest is ignored (logged and reported, left in place). A self-consistent forged manifest DOES
count: planting one needs write access to the bucket (see docs/security.md).

Out-of-band objects: an object that is neither a file of the current release nor a file of any trusted release
(uploaded by hand, or by another tool) is deleted only once it is older than the grace period (its LastModified).
"""

import datetime
import fnmatch
import hashlib
import re


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

    def __init__(self, release_id, deployed_at, hashed, files=None, uploaded=None):
        self.id = release_id
        self.deployed_at = deployed_at
        self.hashed = sorted(set(hashed))
        self.files = sorted(set(files)) if files is not None else None
        # how the hashed files were uploaded: {'hashedCacheControl': str, 'types': {extension: Content-Type}}
        self.uploaded = uploaded

    def to_manifest(self):
        manifest = {
            'format': MANIFEST_FORMAT,
            'releaseId': self.id,
            'deployedAt': self.deployed_at,
            'hashed': self.hashed,
        }
        if self.files is not None:
            manifest['files'] = self.files
        if self.uploaded is not None:
            manifest['uploaded'] = self.uploaded
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
        uploaded = data.get('uploaded')
        if uploaded is not None and not (isinstance(uploaded, dict) and isinstance(uploaded.get('hashedCacheControl'), str)
                                         and isinstance(uploaded.get('types'), dict)):
            raise ValueError('release manifest whose uploaded is not a description of the upload')
        return Release(release_id, deployed_at, hashed, files, uploaded)


class Plan:
    def __init__(self, kept, dropped, delete, deferred=()):
        self.kept = kept                  # release ids, newest first
        self.dropped = dropped            # release ids
        self.delete = delete              # sorted object keys
        self.deferred = sorted(deferred)  # out-of-band objects still within the grace period


def normalize_zip_name(name):
    """The key of a zip member: its path without empty, `.` or `..` segments (never resolved, so it stays inside the site)."""
    return '/'.join(part for part in name.split('/') if part not in ('', '.', '..'))


def is_hashed(key, globs, exclude=('*',)):
    """Whether `aws s3 sync --exclude <e>... --include <glob>...` would select `key` (fnmatch, case-sensitive).

    The last matching filter decides and every exclude comes before every include (BucketDeployment's order),
    so a key is selected when it matches an include glob or no exclude glob.
    """
    return any(fnmatch.fnmatchcase(key, glob) for glob in globs) \
        or not any(fnmatch.fnmatchcase(key, glob) for glob in exclude)


def legacy_release_id(hashed):
    """The release id of manifests written before releases recorded all their files: the hash of the hashed files."""
    return hashlib.sha256('\n'.join(sorted(set(hashed))).encode('utf-8')).hexdigest()


def release_id(files, hashed):
    """A release is its file names and which of them are hashed: the same build deployed again is the same release."""
    text = '\n'.join(sorted(set(files))) + '\n\0\n' + '\n'.join(sorted(set(hashed)))
    return 'r2-' + hashlib.sha256(text.encode('utf-8')).hexdigest()


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
    legacy = legacy_release_id(release.hashed)
    expected = {legacy, 'adopted-' + legacy[:16]}
    if release.files is not None:
        expected.add(release_id(release.files, release.hashed))
    if release.id not in expected:
        return 'its release id is not the hash of its files'
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
        # every file of a kept release, hashed or not (older manifests list only their hashed files)
        protected.update(release.files if release.files is not None else release.hashed)
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


