"""Service-managed StackSets as AWS runs them, where moto 5.2.1 does not (aws_fault_proxy.py).

moto creates the instances of a SERVICE_MANAGED StackSet for the accounts of the OUs given to
CreateStackInstances, but it does not keep the deployment targets: DescribeStackSet lacks
OrganizationalUnitIds, Regions and AutoDeployment; DeleteStackInstances ignores DeploymentTargets
(so the instances stay, and DeleteStackSet then fails StackSetNotEmpty); and the trusted-access calls
(DescribeOrganizationsAccess, ActivateOrganizationsAccess) are not implemented. This module fills
exactly those gaps for query-protocol CloudFormation requests that passed the signature and model
checks:

- DescribeOrganizationsAccess answers the proxy's status (DISABLED until ActivateOrganizationsAccess,
  which answers success and sets ENABLED; POST /__organizations-access {"status": ...} sets it).
- CreateStackSet with PermissionModel SERVICE_MANAGED records the set and its AutoDeployment.
- CreateStackInstances with DeploymentTargets.OrganizationalUnitIds adds the OUs and regions to the
  record once moto answered 200.
- DeleteStackInstances with DeploymentTargets.OrganizationalUnitIds is forwarded with Accounts set to
  the accounts of those OUs (and of their child OUs, one level, as moto's create does), read from
  moto's Organizations API; the record drops what was deleted.
- DescribeStackSet of a recorded set gets AutoDeployment, OrganizationalUnitIds and Regions added
  to the StackSet element, as AWS returns them.
- DeleteStackSet forgets the record once moto answered 200.
"""
import threading
import urllib.parse
import uuid

import boto3

NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


def members(params, name):
    """The values of `name.member.N`, in order."""
    found = []
    n = 1
    while f"{name}.member.{n}" in params:
        found.append(params[f"{name}.member.{n}"])
        n += 1
    return found


def xml_list(name, values):
    return f"<{name}>" + "".join(f"<member>{v}</member>" for v in values) + f"</{name}>"


class ServiceManaged:
    def __init__(self, upstream):
        self.upstream = upstream
        self.lock = threading.Lock()
        self.access = "DISABLED"
        self.sets = {}  # name -> {"auto": bool, "ous": [...], "regions": [...]}

    # -- answered here, not forwarded

    def answer(self, action, params):
        """(status, body) for calls moto lacks, else None."""
        if action == "DescribeOrganizationsAccess":
            with self.lock:
                result = f"<Status>{self.access}</Status>"
        elif action == "ActivateOrganizationsAccess":
            with self.lock:
                self.access = "ENABLED"
            result = ""
        else:
            return None
        body = (f'<{action}Response xmlns="{NS}"><{action}Result>{result}</{action}Result>'
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>")
        return 200, body.encode()

    # -- forwarded, with the body or the answer completed

    def rewrite(self, action, params, body):
        """The body to forward: DeleteStackInstances by OU gets the OUs' accounts."""
        if action != "DeleteStackInstances":
            return body
        ous = members(params, "DeploymentTargets.OrganizationalUnitIds")
        if not ous or params.get("StackSetName") not in self.sets:
            return body
        extra = [(f"Accounts.member.{i + 1}", a) for i, a in enumerate(self.accounts_of(ous))]
        return body + (b"&" if body else b"") + urllib.parse.urlencode(extra).encode() if extra else body

    def seen(self, action, params, status, data):
        """Records what moto accepted and completes DescribeStackSet; returns the answer body to send."""
        name = params.get("StackSetName")
        if status != 200:
            return data
        with self.lock:
            if action == "CreateStackSet" and params.get("PermissionModel") == "SERVICE_MANAGED":
                self.sets[name] = {"auto": params.get("AutoDeployment.Enabled") == "true", "ous": [], "regions": []}
            elif action == "CreateStackInstances" and name in self.sets:
                record = self.sets[name]
                record["ous"] += [o for o in members(params, "DeploymentTargets.OrganizationalUnitIds") if o not in record["ous"]]
                record["regions"] += [r for r in members(params, "Regions") if r not in record["regions"]]
            elif action == "DeleteStackInstances" and name in self.sets:
                self.forget(self.sets[name], members(params, "DeploymentTargets.OrganizationalUnitIds"), members(params, "Regions"))
            elif action == "DeleteStackSet":
                self.sets.pop(name, None)
            elif action == "DescribeStackSet" and name in self.sets:
                return self.complete(self.sets[name], data)
        return data

    @staticmethod
    def forget(record, ous, regions):
        """OUs deleted in every region they have go; regions deleted for every OU go."""
        if set(record["regions"]) <= set(regions):
            record["ous"] = [o for o in record["ous"] if o not in ous]
        if set(record["ous"]) <= set(ous) or not record["ous"]:
            record["regions"] = [r for r in record["regions"] if r not in regions]
        if not record["ous"]:
            record["regions"] = []

    @staticmethod
    def complete(record, data):
        text = data.decode()
        if "<OrganizationalUnitIds>" in text or "</StackSet>" not in text:
            return data
        auto = ("<AutoDeployment><Enabled>%s</Enabled><RetainStacksOnAccountRemoval>false</RetainStacksOnAccountRemoval>"
                "</AutoDeployment>" % ("true" if record["auto"] else "false"))
        added = auto + xml_list("OrganizationalUnitIds", record["ous"]) + xml_list("Regions", record["regions"])
        return text.replace("</StackSet>", added + "</StackSet>", 1).encode()

    def accounts_of(self, ous):
        """The accounts of `ous` and of their child OUs (one level), from moto's Organizations API."""
        org = boto3.client("organizations", endpoint_url=self.upstream, region_name="us-east-1",
                           aws_access_key_id="proxy", aws_secret_access_key="proxy")
        found = []
        for ou in ous:
            parents = [ou] + [c["Id"] for c in org.list_children(ParentId=ou, ChildType="ORGANIZATIONAL_UNIT")["Children"]]
            for parent in parents:
                found += [a["Id"] for a in org.list_accounts_for_parent(ParentId=parent)["Accounts"] if a["Id"] not in found]
        return found
