"""The Service Catalog fixture's admin operations (servicecatalog_fixture.py), which deploy calls:
SearchProductsAsAdmin and ListConstraintsForPortfolio (with opaque page tokens), CreateConstraint
(the parameter syntax of each constraint type, duplicates, idempotency tokens), DescribeConstraint
and DeleteConstraint."""
import base64
import copy
import hashlib
import json
import re
import secrets
import string
import time

from catalog_state import MODEL, FixtureError, caller_account, find, public, visible

DEFAULT_PAGE_SIZE = 20
CONSTRAINT_TYPES = ("LAUNCH", "NOTIFICATION", "RESOURCE_UPDATE", "STACKSET", "TEMPLATE")
# At most one constraint of these types per portfolio and product; LAUNCH and STACKSET exclude each other.
SINGLE_CONSTRAINT_TYPES = ("LAUNCH", "NOTIFICATION", "RESOURCE_UPDATE", "STACKSET")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")


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

