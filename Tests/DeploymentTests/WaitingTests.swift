import AWSClient
@testable import DeployAPI
import Foundation
import XCTest

@testable import Deployment

/// Records progress events.
final class RecordingReporter: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ProgressEvent] = []
    var events: [ProgressEvent] { lock.withLock { stored } }
    func report(_ event: ProgressEvent) { lock.withLock { stored.append(event) } }
}

/// A clock that only moves when `sleep` is called.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var instant = ContinuousClock.now
    private var slept: [Duration] = []
    var sleeps: [Duration] { lock.withLock { slept } }
    func now() -> ContinuousClock.Instant { lock.withLock { instant } }
    func sleep(_ d: Duration) { lock.withLock { slept.append(d); instant = instant.advanced(by: d) } }

    func waiting(timeout: Duration, poll: Duration = .seconds(5)) -> Waiting {
        Waiting(timeout: timeout, pollInterval: poll, maxBackoff: .seconds(30), sleep: { self.sleep($0) }, now: { self.now() })
    }
}

/// Answers with the scripted errors first, then the value.
final class Script: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [any Error]
    private(set) var calls = 0
    init(_ errors: [any Error]) { self.errors = errors }
    func call() throws -> String {
        try lock.withLock {
            calls += 1
            if !errors.isEmpty { throw errors.removeFirst() }
            return "ok"
        }
    }
}

func awsError(_ code: String, status: Int = 400) -> AWSError {
    AWSError(code: code, message: "scripted", httpStatus: status, service: "cloudformation", operation: "CreateStackInstances")
}

final class WaitingTests: XCTestCase {
    func testOperationInProgressIsWaitedOutWithGrowingPauses() async throws {
        let clock = ManualClock()
        let reporter = RecordingReporter()
        let script = Script(Array(repeating: awsError("OperationInProgressException"), count: 4) + [awsError("Throttling")])
        let result = try await clock.waiting(timeout: .seconds(1800)).untilAccepted("CreateStackInstances x", reporter: reporter) { try script.call() }
        XCTAssertEqual(result, "ok")
        XCTAssertEqual(script.calls, 6)
        XCTAssertEqual(clock.sleeps, [.seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(30)])
        XCTAssertEqual(reporter.events.count, 5)
        XCTAssertEqual(reporter.events.first, .waiting("CreateStackInstances x: OperationInProgressException; retrying in 5 s"))
    }

    func testTheDeadlineEndsTheWaitWithATimeout() async {
        let clock = ManualClock()
        let script = Script(Array(repeating: awsError("OperationInProgressException"), count: 100))
        do {
            _ = try await clock.waiting(timeout: .seconds(60)).untilAccepted("CreateStackInstances x", reporter: RecordingReporter()) { try script.call() }
            XCTFail("no timeout")
        } catch let error as DeploymentError {
            guard case .timedOut(let what) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(what.contains("OperationInProgressException"), what)
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertLessThan(clock.sleeps.reduce(.zero, +), .seconds(60))
    }

    func testOtherErrorsAreNotRetried() async {
        for code in ["AccessDenied", "ValidationError", "StackSetNotFoundException"] {
            let script = Script([awsError(code)])
            do {
                _ = try await ManualClock().waiting(timeout: .seconds(60)).untilAccepted("x", reporter: RecordingReporter()) { try script.call() }
                XCTFail("\(code) was swallowed")
            } catch let error as AWSError {
                XCTAssertEqual(error.code, code)
            } catch {
                XCTFail("\(error)")
            }
            XCTAssertEqual(script.calls, 1, code)
        }
    }

    func testServerErrorsAreNotWaitedOutForever() async {
        let script = Script([awsError("InternalFailure", status: 500)])
        do {
            _ = try await ManualClock().waiting(timeout: .seconds(60)).untilAccepted("x", reporter: RecordingReporter()) { try script.call() }
            XCTFail("500 was swallowed")
        } catch {
            XCTAssertEqual(script.calls, 1, "the client's own retry policy handles 5xx; the wait loop must not spin on it")
        }
    }
}

final class FailureReportTests: XCTestCase {
    func testAFailedOperationNamesEveryFailedAndCancelledRegion() throws {
        let target = try sampleTarget()
        let ops = StackSetOperations(client: AWSClient(transport: NoTransport(), credentials: Credentials(accessKeyId: "a", secretAccessKey: "b"),
                                                       endpoints: EndpointResolver(), region: "ap-northeast-1"),
                                     account: target.account, waiting: ManualClock().waiting(timeout: .seconds(60)), reporter: RecordingReporter())
        let results = [
            StackSetOperationResult(account: "111122223333", region: "ap-northeast-1", status: "SUCCEEDED", statusReason: nil),
            StackSetOperationResult(account: "111122223333", region: "us-east-1", status: "FAILED", statusReason: "ResourceLogicalId:ReceiveTopic, ResourceType:AWS::SNS::Topic, ResourceStatusReason:Access denied."),
            StackSetOperationResult(account: "111122223333", region: "eu-west-1", status: "CANCELLED", statusReason: "Cancelled since failure tolerance has exceeded"),
        ]
        let error = ops.failure("CreateStackInstances", "catalogwatch-receive", StackSetOperationState(action: "CREATE", status: "FAILED", statusReason: nil), results)
        guard case .operationFailed(_, _, let failed, let cancelled, _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(failed.map(\.region), ["us-east-1"])
        XCTAssertEqual(cancelled, ["eu-west-1"])
        let text = error.description
        XCTAssertTrue(text.contains("account 111122223333, region us-east-1: FAILED: ResourceLogicalId:ReceiveTopic"), text)
        XCTAssertTrue(text.contains("cancelled after the failure, not attempted: eu-west-1"), text)
    }

    func testAWSErrorsBecomeOneSentenceWithAccountAndRegion() async {
        do {
            try await Guard(account: "111122223333", region: "eu-west-1").run("CreateStackSet x") { () async throws -> Void in
                throw AWSError(code: "AccessDenied", message: "User is not authorized", httpStatus: 403, service: "cloudformation", operation: "CreateStackSet")
            }
            XCTFail("no error")
        } catch {
            XCTAssertEqual("\(error)", "CreateStackSet x failed in account 111122223333, region eu-west-1: AccessDenied: User is not authorized (the caller lacks cloudformation:CreateStackSet)")
        }
    }
}

/// A transport for values that must never send.
struct NoTransport: HTTPTransport {
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse { throw HTTPTransportError.failed("no network in this test") }
}
