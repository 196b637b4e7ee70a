import AWSClient

/// A product of a portfolio, as `SearchProductsAsAdmin` lists it.
package struct PortfolioProduct: Sendable, Equatable {
    package var productId: String
    package var name: String
}

/// A Service Catalog constraint, as `ListConstraintsForPortfolio` lists it.
package struct ConstraintSummary: Sendable, Equatable {
    package var constraintId: String
    /// `LAUNCH`, `NOTIFICATION`, `RESOURCE_UPDATE`, `STACKSET`, `TEMPLATE`.
    package var type: String
    package var productId: String?
    package var portfolioId: String?
    package var description: String?
}

/// The wire shapes of the Service Catalog admin calls (JSON 1.1, field names as in the service model).
enum CatalogAdminWire {
    struct SearchProductsAsAdminInput: Encodable {
        var PortfolioId: String
        var PageToken: String?
        var PageSize = 20
    }
    struct SearchProductsAsAdminOutput: Decodable {
        struct Detail: Decodable {
            struct Summary: Decodable { var ProductId: String?; var Name: String? }
            var ProductViewSummary: Summary?
        }
        var ProductViewDetails: [Detail]?
        var NextPageToken: String?
    }
    struct ListConstraintsInput: Encodable {
        var PortfolioId: String
        var ProductId: String?
        var PageToken: String?
        var PageSize = 20
    }
    struct ConstraintDetail: Decodable {
        var ConstraintId: String?
        var `Type`: String?
        var Description: String?
        var ProductId: String?
        var PortfolioId: String?
    }
    struct ListConstraintsOutput: Decodable {
        var ConstraintDetails: [ConstraintDetail]?
        var NextPageToken: String?
    }
    struct CreateConstraintInput: Encodable {
        var PortfolioId: String
        var ProductId: String
        var Parameters: String
        var `Type`: String
        var Description: String
        var IdempotencyToken: String
    }
    struct CreateConstraintOutput: Decodable { var ConstraintDetail: ConstraintDetail? }
    struct IdInput: Encodable { var Id: String }
    struct DescribeConstraintOutput: Decodable { var ConstraintParameters: String? }
    struct Empty: Decodable {}
}

extension AWSClient {
    /// Every product of `portfolioId` (`SearchProductsAsAdmin`, all pages).
    package func portfolioProducts(_ portfolioId: String, deadline: ContinuousClock.Instant? = nil) async throws -> [PortfolioProduct] {
        var products: [PortfolioProduct] = []
        var token: String?
        repeat {
            let output = try await json(
                .serviceCatalog, operation: "SearchProductsAsAdmin",
                input: CatalogAdminWire.SearchProductsAsAdminInput(PortfolioId: portfolioId, PageToken: token),
                output: CatalogAdminWire.SearchProductsAsAdminOutput.self, deadline: deadline)
            for detail in output.ProductViewDetails ?? [] {
                guard let id = detail.ProductViewSummary?.ProductId else { continue }
                products.append(PortfolioProduct(productId: id, name: detail.ProductViewSummary?.Name ?? id))
            }
            token = output.NextPageToken?.isEmpty == false ? output.NextPageToken : nil
        } while token != nil
        return products
    }

    /// The constraints of `portfolioId` (for one product when `productId` is given), all pages.
    package func constraints(
        portfolioId: String, productId: String? = nil, deadline: ContinuousClock.Instant? = nil
    ) async throws -> [ConstraintSummary] {
        var constraints: [ConstraintSummary] = []
        var token: String?
        repeat {
            let output = try await json(
                .serviceCatalog, operation: "ListConstraintsForPortfolio",
                input: CatalogAdminWire.ListConstraintsInput(PortfolioId: portfolioId, ProductId: productId, PageToken: token),
                output: CatalogAdminWire.ListConstraintsOutput.self, deadline: deadline)
            for d in output.ConstraintDetails ?? [] {
                guard let id = d.ConstraintId else { continue }
                constraints.append(ConstraintSummary(
                    constraintId: id, type: d.Type ?? "", productId: d.ProductId ?? productId,
                    portfolioId: d.PortfolioId ?? portfolioId, description: d.Description))
            }
            token = output.NextPageToken?.isEmpty == false ? output.NextPageToken : nil
        } while token != nil
        return constraints
    }

    /// The parameters (JSON text) of a constraint (`DescribeConstraint`).
    package func constraintParameters(_ constraintId: String, deadline: ContinuousClock.Instant? = nil) async throws -> String {
        let output = try await json(
            .serviceCatalog, operation: "DescribeConstraint", input: CatalogAdminWire.IdInput(Id: constraintId),
            output: CatalogAdminWire.DescribeConstraintOutput.self, deadline: deadline)
        return output.ConstraintParameters ?? ""
    }

    /// `CreateConstraint`; the idempotency token makes a retried call return the same constraint.
    package func createConstraint(
        portfolioId: String, productId: String, type: String, parameters: String, description: String,
        idempotencyToken: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        let input = CatalogAdminWire.CreateConstraintInput(
            PortfolioId: portfolioId, ProductId: productId, Parameters: parameters, Type: type, Description: description,
            IdempotencyToken: idempotencyToken)
        let output = try await json(.serviceCatalog, operation: "CreateConstraint", input: input,
                                    output: CatalogAdminWire.CreateConstraintOutput.self, deadline: deadline)
        return output.ConstraintDetail?.ConstraintId ?? ""
    }

    /// `DeleteConstraint`.
    package func deleteConstraint(_ constraintId: String, deadline: ContinuousClock.Instant? = nil) async throws {
        _ = try await json(.serviceCatalog, operation: "DeleteConstraint", input: CatalogAdminWire.IdInput(Id: constraintId),
                           output: CatalogAdminWire.Empty.self, deadline: deadline)
    }
}
