import AWSClient
import ArgumentParser
import Deployment
import Foundation

struct Constraints: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "constraints",
        abstract: "List, add or remove the notification constraints of the layout's portfolios.",
        subcommands: [List.self, Apply.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every product of the listed portfolios: watched or not, and its launch roles. Exit 1 when one is unwatched.")
        @OptionGroup var layoutOptions: LayoutOptions
        @OptionGroup var aws: AWSOptions

        func run() async throws {
            let watches = try await survey(layoutOptions, aws, apply: .none)
            if watches.contains(where: { !$0.isWatched }) { throw ExitCode(1) }
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add the notification constraint to every product of the listed portfolios that lacks it.")
        @OptionGroup var layoutOptions: LayoutOptions
        @OptionGroup var aws: AWSOptions

        func run() async throws {
            _ = try await survey(layoutOptions, aws, apply: .add)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the notification constraints CatalogWatch added (the last step of a move to source eventbridge).")
        @OptionGroup var layoutOptions: LayoutOptions
        @OptionGroup var aws: AWSOptions

        func run() async throws {
            _ = try await survey(layoutOptions, aws, apply: .remove)
        }
    }
}

/// What `survey` changes after looking.
private enum ConstraintChange {
    case none, add, remove
}

/// Surveys (and with `apply`, completes or removes) the constraints; prints one line per product.
private func survey(_ layoutOptions: LayoutOptions, _ aws: AWSOptions, apply: ConstraintChange) async throws -> [ProductWatch] {
    let (layout, _) = try layoutOptions.load()
    guard let account = layout.managementAccountId else { throw CLIError.usage("the layout lacks managementAccountId") }
    guard !layout.portfolios.isEmpty else { throw CLIError.usage("the layout lists no portfolios (portfolios: {region: [port-...]})") }
    let (client, _) = try await aws.session(mainRegion: layout.mainRegion)
    let reporter = ConsoleReporter(format: aws.format)
    var result: [ProductWatch] = []
    try await runReportingFailure(reporter) {
        let identity = try await Guard(account: account, region: client.region).run("GetCallerIdentity") { try await client.callerIdentity() }
        try IdentityCheck.verify(identity, layout: layout)
        let target = try DeploymentTarget(layout: layout, account: account, code: layout.lambdaCode ?? .init(bucket: "", key: ""))
        let constraints = CatalogConstraints(client: client, target: target, reporter: reporter, waiting: try aws.waiting())
        var watches = try await constraints.survey()
        switch apply {
        case .none: break
        case .add: try await constraints.add(watches)
        case .remove: try await constraints.removeOurs(watches)
        }
        if apply != .none { watches = try await constraints.survey() }
        for w in watches {
            let state = w.isWatched ? "watched" : (w.otherNotificationConstraintId != nil ? "other notification constraint" : "unwatched")
            let roles = w.launchRoles.isEmpty ? "" : "; launch roles: \(w.launchRoles.joined(separator: ", "))"
            reporter.report(.plan("\(w.region) \(w.portfolioId) \(w.productName) (\(w.productId)): \(state)\(roles)"))
        }
        result = watches
    }
    return result
}
