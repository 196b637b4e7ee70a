import AWSClient
import AlertStack
import Layout
import DeployAPI
import JSONText
import SHA2

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One product of a listed portfolio and how it is watched.
package struct ProductWatch: Sendable, Equatable {
    package var region: String
    package var portfolioId: String
    package var productId: String
    package var productName: String
    /// The NOTIFICATION constraint that sends to this region's receive topic, if any.
    package var ourConstraintId: String?
    /// A NOTIFICATION constraint to other topics only (a product-portfolio pair takes one; left alone).
    package var otherNotificationConstraintId: String?
    /// The launch roles of the product's LAUNCH constraints (`RoleArn` or `LocalRoleName`).
    package var launchRoles: [String]

    package var isWatched: Bool { ourConstraintId != nil }
}

/// The notification constraints of the layout's portfolios: surveyed, added where missing, removed on destroy.
package struct CatalogConstraints: Sendable {
    package var client: AWSClient
    package var target: DeploymentTarget
    package var reporter: any ProgressReporter
    package var waiting: Waiting

    package init(client: AWSClient, target: DeploymentTarget, reporter: any ProgressReporter, waiting: Waiting) {
        self.client = client
        self.target = target
        self.reporter = reporter
        self.waiting = waiting
    }

    /// Every product of every listed portfolio, in layout order, with its constraints.
    package func survey() async throws -> [ProductWatch] {
        var watches: [ProductWatch] = []
        for (region, portfolios) in target.layout.portfoliosInOrder {
            let regional = client.with(region: region)
            let guardrail = Guard(account: target.account, region: region, waiting: waiting, reporter: reporter)
            let topic = target.receiveTopicArn(region)
            for portfolio in portfolios {
                let products = try await guardrail.run("SearchProductsAsAdmin \(portfolio)") {
                    try await regional.portfolioProducts(portfolio)
                }
                let constraints = try await guardrail.run("ListConstraintsForPortfolio \(portfolio)") {
                    try await regional.constraints(portfolioId: portfolio)
                }
                for product in products {
                    var watch = ProductWatch(region: region, portfolioId: portfolio, productId: product.productId,
                                             productName: product.name, launchRoles: [])
                    for c in constraints where c.productId == product.productId && ["NOTIFICATION", "LAUNCH"].contains(c.type) {
                        let parameters = try await guardrail.run("DescribeConstraint \(c.constraintId)") {
                            try await regional.constraintParameters(c.constraintId)
                        }
                        let decoded = ConstraintParameters.decode(parameters)
                        if c.type == "LAUNCH" {
                            watch.launchRoles += [decoded.roleArn, decoded.localRoleName].compactMap { $0 }
                        } else if decoded.notificationArns.contains(topic) {
                            watch.ourConstraintId = c.constraintId
                        } else {
                            watch.otherNotificationConstraintId = c.constraintId
                        }
                    }
                    watches.append(watch)
                }
            }
        }
        return watches
    }

    /// Adds the notification constraint to each product in `watches` that has none (same token on a re-run).
    package func add(_ watches: [ProductWatch]) async throws {
        for w in watches where w.ourConstraintId == nil && w.otherNotificationConstraintId == nil {
            let topic = target.receiveTopicArn(w.region)
            reporter.report(.step("add notification constraint to \(w.productName) (\(w.productId)) in \(w.portfolioId), \(w.region)"))
            // A fresh token per run, the same across the retries of this call: AWS asks for a new token for
            // each request, and the survey above already keeps a re-run from adding a constraint twice.
            let token = "catalogwatch-" + UUID().uuidString.lowercased()
            let regional = client.with(region: w.region)
            try await Guard(account: target.account, region: w.region, waiting: waiting, reporter: reporter).run("CreateConstraint \(w.productId)") {
                try await regional.createConstraint(
                    portfolioId: w.portfolioId, productId: w.productId, type: "NOTIFICATION",
                    parameters: ConstraintParameters.notification([topic]),
                    description: "CatalogWatch: stack events to \(PhysicalName.receiveTopic.name(prefix: target.layout.namePrefix))", idempotencyToken: token)
            }
        }
    }

    /// Removes the notification constraints that send to CatalogWatch's receive topics.
    package func removeOurs(_ watches: [ProductWatch]) async throws {
        for w in watches {
            guard let id = w.ourConstraintId else { continue }
            reporter.report(.step("remove notification constraint \(id) of \(w.productName) in \(w.portfolioId), \(w.region)"))
            let regional = client.with(region: w.region)
            try await Guard(account: target.account, region: w.region, waiting: waiting, reporter: reporter).run("DeleteConstraint \(id)") {
                do {
                    try await regional.deleteConstraint(id)
                } catch let error as AWSError where error.isNotFound {
                    return  // already gone: a re-run after an interruption
                }
            }
        }
    }
}

/// The JSON parameters of Service Catalog constraints.
package enum ConstraintParameters {
    package struct Decoded: Sendable, Equatable {
        package var notificationArns: [String] = []
        package var roleArn: String?
        package var localRoleName: String?
    }

    private struct Wire: Codable {
        var NotificationArns: [String]?
        var RoleArn: String?
        var LocalRoleName: String?
    }

    /// Reads NOTIFICATION (`NotificationArns`) and LAUNCH (`RoleArn`, `LocalRoleName`) parameters; anything else reads as empty.
    package static func decode(_ text: String) -> Decoded {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(text.utf8)) else { return Decoded() }
        return Decoded(notificationArns: wire.NotificationArns ?? [], roleArn: wire.RoleArn, localRoleName: wire.LocalRoleName)
    }

    /// `{"NotificationArns":[...]}`.
    package static func notification(_ arns: [String]) -> String {
        "{\"NotificationArns\":[" + arns.map(JSONText.quoted).joined(separator: ",") + "]}"
    }
}
