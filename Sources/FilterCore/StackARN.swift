import AWSIdentifiers
import URLText

/// A CloudFormation stack ARN: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`.
public struct StackARN: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let partition: String
    public let region: String
    public let account: String
    public let stackName: String
    public let uniqueId: String

    /// Parses a stack ARN; nil when any part is malformed (partition `aws` or `aws-…`, region like `us-east-1`,
    /// a 12-digit account, a stack name of letters, digits and hyphens starting with a letter).
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "cloudformation" else { return nil }
        let partition = String(parts[1]), region = String(parts[3]), account = String(parts[4])
        guard StackARN.isPartition(partition), StackARN.isRegion(region), AccountID.isValid(account) else { return nil }
        let resource = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        guard resource.count == 3, resource[0] == "stack" else { return nil }
        let name = String(resource[1]), uniqueId = String(resource[2])
        guard StackARN.isStackName(name), !uniqueId.isEmpty, uniqueId.utf8.count <= 64,
            uniqueId.utf8.allSatisfy({ StackARN.isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else { return nil }
        self.partition = partition
        self.region = region
        self.account = account
        self.stackName = name
        self.uniqueId = uniqueId
    }

    public var description: String {
        "arn:\(partition):cloudformation:\(region):\(account):stack/\(stackName)/\(uniqueId)"
    }

    /// The console host for this partition, nil for partitions without a public console.
    public var consoleHost: String? { ConsoleLinks.host(partition: partition, region: region) }

    /// The CloudFormation console page listing this stack's events.
    public var consoleEventsURL: String? { ConsoleLinks.stackEvents(self) }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || isDigit(b)
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    static func isLowerLetter(_ b: UInt8) -> Bool { b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }

    /// `aws` or `aws-` followed by lower-case words separated by hyphens.
    static func isPartition(_ s: String) -> Bool {
        guard s == "aws" || s.hasPrefix("aws-") else { return false }
        return s.split(separator: "-", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.utf8.allSatisfy(isLowerLetter)
        }
    }

    /// `xx-word(-word)*-N`, e.g. `us-east-1`, `us-gov-west-1`, `ap-northeast-3`.
    static func isRegion(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.utf8.count <= 3,
            last.utf8.allSatisfy(isDigit)
        else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isLowerLetter) }
    }

    /// CloudFormation stack names: a letter, then letters, digits and hyphens; at most 128 characters.
    static func isStackName(_ s: String) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 128,
            (first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z")) || (first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z"))
        else { return false }
        return s.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}

/// A stack created by AWS Service Catalog: `SC-<12-digit account>-pp-<13 lower-case alphanumerics>`.
public struct ServiceCatalogStack: Sendable, Equatable {
    /// The account that provisioned the product.
    public let account: String
    /// The provisioned product id, `pp-…`.
    public let provisionedProductId: String

    /// nil when `stackName` is not a Service Catalog stack name.
    public init?(stackName: String) {
        let utf8 = Array(stackName.utf8)
        // "SC-" + account + "-pp-" + 13
        let accountEnd = 3 + AccountID.length
        guard utf8.count == accountEnd + 4 + 13, stackName.hasPrefix("SC-") else { return nil }
        let account = utf8[3..<accountEnd], marker = utf8[accountEnd..<accountEnd + 4], id = utf8[(accountEnd + 4)...]
        guard AccountID.isValid(utf8: account), Array(marker) == Array("-pp-".utf8),
            id.allSatisfy({ StackARN.isLowerLetter($0) || StackARN.isDigit($0) })
        else { return nil }
        self.account = String(decoding: account, as: UTF8.self)
        self.provisionedProductId = "pp-" + String(decoding: id, as: UTF8.self)
    }
}
