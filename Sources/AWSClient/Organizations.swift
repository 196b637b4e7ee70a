import AWSIdentifiers

/// One account of the caller's organization, as `DescribeAccount` returns it.
public struct OrganizationAccount: Sendable, Equatable, Decodable {
    public var id: String
    public var arn: String
    public var status: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id", arn = "Arn", status = "Status"
    }
}

extension AWSClient {
    /// The region of the Organizations endpoint of `partition` (the service is global: one endpoint per
    /// partition, signed for this region).
    public static func organizationsRegion(partition: String) -> String {
        switch partition {
        case AWSPartition.awsChina.name: "cn-northwest-1"
        case AWSPartition.awsGovCloud.name: "us-gov-west-1"
        default: "us-east-1"
        }
    }

    /// The region this client's Organizations calls go to and are signed for: the one of its region's partition.
    public var organizationsRegion: String { Self.organizationsRegion(partition: AWSPartition.of(region: region).name) }

    /// `DescribeAccount`: the account `accountId` of the caller's organization (callable from the
    /// management account or a delegated administrator). An account of no organization, or of another,
    /// fails with `AccountNotFoundException`. The call goes to the Organizations endpoint of the
    /// partition of this client's region, whatever that region is.
    public func describeOrganizationAccount(_ accountId: String, deadline: ContinuousClock.Instant? = nil) async throws -> OrganizationAccount {
        struct Input: Encodable { var AccountId: String }
        struct Output: Decodable { var Account: OrganizationAccount }
        let global = with(region: organizationsRegion)
        return try await global.json(.organizations, operation: "DescribeAccount", input: Input(AccountId: accountId), output: Output.self, deadline: deadline).Account
    }
}

extension AWSError {
    /// Organizations does not know the account in the caller's organization.
    public var isAccountNotFound: Bool { code == "AccountNotFoundException" }
}
