import AWSIdentifiers

/// The AWS services this client talks to, with their endpoint, signing and protocol metadata.
public enum AWSService: String, Sendable, CaseIterable {
    case sts, sns, sqs, cloudFormation, serviceCatalog, s3, cloudWatch, sso, events, dynamoDB, organizations, logs

    /// The first DNS label of the service's endpoint.
    public var endpointPrefix: String {
        switch self {
        case .sts: "sts"
        case .sns: "sns"
        case .sqs: "sqs"
        case .cloudFormation: "cloudformation"
        case .serviceCatalog: "servicecatalog"
        case .s3: "s3"
        case .cloudWatch: "monitoring"
        case .sso: "portal.sso"
        case .events: "events"
        case .dynamoDB: "dynamodb"
        case .organizations: "organizations"
        case .logs: "logs"
        }
    }

    /// The service name in the SigV4 credential scope.
    public var signingName: String {
        switch self {
        case .sso: "awsssoportal"
        default: endpointPrefix
        }
    }

    /// The suffix of the `AWS_ENDPOINT_URL_<ID>` variable that overrides this service's endpoint.
    public var environmentID: String {
        switch self {
        case .sts: "STS"
        case .sns: "SNS"
        case .sqs: "SQS"
        case .cloudFormation: "CLOUDFORMATION"
        case .serviceCatalog: "SERVICE_CATALOG"
        case .s3: "S3"
        case .cloudWatch: "CLOUDWATCH"
        case .sso: "SSO"
        case .events: "EVENTBRIDGE"
        case .dynamoDB: "DYNAMODB"
        case .organizations: "ORGANIZATIONS"
        case .logs: "CLOUDWATCH_LOGS"
        }
    }

    /// The query protocol `Version` parameter (query-protocol services).
    var apiVersion: String {
        switch self {
        case .sts: "2011-06-15"
        case .sns: "2010-03-31"
        case .sqs: "2012-11-05"
        case .cloudFormation: "2010-05-15"
        case .serviceCatalog: "2015-12-10"
        case .s3: "2006-03-01"
        case .cloudWatch: "2010-08-01"
        case .sso: "2019-06-10"
        case .events: "2015-10-07"
        case .dynamoDB: "2012-08-10"
        case .organizations: "2016-11-28"
        case .logs: "2014-03-28"
        }
    }
}

/// The partition rule lives in AWSIdentifiers (shared with the filter logic and the layout checks).
public typealias AWSPartition = AWSIdentifiers.AWSPartition

/// Resolves service endpoints: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the regional default.
public struct EndpointResolver: Sendable, Equatable {
    private let environment: [String: String]

    /// `environment` is typically `ProcessInfo.processInfo.environment`; only `AWS_ENDPOINT_URL*` and
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` are read.
    public init(environment: [String: String] = [:]) {
        self.environment = environment.filter { $0.key.hasPrefix("AWS_ENDPOINT_URL") || $0.key == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" }
    }

    /// The base URL (no trailing slash) for `service` in `region`.
    public func endpoint(for service: AWSService, region: String) throws -> String {
        if asciiLowercased(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] ?? "") != "true" {
            for name in ["AWS_ENDPOINT_URL_\(service.environmentID)", "AWS_ENDPOINT_URL"] {
                guard let value = environment[name], !value.isEmpty else { continue }
                var url = value
                while url.hasSuffix("/") { url.removeLast() }
                guard URLParts(url) != nil else {
                    throw AWSClientError.invalidEndpoint("\(name) is not an absolute http(s) URL")
                }
                return url
            }
        }
        guard Self.isValidRegion(region) else {
            throw AWSClientError.invalidEndpoint("invalid region name \"\(region)\"")
        }
        return "https://\(service.endpointPrefix).\(region).\(AWSPartition.of(region: region).dnsSuffix)"
    }

    /// Whether `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` replaces the regional endpoint of `service`
    /// (then S3 is addressed path-style, as a local stand-in cannot serve bucket host names).
    package func isOverridden(_ service: AWSService) -> Bool {
        guard asciiLowercased(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] ?? "") != "true" else { return false }
        return ["AWS_ENDPOINT_URL_\(service.environmentID)", "AWS_ENDPOINT_URL"].contains { environment[$0]?.isEmpty == false }
    }

    /// Region names are DNS labels: lowercase letters, digits and hyphens.
    static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.utf8.count <= 63 && !region.hasPrefix("-") && !region.hasSuffix("-")
            && region.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }
}
