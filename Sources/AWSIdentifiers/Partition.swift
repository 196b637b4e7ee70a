/// An AWS partition: the regions that share one ARN partition name and one DNS suffix.
///
/// The one rule for "which partition is this region in": the AWS client's endpoints, the filter's
/// stack failures and `catalogwatch invoke` use it, and the layout's region table agrees with it.
public struct AWSPartition: Sendable, Equatable {
    /// The partition field of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
    public var name: String
    /// The suffix of the partition's regional endpoints.
    public var dnsSuffix: String

    public static let aws = AWSPartition(name: "aws", dnsSuffix: "amazonaws.com")
    public static let awsChina = AWSPartition(name: "aws-cn", dnsSuffix: "amazonaws.com.cn")
    public static let awsGovCloud = AWSPartition(name: "aws-us-gov", dnsSuffix: "amazonaws.com")

    /// The partition of `region`, from its prefix (`cn-`, `us-gov-`, otherwise `aws`), so that a region
    /// newer than any table still gets one.
    public static func of(region: String) -> AWSPartition {
        if region.hasPrefix("cn-") { return .awsChina }
        if region.hasPrefix("us-gov-") { return .awsGovCloud }
        return .aws
    }
}
