"""Code shared by the test peers in scripts/ (the fault proxy and the Service Catalog fixture):
botocore model checks, SigV4 Authorization parsing, and the loopback server loop."""
import calendar
import re
import signal
import threading
import time
from http.server import ThreadingHTTPServer

from botocore.validate import ParamValidator


class ModelChecker:
    """botocore's ParamValidator, plus the enum, maximum and pattern constraints of the model that it
    leaves to the service. Returns a list of messages (empty when the params are valid)."""

    def __init__(self):
        self.validator = ParamValidator()
        self.patterns = {}
        self.lock = threading.Lock()

    def errors(self, params, shape):
        if shape is None:
            return [f"Unknown parameter in input: \"{k}\", the operation takes no input" for k in params]
        report = self.validator.validate(params, shape)
        found = []
        if report.has_errors():
            try:
                found = [report._format_error(e) for e in report._errors]
            except Exception:
                found = [line for line in report.generate_report().splitlines() if line]
        self._constraints(params, shape, "", found)
        return found

    def _pattern(self, pattern):
        with self.lock:
            if pattern not in self.patterns:
                try:
                    self.patterns[pattern] = re.compile(pattern)
                except re.error:
                    self.patterns[pattern] = None  # a Java-only construct: not checked
            return self.patterns[pattern]

    def _constraints(self, value, shape, name, found):
        kind, meta, label = shape.type_name, shape.metadata, name or "input"
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "structure" and isinstance(value, dict) and not getattr(shape, "is_document_type", False):
            for key, member in value.items():
                if key in shape.members:
                    self._constraints(member, shape.members[key], f"{name}.{key}" if name else key, found)
        elif kind == "list" and isinstance(value, (list, tuple)):
            if "max" in meta and len(value) > meta["max"]:
                found.append(f"Invalid length for parameter {label}, value: {len(value)}, valid max length: {meta['max']}")
            for i, item in enumerate(value):
                self._constraints(item, shape.member, f"{label}[{i}]", found)
        elif kind == "map" and isinstance(value, dict):
            if "max" in meta and len(value) > meta["max"]:
                found.append(f"Invalid length for parameter {label}, value: {len(value)}, valid max length: {meta['max']}")
            for key, item in value.items():
                self._constraints(key, shape.key, f"{label} (key: {key})", found)
                self._constraints(item, shape.value, f"{label}.{key}", found)
        elif kind == "string" and isinstance(value, str):
            enum = meta.get("enum")
            if enum and value not in enum:
                found.append(f"Invalid value for parameter {label}, value: {value}, valid values: {', '.join(enum)}")
            if "max" in meta and len(value) > meta["max"]:
                found.append(f"Invalid length for parameter {label}, value: {len(value)}, valid max length: {meta['max']}")
            pattern = meta.get("pattern")
            compiled = self._pattern(pattern) if pattern else None
            if compiled is not None and not compiled.search(value):
                found.append(f"Invalid value for parameter {label}, value: {value}, must match pattern: {pattern}")
        elif kind in ("integer", "long", "float", "double") and numeric:
            if "max" in meta and value > meta["max"]:
                found.append(f"Invalid value for parameter {label}, value: {value}, valid max value: {meta['max']}")


def parse_authorization(value, fail):
    """(access key, day, region, service, signed headers, signature) of a SigV4 Authorization header;
    `fail(message)` makes the exception raised for a missing or malformed one."""
    if not value or not value.startswith("AWS4-HMAC-SHA256 "):
        raise fail("missing or non-SigV4 (AWS4-HMAC-SHA256) Authorization header")
    fields = {}
    for part in value[len("AWS4-HMAC-SHA256 "):].split(","):
        key, _, val = part.strip().partition("=")
        fields[key] = val
    try:
        access_key, day, region, service, terminator = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        raise fail("malformed Authorization header")
    if terminator != "aws4_request":
        raise fail("credential scope does not end in aws4_request")
    return access_key, day, region, service, signed, signature


MAX_SKEW_SECONDS = 15 * 60


def check_signed_request(headers, day, access_key, signed, lookup, fail, after_date=None):
    """The checks around a SigV4 signature, in AWS's order: X-Amz-Date well-formed (then `after_date()`),
    within 15 minutes, on the credential scope's day; the access key known (`lookup`); its session token
    sent and signed; every signed header present. `fail(message)` makes the exception raised.
    Returns (X-Amz-Date, credentials)."""
    amz_date = headers.get("X-Amz-Date") or ""
    try:
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise fail("missing or malformed X-Amz-Date")
    if after_date:
        after_date()
    if abs(time.time() - signed_at) > MAX_SKEW_SECONDS:
        raise fail("Signature expired: X-Amz-Date is more than 15 minutes away")
    if day != amz_date[:8]:
        raise fail("credential scope date differs from X-Amz-Date")
    creds = lookup(access_key)
    if creds is None:
        raise fail(f"unknown access key id {access_key}")
    if creds.get("token"):
        if headers.get("X-Amz-Security-Token") != creds["token"] or "x-amz-security-token" not in signed:
            raise fail("missing, unsigned or wrong X-Amz-Security-Token")
    for name in signed:
        if headers.get(name) is None:
            raise fail(f"signed header '{name}' is not in the request")
    return amz_date, creds


def serve(handler, port, timeout):
    """Serves `handler` on 127.0.0.1:`port` (0: any free port), prints the port as the first line, and
    stops by itself after `timeout` seconds."""
    # A parent that blocks SIGTERM in the spawning thread (XCTest does) passes the mask on: clear it.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    stopper = threading.Timer(timeout, server.shutdown)
    stopper.daemon = True
    stopper.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
