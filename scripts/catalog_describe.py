"""The Service Catalog fixture's describe operations (servicecatalog_fixture.py), which the filter
Lambda calls: DescribeProvisionedProduct, DescribeProvisioningArtifact, DescribeProduct and
DescribeRecord, answered from the fixture's items the caller can see."""
import time
import uuid

from catalog_state import FixtureError, find, public


def describe_provisioned_product(state, params, creds, region):
    now = time.time()
    pp_id = params.get("Id")
    item = find(state, "provisionedProducts", pp_id, "Provisioned product", creds, region)
    detail = {"Id": pp_id, "Arn": f"arn:aws:servicecatalog:{region}:{creds.get('account') or '000000000000'}:stack/{item.get('Name', pp_id)}/{pp_id}",
              "Type": "CFN_STACK", "CreatedTime": now - 86400, "IdempotencyToken": str(uuid.uuid4()),
              "LastProvisioningRecordId": item.get("LastRecordId"), **public(item)}
    return {"ProvisionedProductDetail": detail, "CloudWatchDashboards": []}


def describe_provisioning_artifact(state, params, creds, region):
    now = time.time()
    pa_id = params.get("ProvisioningArtifactId")
    item = find(state, "provisioningArtifacts", pa_id, "Provisioning artifact", creds, region)
    if item.get("ProductId") and params.get("ProductId") != item["ProductId"]:
        raise FixtureError(400, "ResourceNotFoundException", f"Provisioning artifact {pa_id} not found in product {params.get('ProductId')}")
    detail = {"Id": pa_id, "Type": "CLOUD_FORMATION_TEMPLATE", "CreatedTime": now - 86400, "Active": True,
              "Guidance": "DEFAULT", **{k: v for k, v in public(item).items() if k != "ProductId"}}
    return {"ProvisioningArtifactDetail": detail, "Info": {"TemplateUrl": "https://example.invalid/template.yaml"},
            "Status": "AVAILABLE"}


def describe_product(state, params, creds, region):
    product_id = params.get("Id")
    item = find(state, "products", product_id, "Product", creds, region)
    summary = {"Id": "prodview-" + product_id.removeprefix("prod-"), "ProductId": product_id,
               "Type": "CLOUD_FORMATION_TEMPLATE", "HasDefaultPath": False, **public(item)}
    return {"ProductViewSummary": summary, "ProvisioningArtifacts": [], "Budgets": [], "LaunchPaths": []}


def describe_record(state, params, creds, region):
    now = time.time()
    record_id = params.get("Id")
    item = find(state, "records", record_id, "Record", creds, region)
    detail = {"RecordId": record_id, "CreatedTime": now - 60, "UpdatedTime": now - 30,
              "RecordType": "UPDATE_PROVISIONED_PRODUCT", "RecordTags": [], "RecordErrors": [], **public(item)}
    return {"RecordDetail": detail, "RecordOutputs": [], "NextPageToken": None}


DESCRIBE_OPERATIONS = {
    "DescribeProvisionedProduct": describe_provisioned_product,
    "DescribeProvisioningArtifact": describe_provisioning_artifact,
    "DescribeProduct": describe_product,
    "DescribeRecord": describe_record,
}
