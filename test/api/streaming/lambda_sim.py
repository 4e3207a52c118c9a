"""A Lambda execution environment on localhost for the streaming path, built from AWS's documented interfaces:

- the Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html): ``invocation/next``,
  ``invocation/{id}/response`` in both modes (buffered JSON, and ``Lambda-Runtime-Function-Response-Mode:
  streaming`` with a chunked body: the ``application/vnd.awslambda.http-integration-response`` prelude, 8 NUL
  bytes, then the body as it is produced, with the error trailers), ``invocation/{id}/error`` and ``init/error``;
- the Extensions API's ``register`` and ``event/next`` (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html),
  which the Lambda Web Adapter calls when it starts;
- a Function URL in front (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html): each HTTP request
  becomes a payload 2.0 event as Function URLs send them, with CloudFront's origin-request headers, and the
  function's streamed response goes back to the client chunk by chunk, as it arrives;
- Secrets Manager's ``GetSecretValue`` (JSON protocol), which boto3 reaches through ``AWS_ENDPOINT_URL_SECRETS_MANAGER``.

AWS's Runtime Interface Emulator is not used: it buffers the whole response (aws-lambda-runtime-interface-emulator
issue #175; the streaming PR #179 is not merged), so it cannot show a stream.
"""

import base64
import json
import queue
import subprocess
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

URL_ID = "abcdefghijklmnopqrstuvwxyz012345"
FUNCTION_URL_HOST = f"{URL_ID}.lambda-url.us-east-1.on.aws"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:111111111111:function:app-api"
PRELUDE_SEPARATOR = b"\0" * 8


class Invocation:
    def __init__(self, event):
        self.id = str(uuid.uuid4())
        self.event = event
        self.out = queue.Queue()  # ("prelude", dict) | ("data", bytes) | ("end", trailers) | ("buffered", dict) | ("error", dict)


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):  # keep test output readable
        pass

    def _body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status, payload=None, headers=()):
        body = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the caller is gone (a process stopped at the end of a test)
            self.close_connection = True

    def _chunks(self):
        """The chunks of a chunked request body as they arrive, then the trailers (a dict) as the last item."""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                trailers = {}
                for line in iter(self.rfile.readline, b"\r\n"):
                    if not line:
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    trailers[name.strip().lower()] = value.strip()
                yield trailers
                return
            data = self.rfile.read(size)
            self.rfile.readline()  # CRLF after the chunk
            yield data


class RuntimeApi(_Quiet):
    """The Runtime and Extensions APIs (AWS_LAMBDA_RUNTIME_API)."""

    def do_GET(self):  # noqa: N802
        sim = self.server.sim
        if self.path == "/2018-06-01/runtime/invocation/next":
            sim.init_done.set()
            invocation = sim.pending.get()
            deadline = int((time.time() + sim.timeout_seconds) * 1000)
            body = json.dumps(invocation.event).encode()
            self.send_response(200)
            for name, value in (("Lambda-Runtime-Aws-Request-Id", invocation.id),
                                ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                                ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                                ("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"),
                                ("Content-Type", "application/json"), ("Content-Length", str(len(body)))):
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/2020-01-01/extension/event/next":
            sim.shutdown.wait()  # an extension registered for no events waits here until the environment ends
            self._reply(200, {"eventType": "SHUTDOWN", "shutdownReason": "spindown", "deadlineMs": 0})
        else:
            self._reply(404, {"errorType": "NotFound"})

    def do_POST(self):  # noqa: N802
        sim = self.server.sim
        parts = self.path.split("/")
        if self.path == "/2020-01-01/extension/register":
            body = json.loads(self._body() or b"{}")
            sim.extensions.append({"name": self.headers.get("Lambda-Extension-Name"), "events": body.get("events")})
            self._reply(200, {"functionName": "app-api", "functionVersion": "$LATEST", "handler": "app.main.handler"},
                        headers=[("Lambda-Extension-Identifier", str(uuid.uuid4()))])
        elif self.path == "/2018-06-01/runtime/init/error":
            sim.init_errors.append(json.loads(self._body() or b"{}"))
            self._reply(202, {"status": "OK"})
        elif len(parts) == 6 and parts[3] == "invocation" and parts[5] in ("response", "error"):
            invocation = sim.invocations[parts[4]]
            if parts[5] == "error":
                invocation.out.put(("error", json.loads(self._body() or b"{}")))
            elif self.headers.get("Lambda-Runtime-Function-Response-Mode", "").lower() == "streaming":
                sim.stream_modes.append(self.headers.get("Content-Type"))
                self._stream(invocation)
            else:
                invocation.out.put(("buffered", json.loads(self._body())))
            self._reply(202, {"status": "OK"})
        else:
            self._reply(404, {"errorType": "NotFound"})

    def _stream(self, invocation):
        pending = b""
        prelude_sent = False
        for item in self._chunks():
            if isinstance(item, dict):
                if not prelude_sent:  # the stream ended inside the prelude
                    invocation.out.put(("error", {"errorType": "Sandbox.NoPrelude", "trailers": item}))
                invocation.out.put(("end", item))
                return
            if prelude_sent:
                invocation.out.put(("data", item))
                continue
            pending += item
            if PRELUDE_SEPARATOR in pending:
                prelude, _, rest = pending.partition(PRELUDE_SEPARATOR)
                invocation.out.put(("prelude", json.loads(prelude)))
                prelude_sent = True
                if rest:
                    invocation.out.put(("data", rest))


class SecretsManager(_Quiet):
    """GetSecretValue of one secret with an AWSCURRENT version and no AWSPREVIOUS one (never rotated)."""

    def do_POST(self):  # noqa: N802
        sim = self.server.sim
        request = json.loads(self._body() or b"{}")
        sim.secret_reads.append(request)
        if self.headers.get("X-Amz-Target") != "secretsmanager.GetSecretValue":
            self._reply(400, {"__type": "UnknownOperationException"})
        elif request.get("VersionStage", "AWSCURRENT") != "AWSCURRENT":
            self._reply(400, {"__type": "ResourceNotFoundException",
                              "message": "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS"})
        else:
            self._reply(200, {"ARN": request["SecretId"], "Name": "origin", "SecretString": sim.secret,
                              "VersionId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "VersionStages": ["AWSCURRENT"],
                              "CreatedDate": 1.7e9})


class FunctionUrl(_Quiet):
    """A Function URL in RESPONSE_STREAM mode, reached by CloudFront: any method and path becomes one invocation."""

    def _invoke(self):
        sim = self.server.sim
        body = self._body()
        split = urlsplit(self.path)
        headers = {}
        for name, value in self.headers.items():  # repeated headers are joined with commas, names lower-cased
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        cookies = [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()]
        viewer_ip = "198.51.100.7"
        headers.update({
            # what the Function URL front end sets: its own host, the caller's address, https
            "host": FUNCTION_URL_HOST,
            "x-forwarded-for": f"{viewer_ip}, 130.176.0.1",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-amzn-trace-id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700",
        })
        headers.setdefault("via", "2.0 0a1b2c3d4e5f.cloudfront.net (CloudFront)")
        headers.setdefault("x-amz-cf-id", "nBsWBOrSHMgnaROZJK1wGCZ9PcRcSpq_oSXZNQwQ10OTZL4cimZo3g==")
        headers.setdefault("cloudfront-viewer-country", "DE")
        headers.setdefault("cloudfront-forwarded-proto", "https")
        headers.setdefault("user-agent", "Amazon CloudFront")
        query = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        now = time.time()
        text = headers.get("content-type", "").startswith(("text/", "application/json"))
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": split.path,
            "rawQueryString": split.query,
            "headers": headers,
            "requestContext": {
                "accountId": "anonymous",
                "apiId": URL_ID,
                "domainName": FUNCTION_URL_HOST,
                "domainPrefix": URL_ID,
                "http": {"method": self.command, "path": split.path, "protocol": "HTTP/1.1", "sourceIp": "130.176.0.1",
                         "userAgent": headers["user-agent"]},
                "requestId": str(uuid.uuid4()),
                "routeKey": "$default",
                "stage": "$default",
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                "timeEpoch": int(now * 1000),
            },
            "isBase64Encoded": bool(body) and not text,
        }
        if cookies:
            event["cookies"] = cookies
        if query:
            event["queryStringParameters"] = query
        if body:
            event["body"] = body.decode() if text else base64.b64encode(body).decode()
        invocation = Invocation(event)
        sim.invocations[invocation.id] = invocation
        sim.events.append(event)
        sim.pending.put(invocation)
        self._relay(invocation)

    def _relay(self, invocation):
        kind, value = invocation.out.get(timeout=self.server.sim.timeout_seconds)
        if kind == "buffered":
            body = value.get("body") or ""
            raw = base64.b64decode(body) if value.get("isBase64Encoded") else body.encode()
            self.send_response(value.get("statusCode", 200))
            for name, header in (value.get("headers") or {}).items():
                self.send_header(name, header)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
            return
        if kind != "prelude":
            self._reply(502, {"Message": None, "error": value})
            return
        self.send_response(value.get("statusCode", 200))
        for name, header in (value.get("headers") or {}).items():
            self.send_header(name, header)
        for cookie in value.get("cookies") or []:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        while True:
            kind, value = invocation.out.get(timeout=self.server.sim.timeout_seconds)
            if kind == "data":
                if value:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(value), value))
                    self.wfile.flush()
                continue
            if kind == "end" and value.get("lambda-runtime-function-error-type"):
                self.server.sim.stream_errors.append(value)
                self.close_connection = True  # the viewer sees a cut stream, as with Lambda
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _invoke  # noqa: N815


class LambdaSim:
    """The three servers on 127.0.0.1, each on a free port; ``close()`` stops them."""

    def __init__(self, secret, timeout_seconds=120):
        self.secret = secret
        self.timeout_seconds = timeout_seconds
        self.pending = queue.Queue()
        self.invocations = {}
        self.events = []
        self.extensions = []
        self.init_errors = []
        self.secret_reads = []
        self.stream_modes = []
        self.stream_errors = []
        self.init_done = threading.Event()
        self.shutdown = threading.Event()
        self._servers = []
        self.runtime_api = self._serve(RuntimeApi)
        self.secrets_manager = self._serve(SecretsManager)
        self.function_url = self._serve(FunctionUrl)

    def _serve(self, handler):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.sim = self
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    def close(self):
        self.shutdown.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()


def stop_processes(*processes, grace_seconds=10):
    """Ends the function's processes as Lambda does at shutdown: SIGTERM, then SIGKILL after a grace period."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
