#!/usr/bin/env python3
"""A local AWS Service Catalog stand-in (moto has no Service Catalog), for tests.

Serves the JSON 1.1 operations the filter Lambda calls, from a fixture file, on 127.0.0.1:

  DescribeProvisionedProduct, DescribeProvisioningArtifact, DescribeProduct, DescribeRecord

Every request must carry a valid SigV4 signature (service `servicecatalog`), recomputed with
botocore's SigV4Auth over the received method, path, signed headers and body, with the secret key of
the access key id it names. Keys are known from the fixture's "credentials", from POST /__credentials,
or (with --moto URL) from the roles moto_server handed out through STS AssumeRole
(`/moto-api/data.json`), which also tells the key's account. A bad or unknown signature gets
403 InvalidSignatureException.

  servicecatalog_fixture.py --fixture fixture.json [--moto http://127.0.0.1:PORT] [--timeout 600]

The first line printed is the port. The server stops by itself after --timeout seconds.

Fixture file (every section optional):

  {
    "provisionedProducts": {"pp-abcdefghijklm": {"account": "111122223333", "region": "ap-northeast-1",
        "Name": "orders-db", "ProductId": "prod-x", "ProvisioningArtifactId": "pa-x",
        "LastRecordId": "rec-x", "Status": "TAINTED", "StatusMessage": "..."}},
    "products": {"prod-x": {"Name": "Orders database", "Owner": "Platform"}},
    "provisioningArtifacts": {"pa-x": {"ProductId": "prod-x", "Name": "v2", "Description": "..."}},
    "records": {"rec-x": {"Status": "FAILED", "RecordErrors": [{"Code": "...", "Description": "..."}]}},
    "credentials": [{"accessKeyId": "...", "secretAccessKey": "...", "sessionToken": "...", "account": "..."}],
    "faults": [{"operation": "DescribeProduct", "id": "prod-x",
                "responses": [{"status": 400, "code": "ThrottlingException", "message": "Rate exceeded"}]}]
  }

An item with "account" (or "region") is found only by callers signing with a key of that account (in
that region); others get ResourceNotFoundException, as from another account.

Faults script the answers to an operation (and id; "*" or no id matches any): each matching request
takes the next scripted response; {"pass": true} lets one through; once the list is used up, requests
are answered normally, unless the last response has "repeat": true. Faults are applied only to
requests whose signature is valid.

Control endpoints (no signature): POST /__credentials (one credential object or a list),
POST /__faults (a list of faults), GET /__requests (every request seen: operation, id, accessKeyId,
account, roleArn (moto keys), region, signature, status, code), POST /__reset (forget requests and faults).
"""
import argparse
import calendar
import hmac
import json
import signal
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET_PREFIX = "AWS242ServiceCatalogService."
OPERATIONS = ("DescribeProvisionedProduct", "DescribeProvisioningArtifact", "DescribeProduct", "DescribeRecord")
MAX_SKEW_SECONDS = 15 * 60


class FixtureError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class State:
    def __init__(self, fixture, moto):
        self.lock = threading.Lock()
        self.data = fixture
        self.moto = moto.rstrip("/") if moto else None
        self.credentials = {}
        for c in fixture.get("credentials", []):
            self.add_credentials(c)
        self.faults = []
        self.add_faults(fixture.get("faults", []))
        self.requests = []

    def add_credentials(self, c):
        with self.lock:
            self.credentials[c["accessKeyId"]] = {
                "secret": c["secretAccessKey"], "token": c.get("sessionToken"), "account": c.get("account"),
                "roleArn": c.get("roleArn")}

    def add_faults(self, faults):
        with self.lock:
            for f in faults:
                self.faults.append({"operation": f["operation"], "id": f.get("id", "*"),
                                    "responses": list(f.get("responses", []))})

    def lookup(self, access_key_id):
        with self.lock:
            known = self.credentials.get(access_key_id)
        if known or not self.moto:
            return known
        # Keys handed out by moto's STS AssumeRole.
        try:
            with urllib.request.urlopen(f"{self.moto}/moto-api/data.json", timeout=10) as r:
                data = json.load(r)
        except Exception:
            return None
        for role in data.get("sts", {}).get("AssumedRole", []):
            if role.get("access_key_id") == access_key_id:
                found = {"secret": role["secret_access_key"], "token": role.get("session_token"),
                         "account": role.get("account_id"), "roleArn": role.get("role_arn")}
                with self.lock:
                    self.credentials[access_key_id] = found
                return found
        return None

    def next_fault(self, operation, item_id):
        with self.lock:
            for f in self.faults:
                if f["operation"] != operation or f["id"] not in ("*", item_id) or not f["responses"]:
                    continue
                response = f["responses"][0]
                if not (response.get("repeat") and len(f["responses"]) == 1):
                    f["responses"].pop(0)
                return response
        return None


def parse_authorization(value):
    if not value or not value.startswith("AWS4-HMAC-SHA256 "):
        raise FixtureError(403, "InvalidSignatureException", "missing or non-SigV4 Authorization header")
    fields = {}
    for part in value[len("AWS4-HMAC-SHA256 "):].split(","):
        key, _, val = part.strip().partition("=")
        fields[key] = val
    try:
        access_key, day, region, service, terminator = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        raise FixtureError(403, "InvalidSignatureException", "malformed Authorization header")
    if terminator != "aws4_request":
        raise FixtureError(403, "InvalidSignatureException", "credential scope does not end in aws4_request")
    return access_key, day, region, service, signed, signature


def verify(state, method, path, headers, body):
    """Checks the SigV4 signature; returns (access key id, credentials, region)."""
    access_key, day, region, service, signed, signature = parse_authorization(headers.get("Authorization"))
    if service != "servicecatalog":
        raise FixtureError(403, "InvalidSignatureException", f"credential scope names service '{service}', not servicecatalog")
    missing = [h for h in ("host", "x-amz-date", "x-amz-target", "content-type") if h not in signed]
    if missing:
        raise FixtureError(403, "InvalidSignatureException", f"headers not signed: {', '.join(missing)}")
    amz_date = headers.get("X-Amz-Date") or ""
    try:
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise FixtureError(403, "InvalidSignatureException", "missing or malformed X-Amz-Date")
    if abs(time.time() - signed_at) > MAX_SKEW_SECONDS:
        raise FixtureError(403, "InvalidSignatureException", "Signature expired: X-Amz-Date is more than 15 minutes away")
    if day != amz_date[:8]:
        raise FixtureError(403, "InvalidSignatureException", "credential scope date differs from X-Amz-Date")
    creds = state.lookup(access_key)
    if creds is None:
        raise FixtureError(403, "InvalidSignatureException", f"unknown access key id {access_key}")
    token = headers.get("X-Amz-Security-Token")
    if creds.get("token"):
        if token != creds["token"] or "x-amz-security-token" not in signed:
            raise FixtureError(403, "InvalidSignatureException", "missing, unsigned or wrong X-Amz-Security-Token")
    for name in signed:
        if headers.get(name) is None:
            raise FixtureError(403, "InvalidSignatureException", f"signed header '{name}' is not in the request")
    request = AWSRequest(method=method, url=f"http://{headers.get('Host')}{path}", data=body,
                         headers={name: headers.get(name) for name in signed})
    request.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(access_key, creds["secret"], creds.get("token")), service, region)
    canonical = auth.canonical_request(request)
    expected = auth.signature(auth.string_to_sign(request, canonical), request)
    if auth.signed_headers(auth.headers_to_sign(request)) != ";".join(signed) or not hmac.compare_digest(expected, signature):
        raise FixtureError(403, "InvalidSignatureException",
                           "The request signature we calculated does not match the signature you provided.")
    return access_key, creds, region


def find(state, section, item_id, kind, creds, region):
    item = state.data.get(section, {}).get(item_id)
    if item is None:
        raise FixtureError(400, "ResourceNotFoundException", f"{kind} {item_id} not found")
    if item.get("account") and creds.get("account") and item["account"] != creds["account"]:
        raise FixtureError(400, "ResourceNotFoundException", f"{kind} {item_id} not found")
    if item.get("region") and item["region"] != region:
        raise FixtureError(400, "ResourceNotFoundException", f"{kind} {item_id} not found")
    return item


def public(item):
    return {k: v for k, v in item.items() if k not in ("account", "region")}


def answer(state, operation, params, creds, region):
    now = time.time()
    if operation == "DescribeProvisionedProduct":
        pp_id = params.get("Id")
        item = find(state, "provisionedProducts", pp_id, "Provisioned product", creds, region)
        detail = {"Id": pp_id, "Arn": f"arn:aws:servicecatalog:{region}:{creds.get('account') or '000000000000'}:stack/{item.get('Name', pp_id)}/{pp_id}",
                  "Type": "CFN_STACK", "CreatedTime": now - 86400, "IdempotencyToken": str(uuid.uuid4()),
                  "LastProvisioningRecordId": item.get("LastRecordId"), **public(item)}
        return {"ProvisionedProductDetail": detail, "CloudWatchDashboards": []}
    if operation == "DescribeProvisioningArtifact":
        pa_id = params.get("ProvisioningArtifactId")
        item = find(state, "provisioningArtifacts", pa_id, "Provisioning artifact", creds, region)
        if item.get("ProductId") and params.get("ProductId") != item["ProductId"]:
            raise FixtureError(400, "ResourceNotFoundException", f"Provisioning artifact {pa_id} not found in product {params.get('ProductId')}")
        detail = {"Id": pa_id, "Type": "CLOUD_FORMATION_TEMPLATE", "CreatedTime": now - 86400, "Active": True,
                  "Guidance": "DEFAULT", **{k: v for k, v in public(item).items() if k != "ProductId"}}
        return {"ProvisioningArtifactDetail": detail, "Info": {"TemplateUrl": "https://example.invalid/template.yaml"},
                "Status": "AVAILABLE"}
    if operation == "DescribeProduct":
        product_id = params.get("Id")
        item = find(state, "products", product_id, "Product", creds, region)
        summary = {"Id": "prodview-" + product_id.removeprefix("prod-"), "ProductId": product_id,
                   "Type": "CLOUD_FORMATION_TEMPLATE", "HasDefaultPath": False, **public(item)}
        return {"ProductViewSummary": summary, "ProvisioningArtifacts": [], "Budgets": [], "LaunchPaths": []}
    if operation == "DescribeRecord":
        record_id = params.get("Id")
        item = find(state, "records", record_id, "Record", creds, region)
        detail = {"RecordId": record_id, "CreatedTime": now - 60, "UpdatedTime": now - 30,
                  "RecordType": "UPDATE_PROVISIONED_PRODUCT", "RecordTags": [], "RecordErrors": [], **public(item)}
        return {"RecordDetail": detail, "RecordOutputs": [], "NextPageToken": None}
    raise FixtureError(400, "UnknownOperationException", f"operation {operation} is not implemented by the fixture")


def item_id(operation, params):
    if operation == "DescribeProvisioningArtifact":
        return params.get("ProvisioningArtifactId")
    return params.get("Id")


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, payload, extra=()):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def error(self, status, code, message):
            self.reply(status, {"__type": code, "message": message}, [("x-amzn-ErrorType", code)])

        def do_GET(self):
            if self.path == "/__requests":
                with state.lock:
                    return self.reply(200, list(state.requests))
            if self.path == "/__health":
                return self.reply(200, {"ok": True})
            self.error(404, "NotFound", "not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/__"):
                return self.control(body)
            record = {"operation": None, "id": None, "accessKeyId": None, "account": None, "roleArn": None, "region": None,
                      "signature": "valid", "status": 200, "code": None, "time": time.time()}
            try:
                target = self.headers.get("X-Amz-Target") or ""
                operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
                record["operation"] = operation or target
                try:
                    access_key, creds, region = verify(state, "POST", self.path, self.headers, body)
                except FixtureError as e:
                    record["signature"] = "invalid: " + e.message
                    raise
                record.update(accessKeyId=access_key, account=creds.get("account"), roleArn=creds.get("roleArn"), region=region)
                if operation not in OPERATIONS:
                    raise FixtureError(400, "UnknownOperationException", f"unknown target {target}")
                if not (self.headers.get("Content-Type") or "").startswith("application/x-amz-json-1.1"):
                    raise FixtureError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
                try:
                    params = json.loads(body or b"{}")
                except ValueError:
                    raise FixtureError(400, "SerializationException", "body is not JSON")
                record["id"] = item_id(operation, params)
                fault = state.next_fault(operation, record["id"])
                if fault is not None and not fault.get("pass"):
                    raise FixtureError(fault.get("status", 400), fault.get("code", "ThrottlingException"),
                                       fault.get("message", "scripted fault"))
                result = answer(state, operation, params, creds, region)
            except FixtureError as e:
                record.update(status=e.status, code=e.code)
                with state.lock:
                    state.requests.append(record)
                return self.error(e.status, e.code, e.message)
            with state.lock:
                state.requests.append(record)
            self.reply(200, result)

        def control(self, body):
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                return self.error(400, "SerializationException", "control body is not JSON")
            if self.path == "/__credentials":
                for c in payload if isinstance(payload, list) else [payload]:
                    state.add_credentials(c)
            elif self.path == "/__faults":
                state.add_faults(payload)
            elif self.path == "/__reset":
                with state.lock:
                    state.requests.clear()
                    state.faults.clear()
            else:
                return self.error(404, "NotFound", "unknown control endpoint")
            self.reply(200, {"ok": True})

    return Handler


def main():
    # A parent that blocks SIGTERM in the spawning thread (XCTest does) passes the mask on: clear it.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True, help="fixture JSON file")
    ap.add_argument("--moto", help="moto_server endpoint whose AssumeRole keys are accepted")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    ap.add_argument("--timeout", type=float, default=600.0, help="stop after this many seconds")
    args = ap.parse_args()
    with open(args.fixture) as f:
        fixture = json.load(f)
    state = State(fixture, args.moto)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    stopper = threading.Timer(args.timeout, server.shutdown)
    stopper.daemon = True
    stopper.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
