#!/usr/bin/env python3
"""moto_server for the tests, with one fix for a moto 5.2.1 bug that our templates meet.

  moto_server.py [moto_server arguments]   (e.g. -H 127.0.0.1 -p 5000)

moto's CloudFormation creates an AWS::KMS::Key by passing the template's `Tags` straight to the KMS
backend, which expects the KMS API's shape ({TagKey, TagValue}); a template's tags have CloudFormation's
shape ({Key, Value}), so any tagged key fails with KeyError 'TagKey' and the whole stack with it. This
wrapper converts the tags before moto's own code runs; nothing else changes. Remove it when moto fixes
the bug (then MotoServer can start `moto_server` itself again).
"""
import sys

from moto.kms.models import Key
from moto.server import main

_create = Key.create_from_cloudformation_json.__func__


def _create_with_kms_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    tags = properties.get("Tags")
    if isinstance(tags, list):
        properties["Tags"] = [{"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue", ""))} for t in tags]
    return _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


Key.create_from_cloudformation_json = classmethod(_create_with_kms_tags)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
