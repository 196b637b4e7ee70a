/// The fields CatalogWatch reads from `DescribeProvisionedProduct`'s `ProvisionedProductDetail`.
public struct ProvisionedProductDetail: Sendable, Equatable {
    public var id: String?
    public var name: String?
    public var productId: String?
    public var provisioningArtifactId: String?
    public var lastRecordId: String?
    public var status: String?
    public var statusMessage: String?

    public init(
        id: String? = nil, name: String? = nil, productId: String? = nil, provisioningArtifactId: String? = nil,
        lastRecordId: String? = nil, status: String? = nil, statusMessage: String? = nil
    ) {
        self.id = id
        self.name = name
        self.productId = productId
        self.provisioningArtifactId = provisioningArtifactId
        self.lastRecordId = lastRecordId
        self.status = status
        self.statusMessage = statusMessage
    }
}

/// The fields CatalogWatch reads from `DescribeProvisioningArtifact`'s `ProvisioningArtifactDetail`.
public struct ProvisioningArtifactDetail: Sendable, Equatable {
    public var id: String?
    public var name: String?
    public var description: String?

    public init(id: String? = nil, name: String? = nil, description: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
    }
}

/// The fields CatalogWatch reads from `DescribeProduct`'s `ProductViewSummary`.
public struct ProductViewSummary: Sendable, Equatable {
    public var id: String?
    public var productId: String?
    public var name: String?

    public init(id: String? = nil, productId: String? = nil, name: String? = nil) {
        self.id = id
        self.productId = productId
        self.name = name
    }
}

/// One entry of a Service Catalog record's `RecordErrors`.
public struct RecordError: Sendable, Equatable {
    public var code: String?
    public var description: String?

    public init(code: String? = nil, description: String? = nil) {
        self.code = code
        self.description = description
    }
}

/// The fields CatalogWatch reads from `DescribeRecord`'s `RecordDetail`.
public struct RecordDetail: Sendable, Equatable {
    public var recordId: String?
    public var status: String?
    public var recordErrors: [RecordError]

    public init(recordId: String? = nil, status: String? = nil, recordErrors: [RecordError] = []) {
        self.recordId = recordId
        self.status = status
        self.recordErrors = recordErrors
    }
}

/// Wire shapes of the JSON 1.1 calls (only the members read).
enum ServiceCatalogWire {
    struct IdInput: Encodable {
        var Id: String
    }

    struct DescribeProvisioningArtifactInput: Encodable {
        var ProductId: String
        var ProvisioningArtifactId: String
        var IncludeProvisioningArtifactParameters: Bool
    }

    struct DescribeProvisionedProductOutput: Decodable {
        struct Detail: Decodable {
            var Id: String?
            var Name: String?
            var ProductId: String?
            var ProvisioningArtifactId: String?
            var LastRecordId: String?
            var Status: String?
            var StatusMessage: String?
        }
        var ProvisionedProductDetail: Detail
    }

    struct DescribeProvisioningArtifactOutput: Decodable {
        struct Detail: Decodable {
            var Id: String?
            var Name: String?
            var Description: String?
        }
        var ProvisioningArtifactDetail: Detail
    }

    struct DescribeProductOutput: Decodable {
        struct Summary: Decodable {
            var Id: String?
            var ProductId: String?
            var Name: String?
        }
        var ProductViewSummary: Summary
    }

    struct DescribeRecordOutput: Decodable {
        struct Detail: Decodable {
            struct RecordError: Decodable {
                var Code: String?
                var Description: String?
            }
            var RecordId: String?
            var Status: String?
            var RecordErrors: [RecordError]?
        }
        var RecordDetail: Detail
    }
}

extension AWSClient {
    /// Service Catalog `DescribeProvisionedProduct` by provisioned product id.
    public func describeProvisionedProduct(id: String, deadline: ContinuousClock.Instant? = nil) async throws -> ProvisionedProductDetail {
        let output = try await json(.serviceCatalog, operation: "DescribeProvisionedProduct", input: ServiceCatalogWire.IdInput(Id: id),
                                    output: ServiceCatalogWire.DescribeProvisionedProductOutput.self, deadline: deadline)
        return Self.convert(output)
    }

    /// Service Catalog `DescribeProvisioningArtifact` (without its parameters).
    public func describeProvisioningArtifact(
        productId: String, provisioningArtifactId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> ProvisioningArtifactDetail {
        let input = ServiceCatalogWire.DescribeProvisioningArtifactInput(
            ProductId: productId, ProvisioningArtifactId: provisioningArtifactId, IncludeProvisioningArtifactParameters: false)
        let output = try await json(.serviceCatalog, operation: "DescribeProvisioningArtifact", input: input,
                                    output: ServiceCatalogWire.DescribeProvisioningArtifactOutput.self, deadline: deadline)
        return Self.convert(output)
    }

    /// Service Catalog `DescribeProduct` (the end-user call; `DescribeProductAsAdmin` needs admin rights).
    public func describeProduct(id: String, deadline: ContinuousClock.Instant? = nil) async throws -> ProductViewSummary {
        let output = try await json(.serviceCatalog, operation: "DescribeProduct", input: ServiceCatalogWire.IdInput(Id: id),
                                    output: ServiceCatalogWire.DescribeProductOutput.self, deadline: deadline)
        return Self.convert(output)
    }

    /// Service Catalog `DescribeRecord`: status and errors of a provisioning record.
    public func describeRecord(id: String, deadline: ContinuousClock.Instant? = nil) async throws -> RecordDetail {
        let output = try await json(.serviceCatalog, operation: "DescribeRecord", input: ServiceCatalogWire.IdInput(Id: id),
                                    output: ServiceCatalogWire.DescribeRecordOutput.self, deadline: deadline)
        return Self.convert(output)
    }

    static func convert(_ output: ServiceCatalogWire.DescribeProvisionedProductOutput) -> ProvisionedProductDetail {
        let d = output.ProvisionedProductDetail
        return ProvisionedProductDetail(id: d.Id, name: d.Name, productId: d.ProductId, provisioningArtifactId: d.ProvisioningArtifactId,
                                        lastRecordId: d.LastRecordId, status: d.Status, statusMessage: d.StatusMessage)
    }

    static func convert(_ output: ServiceCatalogWire.DescribeProvisioningArtifactOutput) -> ProvisioningArtifactDetail {
        let d = output.ProvisioningArtifactDetail
        return ProvisioningArtifactDetail(id: d.Id, name: d.Name, description: d.Description)
    }

    static func convert(_ output: ServiceCatalogWire.DescribeProductOutput) -> ProductViewSummary {
        let s = output.ProductViewSummary
        return ProductViewSummary(id: s.Id, productId: s.ProductId, name: s.Name)
    }

    static func convert(_ output: ServiceCatalogWire.DescribeRecordOutput) -> RecordDetail {
        let d = output.RecordDetail
        return RecordDetail(recordId: d.RecordId, status: d.Status,
                            recordErrors: (d.RecordErrors ?? []).map { RecordError(code: $0.Code, description: $0.Description) })
    }
}
