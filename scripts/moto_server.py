#!/usr/bin/env python3
"""moto_server for the tests, with one fix for a moto 5.2.1 bug that our templates meet, and chosen
account ids for Organizations.

  moto_server.py [moto_server arguments]   (e.g. -H 127.0.0.1 -p 5000)

Environment: CATALOGWATCH_MOTO_ACCOUNT_IDS=111122223333,444455556666 lets Organizations' CreateAccount
give one of these ids to an account created with that id as its AccountName (other accounts get a random
id, as in moto), so that a test's organization holds the member accounts its fixtures already use; moto
has no API to choose an account id.

moto's CloudFormation creates an AWS::KMS::Key by passing the template's `Tags` straight to the KMS
backend, which expects the KMS API's shape ({TagKey, TagValue}); a template's tags have CloudFormation's
shape ({Key, Value}), so any tagged key fails with KeyError 'TagKey' and the whole stack with it. This
wrapper converts the tags before moto's own code runs; nothing else changes. Remove it when moto fixes
the bug (then MotoServer can start `moto_server` itself again).
"""
import os
import sys

import moto.organizations.utils as organizations_utils
from moto.kms.models import Key
from moto.organizations.models import FakeAccount
from moto.server import main

_create = Key.create_from_cloudformation_json.__func__


def _create_with_kms_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    tags = properties.get("Tags")
    if isinstance(tags, list):
        properties["Tags"] = [{"TagKey": t.get("Key", t.get("TagKey")), "TagValue": t.get("Value", t.get("TagValue", ""))} for t in tags]
    return _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


Key.create_from_cloudformation_json = classmethod(_create_with_kms_tags)

_chosen_ids = {i for i in os.environ.get("CATALOGWATCH_MOTO_ACCOUNT_IDS", "").split(",") if i}
_init_account = FakeAccount.__init__


def _init_account_with_chosen_id(self, organization, **kwargs):
    """An account created with AccountName = one of the chosen ids gets that id (moto draws one at random)."""
    chosen = kwargs.get("AccountName")
    if chosen not in _chosen_ids:
        return _init_account(self, organization, **kwargs)
    drawn = organizations_utils.make_random_account_id
    organizations_utils.make_random_account_id = lambda: chosen
    try:
        _init_account(self, organization, **kwargs)
    finally:
        organizations_utils.make_random_account_id = drawn


FakeAccount.__init__ = _init_account_with_chosen_id

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
