import XCTest
import Foundation
import FilterContract
import TestSupport

/// `catalogwatch test-alert` end to end against moto_server: the built CLI publishes the canary into the
/// receive topic; the test plays Lambda's part (the topic's SQS capture hands the SNS message to the built
/// filter under the mock Runtime API, and the filter's stdout goes to its log group, as Lambda ships it);
/// the CLI finds the filter's line with FilterLogEvents and reports the hops.
final class CanaryEndToEndTests: XCTestCase {
    static let moto = ClassMoto()
    /// moto's default account: the management account of the test's layout.
    static let account = "123456789012"
    let region = Member.region

    var moto: MotoServer!
    var work: URL!
    var prefix: String!
    var captureURL: String!
    var inboxURL: String!
    var sendTopicArn: String!

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        work = try Tools.temporaryDirectory()
        prefix = "cw\(UUID().uuidString.prefix(6).lowercased())"
        // The receive topic test-alert publishes to, with a queue standing in for the filter's subscription.
        let receive = try moto.topicWithQueue(name: "\(prefix!)-receive", region: region)
        captureURL = receive.queueURL
        (sendTopicArn, inboxURL) = try moto.topicWithQueue(name: "\(prefix!)-alerts", region: region)
        _ = try moto.boto3("client('logs', '\(region)').create_log_group(logGroupName='/aws/lambda/\(prefix!)-filter')")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: work)
        super.tearDown()
    }

    func layoutFile(source: String = "notification-constraint") throws -> String {
        let path = work.appendingPathComponent("canary.yaml")
        var text = "mainRegion: \(region)\nregions: [\(region)]\nmanagementAccountId: \"\(Self.account)\"\nnamePrefix: \(prefix!)\nsource: \(source)\n"
        if source != "notification-constraint" { text += "organizationalUnits: [ou-ab12-cdef3456]\n" }
        try Data(text.utf8).write(to: path)
        return path.path
    }

    var cliEnvironment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": work.path,
            "AWS_ACCESS_KEY_ID": "AKIDCANARYTESTS", "AWS_SECRET_ACCESS_KEY": "canary/secret", "AWS_ENDPOINT_URL": moto.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    func startCLI(_ extra: [String], layout: String, endpoint: String? = nil) throws -> ChildProcess {
        var environment = cliEnvironment
        if let endpoint { environment["AWS_ENDPOINT_URL"] = endpoint }
        return try ChildProcess(
            executable: try Tools.builtExecutable("catalogwatch", for: Self.self).path,
            arguments: ["test-alert", "--layout", layout, "--poll-interval", "1"] + extra, environment: environment)
    }

    /// Lambda's part: the SNS message that reached the receive topic, handed to the built filter as an SNS
    /// event; the filter's stdout lines into its log group.
    func playLambda() throws {
        var envelopes: [[String: Any]] = []
        let start = Date()
        while envelopes.isEmpty, Date().timeIntervalSince(start) < 30 {
            envelopes = try moto.drain(queueURL: captureURL, region: region)
            if envelopes.isEmpty { usleep(200_000) }
        }
        let envelope = try XCTUnwrap(envelopes.first, "the canary reached the receive topic")
        let event: [String: Any] = ["Records": [["EventSource": "aws:sns", "EventVersion": "1.0", "Sns": envelope]]]
        var env = Member.lambdaEnvironment(keyId: "AKIDFILTER", secret: "filter/secret")
        env["AWS_ENDPOINT_URL"] = moto.endpoint
        env["ALERT_TOPIC_ARN"] = sendTopicArn
        let run = try runFilter(events: [event], environment: env)
        let lines = run.logLines.map(String.init)
        let now = Int(Date().timeIntervalSince1970 * 1000)
        let events = lines.map { ["timestamp": now, "message": $0] }
        let hex = try jsonText(events).utf8.map { String(format: "%02x", $0) }.joined()
        _ = try moto.boto3("""
            logs = client('logs', '\(region)'); group = '/aws/lambda/\(prefix!)-filter'
            logs.create_log_stream(logGroupName=group, logStreamName='canary')
            logs.put_log_events(logGroupName=group, logStreamName='canary', logEvents=json.loads(bytes.fromhex('\(hex)')))
            """)
    }

    func testTheCanaryReachesTheFilterAndNoDestination() throws {
        let cli = try startCLI(["--timeout", "60s"], layout: try layoutFile())
        try playLambda()
        let status = cli.waitForExit(timeout: .seconds(90))
        XCTAssertEqual(status, 0, "stdout: \(cli.stdout)\nstderr: \(cli.stderr)")
        let out = cli.stdout
        print(cli.stderr + out)  // the report, for the log
        XCTAssertTrue(out.contains("publish to the receive topic"), out)
        XCTAssertTrue(out.contains("receive topic (\(region)) → filter (\(region))"), out)
        XCTAssertTrue(out.contains("filter → its log"), out)
        XCTAssertFalse(out.contains("filter → destinations"), "without --deliver there is no such hop")
        XCTAssertTrue(out.contains("the path from \(region) works: the filter handled the canary (not delivered"), out)
        XCTAssertTrue(cli.stderr.contains("published canary "), cli.stderr)
        XCTAssertEqual(try moto.drain(queueURL: inboxURL, region: region).count, 0, "a canary reaches no destination unless asked")
    }

    func testWithDeliverTheCanarysAlertIsPublished() throws {
        let cli = try startCLI(["--deliver", "--timeout", "60s"], layout: try layoutFile())
        try playLambda()
        XCTAssertEqual(cli.waitForExit(timeout: .seconds(90)), 0, "stderr: \(cli.stderr)")
        XCTAssertTrue(cli.stdout.contains("filter → destinations"), cli.stdout)
        let alerts = try moto.drain(queueURL: inboxURL, region: region)
        XCTAssertEqual(alerts.count, 1)
        let subject = alerts.first?["Subject"] as? String ?? ""
        XCTAssertTrue(subject.contains(Canary.stackNamePrefix), "the alert is clearly the canary's: \(subject)")
    }

    func testACanaryThatNobodyHandlesFailsTheRun() throws {
        let cli = try startCLI(["--timeout", "4s"], layout: try layoutFile())
        XCTAssertEqual(cli.waitForExit(timeout: .seconds(60)), 1, "stdout: \(cli.stdout)")
        XCTAssertTrue(cli.stderr.contains("the filter did not log canary"), cli.stderr)
    }

    func testAPollStillRunningWhenTheTimeRunsOutMeansNotSeen() async throws {
        let proxy = try ScriptServer(script: "scripts/aws_fault_proxy.py", arguments: ["--upstream", moto.endpoint, "--timeout", "300"],
                                     python: try Tools.requirePythonAWS())
        defer { proxy.stop() }
        try await proxy.postJSON("/__credentials", [["accessKeyId": "AKIDCANARYTESTS", "secretAccessKey": "canary/secret"]])
        // CloudWatch Logs answers only after the run's 2 s are up: the first poll is cut short by the deadline.
        try await proxy.postJSON("/__faults", [[
            "service": "logs", "action": "FilterLogEvents", "responses": [["pass": true, "delayMs": 5000] as [String: Any]], "repeat": true,
        ] as [String: Any]])
        let cli = try startCLI(["--timeout", "2s"], layout: try layoutFile(), endpoint: proxy.url)
        XCTAssertEqual(cli.waitForExit(timeout: .seconds(60)), 1, "not seen in time, not a failed call: \(cli.stderr)")
        XCTAssertTrue(cli.stderr.contains("the filter did not log canary"), cli.stderr)
        // The proxy records a request once it answered it (after its delay).
        var polls: [[String: Any]] = []
        for _ in 0..<40 where polls.isEmpty {
            polls = try await proxy.requests().filter { $0["action"] as? String == "FilterLogEvents" }
            if polls.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
        }
        XCTAssertEqual(polls.count, 1, "one poll, still running at the deadline")
        XCTAssertEqual(polls.first?["signatureValid"] as? Bool, true)
    }

    func testAnEventBridgeOnlyLayoutHasNoReceiveTopicToTest() throws {
        let cli = try startCLI([], layout: try layoutFile(source: "eventbridge"))
        XCTAssertEqual(cli.waitForExit(timeout: .seconds(60)), 2)
        XCTAssertTrue(cli.stderr.contains("source eventbridge has none"), cli.stderr)
    }
}
