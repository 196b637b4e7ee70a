import Foundation
import TestSupport
import XCTest

/// `deploy`, `status`, `destroy` and `constraints`, run as the built CLI against moto_server (behind the
/// fault proxy) and the Service Catalog fixture.
final class DeployCommandTests: XCTestCase {
    var peers: Peers!

    override func setUp() async throws {
        peers = try await Peers.start()
    }

    override func tearDown() {
        peers?.stop()
    }

    /// Calls that change an account (CreateChangeSet is left out: making one only looks).
    static let mutating: Set<String> = [
        "ExecuteChangeSet", "DeleteStack", "CreateStackSet", "UpdateStackSet", "DeleteStackSet", "CreateStackInstances",
        "UpdateStackInstances", "DeleteStackInstances", "PUT /", "CreateConstraint", "DeleteConstraint",
    ]

    func mutatingCalls(_ requests: [[String: Any]]) -> [String] {
        peers.actions(requests).filter { action in Self.mutating.contains { action.hasPrefix($0) } }
    }

    func deploy(_ layout: String, _ extra: [String] = []) throws -> CLIRun {
        try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--poll-interval", "0.1"] + extra, environment: peers.environment)
    }

    func assertEveryRequestWasSignedAndValid() async throws {
        for r in try await peers.requests() {
            XCTAssertEqual(r["signatureValid"] as? Bool, true, "\(r)")
            XCTAssertEqual((r["modelErrors"] as? [Any])?.count ?? 0, 0, "\(r)")
        }
        for r in try await peers.catalogRequests() {
            XCTAssertEqual((r["modelErrors"] as? [Any])?.count ?? 0, 0, "\(r)")
        }
    }

    func testDeployCreatesEverythingAndASecondDeployChangesNothing() async throws {
        let layout = try writeLayout(peers)
        let first = try deploy(layout, ["--create-bucket"])
        XCTAssertEqual(first.status, 0, first.all)
        XCTAssertTrue(first.stdout.contains("plan: StackSet catalogwatch-receive (sequential, order ap-northeast-1 > us-east-1 > eu-west-1): create; add ap-northeast-1, us-east-1, eu-west-1"), first.stdout)
        for region in ["ap-northeast-1", "us-east-1", "eu-west-1"] {
            XCTAssertTrue(first.stdout.contains("[\(region)] catalogwatch-receive: SUCCEEDED"), first.stdout)
        }
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1", "us-east-1"])
        let roles = try peers.moto.boto3("print(client('cloudformation').describe_stacks(StackName='catalogwatch-stackset-roles')['Stacks'][0]['StackStatus'])")
        XCTAssertEqual(roles.trimmingCharacters(in: .whitespacesAndNewlines), "CREATE_COMPLETE")
        // Constraints: added to the two Tokyo products; the US product's other notification constraint is left alone.
        let notifications = try await peers.constraints().filter { $0["Type"] as? String == "NOTIFICATION" }
        XCTAssertEqual(Set(notifications.compactMap { $0["ProductId"] as? String }), ["prod-aaaaaaaaaaaaa", "prod-bbbbbbbbbbbbb", "prod-ccccccccccccc"])
        XCTAssertTrue(first.stdout.contains("arn:aws:iam::123456789012:role/sc-launch-orders"), "launch role listed: \(first.stdout)")
        XCTAssertTrue(first.stdout.contains("warning: static-site (prod-ccccccccccccc)"), first.stdout)
        try await assertEveryRequestWasSignedAndValid()
        _ = try await peers.requests(reset: true)
        let catalogBefore = try await peers.catalogRequests().count

        let second = try deploy(layout)
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertTrue(second.stdout.contains("done: nothing to change"), second.stdout)
        let calls = mutatingCalls(try await peers.requests())
        XCTAssertEqual(calls, [])
        let catalogAfter = try await peers.catalogRequests()
        XCTAssertFalse(catalogAfter.dropFirst(catalogBefore).contains { $0["operation"] as? String == "CreateConstraint" })
    }

    func testDryRunChangesNothing() async throws {
        let run = try deploy(try writeLayout(peers), ["--dry-run"])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertTrue(run.stdout.contains("plan: create bucket catalogwatch-artifacts-123456789012"), run.stdout)
        XCTAssertTrue(run.stdout.contains("plan: roles stack catalogwatch-stackset-roles: create"), run.stdout)
        XCTAssertTrue(run.stdout.contains("plan: constraint ap-northeast-1 port-tokyo00000001 orders-db (prod-aaaaaaaaaaaaa): add notification constraint"), run.stdout)
        XCTAssertTrue(run.stdout.contains("done: dry run: nothing was changed"), run.stdout)
        let actions = peers.actions(try await peers.requests())
        let calls = mutatingCalls(try await peers.requests())
        XCTAssertEqual(calls, [])
        XCTAssertFalse(actions.contains("CreateChangeSet"), "\(actions)")
        let fetched1 = try await peers.constraints()
        XCTAssertEqual(fetched1.filter { $0["Type"] as? String == "NOTIFICATION" }.count, 1)
    }

    func testAMissingBucketIsAnErrorWithTheExactFix() async throws {
        let run = try deploy(try writeLayout(peers))
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stderr.contains("artifact bucket catalogwatch-artifacts-123456789012 does not exist in ap-northeast-1"), run.stderr)
        XCTAssertTrue(run.stderr.contains("aws s3api create-bucket --bucket catalogwatch-artifacts-123456789012 --region ap-northeast-1 --create-bucket-configuration LocationConstraint=ap-northeast-1"), run.stderr)
        let calls = mutatingCalls(try await peers.requests())
        XCTAssertEqual(calls, [])
    }

    func testADroppedRegionIsRemovedOnlyWithYes() async throws {
        XCTAssertEqual(try deploy(try writeLayout(peers), ["--create-bucket"]).status, 0)
        let smaller = try writeLayout(peers, regions: ["ap-northeast-1", "eu-west-1"], name: "smaller.yaml")
        let refused = try deploy(smaller)
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.stderr.contains("not confirmed: remove catalogwatch-receive instances in us-east-1; re-run with --yes"), refused.stderr)
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1", "us-east-1"])
        let allowed = try deploy(smaller, ["--yes"])
        XCTAssertEqual(allowed.status, 0, allowed.all)
        XCTAssertTrue(allowed.stdout.contains("[us-east-1] catalogwatch-receive: SUCCEEDED"), allowed.stdout)
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1"])
    }

    func testAChangedParameterUpdatesOnlyTheRegionsThatStay() async throws {
        XCTAssertEqual(try deploy(try writeLayout(peers, portfolios: false), ["--create-bucket"]).status, 0)
        _ = try await peers.requests(reset: true)
        let changed = try writeLayout(peers, regions: ["ap-northeast-1", "eu-west-1"], portfolios: false, extra: "logRetentionDays: 30", name: "changed.yaml")
        let run = try deploy(changed, ["--yes"])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertTrue(run.stdout.contains("update every instance (template, parameter LogRetentionDays); remove us-east-1"), run.stdout)
        let requests = try await peers.requests()
        let update = try XCTUnwrap(requests.first { $0["action"] as? String == "UpdateStackSet" })
        let params = try XCTUnwrap(update["params"] as? [String: Any])
        XCTAssertEqual(params["Accounts.member.1"] as? String, "123456789012")
        XCTAssertEqual([params["Regions.member.1"], params["Regions.member.2"], params["Regions.member.3"]].map { $0 as? String },
                       ["ap-northeast-1", "eu-west-1", nil], "the region about to go is not updated")
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1"])
    }

    func testAnInterruptedFirstDeployIsFinishedByTheNextOne() async throws {
        let layout = try writeLayout(peers, portfolios: false)
        try await peers.fault([["service": "cloudformation", "action": "ExecuteChangeSet", "responses": [
            ["status": 403, "code": "AccessDenied", "message": "not now"],
        ]]])
        let stopped = try deploy(layout, ["--create-bucket"])
        XCTAssertEqual(stopped.status, 1, stopped.all)
        let review = try peers.moto.boto3("print(client('cloudformation').describe_stacks(StackName='catalogwatch-stackset-roles')['Stacks'][0]['StackStatus'])")
        XCTAssertEqual(review.trimmingCharacters(in: .whitespacesAndNewlines), "REVIEW_IN_PROGRESS", "the change set was made, not executed")
        let again = try deploy(layout, ["--timeout", "10m"])
        XCTAssertEqual(again.status, 0, again.all)
        XCTAssertTrue(again.stdout.contains("plan: roles stack catalogwatch-stackset-roles: create"), again.stdout)
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1", "us-east-1"])
    }

    func testSwitchingRolloutRetiresTheFormerStackSetFirst() async throws {
        XCTAssertEqual(try deploy(try writeLayout(peers, portfolios: false), ["--create-bucket"]).status, 0)
        let parallel = try writeLayout(peers, rollout: "main-then-parallel", portfolios: false, name: "parallel.yaml")
        let refused = try deploy(parallel)
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.stderr.contains("delete StackSet catalogwatch-receive and its instances in eu-west-1, us-east-1, ap-northeast-1"), refused.stderr)
        let run = try deploy(parallel, ["--yes", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.all)
        let events = try run.stdout.split(separator: "\n").map { try jsonObject(String($0)) }
        XCTAssertEqual(events.first?["event"] as? String, "step", "credentials line first")
        let steps = events.filter { $0["event"] as? String == "step" }.compactMap { $0["message"] as? String }
        let retired = try XCTUnwrap(steps.firstIndex { $0.hasPrefix("DeleteStackInstances catalogwatch-receive:") }, "\(steps)")
        let created = try XCTUnwrap(steps.firstIndex { $0 == "create StackSet catalogwatch-receive-main" }, "\(steps)")
        XCTAssertLessThan(retired, created, "the old StackSet goes before the new one is made")
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), [])
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive-main"), ["ap-northeast-1"])
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive-regions"), ["eu-west-1", "us-east-1"])
        XCTAssertEqual(events.last?["event"] as? String, "todo")
    }

    func testOperationInProgressAndThrottlingAreWaitedOut() async throws {
        let layout = try writeLayout(peers)
        try await peers.fault([
            ["service": "cloudformation", "action": "CreateStackInstances", "responses": [
                ["status": 400, "code": "OperationInProgressException", "message": "Another Operation on StackSet catalogwatch-receive is in progress"],
                ["status": 400, "code": "OperationInProgressException", "message": "Another Operation on StackSet catalogwatch-receive is in progress"],
            ]],
            ["service": "cloudformation", "action": "DescribeStackSet", "responses": Array(repeating: ["status": 400, "code": "Throttling", "message": "Rate exceeded"], count: 7)],
        ])
        let run = try deploy(layout, ["--create-bucket"])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertTrue(run.stdout.contains("wait: CreateStackInstances catalogwatch-receive: OperationInProgressException; retrying in 0.1 s"), run.stdout)
        let attempts = try await peers.requests().filter { $0["action"] as? String == "CreateStackInstances" }
        XCTAssertEqual(attempts.count, 3)
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1", "us-east-1"])
    }

    func testAFailedRegionNamesAccountRegionReasonAndTheCancelledRegions() async throws {
        let reason = "ResourceLogicalId:ReceiveTopic, ResourceType:AWS::SNS::Topic, ResourceStatusReason:Topic already exists with different tags."
        try await peers.fault([
            ["service": "cloudformation", "action": "DescribeStackSetOperation", "repeat": true, "responses": [["status": 200, "body": """
                <DescribeStackSetOperationResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackSetOperationResult><StackSetOperation>\
                <OperationId>${OperationId}</OperationId><Action>CREATE</Action><Status>FAILED</Status>\
                <StatusReason>The Operation ${OperationId} has failed to reach the failure tolerance threshold.</StatusReason>\
                </StackSetOperation></DescribeStackSetOperationResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStackSetOperationResponse>
                """]]],
            ["service": "cloudformation", "action": "ListStackSetOperationResults", "repeat": true, "responses": [["status": 200, "body": """
                <ListStackSetOperationResultsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackSetOperationResultsResult><Summaries>\
                <member><Account>123456789012</Account><Region>ap-northeast-1</Region><Status>SUCCEEDED</Status></member>\
                <member><Account>123456789012</Account><Region>us-east-1</Region><Status>FAILED</Status><StatusReason>\(reason)</StatusReason></member>\
                <member><Account>123456789012</Account><Region>eu-west-1</Region><Status>CANCELLED</Status><StatusReason>Cancelled since failure tolerance has exceeded</StatusReason></member>\
                </Summaries></ListStackSetOperationResultsResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ListStackSetOperationResultsResponse>
                """]]],
        ])
        let run = try deploy(try writeLayout(peers), ["--create-bucket"])
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stderr.contains("StackSet catalogwatch-receive: CreateStackInstances failed"), run.stderr)
        XCTAssertTrue(run.stderr.contains("account 123456789012, region us-east-1: FAILED: \(reason)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("cancelled after the failure, not attempted: eu-west-1"), run.stderr)
        XCTAssertTrue(run.stdout.contains("[us-east-1] catalogwatch-receive: FAILED: \(reason)"), run.stdout)
        let fetched2 = try await peers.catalogRequests()
        XCTAssertFalse(fetched2.contains { $0["operation"] as? String == "CreateConstraint" }, "no constraint after a failed rollout")
    }

    func testExpiredCredentialsAreFetchedAgainMidRun() async throws {
        let config = #"{"container": {"authorization": "container-token"}, "credentials": {"AccessKeyId": "ASIAMOCK", "SecretAccessKey": "mock-secret", "Token": "mock-session-token", "rotateEachFetch": true}}"#
        let endpoints = try ScriptServer(script: "scripts/credential_endpoints.py", arguments: ["--config", config, "--timeout", "600"])
        defer { endpoints.stop() }
        let keys: [[String: Any]] = (0..<4).map { ["accessKeyId": "ASIAMOCKECS\($0)", "secretAccessKey": "mock-secret-\($0)", "sessionToken": "mock-session-token-\($0)"] }
        _ = try await peers.proxy.postJSON("/__credentials", keys)
        _ = try await peers.proxy.postJSON("/__expire", ["accessKeyId": "ASIAMOCKECS0", "after": 6])
        var environment = peers.environment
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        environment["AWS_ENDPOINT_URL_SERVICE_CATALOG"] = nil
        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoints.url + "/container/credentials"
        environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-token"
        let layout = try writeLayout(peers, portfolios: false)
        let run = try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--create-bucket", "--poll-interval", "0.1"], environment: environment)
        XCTAssertEqual(run.status, 0, run.all)
        let requests = try await peers.requests()
        XCTAssertTrue(requests.contains { $0["accessKeyId"] as? String == "ASIAMOCKECS0" && $0["code"] as? String == "ExpiredToken" }, "the first key expired mid-run")
        XCTAssertTrue(requests.contains { $0["accessKeyId"] as? String == "ASIAMOCKECS1" && ($0["status"] as? Int) == 200 }, "the next key was used")
        XCTAssertFalse(run.all.contains("mock-secret") || run.all.contains("mock-session-token") || run.all.contains("container-token"), run.all)
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), ["ap-northeast-1", "eu-west-1", "us-east-1"])
    }

    func testDestroyRemovesConstraintsFirstAndTheMainRegionLast() async throws {
        let layout = try writeLayout(peers)
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        _ = try await peers.requests(reset: true)
        let run = try catalogwatch(["destroy", "--layout", layout, "--yes", "--poll-interval", "0.1"], environment: peers.environment)
        XCTAssertEqual(run.status, 0, run.all)
        let requests = try await peers.requests()
        let delete = try XCTUnwrap(requests.first { $0["action"] as? String == "DeleteStackInstances" })
        let query = try XCTUnwrap(delete["params"] as? [String: Any], "\(delete)")
        XCTAssertEqual(query["OperationPreferences.RegionOrder.member.3"] as? String, "ap-northeast-1", "main region last: \(query)")
        XCTAssertEqual(try peers.instanceRegions("catalogwatch-receive"), [])
        let ours = try await peers.constraints().filter { ($0["Parameters"] as? String ?? "").contains("catalogwatch-receive") }
        XCTAssertEqual(ours.count, 0, "the constraints CatalogWatch added are gone")
        let fetched3 = try await peers.constraints()
        XCTAssertEqual(fetched3.filter { $0["ConstraintId"] as? String == "cons-othernotifyccc" }.count, 1, "others' constraints stay")
        let roles = try peers.moto.boto3("""
            cf = client('cloudformation')
            print([s['StackStatus'] for s in cf.list_stacks()['StackSummaries'] if s['StackName'] == 'catalogwatch-stackset-roles'])
            """)
        XCTAssertTrue(roles.contains("DELETE_COMPLETE"), roles)
        let bucket = try peers.moto.boto3("client('s3').head_bucket(Bucket='catalogwatch-artifacts-123456789012'); print('kept')")
        XCTAssertTrue(bucket.contains("kept"))
    }

    func testDestroyWithTwoStackSetsRemovesTheParallelOneFirst() async throws {
        let layout = try writeLayout(peers, rollout: "main-then-parallel", portfolios: false)
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        _ = try await peers.requests(reset: true)
        let run = try catalogwatch(["destroy", "--layout", layout, "--yes", "--poll-interval", "0.1"], environment: peers.environment)
        XCTAssertEqual(run.status, 0, run.all)
        let order = run.stdout.split(separator: "\n").filter { $0.contains("DeleteStackInstances") }
        XCTAssertEqual(order.count, 2, run.stdout)
        XCTAssertTrue(order.first?.contains("catalogwatch-receive-regions") == true, "\(order)")
        XCTAssertTrue(order.last?.contains("catalogwatch-receive-main: ap-northeast-1") == true, "\(order)")
    }

    func testStatusIsHealthyThenDegraded() async throws {
        let layout = try writeLayout(peers, portfolios: false)
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        // moto skips AWS::SNS::Subscription: subscribe as the stack would (moto confirms e-mail at once).
        _ = try peers.moto.boto3("""
            client('sns').subscribe(TopicArn='arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts', Protocol='email', Endpoint='cloud-platform@example.com')
            """)
        let healthy = try catalogwatch(["status", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(healthy.status, 0, healthy.all)
        XCTAssertTrue(healthy.stdout.contains("  us-east-1: CURRENT (SUCCEEDED), receive topic present"), healthy.stdout)
        XCTAssertTrue(healthy.stdout.hasSuffix("healthy\n"), healthy.stdout)
        _ = try peers.moto.boto3("""
            sqs = client('sqs')
            sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName='catalogwatch-filter-dlq')['QueueUrl'], MessageBody='{}')
            """)
        let degraded = try catalogwatch(["status", "--layout", layout, "--format", "json"], environment: peers.environment)
        XCTAssertEqual(degraded.status, 1, degraded.all)
        let report = try jsonObject(degraded.stdout)
        XCTAssertEqual(report["healthy"] as? Bool, false)
        XCTAssertEqual(report["problems"] as? [String], ["catalogwatch-filter-dlq holds 1 message(s)"])
    }

    func testAPendingSubscriptionIsLeftToAHuman() async throws {
        let layout = try writeLayout(peers, portfolios: false)
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        // moto confirms e-mail at once; AWS answers PendingConfirmation until the link is clicked.
        try await peers.fault([["service": "sns", "action": "ListSubscriptionsByTopic", "repeat": true, "responses": [["status": 200, "body": """
            <ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult><Subscriptions>\
            <member><TopicArn>${TopicArn}</TopicArn><Protocol>email</Protocol><SubscriptionArn>PendingConfirmation</SubscriptionArn>\
            <Owner>123456789012</Owner><Endpoint>cloud-platform@example.com</Endpoint></member>\
            </Subscriptions></ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>
            """]]]])
        let again = try deploy(layout)
        XCTAssertEqual(again.status, 0, again.all)
        XCTAssertTrue(again.stdout.contains("to do: confirm the subscription: open the \"AWS Notification - Subscription Confirmation\" e-mail sent to cloud-platform@example.com"), again.stdout)
        let status = try catalogwatch(["status", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(status.status, 1, status.all)
        XCTAssertTrue(status.stdout.contains("e-mail subscription: pending confirmation"), status.stdout)
    }

    func testStatusWithDriftDetection() async throws {
        let layout = try writeLayout(peers, portfolios: false)
        XCTAssertEqual(try deploy(layout, ["--create-bucket"]).status, 0)
        try await peers.fault([
            ["service": "cloudformation", "action": "DetectStackSetDrift", "responses": [["status": 200, "body": """
                <DetectStackSetDriftResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DetectStackSetDriftResult>\
                <OperationId>${OperationId}</OperationId></DetectStackSetDriftResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DetectStackSetDriftResponse>
                """]]],
            ["service": "cloudformation", "action": "DescribeStackSetOperation", "repeat": true, "responses": [["status": 200, "body": """
                <DescribeStackSetOperationResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackSetOperationResult><StackSetOperation>\
                <OperationId>${OperationId}</OperationId><Action>DETECT_DRIFT</Action><Status>SUCCEEDED</Status>\
                </StackSetOperation></DescribeStackSetOperationResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStackSetOperationResponse>
                """]]],
            ["service": "cloudformation", "action": "ListStackSetOperationResults", "repeat": true, "responses": [["status": 200, "body": """
                <ListStackSetOperationResultsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackSetOperationResultsResult><Summaries>\
                <member><Account>123456789012</Account><Region>ap-northeast-1</Region><Status>SUCCEEDED</Status></member>\
                </Summaries></ListStackSetOperationResultsResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ListStackSetOperationResultsResponse>
                """]]],
            ["service": "cloudformation", "action": "DescribeStackSet", "repeat": true, "responses": [["status": 200, "body": """
                <DescribeStackSetResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackSetResult><StackSet>\
                <StackSetName>${StackSetName}</StackSetName><Status>ACTIVE</Status><TemplateBody>{}</TemplateBody>\
                <StackSetDriftDetectionDetails><DriftStatus>DRIFTED</DriftStatus><DriftDetectionStatus>COMPLETED</DriftDetectionStatus></StackSetDriftDetectionDetails>\
                </StackSet></DescribeStackSetResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeStackSetResponse>
                """]]],
        ])
        let run = try catalogwatch(["status", "--layout", layout, "--detect-drift", "--poll-interval", "0.1"], environment: peers.environment)
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stdout.contains("StackSet catalogwatch-receive: ACTIVE, drift DRIFTED"), run.stdout)
        XCTAssertTrue(run.stdout.contains("StackSet catalogwatch-receive has drifted"), run.stdout)
        let fetched4 = peers.actions(try await peers.requests())
        XCTAssertEqual(fetched4.filter { $0 == "DetectStackSetDrift" }.count, 1)
    }

    func testAnotherAccountIsStoppedBeforeAnyChange() async throws {
        let run = try deploy(try writeLayout(peers, account: "111122223333"), ["--create-bucket"])
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stderr.contains("the credentials are for account 123456789012"), run.stderr)
        XCTAssertTrue(run.stderr.contains("managementAccountId is 111122223333; nothing was changed"), run.stderr)
        let fetched5 = peers.actions(try await peers.requests())
        XCTAssertEqual(fetched5, ["GetCallerIdentity"])
    }

    func testMissingCredentialsAreOneSentence() async throws {
        var environment = peers.environment
        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let run = try catalogwatch(["deploy", "--layout", try writeLayout(peers), "--zip", try writeZip(peers)], environment: environment)
        XCTAssertEqual(run.status, 2, run.all)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("catalogwatch: no AWS credentials found: tried"), run.stderr)
        let fetched6 = try await peers.requests()
        XCTAssertEqual(fetched6.count, 0)
    }

    func testADeniedCallNamesAccountRegionAndPermission() async throws {
        try await peers.fault([["service": "cloudformation", "action": "CreateStackSet", "responses": [
            ["status": 403, "code": "AccessDenied", "message": "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:CreateStackSet"],
        ]]])
        let run = try deploy(try writeLayout(peers), ["--create-bucket", "--format", "json"])
        XCTAssertEqual(run.status, 1, run.all)
        XCTAssertTrue(run.stderr.contains("catalogwatch: CreateStackSet catalogwatch-receive failed in account 123456789012, region ap-northeast-1: AccessDenied"), run.stderr)
        let last = try jsonObject(String(try XCTUnwrap(run.stdout.split(separator: "\n").last)))
        XCTAssertEqual(last["event"] as? String, "failed")
        XCTAssertTrue((last["message"] as? String ?? "").contains("AccessDenied"), "\(last)")
        XCTAssertTrue(run.stderr.contains("(the caller lacks cloudformation:CreateStackSet)"), run.stderr)
    }

    func testConstraintsListAndApply() async throws {
        let layout = try writeLayout(peers)
        let before = try catalogwatch(["constraints", "list", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(before.status, 1, before.all)
        XCTAssertTrue(before.stdout.contains("ap-northeast-1 port-tokyo00000001 orders-db (prod-aaaaaaaaaaaaa): unwatched; launch roles: arn:aws:iam::123456789012:role/sc-launch-orders"), before.stdout)
        let apply = try catalogwatch(["constraints", "apply", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(apply.status, 0, apply.all)
        let again = try catalogwatch(["constraints", "apply", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(again.status, 0, again.all)
        let ours = try await peers.constraints().filter { ($0["Parameters"] as? String ?? "").contains("catalogwatch-receive") }
        XCTAssertEqual(ours.count, 2, "one per Tokyo product, none added twice")
        let after = try catalogwatch(["constraints", "list", "--layout", layout], environment: peers.environment)
        XCTAssertEqual(after.status, 1, "the US product keeps its other notification constraint: \(after.stdout)")
        XCTAssertTrue(after.stdout.contains("orders-db (prod-aaaaaaaaaaaaa): watched"), after.stdout)
        try await assertEveryRequestWasSignedAndValid()
    }
}
