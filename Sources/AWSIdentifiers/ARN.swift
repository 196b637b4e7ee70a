/// An Amazon Resource Name split into its six fields, `arn:<partition>:<service>:<region>:<account>:<resource>`
/// (the resource keeps any further `:` or `/`). One reader for every ARN a layout, template or setting names.
public struct ARN: Hashable, Sendable {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    public let partition: String
    public let service: String
    /// Empty for global services (IAM).
    public let region: String
    /// Empty for some services (S3); `aws` for AWS-managed IAM policies.
    public let account: String
    public let resource: String

    /// nil unless `text` has the six fields, starts with `arn:` and names an `aws` partition.
    public init?(_ text: String) {
        let f = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard f.count == 6, f[0] == "arn", f[1] == "aws" || f[1].hasPrefix("aws-"), !f[2].isEmpty else { return nil }
        partition = String(f[1])
        service = String(f[2])
        region = String(f[3])
        account = String(f[4])
        resource = String(f[5])
    }

    /// Whether the account field is a 12-digit account id.
    public var hasAccountID: Bool { AccountID.isValid(account) }
}
