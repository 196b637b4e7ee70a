import AWSClient
import ArgumentParser
import Deployment
import Foundation

struct Destroy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove CatalogWatch from the account, in reverse: constraints, instances (main region last), StackSets, roles.",
        discussion: """
            Instances a failed delete leaves INOPERABLE are removed with their stacks kept and reported (exit 1). \
            The artifact bucket is never deleted.
            """)

    @OptionGroup var layoutOptions: LayoutOptions
    @OptionGroup var aws: AWSOptions

    @Flag(name: .long, help: "Required: confirms the removal.")
    var yes = false

    @Flag(name: .long, help: "Keep the StackSet roles stack.")
    var keepRoles = false

    @Flag(name: .long, help: "Keep the notification constraints CatalogWatch added.")
    var keepConstraints = false

    func run() async throws {
        let (layout, _) = try layoutOptions.load()
        guard let account = layout.managementAccountId else { throw CLIError.usage("the layout lacks managementAccountId; destroy needs it") }
        guard yes else { throw CLIError.usage("destroy removes CatalogWatch from account \(account); pass --yes to confirm") }
        let (client, _) = try await aws.session(mainRegion: layout.mainRegion)
        let reporter = ConsoleReporter(format: aws.format)
        try await runReportingFailure(reporter) {
            let identity = try await Guard(account: account, region: client.region).run("GetCallerIdentity") { try await client.callerIdentity() }
            try IdentityCheck.verify(identity, layout: layout)
            let target = try DeploymentTarget(layout: layout, account: account, code: layout.lambdaCode ?? .init(bucket: "", key: ""))
            try await Destroyer(client: client, target: target, reporter: reporter, waiting: try aws.waiting(),
                                keepRoles: keepRoles, keepConstraints: keepConstraints).run()
        }
    }
}
