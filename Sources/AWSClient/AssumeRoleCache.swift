import AWSIdentifiers

/// Caches assumed-role credentials per account and role ARN until `refreshMargin` before they expire;
/// concurrent requests for the same role share one fetch.
public actor AssumeRoleCache {
    private struct Key: Hashable {
        var account: String
        var roleArn: String
    }

    private enum Entry {
        case ready(Credentials)
        case fetching(id: Int, Task<Credentials, any Error>)
    }

    private let refreshMargin: Duration
    private let now: @Sendable () -> UnixTime
    private var entries: [Key: Entry] = [:]
    private var nextFetchID = 0

    /// `now` is the wall clock that credential expirations are compared with.
    public init(refreshMargin: Duration = .seconds(300), now: @escaping @Sendable () -> UnixTime = { UnixTime.now() }) {
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// Cached credentials for `roleArn` in `account`, or the result of `fetch` (cached if it expires
    /// later than `refreshMargin` from now; credentials without expiration are kept until invalidated).
    public func credentials(
        account: String,
        roleArn: String,
        fetch: @escaping @Sendable () async throws -> Credentials
    ) async throws -> Credentials {
        let key = Key(account: account, roleArn: roleArn)
        switch entries[key] {
        case .ready(let credentials) where isFresh(credentials):
            return credentials
        case .fetching(_, let task):
            return try await task.value
        case .ready, nil:
            break
        }
        nextFetchID += 1
        let id = nextFetchID
        let task = Task { try await fetch() }
        entries[key] = .fetching(id: id, task)
        do {
            let credentials = try await task.value
            if case .fetching(let current, _) = entries[key], current == id {
                entries[key] = isFresh(credentials) ? .ready(credentials) : nil
            }
            return credentials
        } catch {
            if case .fetching(let current, _) = entries[key], current == id { entries[key] = nil }
            throw error
        }
    }

    /// Forgets the credentials for `roleArn` in `account` (e.g. after an `ExpiredToken` error).
    public func invalidate(account: String, roleArn: String) {
        entries[Key(account: account, roleArn: roleArn)] = nil
    }

    /// Forgets everything.
    public func removeAll() {
        entries.removeAll()
    }

    private func isFresh(_ credentials: Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return expiration.seconds(since: now()) > refreshMargin.seconds
    }
}
