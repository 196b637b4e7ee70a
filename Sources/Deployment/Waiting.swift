import AWSClient
import DeployAPI

/// How long a command may take and how it waits: polls, collisions and throttling, all bounded by one deadline.
package struct Waiting: Sendable {
    package var deadline: ContinuousClock.Instant
    /// Between two polls of an operation or a stack.
    package var pollInterval: Duration
    /// The longest pause while waiting out a collision or throttling.
    package var maxBackoff: Duration
    package var sleep: @Sendable (Duration) async throws -> Void
    package var now: @Sendable () -> ContinuousClock.Instant

    package init(
        timeout: Duration, pollInterval: Duration = .seconds(5), maxBackoff: Duration = .seconds(30),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.deadline = now().advanced(by: timeout)
        self.pollInterval = pollInterval
        self.maxBackoff = maxBackoff
        self.sleep = sleep
        self.now = now
    }

    /// Codes that mean "not now": another StackSet operation runs, or the service throttles.
    static func isCollision(_ error: AWSError) -> Bool {
        ["OperationInProgressException", "StaleRequestException"].contains(error.code) || error.isThrottling
    }

    /// Runs `call` until it is accepted, waiting out collisions and throttling with growing pauses
    /// until the deadline; `what` names the call in the progress line. Other errors are thrown at once.
    package func untilAccepted<T: Sendable>(
        _ what: String, reporter: any ProgressReporter, _ call: () async throws -> T
    ) async throws -> T {
        var pause = pollInterval
        while true {
            do {
                return try await call()
            } catch let error as AWSError where Self.isCollision(error) {
                guard now().advanced(by: pause) < deadline else {
                    throw DeploymentError.timedOut("\(what): still \(error.code) when the deadline passed")
                }
                reporter.report(.waiting("\(what): \(error.code); retrying in \(Self.seconds(pause))"))
                try await sleep(pause)
                pause = min(pause * 2, maxBackoff)
            }
        }
    }

    /// Pauses one poll interval, or throws when the deadline would pass.
    package func poll(_ what: String) async throws {
        guard now().advanced(by: pollInterval) < deadline else {
            throw DeploymentError.timedOut("\(what) had not finished when the deadline passed")
        }
        try await sleep(pollInterval)
    }

    static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }
}
