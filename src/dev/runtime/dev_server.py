"""The Python side of `cdk-spa-with-lambda-api dev`: imports the Lambda handler once and invokes it with events.

    python dev_server.py SOURCE MODULE.ATTR

SOURCE is put first on sys.path and made the working directory, as /var/task is in Lambda, and the file system is
read-only as in Lambda except the temp folder (``TMPDIR``, a folder of this run, as /tmp is in Lambda): see
``install_read_only_guard``. The handler is
imported once, when the process starts (as in the Lambda init phase), and then called with one API Gateway
HTTP API (payload 2.0) event at a time, as one Lambda execution environment does.

Protocol with the Node dev server, one JSON document per line:
- requests on stdin: {"id": N, "event": {...}, "timeoutMs": T}
- replies on the original stdout: {"ready": true} once, then {"id": N, "response": ...} or {"id": N, "error": "..."}

The application's own prints go to stderr (file descriptor 1 is pointed at 2), so they cannot corrupt the
protocol. The process exits when stdin closes, so it never outlives the dev server.
"""

import errno
import importlib
import json
import os
import sys
import tempfile
import threading
import time
import traceback
import uuid


def main():
    source, handler_path = sys.argv[1], sys.argv[2]
    # keep the real stdout for the protocol; anything the app prints goes to stderr
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(message):
        protocol.write(json.dumps(message, separators=(",", ":")) + "\n")
        protocol.flush()

    os.chdir(source)
    if sys.path and sys.path[0] in ("", os.path.dirname(os.path.abspath(__file__))):
        sys.path[0] = source
    else:
        sys.path.insert(0, source)

    install_read_only_guard(source, tempfile.gettempdir())

    handler, init_error = None, None
    try:
        module_name, attr = handler_path.rsplit(".", 1)
        handler = getattr(importlib.import_module(module_name), attr)
    except BaseException:  # noqa: BLE001 - an init error is reported to every request, as Lambda does
        init_error = traceback.format_exc()
        sys.stderr.write(f"[api] importing {handler_path} failed (fix it and save: the API reloads):\n{init_error}")
        sys.stderr.flush()
    reply({"ready": init_error is None, "error": init_error})

    function_name = os.environ.get("CDK_SPA_DEV_FUNCTION_NAME", "local-dev")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if init_error is not None:
            reply({"id": request["id"], "error": init_error, "init": True})
            continue
        try:
            response = handler(request["event"], LambdaContext(function_name, request.get("timeoutMs", 15000)))
            reply({"id": request["id"], "response": response})
        except BaseException:  # noqa: BLE001 - Lambda turns an unhandled exception into an error result
            error = traceback.format_exc()
            sys.stderr.write(f"[api] the handler raised:\n{error}")
            sys.stderr.flush()
            reply({"id": request["id"], "error": error})


# Audit events that change the file system, and the positions of their path arguments (and of dir_fd).
_WRITE_EVENTS = {
    "os.mkdir": ((0,), 2), "os.rmdir": ((0,), 1), "os.remove": ((0,), 1), "os.rename": ((0, 1), 2),
    "os.symlink": ((1,), 2), "os.link": ((1,), 3), "os.truncate": ((0,), None), "os.chmod": ((0,), 2),
    "os.chown": ((0,), 3), "os.utime": ((0,), 3), "os.chflags": ((0,), None), "os.setxattr": ((0,), None),
    "os.removexattr": ((0,), None), "shutil.rmtree": ((0,), None), "shutil.copyfile": ((1,), None),
    "shutil.copytree": ((1,), None), "shutil.move": ((1,), None),
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install_read_only_guard(code_root, writable):
    """Makes the file system read-only for the app, as Lambda's is, except ``writable`` (its /tmp) and ``/dev``.

    Lambda runs the code from a read-only /var/task with only /tmp writable, so a write elsewhere (a ``local_assets/``
    folder made next to the code at import) fails there with ``OSError: [Errno 30] Read-only file system``. File
    modes cannot show that locally (the dev server may run as root, on CI it does, and root ignores them), so an
    audit hook (PEP 578: every ``open`` and ``os.mkdir``, ``os.rename``, ``os.remove``... raises an event first)
    refuses each operation that would write outside ``writable``, with the same errno and a message that says what
    Lambda does and where to write instead. An audit hook cannot be removed, and it sees writes from C extensions only
    when they go through Python's ``open``/``os`` functions; it is a faithful guard for Python code, not a sandbox.
    """
    code_root = os.path.realpath(code_root)
    allowed = (os.path.realpath(writable), "/dev")
    state = threading.local()

    def resolve(path, dir_fd):
        if isinstance(path, int) or path is None:
            return None  # an open file descriptor: checked when it was opened
        try:
            path = os.fsdecode(os.fspath(path))
        except TypeError:
            return None
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(path):  # (-1: no dir_fd given)
            return None  # relative to a directory descriptor (shutil.rmtree's own walk): its event was checked
        return os.path.realpath(path)

    def inside(path, root):
        return path == root or path.startswith(root.rstrip(os.sep) + os.sep)

    def refuse(path):
        if inside(path, code_root):
            message = (f"Read-only file system: Lambda's code folder (/var/task) is read-only, and so is the API's folder "
                       f"in the preview. Write under /tmp instead (tempfile.gettempdir(): {allowed[0]} here)")
        else:
            message = (f"Read-only file system: in Lambda only /tmp is writable, and so in the preview. Write under /tmp "
                       f"instead (tempfile.gettempdir(): {allowed[0]} here)")
        raise OSError(errno.EROFS, message, path)

    def hook(event, args):
        if getattr(state, "busy", False):
            return
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
            paths = (path,) if writes else ()
            dir_fd = None
        elif event in _WRITE_EVENTS:
            positions, dir_fd_at = _WRITE_EVENTS[event]
            paths = tuple(args[i] for i in positions if i < len(args))
            dir_fd = args[dir_fd_at] if dir_fd_at is not None and dir_fd_at < len(args) else None
        else:
            return
        state.busy = True
        try:
            for path in paths:
                resolved = resolve(path, dir_fd)
                if resolved is not None and not any(inside(resolved, root) for root in allowed):
                    refuse(resolved)
        finally:
            state.busy = False

    sys.addaudithook(hook)


class LambdaContext:
    """The attributes of the Lambda Python runtime's context object that handlers read."""

    def __init__(self, function_name, timeout_ms):
        self._deadline = time.monotonic() + timeout_ms / 1000
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


if __name__ == "__main__":
    main()
