import URLText

/// The console pages an alert points to, for the partitions with a public console (`aws`, `aws-cn`,
/// `aws-us-gov`; the isolated partitions have none, so their alerts carry no links):
/// - the failed stack's events, in the member account (`#/stacks/events?stackId=<ARN>`, the form the
///   CloudFormation console itself links to);
/// - the provisioned products page of the member account's region (AWS documents no page per `pp-` id,
///   so the alert names the id beside it);
/// - the product version in the Service Catalog administrator view (`#admin-products/<prod>/version/<pa>`),
///   which opens in the account that owns the portfolio: the management account, where the alert is read;
/// - the runbook the layout names for the product or the route.
/// A console link opens in whatever account the browser is signed in to; with `CONSOLE_SIGN_IN` (an IAM
/// Identity Center start URL and role), the member-account links go through the portal's shortcut link,
/// which signs in to that account and role first.
public struct ConsoleLinks: Sendable, Equatable {
    public var stackEvents: String?
    public var provisionedProducts: String?
    public var productVersion: String?
    public var runbook: String?

    public init(stackEvents: String? = nil, provisionedProducts: String? = nil, productVersion: String? = nil, runbook: String? = nil) {
        self.stackEvents = stackEvents
        self.provisionedProducts = provisionedProducts
        self.productVersion = productVersion
        self.runbook = runbook
    }

    /// The links of `failure`, with the product version's ids from the lookup when it worked.
    public init(failure: StackFailure, productId: String?, provisioningArtifactId: String?, runbook: String? = nil, signIn: ConsoleSignIn? = nil) {
        let member = { (url: String?) in url.map { signIn?.shortcut(account: failure.account, destination: $0) ?? $0 } }
        self.init(
            stackEvents: member(failure.stackARN.flatMap(Self.stackEvents)),
            provisionedProducts: failure.provisionedProductId == nil ? nil
                : member(Self.consoleURL(partition: failure.partition, region: failure.region, service: "servicecatalog", fragment: "provisioned-products")),
            productVersion: Self.productVersion(partition: failure.partition, region: failure.region, productId: productId, artifactId: provisioningArtifactId),
            runbook: runbook)
    }

    /// Every link that is there, with its label, in the order alerts list them.
    public var labelled: [(label: String, url: String)] {
        [("Stack events", stackEvents), ("Provisioned products", provisionedProducts), ("Product version", productVersion), ("Runbook", runbook)]
            .compactMap { label, url in url.map { (label, $0) } }
    }

    /// The console host of `region` in `partition`, nil for a partition without a public console.
    public static func host(partition: String, region: String) -> String? {
        switch partition {
        case "aws": "\(region).console.aws.amazon.com"
        case "aws-cn": "\(region).console.amazonaws.cn"
        case "aws-us-gov": "\(region).console.amazonaws-us-gov.com"
        default: nil
        }
    }

    /// `https://<host>/<service>/home?region=<region>#<fragment>`.
    static func consoleURL(partition: String, region: String, service: String, fragment: String) -> String? {
        host(partition: partition, region: region).map { "https://\($0)/\(service)/home?region=\(region)#\(fragment)" }
    }

    /// The stack's events tab, addressed by its ARN (names one stack, deleted ones included).
    public static func stackEvents(_ arn: StackARN) -> String? {
        consoleURL(partition: arn.partition, region: arn.region, service: "cloudformation", fragment: "/stacks/events?stackId=\(PercentEncoding.encode(arn.description))")
    }

    /// The product version in the administrator view, when both ids are well-formed (`prod-…`, `pa-…`).
    package static func productVersion(partition: String, region: String, productId: String?, artifactId: String?) -> String? {
        guard let productId, let artifactId, isServiceCatalogId(productId, prefix: "prod-"), isServiceCatalogId(artifactId, prefix: "pa-") else { return nil }
        return consoleURL(partition: partition, region: region, service: "servicecatalog", fragment: "admin-products/\(productId)/version/\(artifactId)")
    }

    /// `<prefix>` and then lowercase letters and digits: nothing that would need escaping in a URL.
    static func isServiceCatalogId(_ id: String, prefix: String) -> Bool {
        id.hasPrefix(prefix) && id.count > prefix.count && id.count <= 100
            && id.utf8.dropFirst(prefix.utf8.count).allSatisfy { StackARN.isLowerLetter($0) || StackARN.isDigit($0) }
    }
}

/// An IAM Identity Center AWS access portal and the role (permission set) alert readers take in member
/// accounts: a member-account link becomes the portal's shortcut link
/// (`<startUrl>/#/console?account_id=…&role_name=…&destination=…`), which signs in there first.
public struct ConsoleSignIn: Sendable, Equatable {
    /// The portal's start URL, `https://<name>.awsapps.com/start` or similar, without a trailing `/`.
    public var startURL: String
    public var roleName: String

    public init(startURL: String, roleName: String) {
        self.startURL = startURL.hasSuffix("/") ? String(startURL.dropLast()) : startURL
        self.roleName = roleName
    }

    /// The shortcut link to `destination` in `account`.
    public func shortcut(account: String, destination: String) -> String {
        "\(startURL)/#/console?account_id=\(PercentEncoding.encode(account))&role_name=\(PercentEncoding.encode(roleName))"
            + "&destination=\(PercentEncoding.encode(destination))"
    }
}
