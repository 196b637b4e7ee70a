/// Exponential backoff with full jitter, bounded by attempts and by a deadline it never sleeps past.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    /// The cap of the first retry's delay; doubled for each further retry.
    public var baseDelay: Duration
    /// No delay cap grows beyond this.
    public var maxDelay: Duration
    /// Uniform random numbers in `0..<1` (injectable for tests).
    public var random: @Sendable () -> Double
    /// Sleeps for a duration (injectable for tests).
    public var sleep: @Sendable (Duration) async throws -> Void
    /// The current instant (injectable for tests).
    public var now: @Sendable () -> ContinuousClock.Instant

    public init(
        maxAttempts: Int = 6,
        baseDelay: Duration = .milliseconds(100),
        maxDelay: Duration = .seconds(5),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
        self.now = now
    }

    /// A policy that makes a single attempt.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// The delay cap before retry number `retry` (1-based): `min(maxDelay, baseDelay * 2^(retry-1))`.
    public func delayCap(beforeRetry retry: Int) -> Duration {
        let exponent = min(max(retry - 1, 0), 30)
        let cap = baseDelay * (1 << exponent)
        return cap > maxDelay ? maxDelay : cap
    }

    /// Full jitter: uniformly random in `0...delayCap(beforeRetry:)`.
    public func delay(beforeRetry retry: Int) -> Duration {
        let fraction = min(max(random(), 0), 1)
        return delayCap(beforeRetry: retry) * fraction
    }

    /// Whether `error` is worth another attempt: throttling, 5xx and transient AWS errors,
    /// timeouts and connection failures. Client errors, malformed responses and cancellation are not.
    public static func isRetryable(_ error: any Error) -> Bool {
        switch error {
        case let error as AWSError: error.isRetryable
        case let error as HTTPTransportError:
            switch error {
            case .timedOut, .connectionFailed: true
            case .failed: false
            }
        default: false
        }
    }

    /// Runs `attempt` until it succeeds, fails with a non-retryable error, runs out of attempts,
    /// or the next backoff would end at or past `deadline` (then the last error is thrown).
    /// `attempt` gets the time left before the deadline, to bound its own timeout.
    public func run<T>(
        deadline: ContinuousClock.Instant,
        _ attempt: (_ remaining: Duration) async throws -> T
    ) async throws -> T {
        var attemptsMade = 0
        var lastError: (any Error)?
        while true {
            let remaining = now().duration(to: deadline)
            guard remaining > .zero else {
                throw lastError ?? AWSClientError.deadlineExceeded(service: "", operation: "")
            }
            attemptsMade += 1
            do {
                return try await attempt(remaining)
            } catch {
                lastError = error
                guard attemptsMade < maxAttempts, Self.isRetryable(error), !Task.isCancelled else { throw error }
                let delay = delay(beforeRetry: attemptsMade)
                guard now().advanced(by: delay) < deadline else { throw error }
                try await sleep(delay)
            }
        }
    }
}
