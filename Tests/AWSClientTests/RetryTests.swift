import XCTest
@testable import AWSClient

final class RetryTests: XCTestCase {
    let throttled = AWSError(code: "Throttling", message: "Rate exceeded", httpStatus: 400, service: "sns", operation: "Publish")
    let invalid = AWSError(code: "InvalidParameter", message: "bad", httpStatus: 400, service: "sns", operation: "Publish")

    func testDelayCapsGrowExponentiallyUpToMax() {
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(2), random: { 1 })
        XCTAssertEqual((1...7).map { policy.delayCap(beforeRetry: $0) },
                       [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2)])
        XCTAssertEqual(policy.delayCap(beforeRetry: 1000), .seconds(2))
        XCTAssertEqual(policy.delay(beforeRetry: 3), .milliseconds(400))
    }

    func testFullJitterSpansZeroToCap() {
        let values = Locked<[Double]>([0, 0.25, 0.999, 7, -1])
        let policy = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(5), random: { values.withValue { $0.removeFirst() } })
        XCTAssertEqual(policy.delay(beforeRetry: 4), .zero)
        XCTAssertEqual(policy.delay(beforeRetry: 4), .milliseconds(200))
        XCTAssertEqual(policy.delay(beforeRetry: 4).seconds, 0.7992, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(beforeRetry: 4), .milliseconds(800), "random values are clamped to 0...1")
        XCTAssertEqual(policy.delay(beforeRetry: 4), .zero)
        // The default source stays within bounds.
        let real = RetryPolicy(baseDelay: .milliseconds(100), maxDelay: .seconds(5))
        for retry in 1...10 {
            let delay = real.delay(beforeRetry: retry)
            XCTAssertTrue(delay >= .zero && delay <= real.delayCap(beforeRetry: retry))
        }
    }

    func testRetriesThrottlingUntilSuccess() async throws {
        let clock = FakeClock()
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), random: { 1 }, sleep: { clock.sleep($0) }, now: { clock.now })
        let attempts = Locked(0)
        let result = try await policy.run(deadline: clock.now.advanced(by: .seconds(60))) { _ in
            let n = attempts.withValue { $0 += 1; return $0 }
            if n < 4 { throw throttled }
            return "ok"
        }
        XCTAssertEqual(result, "ok")
        XCTAssertEqual(attempts.current, 4)
        XCTAssertEqual(clock.sleeps, [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
    }

    func testStopsAfterMaxAttempts() async {
        let clock = FakeClock()
        let attempts = Locked(0)
        do {
            _ = try await instantRetryPolicy(clock: clock, maxAttempts: 3).run(deadline: clock.now.advanced(by: .seconds(60))) { _ -> Int in
                attempts.withValue { $0 += 1 }
                throw HTTPTransportError.connectionFailed("refused")
            }
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error as? HTTPTransportError, .connectionFailed("refused"))
        }
        XCTAssertEqual(attempts.current, 3)
        XCTAssertEqual(clock.sleeps.count, 2)
    }

    func testDoesNotRetryClientErrorsOrUnknownErrors() async {
        for failure in [invalid as any Error, AWSClientError.malformedResponse(service: "s", operation: "o", reason: "r"),
                        HTTPTransportError.failed("bad url"), CancellationError()] {
            let clock = FakeClock()
            let attempts = Locked(0)
            do {
                _ = try await instantRetryPolicy(clock: clock).run(deadline: clock.now.advanced(by: .seconds(60))) { _ -> Int in
                    attempts.withValue { $0 += 1 }
                    throw failure
                }
            } catch {}
            XCTAssertEqual(attempts.current, 1, "\(failure)")
            XCTAssertEqual(clock.sleeps, [])
        }
    }

    func testNeverSleepsPastTheDeadline() async {
        for randomValue in [0.0, 0.3, 0.7, 1.0] {
            let clock = FakeClock()
            let start = clock.now
            let deadline = start.advanced(by: .seconds(3))
            let sleepEnds = Locked<[ContinuousClock.Instant]>([])
            let policy = RetryPolicy(maxAttempts: 100, baseDelay: .milliseconds(200), maxDelay: .seconds(2),
                                     random: { randomValue }, sleep: { clock.sleep($0); sleepEnds.withValue { $0.append(clock.now) } },
                                     now: { clock.now })
            let remainders = Locked<[Duration]>([])
            do {
                _ = try await policy.run(deadline: deadline) { remaining -> Int in
                    remainders.withValue { $0.append(remaining) }
                    clock.advance(.milliseconds(50))  // each attempt takes time
                    throw HTTPTransportError.timedOut
                }
                XCTFail("expected an error")
            } catch {
                XCTAssertEqual(error as? HTTPTransportError, .timedOut, "the last real error, not a deadline error")
            }
            XCTAssertTrue(sleepEnds.current.allSatisfy { $0 < deadline }, "random \(randomValue)")
            XCTAssertLessThanOrEqual(clock.now, deadline, "random \(randomValue)")
            XCTAssertEqual(remainders.current.first, .seconds(3))
            for pair in zip(remainders.current, remainders.current.dropFirst()) { XCTAssertLessThan(pair.1, pair.0) }
            XCTAssertTrue(remainders.current.allSatisfy { $0 > .zero })
            if randomValue == 0 { XCTAssertEqual(remainders.current.count, 60) }  // zero delays: 3 s / 50 ms per attempt
        }
    }

    func testExpiredDeadlineMakesNoAttempt() async {
        let clock = FakeClock()
        do {
            _ = try await instantRetryPolicy(clock: clock).run(deadline: clock.now) { _ -> Int in
                XCTFail("no attempt expected")
                return 0
            }
        } catch {
            XCTAssertEqual(error as? AWSClientError, .deadlineExceeded(service: "", operation: ""))
        }
    }

    func testRealSleepIsUsedByDefault() async throws {
        let policy = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(20), random: { 1 })
        let attempts = Locked(0)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            _ = try await policy.run(deadline: .now.advanced(by: .seconds(10))) { _ -> Int in
                if attempts.withValue({ $0 += 1; return $0 }) == 1 { throw throttled }
                return 1
            }
        }
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(20))
        XCTAssertEqual(attempts.current, 2)
    }
}
