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
"""
import argparse
import base64
import calendar
import copy
import hashlib
import hmac
import json
import re
import secrets
import string
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.loaders import create_loader
from botocore.model import ServiceModel
from peer_common import ModelChecker, parse_authorization as parse_sigv4_authorization, serve

TARGET_PREFIX = "AWS242ServiceCatalogService."
OPERATIONS = ("DescribeProvisionedProduct", "DescribeProvisioningArtifact", "DescribeProduct", "DescribeRecord",
              "SearchProductsAsAdmin", "ListConstraintsForPortfolio", "CreateConstraint", "DescribeConstraint",
              "DeleteConstraint")
MAX_SKEW_SECONDS = 15 * 60
MODEL = ServiceModel(create_loader().load_service_model("servicecatalog", "service-2"), "servicecatalog")
DEFAULT_PAGE_SIZE = 20
CONSTRAINT_TYPES = ("LAUNCH", "NOTIFICATION", "RESOURCE_UPDATE", "STACKSET", "TEMPLATE")
# At most one constraint of these types per portfolio and product; LAUNCH and STACKSET exclude each other.
SINGLE_CONSTRAINT_TYPES = ("LAUNCH", "NOTIFICATION", "RESOURCE_UPDATE", "STACKSET")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


CHECKER = ModelChecker()


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
        self.initial_constraints = [dict(c) for c in fixture.get("constraints", [])]
        for c in self.initial_constraints:
            missing = [k for k in ("ConstraintId", "PortfolioId", "ProductId", "Type", "Parameters") if k not in c]
            if missing:
                raise SystemExit(f"fixture constraint {c} lacks {', '.join(missing)}")
        self.constraints = copy.deepcopy(self.initial_constraints)
        self.idempotency = {}  # (account, region, token) -> (input, answer)

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


def verify(state, method, path, headers, body):
    """Checks the SigV4 signature; returns (access key id, credentials, region)."""
    access_key, day, region, service, signed, signature = parse_sigv4_authorization(headers.get("Authorization"), lambda m: FixtureError(403, "InvalidSignatureException", m))
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
    if operation in ADMIN_OPERATIONS:
        return ADMIN_OPERATIONS[operation](state, params, creds, region)
    raise FixtureError(400, "UnknownOperationException", f"operation {operation} is not implemented by the fixture")


# MARK: - Admin operations (deploy / constraints)

def caller_account(creds):
    return creds.get("account") or "000000000000"


def visible(item, creds, region):
    if item.get("account") and creds.get("account") and item["account"] != creds["account"]:
        return False
    return not (item.get("region") and item["region"] != region)


def page(operation, params, items):
    """Returns (this page, next token or None); the token is opaque and bound to the query."""
    query = {k: v for k, v in params.items() if k not in ("PageToken", "PageSize", "AcceptLanguage")}
    key = hashlib.sha256(json.dumps([operation, query], sort_keys=True).encode()).hexdigest()[:16]
    size = params.get("PageSize") or DEFAULT_PAGE_SIZE
    offset = 0
    if params.get("PageToken"):
        try:
            token = json.loads(base64.urlsafe_b64decode(params["PageToken"].encode()))
            if token["k"] != key or not isinstance(token["o"], int) or token["o"] < 0:
                raise ValueError
            offset = token["o"]
        except Exception:
            raise FixtureError(400, "InvalidParametersException", "The page token is not valid for this request")
    rest = offset + size
    token = None
    if rest < len(items):
        token = base64.urlsafe_b64encode(json.dumps({"k": key, "o": rest}).encode()).decode()
    return items[offset:rest], token


def portfolio(state, portfolio_id, creds, region):
    return find(state, "portfolios", portfolio_id, "Portfolio", creds, region)


def constraint_detail(state, c, creds):
    port = state.data.get("portfolios", {}).get(c["PortfolioId"], {})
    owner = c.get("Owner") or port.get("account") or caller_account(creds)
    detail = {"ConstraintId": c["ConstraintId"], "Type": c["Type"], "Owner": owner,
              "ProductId": c["ProductId"], "PortfolioId": c["PortfolioId"]}
    if c.get("Description") is not None:
        detail["Description"] = c["Description"]
    return detail


def find_constraint(state, constraint_id, creds, region):
    with state.lock:
        c = next((c for c in state.constraints if c["ConstraintId"] == constraint_id), None)
    port = state.data.get("portfolios", {}).get(c["PortfolioId"]) if c else None
    if c is None or (port is not None and not visible(port, creds, region)):
        raise FixtureError(400, "ResourceNotFoundException", f"Constraint {constraint_id} not found")
    return c


def product_view_detail(state, product_id, creds, region):
    item = state.data.get("products", {}).get(product_id) or {"Name": product_id}
    members = MODEL.shape_for("ProductViewSummary").members
    summary = {"Id": "prodview-" + product_id.removeprefix("prod-"), "ProductId": product_id,
               "Type": "CLOUD_FORMATION_TEMPLATE", "HasDefaultPath": False,
               **{k: v for k, v in public(item).items() if k in members and k not in ("Id", "ProductId")}}
    account = item.get("account") or caller_account(creds)
    return {"ProductViewSummary": summary, "Status": "AVAILABLE",
            "ProductARN": f"arn:aws:catalog:{item.get('region') or region}:{account}:product/{product_id}",
            "CreatedTime": item.get("CreatedTime", time.time() - 86400)}


def search_products_as_admin(state, params, creds, region):
    products = state.data.get("products", {})
    if params.get("PortfolioId"):
        ids = list(portfolio(state, params["PortfolioId"], creds, region).get("products", []))
    else:
        ids = [pid for pid, item in products.items() if visible(item, creds, region)]
    details = [product_view_detail(state, pid, creds, region) for pid in ids]
    for by, values in (params.get("Filters") or {}).items():
        def matches(d, by=by, values=values):
            summary, item = d["ProductViewSummary"], products.get(d["ProductViewSummary"]["ProductId"], {})
            if by == "FullTextSearch":
                text = " ".join(str(x) for x in (summary.get("Name"), summary.get("Owner"), summary.get("ShortDescription"),
                                                  summary.get("Distributor"), item.get("Description")) if x).lower()
                return any(v.lower() in text for v in values)
            if by == "Owner":
                return summary.get("Owner") in values
            if by == "ProductType":
                return summary.get("Type") in values
            return item.get("SourceProductId") in values
        details = [d for d in details if matches(d)]
    sort_by = params.get("SortBy")
    if sort_by == "Title":
        details.sort(key=lambda d: (d["ProductViewSummary"].get("Name") or "").lower())
    elif sort_by == "CreationDate":
        details.sort(key=lambda d: d["CreatedTime"])
    elif sort_by == "VersionCount":
        artifacts = state.data.get("provisioningArtifacts", {}).values()
        details.sort(key=lambda d: sum(1 for a in artifacts if a.get("ProductId") == d["ProductViewSummary"]["ProductId"]))
    if params.get("SortOrder") == "DESCENDING":
        details.reverse()
    items, token = page("SearchProductsAsAdmin", params, details)
    result = {"ProductViewDetails": items}
    if token:
        result["NextPageToken"] = token
    return result


def list_constraints_for_portfolio(state, params, creds, region):
    portfolio(state, params["PortfolioId"], creds, region)
    with state.lock:
        found = [c for c in state.constraints if c["PortfolioId"] == params["PortfolioId"]
                 and params.get("ProductId") in (None, c["ProductId"])]
    items, token = page("ListConstraintsForPortfolio", params, [constraint_detail(state, c, creds) for c in found])
    result = {"ConstraintDetails": items}
    if token:
        result["NextPageToken"] = token
    return result


def check_constraint_parameters(kind, text):
    def invalid(why):
        return FixtureError(400, "InvalidParametersException", f"Invalid {kind} constraint parameters: {why}")
    try:
        value = json.loads(text)
    except ValueError:
        raise invalid("Parameters is not valid JSON")
    if not isinstance(value, dict):
        raise invalid("Parameters must be a JSON object")
    if kind == "LAUNCH":
        if set(value) - {"RoleArn", "LocalRoleName"}:
            raise invalid(f"unknown properties {sorted(set(value) - {'RoleArn', 'LocalRoleName'})}")
        if ("RoleArn" in value) == ("LocalRoleName" in value):
            raise invalid("specify either RoleArn or LocalRoleName, but not both")
        if "RoleArn" in value and not (isinstance(value["RoleArn"], str) and ROLE_ARN.match(value["RoleArn"])):
            raise invalid(f"RoleArn {value['RoleArn']!r} is not an IAM role ARN")
        if "LocalRoleName" in value and not (isinstance(value["LocalRoleName"], str) and value["LocalRoleName"]):
            raise invalid("LocalRoleName must be a role name")
    elif kind == "NOTIFICATION":
        if set(value) != {"NotificationArns"}:
            raise invalid('Parameters must be {"NotificationArns": [topic ARN, ...]}')
        arns = value["NotificationArns"]
        if not isinstance(arns, list) or not arns:
            raise invalid("NotificationArns must be a non-empty list of SNS topic ARNs")
        for arn in arns:
            if not (isinstance(arn, str) and TOPIC_ARN.match(arn)):
                raise invalid(f"{arn!r} is not an SNS topic ARN")
    elif kind == "RESOURCE_UPDATE":
        props = value.get("Properties")
        if value.get("Version") != "2.0" or not isinstance(props, dict) or \
                props.get("TagUpdateOnProvisionedProduct") not in ("ALLOWED", "NOT_ALLOWED"):
            raise invalid('Parameters must be {"Version": "2.0", "Properties": {"TagUpdateOnProvisionedProduct": "ALLOWED"|"NOT_ALLOWED"}}')
    elif kind == "STACKSET":
        props = value.get("Properties")
        if not isinstance(props, dict):
            raise invalid('Parameters must be {"Version": ..., "Properties": {"AccountList", "RegionList", "AdminRole", "ExecutionRole"}}')
        for key in ("AccountList", "RegionList"):
            if not (isinstance(props.get(key), list) and all(isinstance(x, str) for x in props[key])):
                raise invalid(f"Properties.{key} must be a list of strings")
    elif kind == "TEMPLATE":
        if not isinstance(value.get("Rules"), dict):
            raise invalid('Parameters must be {"Rules": {...}}')


def create_constraint(state, params, creds, region):
    key = (caller_account(creds), region, params["IdempotencyToken"])
    request = {k: params.get(k) for k in ("PortfolioId", "ProductId", "Type", "Parameters", "Description")}
    with state.lock:
        earlier = state.idempotency.get(key)
    if earlier is not None:
        if earlier[0] != request:
            raise FixtureError(400, "InvalidParametersException",
                               f"IdempotencyToken {params['IdempotencyToken']} was already used with different parameters")
        return copy.deepcopy(earlier[1])
    port = portfolio(state, params["PortfolioId"], creds, region)
    if params["ProductId"] not in port.get("products", []):
        raise FixtureError(400, "ResourceNotFoundException",
                           f"Product {params['ProductId']} not found in portfolio {params['PortfolioId']}")
    kind = params["Type"]
    if kind not in CONSTRAINT_TYPES:
        raise FixtureError(400, "InvalidParametersException",
                           f"Constraint type {kind} is not one of {', '.join(CONSTRAINT_TYPES)}")
    check_constraint_parameters(kind, params["Parameters"])
    with state.lock:
        if state.idempotency.get(key) is not None:  # a concurrent retry won the race
            return copy.deepcopy(state.idempotency[key][1])
        same = [c["Type"] for c in state.constraints
                if c["PortfolioId"] == params["PortfolioId"] and c["ProductId"] == params["ProductId"]]
        if kind in SINGLE_CONSTRAINT_TYPES and kind in same:
            raise FixtureError(400, "DuplicateResourceException",
                               f"A {kind} constraint already exists for product {params['ProductId']} in portfolio {params['PortfolioId']}")
        clash = {"LAUNCH": "STACKSET", "STACKSET": "LAUNCH"}.get(kind)
        if clash in same:
            raise FixtureError(400, "DuplicateResourceException",
                               f"Product {params['ProductId']} in portfolio {params['PortfolioId']} already has a {clash} constraint; "
                               f"it cannot have both LAUNCH and STACKSET")
        alphabet = string.ascii_lowercase + string.digits
        c = {"ConstraintId": "cons-" + "".join(secrets.choice(alphabet) for _ in range(13)),
             "PortfolioId": params["PortfolioId"], "ProductId": params["ProductId"], "Type": kind,
             "Parameters": params["Parameters"], "Owner": port.get("account") or caller_account(creds)}
        if params.get("Description") is not None:
            c["Description"] = params["Description"]
        state.constraints.append(c)
        result = {"ConstraintDetail": constraint_detail(state, c, creds), "ConstraintParameters": c["Parameters"],
                  "Status": "AVAILABLE"}
        state.idempotency[key] = (request, copy.deepcopy(result))
    return result


def describe_constraint(state, params, creds, region):
    c = find_constraint(state, params["Id"], creds, region)
    return {"ConstraintDetail": constraint_detail(state, c, creds), "ConstraintParameters": c["Parameters"],
            "Status": "AVAILABLE"}


def delete_constraint(state, params, creds, region):
    c = find_constraint(state, params["Id"], creds, region)
    with state.lock:
        if c not in state.constraints:
            raise FixtureError(400, "ResourceNotFoundException", f"Constraint {params['Id']} not found")
        state.constraints.remove(c)
    return {}


ADMIN_OPERATIONS = {
    "SearchProductsAsAdmin": search_products_as_admin,
    "ListConstraintsForPortfolio": list_constraints_for_portfolio,
    "CreateConstraint": create_constraint,
    "DescribeConstraint": describe_constraint,
    "DeleteConstraint": delete_constraint,
}


def item_id(operation, params):
    if operation == "DescribeProvisioningArtifact":
        return params.get("ProvisioningArtifactId")
    if operation in ("SearchProductsAsAdmin", "ListConstraintsForPortfolio", "CreateConstraint"):
        return params.get("PortfolioId")
    return params.get("Id")


def model_errors(operation, params):
    """The request's problems against the servicecatalog model (empty when it is valid)."""
    if operation not in MODEL.operation_names:
        return [f"{operation} is not an operation of the servicecatalog model"]
    if not isinstance(params, dict):
        return ["the body is not a JSON object"]
    return CHECKER.errors(params, MODEL.operation_model(operation).input_shape)


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
                with state.lock:
                    state.requests.clear()
                    state.faults.clear()
                    state.idempotency.clear()
                    state.constraints = copy.deepcopy(state.initial_constraints)
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
