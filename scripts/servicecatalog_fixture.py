#!/usr/bin/env python3
r"""A local AWS Service Catalog stand-in (moto has no Service Catalog), for tests.

Serves, from a fixture file, on 127.0.0.1, these JSON 1.1 operations (X-Amz-Target
AWS242ServiceCatalogService.<Op>):

  DescribeProvisionedProduct, DescribeProvisioningArtifact, DescribeProduct, DescribeRecord  (the filter Lambda)
  SearchProductsAsAdmin, ListConstraintsForPortfolio, CreateConstraint, DescribeConstraint,
  DeleteConstraint                                                                            (deploy/constraints)

Every request must carry a valid SigV4 signature (service `servicecatalog`), recomputed with
botocore's SigV4Auth over the received method, path, signed headers and body, with the secret key of
the access key id it names. Keys are known from the fixture's "credentials", from POST /__credentials,
or (with --moto URL) from the roles moto_server handed out through STS AssumeRole
(`/moto-api/data.json`), which also tells the key's account. A bad or unknown signature gets
403 InvalidSignatureException.

Every request is also checked against botocore's servicecatalog service model (loaded with botocore's
loader): the target must name an operation of the model (else 400 UnknownOperationException), and
the body must satisfy the operation's input shape, as botocore's ParamValidator checks it (required
members, unknown members, types, minimum lengths and values) plus the enum, maximum length/value and
pattern constraints of the model (patterns searched, not anchored, as Smithy does). An invalid body
gets 400 ValidationException naming the problems. The problems are recorded with the request in
"modelErrors" (also for requests refused for their signature), so a test can assert that every
request was valid: all(r["modelErrors"] == [] for r in requests).

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
    "portfolios": {"port-abc": {"region": "ap-northeast-1", "products": ["prod-x"]}},
    "constraints": [{"ConstraintId": "cons-abcdefghijklm", "PortfolioId": "port-abc", "ProductId": "prod-x",
        "Type": "LAUNCH", "Parameters": "{\"RoleArn\": \"arn:aws:iam::111122223333:role/launch\"}",
        "Description": "optional", "Owner": "optional account id"}],
    "credentials": [{"accessKeyId": "...", "secretAccessKey": "...", "sessionToken": "...", "account": "..."}],
    "faults": [{"operation": "DescribeProduct", "id": "prod-x",
                "responses": [{"status": 400, "code": "ThrottlingException", "message": "Rate exceeded"}]}]
  }

An item with "account" (or "region") is found only by callers signing with a key of that account (in
that region); others get ResourceNotFoundException, as from another account. Portfolios are regional
the same way; a constraint is visible where its portfolio is.

The admin operations, as AWS serves them:
  SearchProductsAsAdmin: the products of PortfolioId (its "products" list, in that order), or without
    it every product the caller can see; Filters FullTextSearch (substring of Name, Owner,
    ShortDescription, Distributor, Description), Owner, ProductType, SourceProductId; SortBy Title,
    CreationDate (the product's "CreatedTime", epoch seconds), VersionCount; SortOrder. Answers
    ProductViewDetails [{ProductViewSummary {Id "prodview-...", ProductId, Name, Owner, Type
    CLOUD_FORMATION_TEMPLATE, HasDefaultPath, ...}, Status AVAILABLE, ProductARN
    "arn:aws:catalog:<region>:<account>:product/<id>", CreatedTime}].
  ListConstraintsForPortfolio: ConstraintDetails [{ConstraintId, Type, Description (when it has one),
    Owner, ProductId, PortfolioId}] of PortfolioId, optionally only ProductId's.
  Both page: PageSize 1-20 (absent or 0: 20), an opaque NextPageToken while more remain (omitted on the
    last page); a token from another query or a made-up one gets 400 InvalidParametersException.
  CreateConstraint: the portfolio must be visible (else ResourceNotFoundException) and hold the product
    (else ResourceNotFoundException); Type LAUNCH, NOTIFICATION, RESOURCE_UPDATE, STACKSET or TEMPLATE,
    Parameters a JSON object of that type's syntax (LAUNCH: exactly one of RoleArn (an IAM role ARN) or
    LocalRoleName; NOTIFICATION: exactly {"NotificationArns": [SNS topic ARN, ...]}, at least one;
    RESOURCE_UPDATE: {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct":
    "ALLOWED"|"NOT_ALLOWED"}}; STACKSET: {"Version", "Properties": {"AccountList", "RegionList",
    "AdminRole", "ExecutionRole"}}; TEMPLATE: {"Rules": {...}}), else 400 InvalidParametersException.
    A second LAUNCH, NOTIFICATION, RESOURCE_UPDATE or STACKSET constraint on the same portfolio and
    product, or LAUNCH with STACKSET, gets 400 DuplicateResourceException. The IdempotencyToken (per
    account and region) makes a repeat with the same input answer the first answer again (the same
    ConstraintId, even after a delete); the same token with other input gets 400
    InvalidParametersException. Answers {ConstraintDetail, ConstraintParameters (the JSON string as
    sent), Status AVAILABLE}; new ids are "cons-" and 13 lowercase letters and digits.
  DescribeConstraint: {ConstraintDetail, ConstraintParameters, Status AVAILABLE}, or
    ResourceNotFoundException. DeleteConstraint: {} or ResourceNotFoundException.
  Constraint Owner: the constraint's "Owner", else its portfolio's "account", else the caller's
  account, else 000000000000.

Faults script the answers to an operation (and id; "*" or no id matches any): each matching request
takes the next scripted response; {"pass": true} lets one through; once the list is used up, requests
are answered normally, unless the last response has "repeat": true. Faults are applied only to
requests whose signature is valid and whose body is valid for the model. The id of a request is: Id
(DescribeProvisionedProduct, DescribeProduct, DescribeRecord, DescribeConstraint, DeleteConstraint),
ProvisioningArtifactId (DescribeProvisioningArtifact), PortfolioId (SearchProductsAsAdmin,
ListConstraintsForPortfolio, CreateConstraint).

Control endpoints (no signature): POST /__credentials (one credential object or a list),
POST /__faults (a list of faults), GET /__requests (every request seen: operation, id, accessKeyId,
account, roleArn (moto keys), region, signature, status, code, modelErrors, time),
GET /__constraints (the constraints now held), POST /__reset (forget requests, faults and idempotency
tokens; the constraints go back to the fixture's).

The code is in modules beside this script: catalog_state.py (the model, the fixture's state, the
signature and model checks, items the caller can see), catalog_describe.py (the describe operations)
and catalog_admin.py (the product and constraint admin operations); with peer_common.py, which the
fault proxy shares.
"""
import argparse
import copy
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler

from catalog_admin import ADMIN_OPERATIONS
from catalog_describe import DESCRIBE_OPERATIONS
from catalog_state import MODEL, OPERATIONS, TARGET_PREFIX, FixtureError, State, item_id, model_errors, verify
from peer_common import serve


def answer(state, operation, params, creds, region):
    if operation in DESCRIBE_OPERATIONS:
        return DESCRIBE_OPERATIONS[operation](state, params, creds, region)
    if operation in ADMIN_OPERATIONS:
        return ADMIN_OPERATIONS[operation](state, params, creds, region)
    raise FixtureError(400, "UnknownOperationException", f"operation {operation} is not implemented by the fixture")


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Head and body go out as separate writes: on a reused keep-alive connection, Nagle plus the
        # client's delayed ACK would hold every answer back ~40 ms.
        disable_nagle_algorithm = True

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
            if self.path == "/__constraints":
                with state.lock:
                    return self.reply(200, copy.deepcopy(state.constraints))
            self.error(404, "NotFound", "not found")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/__"):
                return self.control(body)
            record = {"operation": None, "id": None, "accessKeyId": None, "account": None, "roleArn": None, "region": None,
                      "signature": "valid", "status": 200, "code": None, "modelErrors": [], "time": time.time()}
            try:
                target = self.headers.get("X-Amz-Target") or ""
                operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
                record["operation"] = operation or target
                try:
                    params = json.loads(body) if body.strip() else {}
                except ValueError:
                    params = None
                json_content = (self.headers.get("Content-Type") or "").startswith("application/x-amz-json-1.1")
                if operation not in MODEL.operation_names:
                    errors = [f"X-Amz-Target {target!r} names no operation of the servicecatalog model"]
                elif params is None:
                    errors = ["the body is not JSON"]
                else:
                    errors = model_errors(operation, params)
                if not json_content:
                    errors.append("Content-Type must be application/x-amz-json-1.1")
                record["modelErrors"] = errors
                try:
                    access_key, creds, region = verify(state, "POST", self.path, self.headers, body)
                except FixtureError as e:
                    record["signature"] = "invalid: " + e.message
                    raise
                record.update(accessKeyId=access_key, account=creds.get("account"), roleArn=creds.get("roleArn"), region=region)
                if operation not in MODEL.operation_names:
                    raise FixtureError(400, "UnknownOperationException", f"unknown target {target}")
                if not json_content:
                    raise FixtureError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
                if not isinstance(params, dict):
                    raise FixtureError(400, "SerializationException", "body is not a JSON object")
                if errors:
                    raise FixtureError(400, "ValidationException",
                                       f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: " + "; ".join(errors))
                if operation not in OPERATIONS:
                    raise FixtureError(400, "UnknownOperationException", f"operation {operation} is not implemented by the fixture")
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
                state.reset()
            else:
                return self.error(404, "NotFound", "unknown control endpoint")
            self.reply(200, {"ok": True})

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True, help="fixture JSON file")
    ap.add_argument("--moto", help="moto_server endpoint whose AssumeRole keys are accepted")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    ap.add_argument("--timeout", type=float, default=600.0, help="stop after this many seconds")
    args = ap.parse_args()
    with open(args.fixture) as f:
        fixture = json.load(f)
    state = State(fixture, args.moto)
    return serve(make_handler(state), args.port, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
