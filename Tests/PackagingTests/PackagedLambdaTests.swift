import Foundation
import TestSupport
import XCTest

@testable import Packaging

/// Builds the real zip with `catalogwatch package` (release, fully static), unzips it into an empty
/// folder and runs `bootstrap` under the mock Runtime API with only the variables Lambda sets.
final class PackagedLambdaTests: XCTestCase {
    static let root = Tools.packageRoot

    func run(_ executable: String, _ arguments: [String], cwd: URL? = nil, environment: [String: String]? = nil) throws -> (Int32, String, String) {
        let result = try Tools.execute(executable, arguments, in: cwd, environment: environment)
        return (result.status, result.stdout, result.stderr)
    }

    func testPackagedZipRunsUnderMockRuntimeWithCleanEnvironment() throws {
        let scratch = try Tools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dist = scratch.appendingPathComponent("dist")
        let catalogwatch = try Tools.builtExecutable("catalogwatch", for: Self.self)
        let (status, output, errors) = try run(catalogwatch.path, ["package", "--output", dist.path], cwd: Self.root)
        XCTAssertEqual(status, 0, "package failed:\n\(output)\n\(errors.suffix(4000))")
        let zipURL = dist.appendingPathComponent("catalogwatch-filter-x86_64.zip")
        let zip = try [UInt8](Data(contentsOf: zipURL))
        XCTAssertLessThanOrEqual(zip.count, 5_000_000, "the zip's size budget (README, Benchmarks)")
        // Packaging the same binary again gives the same bytes.
        let again = try run(catalogwatch.path, ["package", "--binary", Self.root.appendingPathComponent(".build-lambda/release/catalogwatch-filter").path,
                                                "--output", scratch.appendingPathComponent("again").path], cwd: Self.root)
        XCTAssertEqual(again.0, 0, again.2)
        XCTAssertEqual(try [UInt8](Data(contentsOf: scratch.appendingPathComponent("again/catalogwatch-filter-x86_64.zip"))), zip)

        // Unzip with a real peer into an empty folder.
        let unpacked = scratch.appendingPathComponent("task")
        let unzip = try run("/usr/bin/env", ["python3", "-c", "import sys, zipfile, os\nz = zipfile.ZipFile(sys.argv[1])\nz.extractall(sys.argv[2])\nfor i in z.infolist(): os.chmod(os.path.join(sys.argv[2], i.filename), i.external_attr >> 16 & 0o777)", zipURL.path, unpacked.path])
        XCTAssertEqual(unzip.0, 0, unzip.2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: unpacked.path), ["bootstrap"])
        let bootstrap = unpacked.appendingPathComponent("bootstrap").path
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: bootstrap))
        let info = try ELFReader.read(try [UInt8](Data(contentsOf: URL(fileURLWithPath: bootstrap))))
        XCTAssertTrue(info.isStatic, "the packaged binary must need no loader and no shared library")
        // Nothing in it names the checkout's folder (BoringSSL's __FILE__ strings are mapped): the zip is the
        // same wherever the repository is cloned.
        let binary = try [UInt8](Data(contentsOf: URL(fileURLWithPath: bootstrap)))
        let root = Array(Self.root.standardizedFileURL.path.utf8)
        XCTAssertFalse(binary.indices.dropLast(root.count).contains { binary[$0] == root[0] && binary[$0..<($0 + root.count)].elementsEqual(root) },
                       "the binary holds the checkout path \(Self.root.path)")

        let events = scratch.appendingPathComponent("events.json")
        let failure = try String(contentsOf: Self.root.appendingPathComponent("examples/events/sns-update-rollback-complete.json"), encoding: .utf8)
        let routine = try String(contentsOf: Self.root.appendingPathComponent("examples/events/sns-routine-create-in-progress.json"), encoding: .utf8)
        try "[\(routine), \"not json at all\", \(failure)]".write(to: events, atomically: true, encoding: .utf8)
        let results = scratch.appendingPathComponent("results.json")
        let mock = try ScriptServer(script: "scripts/mock_runtime_api.py", arguments: ["--events", events.path, "--out", results.path, "--timeout", "60"])
        defer { mock.stop() }
        let port = mock.port
        // Only what Lambda sets; AWS endpoints point at a closed port, so the alert cannot be delivered.
        let lambdaEnvironment = [
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(port)", "AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_ACCESS_KEY_ID": "AKIAPACKAGETEST", "AWS_SECRET_ACCESS_KEY": "package-test-secret", "AWS_SESSION_TOKEN": "package-test-token",
            "AWS_LAMBDA_FUNCTION_NAME": "catalogwatch-filter", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "_HANDLER": "bootstrap",
            "LAMBDA_TASK_ROOT": unpacked.path, "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": "/usr/local/bin:/usr/bin/:/bin",
            "ALERT_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:111122223333:catalogwatch-alerts", "MEMBER_ROLE_NAME": "AWSControlTowerExecution",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        ]
        let lambda = try run(bootstrap, [], cwd: unpacked, environment: lambdaEnvironment)
        _ = mock.child.waitForExit(timeout: nil)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: results)) as? [String: Any])
        let answers = try XCTUnwrap(report["results"] as? [[String: Any]])
        XCTAssertEqual(answers.count, 3, "stdout:\n\(lambda.1)")
        XCTAssertEqual(answers[0]["kind"] as? String, "response")
        XCTAssertEqual(answers[0]["body"] as? String, "{\"alerts\":0,\"ignored\":1}")
        XCTAssertEqual(answers[1]["kind"] as? String, "response", "garbage is answered, not retried")
        XCTAssertEqual(answers[2]["kind"] as? String, "error", "an undelivered alert fails the invocation so Lambda retries it")
        XCTAssertEqual(answers[2]["errorType"] as? String, "AlertNotDelivered")
        for secret in ["package-test-secret", "package-test-token"] {
            XCTAssertFalse(lambda.1.contains(secret) || lambda.2.contains(secret), "a secret reached the logs")
        }
        for line in lambda.1.split(separator: "\n") {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)), "not a JSON log line: \(line)")
        }
    }
}
