"""The fault proxy's HTTP handler (aws_fault_proxy.py): reads each request, classifies it, checks its
signature and expiry, answers a scripted fault or forwards it to the upstream (dropping hop-by-hop
headers), records it, and serves the /__ control endpoints."""
import http.client
import json
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from proxy_answers import EXPIRED_MESSAGE, error_answer, error_code_of, scripted_answer
from proxy_model import MODELS, classify
from proxy_sigv4 import ProxyError, request_scope, verify

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "transfer-encoding", "upgrade", "expect"}


def make_handler(state):
    upstream = urllib.parse.urlsplit(state.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        # -- plumbing

        def read_body(self):
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks), True
            length = int(self.headers.get("Content-Length") or 0)
            return (self.rfile.read(length) if length else b""), False

        def send(self, status, headers, body, head=False):
            self.send_response_only(status)
            names = set()
            for k, v in headers:
                if k.lower() in HOP_BY_HOP or k.lower() == "content-length":
                    continue
                names.add(k.lower())
                self.send_header(k, v)
            if "date" not in names:
                self.send_header("Date", self.date_time_string())
            self.send_header("Content-Length", str(len(body)) if not head else dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
            self.end_headers()
            if not head and body:
                self.wfile.write(body)

        def send_json(self, status, payload):
            self.send(status, [("Content-Type", "application/json")], json.dumps(payload).encode())

        def send_error_for(self, protocol, model, status, code, message, head=False):
            headers, body = error_answer(protocol, model, status, code, message, self.headers.get("Content-Type"))
            if protocol == "cbor":  # sent whole, as it is
                return self.send(status, headers, body)
            self.send(status, headers + ([("Content-Length", "0")] if head else []), b"" if head else body, head=head)

        def send_scripted(self, protocol, params, fault, record, head):
            """A scripted answer with a body (a success, or any status): placeholders filled in."""
            status, headers, body, code = scripted_answer(protocol, params, fault, self.headers.get("Content-Type"))
            record.update(faulted=True, status=status, code=code)
            self.send(status, headers + ([("Content-Length", str(len(body)))] if head else []),
                      b"" if head else body, head=head)

        # -- requests

        def do_GET(self):
            self.handle_any("GET")

        def do_HEAD(self):
            self.handle_any("HEAD")

        def do_POST(self):
            self.handle_any("POST")

        def do_PUT(self):
            self.handle_any("PUT")

        def do_DELETE(self):
            self.handle_any("DELETE")

        def do_PATCH(self):
            self.handle_any("PATCH")

        def do_OPTIONS(self):
            self.handle_any("OPTIONS")

        def handle_any(self, method):
            body, chunked = self.read_body()
            raw_path = self.path
            path, _, query = raw_path.partition("?")
            if path.startswith("/__"):
                return self.control(method, path, body)
            record = {"service": None, "action": None, "protocol": None, "method": method, "path": path,
                      "query": query, "accessKeyId": None, "region": None, "signatureValid": None,
                      "signatureError": None, "expired": False, "faulted": False, "status": None, "code": None,
                      "modelErrors": None, "params": None, "time": time.time()}
            try:
                self.handle_api(method, raw_path, path, query, body, chunked, record)
            finally:
                with state.lock:
                    state.requests.append(record)

        def handle_api(self, method, raw_path, path, query, body, chunked, record):
            authorization = self.headers.get("Authorization")
            parsed, auth_error, service, region = request_scope(authorization, query)
            protocol, action, params, errors = classify(method, path, query, body, service, self.headers)
            model = MODELS.get(service)
            record.update(service=service, action=action, protocol=protocol, region=region, modelErrors=errors,
                          accessKeyId=parsed[0] if parsed else None,
                          params=params if protocol == "query" else None)
            error_protocol = protocol if protocol in ("query", "json", "cbor") else "rest"
            head = method == "HEAD"
            if authorization is not None:
                try:
                    if auth_error is not None:
                        raise auth_error
                    verify(state, method, raw_path, self.headers, body, parsed)
                    record["signatureValid"] = True
                except ProxyError as e:
                    record.update(signatureValid=False, signatureError=e.message, status=e.status, code=e.code)
                    return self.send_error_for(error_protocol, model, e.status, e.code, e.message, head)
                expired_status = state.count_expiry(parsed[0])
                if expired_status is not None:
                    code = "ExpiredToken"
                    record.update(expired=True, status=expired_status, code=code)
                    return self.send_error_for(error_protocol, model, expired_status, code, EXPIRED_MESSAGE, head)
            fault = state.next_fault(service, action, params)
            if fault is not None and fault.get("delayMs"):
                time.sleep(float(fault["delayMs"]) / 1000)  # a slow service: then the response as scripted
            if fault is not None and not fault.get("pass") and \
                    ("body" in fault or int(fault.get("status", 400)) < 300):
                return self.send_scripted(protocol, params, fault, record, head)
            if fault is not None and not fault.get("pass"):
                status, code = int(fault.get("status", 400)), fault.get("code", "ThrottlingException")
                record.update(faulted=True, status=status, code=code)
                return self.send_error_for(error_protocol, model, status, code, fault.get("message", "scripted fault"), head)
            emulated = service == "cloudformation" and protocol == "query"
            if emulated:
                answer = state.service_managed.answer(action, params)
                if answer is not None:
                    record.update(status=answer[0])
                    return self.send(answer[0], [("Content-Type", "text/xml")], answer[1], head=head)
            forwarded = state.service_managed.rewrite(action, params, body) if emulated else body
            complete = (lambda status, data: state.service_managed.seen(action, params, status, data)) if emulated else None
            self.forward(method, raw_path, forwarded, chunked or forwarded != body, record, error_protocol, model, head, complete)

        def forward(self, method, raw_path, body, chunked, record, error_protocol, model, head, complete=None):
            """Sends the request upstream; `chunked` (or a rewritten body) sends our own Content-Length;
            `complete(status, data)` may complete the answer (service-managed StackSets)."""
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port or 80, timeout=300)
            try:
                conn.putrequest(method, raw_path, skip_host=True, skip_accept_encoding=True)
                sent_length = False
                for k, v in self.headers.items():
                    lk = k.lower()
                    if lk in HOP_BY_HOP:
                        continue
                    if lk == "content-length":
                        if chunked:
                            continue
                        sent_length = True
                    conn.putheader(k, v)
                if (chunked or body) and not sent_length:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body if body else None)
                response = conn.getresponse()
                data = response.read()
                headers = response.getheaders()
                status = response.status
            except Exception as e:
                record.update(status=502, code="UpstreamUnavailable")
                return self.send_error_for(error_protocol, model, 502, "UpstreamUnavailable", f"upstream: {e}", head)
            finally:
                conn.close()
            record["status"] = status
            if complete is not None:
                data = complete(status, data)
            if status >= 300:
                record["code"] = error_code_of(response.getheader("Content-Type"), data)
            self.send(status, headers, data, head=head)

        # -- control

        def control(self, method, path, body):
            if method == "GET" and path == "/__requests":
                with state.lock:
                    return self.send_json(200, list(state.requests))
            if method == "GET" and path == "/__health":
                return self.send_json(200, {"ok": True})
            if method != "POST":
                return self.send_json(404, {"error": f"no control endpoint {method} {path}"})
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                return self.send_json(400, {"error": "control body is not JSON"})
            try:
                if path == "/__credentials":
                    for c in payload if isinstance(payload, list) else [payload]:
                        state.add_credentials(c)
                elif path == "/__faults":
                    state.add_faults(payload if isinstance(payload, list) else [payload])
                elif path == "/__expire":
                    state.set_expiry(payload["accessKeyId"], payload.get("after"), payload.get("status", 400))
                elif path == "/__organizations-access":
                    state.service_managed.access = payload["status"]
                elif path == "/__reset":
                    state.reset()
                else:
                    return self.send_json(404, {"error": f"no control endpoint {method} {path}"})
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                return self.send_json(400, {"error": f"bad control body: {e!r}"})
            self.send_json(200, {"ok": True})

    return Handler
