import AWSIdentifiers
import AWSClient
import Foundation

/// Temporary credentials that renew themselves: returns the cached credentials until
/// `refreshWindow` before they expire, then fetches anew. Concurrent callers share one fetch; when
/// a refresh fails while the cached credentials have not yet expired, those are returned.
package actor RefreshingCredentials: CredentialsProvider {
    private let fetch: @Sendable () async throws -> Credentials
    private let refreshWindow: Duration
    private let now: @Sendable () -> UnixTime
    private var cached: Credentials?
    private var inFlight: (id: Int, task: Task<Credentials, any Error>)?
    private var nextFetchID = 0
    /// Callers waiting for a fetch that another caller started (for tests of the sharing).
    private(set) var waitingCallers = 0

    /// `initial` (e.g. the credentials fetched while resolving) is used until it needs refreshing.
    package init(
        initial: Credentials? = nil,
        refreshWindow: Duration = .seconds(300),
        now: @escaping @Sendable () -> UnixTime = { UnixTime.now() },
        fetch: @escaping @Sendable () async throws -> Credentials
    ) {
        self.cached = initial
        self.refreshWindow = refreshWindow
        self.now = now
        self.fetch = fetch
    }

    /// The cached credentials, or freshly fetched ones once they are within the refresh window.
    package func credentials() async throws -> Credentials {
        if let cached, !needsRefresh(cached) { return cached }
        let id: Int
        let task: Task<Credentials, any Error>
        var joined = false
        if let inFlight {
            (id, task) = inFlight
            joined = true
            waitingCallers += 1
        } else {
            nextFetchID += 1
            id = nextFetchID
            let fetch = fetch
            task = Task { try await fetch() }
            inFlight = (id, task)
        }
        defer { if joined { waitingCallers -= 1 } }
        do {
            let fresh = try await task.value
            if inFlight?.id == id {
                inFlight = nil
                cached = fresh
            }
            return fresh
        } catch {
            if inFlight?.id == id { inFlight = nil }
            if let cached, !isExpired(cached) { return cached }
            throw error
        }
    }

    /// Forgets the cached credentials (and any fetch under way); the next call fetches anew.
    package func invalidate() {
        cached = nil
        inFlight = nil
    }

    private func needsRefresh(_ credentials: Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        let (seconds, attoseconds) = refreshWindow.components
        return expiration.seconds(since: now()) <= Double(seconds) + Double(attoseconds) * 1e-18
    }

    private func isExpired(_ credentials: Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration <= now()
    }
}
