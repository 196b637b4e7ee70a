import Foundation
import TestSupport
import XCTest

/// `deploy`, `status` and `destroy` of a layout with `source: eventbridge` (and `both`), as the built CLI
/// against moto_server behind the fault proxy. moto keeps no deployment targets of service-managed
/// StackSets and lacks the trusted-access calls: the proxy supplies them (scripts/proxy_servicemanaged.py),
/// and moto creates the member instances from its own Organizations data, set up here.
final class EventBridgeDeployTests: XCTestCase {
    var peers: Peers!
    /// Two member accounts in one OU; filled by `setUp`.
    var organizationalUnit = ""
    var members: [String] = []

    override func setUp() async throws {
        peers = try await Peers.start()
        (organizationalUnit, members) = try peers.organizationWithOneOU()
    }

    override func tearDown() {
        peers?.stop()
    }

    func eventBridgeLayout(source: String = "eventbridge", regions: [String] = ["ap-northeast-1", "us-east-1"], name: String = "eb.yaml") throws -> String {
        try writeLayout(peers, regions: regions, portfolios: false, extra: "source: \(source)\norganizationalUnits: [\(organizationalUnit)]\n", name: name)
    }

    func deploy(_ layout: String, _ extra: [String] = []) throws -> CLIRun {
        try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--poll-interval", "0.1"] + extra, environment: peers.environment)
    }

    /// `[account/region]` of the member StackSet's instances.
    func memberInstances() throws -> [String] {
        let out = try peers.moto.boto3("""
            cf = client('cloudformation')
            try:
                print(json.dumps(sorted(s['Account'] + '/' + s['Region'] for s in cf.list_stack_instances(StackSetName='catalogwatch-receive-members')['Summaries'])))
            except cf.exceptions.StackSetNotFoundException:
                print('[]')
            """)
        return try XCTUnwrap(try parseJSON(out.trimmingCharacters(in: .whitespacesAndNewlines)) as? [String])
    }

    func testDeployCreatesTheCentralBusTheForwardingRulesAndTheMemberStackSet() async throws {
        let layout = try eventBridgeLayout()
        let first = try deploy(layout, ["--create-bucket"])
        XCTAssertEqual(first.status, 0, first.all)
        XCTAssertTrue(first.stdout.contains("plan: member StackSet catalogwatch-receive-members (service-managed, auto-deployment, \(organizationalUnit) × ap-northeast-1, us-east-1): turn on trusted access for StackSets in the organization; create; add \(organizationalUnit) in ap-northeast-1, us-east-1"), first.stdout)
        XCTAssertTrue(first.stdout.contains("plan: constraints: source eventbridge needs none"), first.stdout)
        XCTAssertFalse(first.stdout.contains("launch-role-notifications"), "no launch-role to-do without notification constraints: \(first.stdout)")
        // The management account: central bus and rule in the main region, a forwarding rule in every region.
        let management = try peers.moto.boto3("""
            ev = client('events')
            bus = ev.describe_event_bus(Name='catalogwatch-events')['Name']
            rule = ev.describe_rule(Name='catalogwatch-stack-failures', EventBusName='catalogwatch-events')
            targets = ev.list_targets_by_rule(Rule='catalogwatch-stack-failures', EventBusName='catalogwatch-events')['Targets']
            forwards = [client('events', r).describe_rule(Name='catalogwatch-forward-stack-failures')['State'] for r in ('ap-northeast-1', 'us-east-1')]
            print(json.dumps({'bus': bus, 'pattern': json.loads(rule['EventPattern']), 'target': targets[0]['Arn'],
                              'retry': targets[0]['RetryPolicy'], 'dlq': targets[0]['DeadLetterConfig']['Arn'], 'forwards': forwards}))
            """)
        let found = try XCTUnwrap(try parseJSON(management) as? [String: Any])
        XCTAssertEqual(found["bus"] as? String, "catalogwatch-events")
        XCTAssertEqual(found["target"] as? String, "arn:aws:lambda:ap-northeast-1:123456789012:function:catalogwatch-filter")
        XCTAssertEqual(found["dlq"] as? String, "arn:aws:sqs:ap-northeast-1:123456789012:catalogwatch-eventrule-dlq")
        XCTAssertEqual((found["retry"] as? [String: Any])?["MaximumEventAgeInSeconds"] as? Int, 86400)
        XCTAssertEqual(found["forwards"] as? [String], ["ENABLED", "ENABLED"])
        XCTAssertEqual((found["pattern"] as? [String: Any])?["detail-type"] as? [String], ["CloudFormation Stack Status Change"])
        // The member accounts: one instance per account and region, and the rule really there.
        XCTAssertEqual(try memberInstances(), members.flatMap { a in ["\(a)/ap-northeast-1", "\(a)/us-east-1"] }.sorted())
        let memberRule = try peers.moto.boto3("""
            ev = member('events', 'us-east-1', '\(members[0])')
            rule = ev.describe_rule(Name='catalogwatch-forward-stack-failures')
            target = ev.list_targets_by_rule(Rule='catalogwatch-forward-stack-failures')['Targets'][0]
            print(target['Arn'], 'RoleArn' in target)
            """)
        XCTAssertEqual(memberRule.trimmingCharacters(in: .whitespacesAndNewlines), "arn:aws:events:ap-northeast-1:123456789012:event-bus/catalogwatch-events True")
        // The member StackSet's wire parameters: service-managed, auto-deployment, targets by OU.
        let requests = try await peers.requests(reset: true)
        let create = try XCTUnwrap(requests.first { $0["action"] as? String == "CreateStackSet" && ($0["params"] as? [String: Any])?["PermissionModel"] as? String == "SERVICE_MANAGED" })
        let createParams = try XCTUnwrap(create["params"] as? [String: Any])
        XCTAssertEqual(createParams["AutoDeployment.Enabled"] as? String, "true")
        XCTAssertEqual(createParams["AutoDeployment.RetainStacksOnAccountRemoval"] as? String, "false")
        let instances = try XCTUnwrap(requests.first { ($0["params"] as? [String: Any])?["DeploymentTargets.OrganizationalUnitIds.member.1"] != nil })
        XCTAssertEqual(instances["action"] as? String, "CreateStackInstances")
        let instanceParams = try XCTUnwrap(instances["params"] as? [String: Any])
        XCTAssertEqual(instanceParams["OperationPreferences.FailureTolerancePercentage"] as? String, "10")
        XCTAssertEqual(instanceParams["OperationPreferences.RegionOrder.member.1"] as? String, "ap-northeast-1")
        XCTAssertNil(instanceParams["Accounts.member.1"], "service-managed instances are targeted by OU")
        for r in requests {
            XCTAssertEqual(r["signatureValid"] as? Bool, true, "\(r)")
            XCTAssertEqual((r["modelErrors"] as? [Any])?.count ?? 0, 0, "\(r)")
        }

        let second = try deploy(layout)
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertTrue(second.stdout.contains("done: nothing to change"), second.stdout)
        XCTAssertTrue(second.stdout.contains("member StackSet catalogwatch-receive-members (service-managed, auto-deployment): unchanged"), second.stdout)
    }

    func testAChangedTemplateUpdatesTheMemberInstancesByOUWithoutAutoDeployment() async throws {
        XCTAssertEqual(try deploy(try eventBridgeLayout(), ["--create-bucket"]).status, 0)
        _ = try await peers.requests(reset: true)
        let tagged = try writeLayout(peers, regions: ["ap-northeast-1", "us-east-1"], portfolios: false,
                                     extra: "source: eventbridge\norganizationalUnits: [\(organizationalUnit)]\ntags: {owner: platform}\n", name: "tagged.yaml")
        let run = try deploy(tagged)
        XCTAssertEqual(run.status, 0, run.all)
        let requests = try await peers.requests()
        let update = try XCTUnwrap(requests.first {
            $0["action"] as? String == "UpdateStackSet" && ($0["params"] as? [String: Any])?["StackSetName"] as? String == "catalogwatch-receive-members"
        }?["params"] as? [String: Any])
        // AWS refuses AutoDeployment together with DeploymentTargets or Regions.
        XCTAssertEqual(update["DeploymentTargets.OrganizationalUnitIds.member.1"] as? String, organizationalUnit)
        XCTAssertEqual(update["Regions.member.1"] as? String, "ap-northeast-1")
        XCTAssertNil(update["AutoDeployment.Enabled"])
        XCTAssertEqual(update["Tags.member.1.Key"] as? String, "owner")
    }

    func testStatusReportsTheBusTheRulesAndTheMemberInstances() async throws {
        let layout = try eventBridgeLayout()
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        // moto's CloudFormation skips AWS::Events::EventBusPolicy (and leaves the e-mail subscription out):
        // put the statement the template holds, as AWS would, so status sees the policy.
        _ = try peers.moto.boto3("""
            client('events').put_permission(EventBusName='catalogwatch-events', Policy=json.dumps({'Version': '2012-10-17', 'Statement': [{
                'Sid': 'OrganizationPutsStackEvents', 'Effect': 'Allow', 'Principal': '*', 'Action': 'events:PutEvents',
                'Resource': 'arn:aws:events:ap-northeast-1:123456789012:event-bus/catalogwatch-events',
                'Condition': {'StringEquals': {'aws:PrincipalOrgID': 'o-exampleorg1'}}}]}))
            """)
        let status = try catalogwatch(["status", "--layout", layout, "--format", "json"], environment: peers.environment)
        let report = try XCTUnwrap(try parseJSON(status.stdout.components(separatedBy: "\n").last { $0.hasPrefix("{\"account\"") } ?? "") as? [String: Any])
        let eventBridge = try XCTUnwrap(report["eventBridge"] as? [String: Any], status.all)
        XCTAssertEqual(eventBridge["busStatus"] as? String, "present")
        XCTAssertEqual(eventBridge["busAdmitsOrganization"] as? Bool, true)
        XCTAssertEqual(eventBridge["rule"] as? String, "ENABLED")
        XCTAssertEqual(eventBridge["ruleTargets"] as? Int, 1)
        XCTAssertEqual(eventBridge["organizationsAccess"] as? String, "ENABLED")
        XCTAssertEqual((eventBridge["memberInstances"] as? [String: Any])?["CURRENT"] as? Int, 4)
        let sets = try XCTUnwrap(report["stackSets"] as? [[String: Any]])
        let regions = try XCTUnwrap(sets.first?["instances"] as? [[String: Any]])
        XCTAssertEqual(regions.map { $0["forwardRule"] as? String }, ["ENABLED", "ENABLED"])
        XCTAssertTrue(regions.allSatisfy { $0["receiveTopic"] is NSNull }, "no receive topics with source eventbridge")

        // The central rule goes: status says so and exits non-zero.
        _ = try peers.moto.boto3("""
            ev = client('events')
            ev.remove_targets(Rule='catalogwatch-stack-failures', EventBusName='catalogwatch-events', Ids=['filter'])
            ev.delete_rule(Name='catalogwatch-stack-failures', EventBusName='catalogwatch-events')
            """)
        let degraded = try catalogwatch(["status", "--layout", layout], environment: peers.environment)
        XCTAssertNotEqual(degraded.status, 0, degraded.all)
        XCTAssertTrue(degraded.stdout.contains("central rule: MISSING"), degraded.stdout)
    }

    func testDestroyRemovesTheMemberStackSetFirst() async throws {
        let layout = try eventBridgeLayout()
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        _ = try await peers.requests(reset: true)
        let run = try catalogwatch(["destroy", "--layout", layout, "--yes", "--poll-interval", "0.1"], environment: peers.environment)
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertEqual(try memberInstances(), [])
        let deletes = try await peers.requests().filter { ["DeleteStackInstances", "DeleteStackSet"].contains($0["action"] as? String) }
            .map { "\($0["action"] as? String ?? "") \(($0["params"] as? [String: Any])?["StackSetName"] as? String ?? "")" }
        XCTAssertEqual(Array(deletes.prefix(2)), ["DeleteStackInstances catalogwatch-receive-members", "DeleteStackSet catalogwatch-receive-members"],
                       "members first: no account forwards to a bus about to go")
        XCTAssertTrue(deletes.contains("DeleteStackSet catalogwatch-receive"), "\(deletes)")
    }

    func testEventBridgeIsRefusedWhileConstraintsStillPointAtTheReceiveTopics() async throws {
        let both = try writeLayout(peers, regions: ["ap-northeast-1", "us-east-1"], extra: "source: both\norganizationalUnits: [\(organizationalUnit)]\n", name: "both.yaml")
        XCTAssertEqual(try deploy(both, ["--create-bucket"]).status, 0)
        let onlyEvents = try writeLayout(peers, regions: ["ap-northeast-1", "us-east-1"], extra: "source: eventbridge\norganizationalUnits: [\(organizationalUnit)]\n", name: "eb-portfolios.yaml")
        _ = try await peers.requests(reset: true)
        let refused = try deploy(onlyEvents)
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.stderr.contains("still point at the receive topics"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("catalogwatch constraints remove"), refused.stderr)
        let afterRefusal = peers.actions(try await peers.requests())
        XCTAssertEqual(afterRefusal.filter { ["UpdateStackSet", "DeleteStackInstances"].contains($0) }, [])

        let removed = try catalogwatch(["constraints", "remove", "--layout", both], environment: peers.environment)
        XCTAssertEqual(removed.status, 0, removed.all)
        let moved = try deploy(onlyEvents)
        XCTAssertEqual(moved.status, 0, moved.all)
        // moto's UpdateStackSet keeps the instances' stacks as they were, so the StackSet's template is what shows the move.
        XCTAssertTrue(moved.stdout.contains("update every instance (template"), moved.stdout)
        let body = try peers.moto.boto3("print('ReceiveTopic:' in client('cloudformation').describe_stack_set(StackSetName='catalogwatch-receive')['StackSet']['TemplateBody'])")
        XCTAssertEqual(body.trimmingCharacters(in: .whitespacesAndNewlines), "False", "the receive topic leaves the alert stack")
    }
}

/// A layout with routes, tags, a permissions boundary, a role path and a generated KMS key, deployed into moto.
final class GuardrailDeployTests: XCTestCase {
    var peers: Peers!

    override func setUp() async throws { peers = try await Peers.start() }
    override func tearDown() { peers?.stop() }

    func testTheGuardrailedLayoutDeploysWithTagsBoundaryPathAndKey() async throws {
        let extra = """
            routeTags: [team]
            routes:
              - name: payments
                email: payments-oncall@example.com
                match: {tags: {team: [payments]}}
            tags: {cost-center: "1234", owner: platform}
            permissionsBoundary: arn:aws:iam::123456789012:policy/landing-zone-boundary
            rolePath: /platform/
            encryption: {kms: generate}

            """
        let layout = try writeLayout(peers, regions: ["ap-northeast-1", "us-east-1"], portfolios: false, extra: extra, name: "guarded.yaml")
        let run = try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--poll-interval", "0.1", "--create-bucket"],
                                   environment: peers.environment)
        XCTAssertEqual(run.status, 0, run.all)
        let requests = try await peers.requests()
        let create = try XCTUnwrap(requests.first { $0["action"] as? String == "CreateStackSet" }?["params"] as? [String: Any])
        XCTAssertEqual(create["Tags.member.1.Key"] as? String, "cost-center")
        XCTAssertEqual(create["Tags.member.2.Value"] as? String, "platform")
        XCTAssertEqual(create["AdministrationRoleARN"] as? String, "arn:aws:iam::123456789012:role/platform/CatalogWatchStackSetAdministration")
        for r in requests { XCTAssertEqual((r["modelErrors"] as? [Any])?.count ?? 0, 0, "\(r)") }
        // What the roles stack and the StackSet created in the account (moto builds the instance stacks' resources).
        let found = try peers.moto.boto3("""
            iam = client('iam')
            role = iam.get_role(RoleName='catalogwatch-filter')['Role']
            aliases = [a['AliasName'] for a in client('kms').list_aliases()['Aliases']]
            topics = client('sns').list_topics()['Topics']
            send = [t['TopicArn'] for t in topics if t['TopicArn'].endswith(':catalogwatch-alerts')][0]
            attrs = client('sns').get_topic_attributes(TopicArn=send)['Attributes']
            print(json.dumps({'path': role['Path'], 'boundary': role.get('PermissionsBoundary', {}).get('PermissionsBoundaryArn'),
                              'alias': 'alias/catalogwatch-alerts' in aliases, 'kms': attrs.get('KmsMasterKeyId', '')}))
            """)
        let state = try XCTUnwrap(try parseJSON(found) as? [String: Any])
        XCTAssertEqual(state["path"] as? String, "/platform/")
        XCTAssertEqual(state["boundary"] as? String, "arn:aws:iam::123456789012:policy/landing-zone-boundary")
        XCTAssertEqual(state["alias"] as? Bool, true)
        XCTAssertTrue((state["kms"] as? String)?.contains(":key/") == true, "\(state)")

        let second = try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--poll-interval", "0.1"], environment: peers.environment)
        XCTAssertTrue(second.stdout.contains("done: nothing to change"), second.stdout)
    }
}
