import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AWSClient
import FilterCore
import FilterLambda
import TestSupport
import URLSessionTransport

// MARK: - moto_server fixtures of these tests

extension MotoServer {
    /// A topic in `region` of the function's account with an SQS queue subscribed (envelope delivery).
    func topicWithQueue(name: String, region: String = "ap-northeast-1") throws -> (topicArn: String, queueURL: String) {
        let output = try boto3("""
            sns = client('sns', '\(region)'); sqs = client('sqs', '\(region)')
            t = sns.create_topic(Name='\(name)')['TopicArn']
            q = sqs.create_queue(QueueName='\(name)')['QueueUrl']
            qa = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
            sns.subscribe(TopicArn=t, Protocol='sqs', Endpoint=qa)
            print(json.dumps({'topicArn': t, 'queueUrl': q}))
            """)
        let object = try jsonObject(output)
        guard let topic = object["topicArn"] as? String, let queue = object["queueUrl"] as? String else { throw TestFailure(output) }
        return (topic, queue)
    }

    /// Every message waiting in the queue (received and deleted), as SNS envelopes with `MessageAttributes`.
    func drain(queueURL: String, region: String = "ap-northeast-1") throws -> [[String: Any]] {
        let output = try boto3("""
            sqs = client('sqs', '\(region)'); out = []
            while True:
                ms = sqs.receive_message(QueueUrl='\(queueURL)', MaxNumberOfMessages=10, WaitTimeSeconds=0).get('Messages', [])
                if not ms: break
                for m in ms:
                    out.append(json.loads(m['Body']))
                    sqs.delete_message(QueueUrl='\(queueURL)', ReceiptHandle=m['ReceiptHandle'])
            print(json.dumps(out))
            """)
        guard let messages = try parseJSON(output) as? [[String: Any]] else { throw TestFailure(output) }
        return messages
    }

    /// Creates a stack in a member account (as a role assumed there), with `tags`, then updates it, so that it
    /// has events of two operations. Returns the stack id.
    func memberStack(name: String, account: String = "111122223333", region: String = "ap-northeast-1", tags: [String: String] = [:]) throws -> String {
        let tagList = try jsonText(tags.sorted { $0.key < $1.key }.map { ["Key": $0.key, "Value": $0.value] })
        let output = try boto3("""
            cf = member('cloudformation', '\(region)', '\(account)')
            one = {'Resources': {'Topic': {'Type': 'AWS::SNS::Topic'}}}
            two = {'Resources': {'Topic': {'Type': 'AWS::SNS::Topic'}, 'Queue': {'Type': 'AWS::SQS::Queue'}}}
            tags = json.loads('\(tagList)')
            sid = cf.create_stack(StackName='\(name)', TemplateBody=json.dumps(one), Tags=tags)['StackId']
            cf.update_stack(StackName='\(name)', TemplateBody=json.dumps(two), Tags=tags)
            print(json.dumps({'stackId': sid}))
            """)
        guard let id = try jsonObject(output)["stackId"] as? String else { throw TestFailure(output) }
        return id
    }
}

/// The moto_server of one test class (stopped in the class tearDown), with member stacks made once per
/// class: a stack name is unique per account and region.
final class ClassMoto: @unchecked Sendable {
    /// In an organization holding the member account, as the filter's management account is.
    private let shared = SharedMoto(organizationAccountIds: [Member.account])
    private let lock = NSLock()
    private var stackIds: [String: String] = [:]

    /// The class's moto_server, started on first use (XCTSkip without python3, boto3 or moto_server).
    func get() async throws -> MotoServer {
        _ = try Tools.requirePythonAWS()
        return try await shared.get()
    }

    /// The id of the member stack `name` (`MotoServer.memberStack`), created on the first call.
    func memberStack(_ name: String) async throws -> String {
        let moto = try await get()
        if let id = lock.withLock({ stackIds[name] }) { return id }
        let id = try moto.memberStack(name: name)
        lock.withLock { stackIds[name] = id }
        return id
    }

    func stop() {
        shared.stop()
        lock.withLock { stackIds = [:] }
    }
}

// MARK: - Service Catalog fixture

/// `scripts/servicecatalog_fixture.py`: Service Catalog from a fixture file, verifying SigV4.
final class CatalogFixture: @unchecked Sendable {
    let server: ScriptServer
    let directory: URL
    var endpoint: String { server.url }

    init(fixture: [String: Any], moto: MotoServer?) throws {
        let python = try Tools.requirePythonAWS()
        let directory = try Tools.temporaryDirectory()
        self.directory = directory
        let file = directory.appendingPathComponent("fixture.json")
        try Data(try jsonText(fixture).utf8).write(to: file)
        var arguments = ["--fixture", file.path, "--timeout", "600"]
        if let moto { arguments += ["--moto", moto.endpoint] }
        server = try ScriptServer(script: "scripts/servicecatalog_fixture.py", arguments: arguments, python: python)
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every request the fixture saw, in order.
    func requests() async throws -> [[String: Any]] { try await server.requests() }

    func requests(_ operation: String) async throws -> [[String: Any]] {
        try await requests().filter { $0["operation"] as? String == operation }
    }

    /// Scripts faults: `[["operation": ..., "id": ..., "responses": [...]]]`.
    func addFaults(_ faults: [[String: Any]]) async throws {
        try await server.postJSON("/__faults", faults)
    }
}

/// The member account, role and Service Catalog fixture used across the tests.
enum Member {
    /// The head of a one-region layout whose alert stack the end-to-end tests generate (the management
    /// account is moto's); each test adds its own keys after it.
    static var layoutHead: String {
        """
        mainRegion: \(region)
        regions:
          - \(region)
        organizationId: o-exampleorg1
        notificationEmail: ops@example.com
        managementAccountId: "\(MotoServer.defaultAccount)"
        lambdaCode:
          bucket: catalogwatch-artifacts-\(MotoServer.defaultAccount)
          key: catalogwatch/filter-x86_64.zip

        """
    }

    static let account = "111122223333"
    static let region = "ap-northeast-1"
    static let roleName = "CatalogWatchMember"
    static var roleArn: String { "arn:aws:iam::\(account):role/\(roleName)" }

    /// Provisioned product `pp-<suffix>` with its product, version and last record.
    static func fixture(provisionedProducts suffixes: [String] = ["abcdefghijklm"]) -> [String: Any] {
        var pps: [String: Any] = [:]
        var products: [String: Any] = [:]
        var artifacts: [String: Any] = [:]
        var records: [String: Any] = [:]
        for s in suffixes {
            pps["pp-\(s)"] = [
                "account": account, "region": region, "Name": "orders-db-\(s.prefix(3))", "ProductId": "prod-\(s)",
                "ProvisioningArtifactId": "pa-\(s)", "LastRecordId": "rec-\(s)", "Status": "TAINTED",
                "StatusMessage": "Update failed",
            ]
            products["prod-\(s)"] = ["account": account, "region": region, "Name": "Orders database", "Owner": "Platform team"]
            artifacts["pa-\(s)"] = ["account": account, "region": region, "ProductId": "prod-\(s)", "Name": "v2.1", "Description": "Adds a read replica"]
            records["rec-\(s)"] = [
                "account": account, "region": region, "Status": "FAILED",
                "RecordErrors": [["Code": "CFN_STACK_UPDATE_FAILED", "Description": "Replica: Parameter group not found"]],
            ]
        }
        return ["provisionedProducts": pps, "products": products, "provisioningArtifacts": artifacts, "records": records]
    }

    static func stackName(_ suffix: String) -> String { "SC-\(account)-pp-\(suffix)" }

    /// What Lambda sets for the filter (region, the function's keys, handler, task root, time zone) and the
    /// member role it assumes; each test adds its endpoints and the function's own variables.
    static func lambdaEnvironment(keyId: String, secret: String, token: String? = nil) -> [String: String] {
        var env = [
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region, "AWS_ACCESS_KEY_ID": keyId, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_LAMBDA_FUNCTION_NAME": "catalogwatch-filter", "_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": "/var/task", "TZ": ":UTC",
            "MEMBER_ROLE_NAME": roleName,
        ]
        env["AWS_SESSION_TOKEN"] = token
        return env
    }

    /// A stack id for a stack that does not exist in moto.
    static func fakeStackId(_ suffix: String) -> String {
        "arn:aws:cloudformation:\(region):\(account):stack/\(stackName(suffix))/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
    }
}

// MARK: - Events

enum Events {
    /// A CloudFormation stack event notification (the plain-text SNS message).
    static func cfnMessage(
        stackId: String, stackName: String, status: String, eventId: String, logicalId: String? = nil,
        resourceType: String = "AWS::CloudFormation::Stack", reason: String = "", timestamp: String = "2024-05-01T02:03:04.567Z"
    ) -> String {
        let account = stackId.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? ""
        return """
            StackId='\(stackId)'
            Timestamp='\(timestamp)'
            EventId='\(eventId)'
            LogicalResourceId='\(logicalId ?? stackName)'
            Namespace='\(account)'
            PhysicalResourceId='\(stackId)'
            PrincipalId='AROAEXAMPLEROLEID12345:servicecatalog'
            ResourceProperties='null'
            ResourceStatus='\(status)'
            ResourceStatusReason='\(reason)'
            ResourceType='\(resourceType)'
            StackName='\(stackName)'
            ClientRequestToken='null'

            """
    }

    /// A routine resource event of `stackName`.
    static func routineMessage(stackId: String, stackName: String) -> String {
        cfnMessage(stackId: stackId, stackName: stackName, status: "CREATE_IN_PROGRESS", eventId: "Bucket-CREATE_IN_PROGRESS-\(UUID().uuidString)",
                   logicalId: "Bucket", resourceType: "AWS::S3::Bucket")
    }

    static func snsEvent(_ message: String, messageId: String = UUID().uuidString.lowercased()) -> [String: Any] {
        ["Records": [[
            "EventSource": "aws:sns", "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-stack-events:5b8a0c1e",
            "Sns": [
                "Type": "Notification", "MessageId": messageId,
                "TopicArn": "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-stack-events",
                "Subject": "AWS CloudFormation Notification", "Message": message,
                "Timestamp": "2024-05-01T02:03:05.123Z", "MessageAttributes": [String: Any](),
            ] as [String: Any],
        ] as [String: Any]]]
    }

    /// An SQS record whose body is the SNS envelope of `message` (or `rawBody` as is).
    static func sqsRecord(messageId: String, message: String? = nil, rawBody: String? = nil) -> [String: Any] {
        let body: String
        if let rawBody {
            body = rawBody
        } else {
            let envelope: [String: Any] = [
                "Type": "Notification", "MessageId": UUID().uuidString.lowercased(),
                "TopicArn": "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-stack-events",
                "Subject": "AWS CloudFormation Notification", "Message": message ?? "", "Timestamp": "2024-05-03T05:06:08.000Z",
            ]
            body = (try? jsonText(envelope)) ?? ""
        }
        return [
            "messageId": messageId, "receiptHandle": "AQEBexample==", "body": body,
            "attributes": ["ApproximateReceiveCount": "1"], "messageAttributes": [String: Any](),
            "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:ap-northeast-1:111122223333:catalogwatch-stack-events",
            "awsRegion": "ap-northeast-1",
        ]
    }

    static func sqsEvent(_ records: [[String: Any]]) -> [String: Any] { ["Records": records] }

    static func eventBridge(id: String, stackId: String, status: String, account: String = Member.account, region: String = Member.region) -> [String: Any] {
        [
            "version": "0", "id": id, "detail-type": "CloudFormation Stack Status Change", "source": "aws.cloudformation",
            "account": account, "time": "2024-05-04T07:08:09Z", "region": region, "resources": [stackId],
            "detail": ["stack-id": stackId, "status-details": ["status": status, "status-reason": ""], "client-request-token": ""] as [String: Any],
        ]
    }
}

// MARK: - Alerts as published

extension Alert {
    /// The structured JSON (the `sqs` body) as an object.
    var structuredObject: [String: Any] { (try? jsonObject(structured)) ?? [:] }
    var eventId: String? { structuredObject["eventId"] as? String }
}

/// A log that keeps lines in memory, with the helpers tests use.
extension MemoryLog {
    var objects: [[String: Any]] { lines.compactMap { try? jsonObject($0) } }
    func messages(level: String) -> [String] { objects.filter { $0["level"] as? String == level }.compactMap { $0["message"] as? String } }
}

// MARK: - The built filter under the mock Runtime API

/// What one run of the built `catalogwatch-filter` under scripts/mock_runtime_api.py produced.
struct FilterRun {
    /// One entry per invocation, in order: kind ("response"/"error"), body, errorType, elapsedMs.
    var results: [[String: Any]]
    var initError: [String: Any]?
    var reportText: String
    var stdout: String
    var stderr: String
    var exitStatus: Int32

    var responses: [String?] { results.map { $0["kind"] as? String == "response" ? $0["body"] as? String : nil } }
    var logLines: [Substring] { stdout.split(separator: "\n") }
}

extension XCTestCase {
    /// Runs the built filter with `environment` under the mock Runtime API until it has answered `events`
    /// (each an event, or `["body": event, "deadlineInMs": ms]`).
    func runFilter(events: [Any], environment: [String: String]) throws -> FilterRun {
        let python = try Tools.requirePythonAWS()
        let directory = try Tools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let eventsURL = directory.appendingPathComponent("events.json"), outURL = directory.appendingPathComponent("results.json")
        try Data(try jsonText(events).utf8).write(to: eventsURL)
        let mock = try ScriptServer(script: "scripts/mock_runtime_api.py",
                                    arguments: ["--events", eventsURL.path, "--out", outURL.path, "--timeout", "60"], python: python)
        defer { mock.stop() }
        var env = environment
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(mock.port)"
        let filter = try ChildProcess(executable: try Tools.builtExecutable("catalogwatch-filter", for: type(of: self)).path, arguments: [], environment: env)
        defer { filter.stop() }
        guard let status = filter.waitForExit(timeout: .seconds(90)) else {
            throw TestFailure("catalogwatch-filter still runs after 90 s; stdout: \(filter.stdout.suffix(3000))")
        }
        guard mock.child.waitForExit(timeout: .seconds(70)) != nil else { throw TestFailure("the mock Runtime API did not stop") }
        let reportText = try String(contentsOf: outURL, encoding: .utf8)
        let report = try jsonObject(reportText)
        XCTAssertEqual(report["finished"] as? Bool, true, "every event answered (or an init error): \(reportText)")
        var results = report["results"] as? [[String: Any]] ?? []
        results.sort { ($0["requestId"] as? String ?? "") < ($1["requestId"] as? String ?? "") }
        return FilterRun(results: results, initError: report["initError"] as? [String: Any], reportText: reportText,
                         stdout: filter.stdout, stderr: filter.stderr, exitStatus: status)
    }
}
