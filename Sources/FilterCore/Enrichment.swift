/// What the handler could look up about a failed stack; every field is optional.
public struct Enrichment: Sendable, Equatable {
    /// The first failed resource of the stack operation.
    public struct RootCause: Sendable, Equatable {
        public var logicalResourceId: String
        public var resourceType: String?
        public var status: String?
        public var reason: String?

        public init(logicalResourceId: String, resourceType: String? = nil, status: String? = nil, reason: String? = nil) {
            self.logicalResourceId = logicalResourceId
            self.resourceType = resourceType
            self.status = status
            self.reason = reason
        }
    }

    public var provisionedProductName: String?
    public var productId: String?
    public var productName: String?
    /// The provisioning artifact (version) id, `pa-…`.
    public var provisioningArtifactId: String?
    /// The provisioning artifact (version) name.
    public var provisioningArtifactName: String?
    public var provisioningArtifactDescription: String?
    /// Errors of the Service Catalog record (`RecordErrors`), one line each.
    public var recordErrors: [String]
    public var rootCause: RootCause?
    /// One line per failed lookup, e.g. `provisioned product pp-x: AccessDenied (…)`.
    public var lookupFailures: [String]
    /// The stack's tags whose keys `ROUTE_TAGS` names (key to value); each becomes the message attribute
    /// `tag.<key>` (`RouteTags`). Empty without `ROUTE_TAGS`, or when the tags could not be read.
    public var stackTags: [String: String]

    public init(
        provisionedProductName: String? = nil, productId: String? = nil, productName: String? = nil,
        provisioningArtifactId: String? = nil, provisioningArtifactName: String? = nil, provisioningArtifactDescription: String? = nil,
        recordErrors: [String] = [], rootCause: RootCause? = nil, lookupFailures: [String] = [], stackTags: [String: String] = [:]
    ) {
        self.provisionedProductName = provisionedProductName
        self.productId = productId
        self.productName = productName
        self.provisioningArtifactId = provisioningArtifactId
        self.provisioningArtifactName = provisioningArtifactName
        self.provisioningArtifactDescription = provisioningArtifactDescription
        self.recordErrors = recordErrors
        self.rootCause = rootCause
        self.lookupFailures = lookupFailures
        self.stackTags = stackTags
    }
}
