"""The Python side of `cdk-spa-with-lambda-api dev`: imports the Lambda handler once and invokes it with events.

    python dev_server.py SOURCE MODULE.ATTR

SOURCE is put first on sys.path and made the working directory, as /var/task is in Lambda. The handler is
imported once, when the process starts (as in the Lambda init phase), and then called with one API Gateway
HTTP API (payload 2.0) event at a time, as one Lambda execution environment does.

Protocol with the Node dev server, one JSON document per line:
- requests on stdin: {"id": N, "event": {...}, "timeoutMs": T}
- replies on the original stdout: {"ready": true} once, then {"id": N, "response": ...} or {"id": N, "error": "..."}

The application's own prints go to stderr (file descriptor 1 is pointed at 2), so they cannot corrupt the
protocol. The process exits when stdin closes, so it never outlives the dev server.
"""

import importlib
import json
import os
import sys
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
