import AWSClient
import AWSIdentifiers

/// Whether an account named by an event belongs to the organization, before the filter assumes a role
/// there. An event is only as trustworthy as its publisher (any principal of the organization may publish
/// to a receive topic), so the account it names is checked with Organizations' `DescribeAccount`, signed
/// with the function's own credentials (the filter runs in the management account), once per account.
/// IAM enforces the same rule on `sts:AssumeRole` (`aws:ResourceOrgID`); this check refuses earlier, with
/// a clear reason, and without the call.
public actor OrganizationMembership {
    /// What Organizations said of an account.
    public enum Answer: Sendable, Equatable {
        case member
        /// `AccountNotFoundException`: not an account of this organization.
        case notMember
        /// The question could not be answered (throttled, no permission, no organization); IAM still decides.
        case unknown(String)
    }

    let client: AWSClient
    var known: [String: Bool] = [:]

    public init(client: AWSClient) { self.client = client }

    /// The answer for `account` (a 12-digit id), from the cache or one `DescribeAccount`.
    public func check(_ account: String, deadline: ContinuousClock.Instant) async -> Answer {
        if let member = known[account] { return member ? .member : .notMember }
        do {
            _ = try await client.describeOrganizationAccount(account, deadline: deadline)
            known[account] = true
            return .member
        } catch let error as AWSError where error.isAccountNotFound {
            known[account] = false
            return .notMember
        } catch {
            return .unknown(AWSEnricher.describe(error))
        }
    }
}
