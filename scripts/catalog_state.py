"""The Service Catalog fixture's state and checks (servicecatalog_fixture.py): the servicecatalog
service model, the fixture's data with the credentials, faults, constraints and idempotency tokens it
holds, the SigV4 check of a request, its check against the model, and the lookups of items the
caller can see (by account and region)."""
import copy
import hmac
import json
import threading
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.loaders import create_loader
from botocore.model import ServiceModel
from peer_common import ModelChecker, check_signed_request, parse_authorization as parse_sigv4_authorization

TARGET_PREFIX = "AWS242ServiceCatalogService."
OPERATIONS = ("DescribeProvisionedProduct", "DescribeProvisioningArtifact", "DescribeProduct", "DescribeRecord",
              "SearchProductsAsAdmin", "ListConstraintsForPortfolio", "CreateConstraint", "DescribeConstraint",
              "DeleteConstraint")
MODEL = ServiceModel(create_loader().load_service_model("servicecatalog", "service-2"), "servicecatalog")
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

    def reset(self):
        """POST /__reset: forgets requests, faults and idempotency tokens; the constraints go back to
        the fixture's."""
        with self.lock:
            self.requests.clear()
            self.faults.clear()
            self.idempotency.clear()
            self.constraints = copy.deepcopy(self.initial_constraints)

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
    amz_date, creds = check_signed_request(headers, day, access_key, signed, state.lookup,
                                           lambda m: FixtureError(403, "InvalidSignatureException", m))
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


def item_id(operation, params):
    """The id a fault matches: Id, ProvisioningArtifactId or PortfolioId, by operation."""
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


# MARK: - Items the caller can see

def caller_account(creds):
    return creds.get("account") or "000000000000"


def visible(item, creds, region):
    if item.get("account") and creds.get("account") and item["account"] != creds["account"]:
        return False
    return not (item.get("region") and item["region"] != region)


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

