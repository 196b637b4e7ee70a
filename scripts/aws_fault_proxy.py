#!/usr/bin/env python3
"""A reverse proxy in front of moto_server that checks what a client sends and scripts AWS faults, for tests.

  aws_fault_proxy.py --upstream http://127.0.0.1:MOTO_PORT [--port 0] [--timeout 900]

Listens on 127.0.0.1 (any free port unless --port); the first line printed is the port. It stops by
itself after --timeout seconds. Every request is forwarded to the upstream unchanged (method, path,
query, headers, body; only hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade,
Expect, Proxy-*) are dropped, and a chunked body is forwarded with a Content-Length), and the upstream's
answer is returned (status, headers, body), except:

- Signature. A request with an `Authorization: AWS4-HMAC-SHA256 ...` header is verified the way the
  Service Catalog fixture does: botocore's SigV4Auth (S3SigV4Auth for s3) recomputes the signature over
  the received method, path, query, signed headers and body with the secret key of the access key id
  in the credential scope. The query is decoded and re-encoded canonically, as AWS does; for s3 a
  hex X-Amz-Content-SHA256 must be the body's hash (UNSIGNED-PAYLOAD and STREAMING-* values are
  taken as they are). Keys are known from POST /__credentials, or are keys moto handed out through
  STS AssumeRole (read from the upstream's /moto-api/data.json). A key whose credential has a session
  token must send that X-Amz-Security-Token, signed. X-Amz-Date must be within 15 minutes. An unknown
  key or a bad signature answers 403 SignatureDoesNotMatch (the message says which) and is not
  forwarded. Requests without an Authorization header (moto's /moto-api, presigned URLs, unsigned
  calls such as AssumeRoleWithWebIdentity) are forwarded unchecked, recorded with signatureValid null.

- Expired keys. POST /__expire {"accessKeyId": "...", "after": N, "status": 400}: after N more
  requests signed (validly) with that key, every request signed with it answers `status` (default
  400) ExpiredToken "The security token included in the request is expired" and is not forwarded.
  "after": null forgets the expiry.

- Faults. POST /__faults with a fault or a list of them:
    {"service": "cloudformation", "action": "CreateStackInstances", "match": {"StackSetName": "x"},
     "responses": [{"status": 400, "code": "OperationInProgressException",
                    "message": "Another Operation on StackSet x is in progress"}, {"pass": true}],
     "repeat": false}
  "service" is the credential scope's service (cloudformation, sts, sns, sqs, monitoring, s3; the
  botocore name, e.g. cloudwatch, works too; "*" or absent: any); "action" the query Action, the
  JSON/CBOR operation, or for s3 "METHOD /path" (no query) ("*" or absent: any); "match" (optional)
  parameters that must all match (query: the form/query parameters as sent, e.g.
  "Regions.member.1"; JSON/CBOR: top-level members of the body; s3: the URL's query parameters;
  values compared as strings): a plain value means equality, {"prefix": "p"} a value starting with
  p, e.g. {"OperationId": {"prefix": "catalogwatch-"}}. Each matching request (if signed: validly,
  with a key not expired; unsigned requests have no service unless presigned, so only a fault with
  service "*" or absent matches them) takes the next response, which is not forwarded unless it
  is {"pass": true}:
    - an error in the protocol's format (status default 400, code default ThrottlingException,
      message default "scripted fault"; see Error bodies below);
    - an answer of your own, when the response has a "body" (or a status below 300) (shown wrapped):
        {"status": 200, "contentType": "text/xml",
         "body": "<DescribeStackSetOperationResponse xmlns=\\"http://cloudformation.amazonaws.com/doc/2010-05-15/\\">
                  <DescribeStackSetOperationResult><StackSetOperation><OperationId>${OperationId}</OperationId>
                  <Status>FAILED</Status>...</StackSetOperation></DescribeStackSetOperationResult>
                  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>
                  </DescribeStackSetOperationResponse>"}
      sent as it is (UTF-8) with that status (default 200) and contentType (default: text/xml for
      query, the request's application/x-amz-json-1.x (else 1.1) for JSON, application/xml
      otherwise), and an x-amzn-RequestId header. In the body `${requestId}` is a fresh uuid (the
      same one as the header), `${Name}` the request parameter Name as the match sees it (e.g.
      ${StackSetName}, ${OperationId}, ${Regions.member.1}), escaped for XML (or, with a JSON
      contentType, for inside a JSON string); a `${Name}` the request does not have stays as it is.
      Writing the query protocol's <XResponse><XResult>...</XResult></XResponse> wrapping, the
      xmlns and the shapes' serialized names is up to you (botocore's model of the service says
      them); a malformed body is sent all the same.
  Once the responses are used up requests pass, unless "repeat": true (on the fault, or on its last
  response), which repeats the last response forever. Faults are tried in the order they were
  added; the first that matches and has responses left answers. A fault whose responses are not
  objects, or whose body, contentType, code or message is not a string, is refused (400).

- Model check. Query-protocol requests (a form body or query string with Action=...) are parsed back
  into a params dict with the operation's input shape from botocore's model of the service (found from
  the credential scope: cloudformation, sts, sns, sqs, monitoring -> cloudwatch, ...): structure
  members by their serialized names, lists as `Name.member.N` (or the list's own member name, or
  `Name.N` when flattened; `Name=` is the empty list), maps as `Name.entry.N.key/value`, scalars
  converted to the shape's type. Then botocore's ParamValidator checks them (required members, types,
  minimum lengths and values), plus the model's enum, maximum and pattern constraints (patterns
  searched, not anchored, as Smithy does), plus: parameter names that are no member (unknown
  parameters), list indices that do not run 1..N, an Action that is no operation of the service, a
  Version other than the model's apiVersion. JSON (X-Amz-Target) and CBOR (smithy-protocol:
  rpc-v2-cbor) bodies are checked the same way without the parsing step. S3 and other REST requests
  are not model-checked (modelErrors null). Problems are only recorded, never answered.

Error bodies per protocol: query: text/xml
`<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`;
s3 (and other REST XML): application/xml `<Error><Code/><Message/><RequestId/></Error>` (no body for
HEAD); JSON: `{"__type": code, "message": ...}` with x-amzn-ErrorType and the request's
application/x-amz-json-1.x content type; CBOR: the same map in CBOR with smithy-protocol: rpc-v2-cbor.

Control endpoints (no signature; paths starting with /__ are never forwarded):
  POST /__credentials  one {accessKeyId, secretAccessKey, sessionToken?} or a list
  POST /__faults       one fault or a list (added to those already scripted)
  POST /__expire       {accessKeyId, after, status?}
  GET  /__requests     every request seen, in order: {service, action, protocol, method, path, query,
                       accessKeyId, region, signatureValid (true/false/null), signatureError, expired,
                       faulted (a scripted answer, error or body), status, code (of an error answer,
                       ours or the upstream's), modelErrors
                       (list, or null when not checked), params (the form parameters of a query-
                       protocol request, flattened as sent; null otherwise), time}
  POST /__reset        forget requests, faults and expiries (credentials are kept)
  GET  /__health       {"ok": true}
"""
import argparse
import calendar
import hashlib
import hmac
import http.client
import io
import json
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler
from xml.sax.saxutils import escape

import botocore.session
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from peer_common import ModelChecker, parse_authorization as parse_sigv4_authorization, serve

MAX_SKEW_SECONDS = 15 * 60
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "transfer-encoding", "upgrade", "expect"}
# Credential scope service -> botocore service model name, where they differ.
SCOPE_TO_MODEL = {"monitoring": "cloudwatch", "email": "ses", "states": "stepfunctions",
                  "execute-api": "apigateway", "logs": "logs", "events": "events"}
EXPIRED_MESSAGE = "The security token included in the request is expired"
MISMATCH_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                    "Check your AWS Secret Access Key and signing method.")


class ProxyError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# MARK: - Service models

class Models:
    """botocore service models, loaded once each."""

    def __init__(self):
        self.lock = threading.Lock()
        self.session = botocore.session.get_session()
        self.cache = {}

    def get(self, scope_service):
        if not scope_service:
            return None
        name = SCOPE_TO_MODEL.get(scope_service, scope_service)
        with self.lock:
            if name not in self.cache:
                try:
                    self.cache[name] = self.session.get_service_model(name)
                except Exception:
                    self.cache[name] = None
            return self.cache[name]


MODELS = Models()


CHECKER = ModelChecker()


# MARK: - Query protocol: flattened form parameters back into params

class QueryDecoder:
    """Rebuilds a params dict from query-protocol form parameters, as botocore's QuerySerializer wrote
    them; every name that no shape accounts for is an error."""

    def __init__(self, flat):
        self.flat = flat  # name -> value (last one wins)
        self.used = set()
        self.errors = []
        self.names = list(flat)

    def decode(self, shape):
        params = self._structure(shape, "") if shape is not None else {}
        for name in self.names:
            if name not in self.used:
                self.errors.append(f"Unknown parameter \"{name}\"" +
                                   (f", must be one of: {', '.join(self._top_names(shape))}" if "." not in name and shape is not None else ""))
        return params if params is not None else {}

    @staticmethod
    def _top_names(shape):
        return [m.serialization.get("name", n) for n, m in shape.members.items()]

    def _under(self, prefix):
        return any(n == prefix or n.startswith(prefix + ".") for n in self.names)

    def _value(self, shape, prefix):
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, prefix)
        if kind == "list":
            return self._list(shape, prefix)
        if kind == "map":
            return self._map(shape, prefix)
        if prefix not in self.flat:
            if self._under(prefix):
                self.errors.append(f"Parameter {prefix} is a {kind}, not a structure, list or map")
            return None
        self.used.add(prefix)
        raw = self.flat[prefix]
        if kind in ("integer", "long"):
            try:
                return int(raw)
            except ValueError:
                return raw  # ParamValidator reports the type
        if kind in ("float", "double"):
            try:
                return float(raw)
            except ValueError:
                return raw
        if kind == "boolean":
            return {"true": True, "false": False}.get(raw, raw)
        return raw  # string, timestamp (ParamValidator parses it), blob (base64)

    def _structure(self, shape, prefix):
        if prefix and not self._under(prefix):
            return None
        if prefix in self.flat:
            self.used.add(prefix)
            if self.flat[prefix] != "":
                self.errors.append(f"Parameter {prefix} is a structure, not a value")
        result = {}
        for name, member in shape.members.items():
            serialized = member.serialization.get("name", name)
            if member.type_name == "list" and member.serialization.get("flattened") and member.member.serialization.get("name"):
                serialized = member.member.serialization["name"]
            value = self._value(member, f"{prefix}.{serialized}" if prefix else serialized)
            if value is not None:
                result[name] = value
        return result

    def _indices(self, base):
        pattern = re.compile(re.escape(base) + r"\.([0-9]+)(\.|$)")
        found = set()
        for n in self.names:
            m = pattern.match(n)
            if m:
                found.add(int(m.group(1)))
        if found and sorted(found) != list(range(1, len(found) + 1)):
            self.errors.append(f"Indices of {base}.N must run 1..N without gaps, got {sorted(found)}")
        return sorted(found)

    def _list(self, shape, prefix):
        if prefix in self.flat:
            self.used.add(prefix)
            if self.flat[prefix] == "" and not any(n.startswith(prefix + ".") for n in self.names):
                return []
            if self.flat[prefix] != "":
                self.errors.append(f"Parameter {prefix} is a list: send {prefix}.member.N")
        if shape.serialization.get("flattened"):
            base = prefix
        else:
            base = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        indices = self._indices(base)
        if not indices:
            return None  # names under the prefix that are no list items stay unused: reported as unknown
        return [self._value(shape.member, f"{base}.{i}") for i in indices]

    def _map(self, shape, prefix):
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        indices = self._indices(base)
        if not indices:
            return None
        result = {}
        for i in indices:
            key = self._value(shape.key, f"{base}.{i}.{key_name}")
            value = self._value(shape.value, f"{base}.{i}.{value_name}")
            if key is None:
                self.errors.append(f"Map entry {base}.{i} has no {key_name}")
                continue
            result[key] = value
        return result


def query_model_errors(model, action, version, flat):
    """Problems of a query-protocol request against the service model."""
    if model is None:
        return None
    if action not in model.operation_names:
        return [f"Action {action!r} is no operation of the {model.service_name} model"]
    errors = []
    if version != model.api_version:
        errors.append(f"Version {version!r} is not the {model.service_name} API version {model.api_version}")
    decoder = QueryDecoder({k: v for k, v in flat.items() if k not in ("Action", "Version")})
    params = decoder.decode(model.operation_model(action).input_shape)
    errors += decoder.errors
    errors += CHECKER.errors(params, model.operation_model(action).input_shape)
    return errors


def body_model_errors(model, operation, params):
    if model is None:
        return None
    if operation not in model.operation_names:
        return [f"{operation!r} is no operation of the {model.service_name} model"]
    if not isinstance(params, dict):
        return ["the body is not an object"]
    return CHECKER.errors(params, model.operation_model(operation).input_shape)


# MARK: - CBOR (smithy rpc-v2-cbor): decoding with botocore's parser, a minimal encoder for errors

def cbor_decode(body):
    from botocore.parsers import RpcV2CBORParser
    parser = RpcV2CBORParser()
    return parser.parse_data_item(io.BufferedReader(io.BytesIO(body)))


def cbor_encode(value):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * size):
                return bytes([major << 5 | info]) + n.to_bytes(size, "big")
        raise ValueError("too large")
    if isinstance(value, str):
        raw = value.encode()
        return head(3, len(raw)) + raw
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(type(value))


# MARK: - State

def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def is_prefix_match(expected):
    return isinstance(expected, dict) and set(expected) == {"prefix"}


def matches(value, expected):
    """A fault's "match" value against a request parameter: {"prefix": p} or equality, as strings."""
    if is_prefix_match(expected):
        return as_text(value).startswith(as_text(expected["prefix"]))
    return as_text(value) == as_text(expected)


def check_fault(f):
    """Rejects (ValueError) a scripted fault whose answers could not be sent."""
    if not isinstance(f, dict):
        raise ValueError("a fault is an object")
    if not isinstance(f.get("match") or {}, dict):
        raise ValueError("match is an object")
    for response in f.get("responses", []):
        if not isinstance(response, dict):
            raise ValueError("a response is an object")
        for key in ("body", "contentType", "code", "message"):
            if key in response and not isinstance(response[key], str):
                raise ValueError(f"a response's {key} is a string")
        int(response.get("status", 200 if "body" in response else 400))


PLACEHOLDER = re.compile(r"\$\{([^${}\s]+)\}")


def fill_body(body, params, request_id, escaping):
    """`${requestId}` -> request_id, `${Name}` -> the request parameter Name (escaped), others left as
    they are."""
    def value(m):
        name = m.group(1)
        if name == "requestId":
            return request_id
        if name not in params:
            return m.group(0)
        return escaping(as_text(params[name]))
    return PLACEHOLDER.sub(value, body)


def xml_escape(text):
    return escape(text, {'"': "&quot;", "'": "&apos;"})


def json_escape(text):
    return json.dumps(text)[1:-1]


class State:
    def __init__(self, upstream):
        self.lock = threading.Lock()
        self.upstream = upstream.rstrip("/")
        self.credentials = {}
        self.faults = []
        self.expiries = {}  # access key id -> {"remaining": n, "status": s}
        self.requests = []

    def add_credentials(self, c):
        with self.lock:
            self.credentials[c["accessKeyId"]] = {"secret": c["secretAccessKey"], "token": c.get("sessionToken")}

    def lookup(self, access_key_id):
        with self.lock:
            known = self.credentials.get(access_key_id)
        if known:
            return known
        try:
            with urllib.request.urlopen(f"{self.upstream}/moto-api/data.json", timeout=10) as r:
                data = json.load(r)
        except Exception:
            return None
        for role in data.get("sts", {}).get("AssumedRole", []):
            if role.get("access_key_id") == access_key_id:
                found = {"secret": role["secret_access_key"], "token": role.get("session_token")}
                with self.lock:
                    self.credentials[access_key_id] = found
                return found
        return None

    def add_faults(self, faults):
        for f in faults:
            check_fault(f)
        with self.lock:
            for f in faults:
                self.faults.append({"service": f.get("service", "*"), "action": f.get("action", "*"),
                                    "match": dict(f.get("match") or {}), "responses": list(f.get("responses", [])),
                                    "repeat": bool(f.get("repeat"))})

    def next_fault(self, service, action, params):
        names = {service, SCOPE_TO_MODEL.get(service, service)}
        with self.lock:
            for f in self.faults:
                if f["service"] not in ("*", None) and f["service"] not in names:
                    continue
                if f["action"] not in ("*", None) and f["action"] != action:
                    continue
                if not all(k in params and matches(params[k], v) for k, v in f["match"].items()):
                    continue
                if not f["responses"]:
                    continue
                response = f["responses"][0]
                if not ((f["repeat"] or response.get("repeat")) and len(f["responses"]) == 1):
                    f["responses"].pop(0)
                return response
        return None

    def count_expiry(self, access_key_id):
        """For a validly signed request: the expiry status to answer, or None to go on."""
        with self.lock:
            e = self.expiries.get(access_key_id)
            if e is None:
                return None
            if e["remaining"] > 0:
                e["remaining"] -= 1
                return None
            return e["status"]


# MARK: - SigV4

class VerifyingAuth(SigV4Auth):
    """SigV4Auth that signs exactly the headers given (the request's signed headers)."""

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map


class VerifyingS3Auth(S3SigV4Auth):
    def headers_to_sign(self, request):
        return VerifyingAuth.headers_to_sign(self, request)


def header_value(headers, name):
    values = headers.get_all(name)
    if values is None:
        return None
    return ",".join(" ".join(v.split()) for v in values)


def verify(state, method, raw_path, headers, body, parsed):
    """Checks the SigV4 signature in `parsed` (from parse_sigv4_authorization); returns the credentials."""
    access_key, day, region, service, signed, signature = parsed
    if "host" not in signed:
        raise ProxyError(403, "SignatureDoesNotMatch", "the host header is not signed")
    amz_date = headers.get("X-Amz-Date") or ""
    try:
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise ProxyError(403, "SignatureDoesNotMatch", "missing or malformed X-Amz-Date")
    if "x-amz-date" not in signed:
        raise ProxyError(403, "SignatureDoesNotMatch", "X-Amz-Date is not signed")
    if abs(time.time() - signed_at) > MAX_SKEW_SECONDS:
        raise ProxyError(403, "SignatureDoesNotMatch", "Signature expired: X-Amz-Date is more than 15 minutes away")
    if day != amz_date[:8]:
        raise ProxyError(403, "SignatureDoesNotMatch", "credential scope date differs from X-Amz-Date")
    creds = state.lookup(access_key)
    if creds is None:
        raise ProxyError(403, "SignatureDoesNotMatch", f"unknown access key id {access_key}")
    if creds.get("token"):
        if headers.get("X-Amz-Security-Token") != creds["token"] or "x-amz-security-token" not in signed:
            raise ProxyError(403, "SignatureDoesNotMatch", "missing, unsigned or wrong X-Amz-Security-Token")
    for name in signed:
        if headers.get(name) is None:
            raise ProxyError(403, "SignatureDoesNotMatch", f"signed header '{name}' is not in the request")
    content_sha = headers.get("X-Amz-Content-SHA256")
    if service == "s3" and content_sha is None:
        raise ProxyError(403, "SignatureDoesNotMatch", "missing X-Amz-Content-SHA256, which S3 requires")
    if content_sha and re.fullmatch(r"[0-9a-f]{64}", content_sha) and content_sha != hashlib.sha256(body).hexdigest():
        raise ProxyError(403, "SignatureDoesNotMatch", "X-Amz-Content-SHA256 is not the hash of the body")
    path, _, query = raw_path.partition("?")
    request = AWSRequest(method=method, url=f"http://{headers.get('Host')}{path}", data=body,
                         headers={name: header_value(headers, name) for name in signed})
    request.params = [(urllib.parse.unquote(k), urllib.parse.unquote(v))
                      for k, _, v in (pair.partition("=") for pair in query.split("&") if pair)]
    request.context["timestamp"] = amz_date
    auth_class = VerifyingS3Auth if service == "s3" else VerifyingAuth
    auth = auth_class(Credentials(access_key, creds["secret"], creds.get("token")), service, region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise ProxyError(403, "SignatureDoesNotMatch", MISMATCH_MESSAGE)
    return creds


# MARK: - Server

def error_code_of(content_type, body):
    """The error code of an upstream error answer, when it can be seen."""
    try:
        text = body.decode("utf-8", "replace")
        m = re.search(r"<Code>([^<]*)</Code>", text)
        if m:
            return m.group(1)
        if "json" in (content_type or ""):
            code = json.loads(text).get("__type")
            return code.rsplit("#", 1)[-1] if code else None
        if "cbor" in (content_type or ""):
            code = cbor_decode(body).get("__type")
            return code.rsplit("#", 1)[-1] if code else None
    except Exception:
        return None
    return None


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
            request_id = str(uuid.uuid4())
            if protocol == "query":
                ns = model.metadata.get("xmlNamespace") if model is not None else None
                xmlns = f' xmlns="{escape(ns)}"' if ns else ""
                kind = "Sender" if status < 500 else "Receiver"
                body = (f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
                        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
                headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
            elif protocol == "json":
                ctype = self.headers.get("Content-Type") or ""
                if not ctype.startswith("application/x-amz-json"):
                    ctype = "application/x-amz-json-1.1"
                body = json.dumps({"__type": code, "message": message})
                headers = [("Content-Type", ctype), ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", code)]
            elif protocol == "cbor":
                self.send(status, [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
                                   ("x-amzn-RequestId", request_id)], cbor_encode({"__type": code, "message": message}))
                return
            else:  # s3 and other REST XML
                body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
                        f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>")
                headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
            data = b"" if head else body.encode()
            self.send(status, headers + ([("Content-Length", "0")] if head else []), data, head=head)

        def send_scripted(self, protocol, params, fault, record, head):
            """A scripted answer with a body (a success, or any status): placeholders filled in."""
            request_id = str(uuid.uuid4())
            status = int(fault.get("status", 200))
            ctype = fault.get("contentType")
            if ctype is None:
                if protocol == "json":
                    ctype = self.headers.get("Content-Type") or ""
                    if not ctype.startswith("application/x-amz-json"):
                        ctype = "application/x-amz-json-1.1"
                elif protocol == "query":
                    ctype = "text/xml"
                else:
                    ctype = "application/xml"
            escaping = json_escape if "json" in ctype.lower() else xml_escape
            body = fill_body(fault.get("body", ""), params, request_id, escaping).encode()
            record.update(faulted=True, status=status, code=error_code_of(ctype, body) if status >= 300 else None)
            headers = [("Content-Type", ctype), ("x-amzn-RequestId", request_id)]
            if protocol == "rest":
                headers.append(("x-amz-request-id", request_id))
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

        def classify(self, method, path, query, body, service):
            """(protocol, action, params for fault matching, model errors)."""
            model = MODELS.get(service)
            ctype = (self.headers.get("Content-Type") or "").lower()
            target = self.headers.get("X-Amz-Target")
            if (self.headers.get("smithy-protocol") or "").lower() == "rpc-v2-cbor":
                action = path.rsplit("/operation/", 1)[-1] if "/operation/" in path else None
                try:
                    params = cbor_decode(body) if body else {}
                except Exception:
                    return "cbor", action, {}, ["the body is not CBOR"]
                return "cbor", action, params if isinstance(params, dict) else {}, body_model_errors(model, action, params)
            if target:
                action = target.rsplit(".", 1)[-1]
                try:
                    params = json.loads(body) if body.strip() else {}
                except ValueError:
                    return "json", action, {}, ["the body is not JSON"]
                errors = body_model_errors(model, action, params)
                if errors is not None and model is not None and model.metadata.get("targetPrefix") and \
                        target != f"{model.metadata['targetPrefix']}.{action}":
                    errors.insert(0, f"X-Amz-Target {target!r} is not {model.metadata['targetPrefix']}.<operation>")
                return "json", action, params if isinstance(params, dict) else {}, errors
            flat = {}
            for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
                flat[k] = v
            if method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
                for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                    flat[k] = v
            if "Action" in flat and service != "s3":
                return "query", flat["Action"], flat, query_model_errors(model, flat["Action"], flat.get("Version"), flat)
            protocol = model.metadata.get("protocol") if model is not None else None
            if protocol == "query":
                return "query", None, flat, ["no Action parameter"]
            if protocol == "json":
                return "json", None, {}, ["no X-Amz-Target header"]
            return "rest", f"{method} {path}", dict(urllib.parse.parse_qsl(query, keep_blank_values=True)), None

        def handle_api(self, method, raw_path, path, query, body, chunked, record):
            parsed = None
            auth_error = None
            authorization = self.headers.get("Authorization")
            if authorization is not None:
                try:
                    parsed = parse_sigv4_authorization(authorization, lambda m: ProxyError(403, "SignatureDoesNotMatch", m))
                except ProxyError as e:
                    auth_error = e
            service = parsed[3] if parsed else None
            region = parsed[2] if parsed else None
            if parsed is None and authorization is None:
                # A presigned URL names its scope in the query.
                credential = dict(urllib.parse.parse_qsl(query)).get("X-Amz-Credential", "")
                parts = credential.split("/")
                if len(parts) == 5:
                    service, region = parts[3], parts[2]
            protocol, action, params, errors = self.classify(method, path, query, body, service)
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
            if fault is not None and not fault.get("pass") and \
                    ("body" in fault or int(fault.get("status", 400)) < 300):
                return self.send_scripted(protocol, params, fault, record, head)
            if fault is not None and not fault.get("pass"):
                status, code = int(fault.get("status", 400)), fault.get("code", "ThrottlingException")
                record.update(faulted=True, status=status, code=code)
                return self.send_error_for(error_protocol, model, status, code, fault.get("message", "scripted fault"), head)
            self.forward(method, raw_path, body, chunked, record, error_protocol, model, head)

        def forward(self, method, raw_path, body, chunked, record, error_protocol, model, head):
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
                    with state.lock:
                        if payload.get("after") is None:
                            state.expiries.pop(payload["accessKeyId"], None)
                        else:
                            state.expiries[payload["accessKeyId"]] = {"remaining": int(payload["after"]),
                                                                      "status": int(payload.get("status", 400))}
                elif path == "/__reset":
                    with state.lock:
                        state.requests.clear()
                        state.faults.clear()
                        state.expiries.clear()
                else:
                    return self.send_json(404, {"error": f"no control endpoint {method} {path}"})
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                return self.send_json(400, {"error": f"bad control body: {e!r}"})
            self.send_json(200, {"ok": True})

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream", required=True, help="moto_server endpoint, e.g. http://127.0.0.1:5000")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    ap.add_argument("--timeout", type=float, default=900.0, help="stop after this many seconds")
    args = ap.parse_args()
    state = State(args.upstream)
    return serve(make_handler(state), args.port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
