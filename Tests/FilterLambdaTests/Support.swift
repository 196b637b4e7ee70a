import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AWSClient
import FilterCore
import FilterLambda
import URLSessionTransport

// MARK: - Errors and JSON

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Parses JSON text (or bytes) into Foundation objects.
func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try parseJSON(text) as? [String: Any] else { throw TestFailure("not a JSON object: \(text.prefix(200))") }
    return object
}

func jsonText(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
}

func jsonBytes(_ value: Any) throws -> [UInt8] { Array(try jsonText(value).utf8) }

// MARK: - Tools on PATH

enum Tools {
    static let installHint = "moto_server or boto3 is not installed: pip install 'moto[server]' boto3 botocore"

    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    nonisolated(unsafe) private static var cachedPython: String??
    private static let lock = NSLock()

    /// The real python3 interpreter (not a pyenv shim), which runs in a clean environment too; nil
    /// when python3, boto3 or moto_server is missing.
    static func pythonWithAWS() -> String? {
        lock.withLock {
            if let cached = cachedPython { return cached }
            var found: String?
            if let python = which("python3"), which("moto_server") != nil, which("timeout") != nil,
                let output = try? run(python, ["-c", "import sys, boto3, botocore; print(sys.executable)"]).trimmingCharacters(in: .whitespacesAndNewlines),
                !output.isEmpty
            {
                found = output
            }
            cachedPython = .some(found)
            return found
        }
    }

    /// python3 with boto3 and moto_server, or XCTSkip with the pip command.
    static func requirePythonAWS() throws -> String {
        guard let python = pythonWithAWS() else {
            print(installHint)
            throw XCTSkip(installHint)
        }
        return python
    }

    /// Runs a short-lived program to its end; returns stdout, throws on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: String = "") throws -> String {
        let child = try ChildProcess(executable: executable, arguments: arguments, stdin: input)
        guard let status = child.waitForExit(timeout: .seconds(120)) else {
            child.stop()
            throw TestFailure("\(executable) \(arguments.first ?? "") did not finish in 120 s")
        }
        guard status == 0 else {
            throw TestFailure("\(executable) exited \(status): \(child.stderr.suffix(4000))")
        }
        return child.stdout
    }

    /// Runs `python3 -c script` (boto3 available).
    static func python(_ script: String) throws -> String {
        try run(try requirePythonAWS(), ["-c", script])
    }

    static func freePort() throws -> Int {
        let output = try python("import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
        guard let port = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port") }
        return port
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("filterlambda-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// MARK: - Child processes

/// A child process whose stdout and stderr go to files (so a chatty child never blocks on a pipe).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let directory: URL
    let stdoutURL: URL
    let stderrURL: URL

    init(executable: String, arguments: [String], environment: [String: String]? = nil, stdin: String = "") throws {
        directory = try Tools.temporaryDirectory()
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        let stdinURL = directory.appendingPathComponent("stdin")
        try Data(stdin.utf8).write(to: stdinURL)
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = Tools.packageRoot
        process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The first line the child printed, waiting for it up to `timeout`.
    func firstLine(timeout: Duration) throws -> String {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if !process.isRunning {
                throw TestFailure("\(process.executableURL?.lastPathComponent ?? "child") exited \(process.terminationStatus) before printing a line: \(stderr.suffix(2000))")
            }
            usleep(20_000)
        }
        throw TestFailure("no output line within \(timeout)")
    }

    /// Polls for the exit (`waitUntilExit` spins a run loop); nil when still running after `timeout`.
    func waitForExit(timeout: Duration) -> Int32? {
        let start = ContinuousClock.now
        while process.isRunning {
            if ContinuousClock.now - start > timeout { return nil }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// SIGTERM (to the process group with `group`), then SIGKILL after 5 s.
    func stop(group: Bool = false) {
        guard process.isRunning else { return }
        let target = group ? -pid : pid
        kill(target, SIGTERM)
        if waitForExit(timeout: .seconds(5)) == nil {
            kill(target, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }
}

// MARK: - moto_server

/// A real `moto_server` on a free loopback port. It runs under `timeout 600`, so it stops by itself
/// even when the test process dies without tearing down.
final class MotoServer: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The account moto gives callers it does not know (the function's own account).
    static let defaultAccount = "123456789012"

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
    }

    static func start() async throws -> MotoServer {
        let python = try Tools.requirePythonAWS()
        guard let moto = Tools.which("moto_server"), let timeout = Tools.which("timeout") else { throw XCTSkip(Tools.installHint) }
        let port = try Tools.freePort()
        // Threads of the test process may block SIGTERM, and children inherit the mask: clear it, then exec.
        let child = try ChildProcess(executable: python, arguments: [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            timeout, "-k", "5", "600", moto, "-H", "127.0.0.1", "-p", String(port),
        ])
        let server = MotoServer(child: child, port: port)
        let transport = URLSessionTransport()
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            guard child.isRunning else {
                throw TestFailure("moto_server exited with \(child.process.terminationStatus): \(child.stderr.suffix(2000)) \(child.stdout.suffix(2000))")
            }
            if let response = try? await transport.send(HTTPRequest(method: "GET", url: server.endpoint + "/moto-api/data.json"), timeout: .seconds(2)),
                response.status == 200
            {
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw TestFailure("moto_server did not answer on port \(port) within 60 s")
    }

    /// Stops moto and the `timeout` wrapper (one process group).
    func stop() { child.stop(group: true) }

    /// Runs a boto3 script with `ENDPOINT`, `client(name, region)` (the function's account) and
    /// `member(name, region, account)` (a role assumed in a member account) bound to this server.
    func boto3(_ body: String) throws -> String {
        let script = """
            import boto3, json, sys, urllib.request
            ENDPOINT = '\(endpoint)'
            def client(name, region='ap-northeast-1'):
                return boto3.client(name, endpoint_url=ENDPOINT, region_name=region,
                                    aws_access_key_id='testing', aws_secret_access_key='testing')
            def member(name, region='ap-northeast-1', account='111122223333'):
                c = client('sts').assume_role(RoleArn=f'arn:aws:iam::{account}:role/TestSetup', RoleSessionName='test-setup')['Credentials']
                return boto3.client(name, endpoint_url=ENDPOINT, region_name=region, aws_access_key_id=c['AccessKeyId'],
                                    aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
            \(body)
            """
        return try Tools.python(script)
    }

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

    /// Creates a stack in a member account (as a role assumed there), then updates it, so that it has
    /// events of two operations. Returns the stack id.
    func memberStack(name: String, account: String = "111122223333", region: String = "ap-northeast-1") throws -> String {
        let output = try boto3("""
            cf = member('cloudformation', '\(region)', '\(account)')
            one = {'Resources': {'Topic': {'Type': 'AWS::SNS::Topic'}}}
            two = {'Resources': {'Topic': {'Type': 'AWS::SNS::Topic'}, 'Queue': {'Type': 'AWS::SQS::Queue'}}}
            sid = cf.create_stack(StackName='\(name)', TemplateBody=json.dumps(one))['StackId']
            cf.update_stack(StackName='\(name)', TemplateBody=json.dumps(two))
            print(json.dumps({'stackId': sid}))
            """)
        guard let id = try jsonObject(output)["stackId"] as? String else { throw TestFailure(output) }
        return id
    }

    /// moto's record of the roles assumed through STS.
    func assumedRoles() throws -> [[String: Any]] {
        let output = try boto3("""
            data = json.load(urllib.request.urlopen(ENDPOINT + '/moto-api/data.json'))
            print(json.dumps(data.get('sts', {}).get('AssumedRole', [])))
            """)
        return try parseJSON(output) as? [[String: Any]] ?? []
    }
}

/// One moto_server per test class: started on first use, stopped in the class tearDown.
final class SharedMoto: @unchecked Sendable {
    private let lock = NSLock()
    private var starting: Task<MotoServer, any Error>?

    func get() async throws -> MotoServer {
        let task: Task<MotoServer, any Error> = lock.withLock {
            if let starting { return starting }
            let task = Task { try await MotoServer.start() }
            starting = task
            return task
        }
        return try await task.value
    }

    func stop() {
        let task = lock.withLock {
            defer { starting = nil }
            return starting
        }
        guard let task else { return }
        // Class teardown is synchronous: wait for the start (if any) on another thread.
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            (try? await task.value)?.stop()
            done.signal()
        }
        done.wait()
    }
}

// MARK: - Service Catalog fixture

/// `scripts/servicecatalog_fixture.py`: Service Catalog from a fixture file, verifying SigV4.
final class CatalogFixture: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    let directory: URL
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init(fixture: [String: Any], moto: MotoServer?) throws {
        let python = try Tools.requirePythonAWS()
        let directory = try Tools.temporaryDirectory()
        self.directory = directory
        let file = directory.appendingPathComponent("fixture.json")
        try Data(try jsonText(fixture).utf8).write(to: file)
        var arguments = [Tools.packageRoot.appendingPathComponent("scripts/servicecatalog_fixture.py").path, "--fixture", file.path, "--timeout", "600"]
        if let moto { arguments += ["--moto", moto.endpoint] }
        child = try ChildProcess(executable: python, arguments: arguments)
        guard let port = Int(try child.firstLine(timeout: .seconds(30)).trimmingCharacters(in: .whitespaces)) else {
            throw TestFailure("the fixture printed no port: \(child.stderr)")
        }
        self.port = port
    }

    func stop() {
        child.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every request the fixture saw, in order.
    func requests() async throws -> [[String: Any]] {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: endpoint + "/__requests"), timeout: .seconds(10))
        guard response.status == 200, let list = try parseJSON(String(decoding: response.body, as: UTF8.self)) as? [[String: Any]] else {
            throw TestFailure("GET /__requests: HTTP \(response.status)")
        }
        return list
    }

    func requests(_ operation: String) async throws -> [[String: Any]] {
        try await requests().filter { $0["operation"] as? String == operation }
    }

    /// Scripts faults: `[["operation": ..., "id": ..., "responses": [...]]]`.
    func addFaults(_ faults: [[String: Any]]) async throws {
        let response = try await URLSessionTransport().send(
            HTTPRequest(method: "POST", url: endpoint + "/__faults", headers: ["Content-Type": "application/json"], body: try jsonBytes(faults)),
            timeout: .seconds(10))
        guard response.status == 200 else { throw TestFailure("POST /__faults: HTTP \(response.status)") }
    }
}

/// The member account, role and Service Catalog fixture used across the tests.
enum Member {
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
    /// The executable next to the test bundle.
    func filterExecutable() throws -> URL {
        let bundle = Bundle(for: type(of: self)).bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle, Bundle.main.bundleURL].map { $0.appendingPathComponent("catalogwatch-filter") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("catalogwatch-filter is not built next to the tests (looked at \(candidates.map(\.path))); run swift build first")
        }
        return found
    }

    /// Runs the built filter with `environment` under the mock Runtime API until it has answered `events`
    /// (each an event, or `["body": event, "deadlineInMs": ms]`).
    func runFilter(events: [Any], environment: [String: String]) throws -> FilterRun {
        let python = try Tools.requirePythonAWS()
        let directory = try Tools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let eventsURL = directory.appendingPathComponent("events.json"), outURL = directory.appendingPathComponent("results.json")
        try Data(try jsonText(events).utf8).write(to: eventsURL)
        let mock = try ChildProcess(executable: python, arguments: [
            Tools.packageRoot.appendingPathComponent("scripts/mock_runtime_api.py").path,
            "--events", eventsURL.path, "--out", outURL.path, "--timeout", "60",
        ])
        defer { mock.stop() }
        let port = try mock.firstLine(timeout: .seconds(30)).trimmingCharacters(in: .whitespaces)
        var env = environment
        env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:\(port)"
        let filter = try ChildProcess(executable: try filterExecutable().path, arguments: [], environment: env)
        defer { filter.stop() }
        guard let status = filter.waitForExit(timeout: .seconds(90)) else {
            throw TestFailure("catalogwatch-filter still runs after 90 s; stdout: \(filter.stdout.suffix(3000))")
        }
        guard mock.waitForExit(timeout: .seconds(70)) != nil else { throw TestFailure("the mock Runtime API did not stop") }
        let reportText = try String(contentsOf: outURL, encoding: .utf8)
        let report = try jsonObject(reportText)
        XCTAssertEqual(report["finished"] as? Bool, true, "every event answered (or an init error): \(reportText)")
        var results = report["results"] as? [[String: Any]] ?? []
        results.sort { ($0["requestId"] as? String ?? "") < ($1["requestId"] as? String ?? "") }
        return FilterRun(results: results, initError: report["initError"] as? [String: Any], reportText: reportText,
                         stdout: filter.stdout, stderr: filter.stderr, exitStatus: status)
    }
}
