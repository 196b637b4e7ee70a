import AWSClient
import ArgumentParser
import Deployment
import Foundation

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the deployment's health: StackSets, instances, topics, subscription, dead letters, errors, constraints.",
        discussion: "Exit 0 when healthy, 1 when degraded, 2 on a usage, credentials or access problem.")

    @OptionGroup var layoutOptions: LayoutOptions
    @OptionGroup var aws: AWSOptions

    @Flag(name: .long, help: "Run StackSet drift detection first and wait for it.")
    var detectDrift = false

    func run() async throws {
        let (layout, _) = try layoutOptions.load()
        guard let account = layout.managementAccountId else { throw CLIError.usage("the layout lacks managementAccountId; status needs it") }
        let (client, _) = try await aws.session(mainRegion: layout.mainRegion)
        let reporter = ConsoleReporter(format: aws.format)
        let report: StatusReport
        do {
            let identity = try await Guard(account: account, region: client.region).run("GetCallerIdentity") { try await client.callerIdentity() }
            try IdentityCheck.verify(identity, layout: layout)
            let code = layout.lambdaCode ?? .init(bucket: "", key: "")
            let target = try DeploymentTarget(layout: layout, account: account, code: code)
            report = try await StatusInspector(client: client, target: target, reporter: reporter, waiting: try aws.waiting(),
                                               detectDrift: detectDrift).inspect()
        } catch let error as DeploymentError {
            printError(error.description)
            throw ExitCode(2)
        }
        print(aws.format == .json ? report.json : report.text)
        if !report.isHealthy { throw ExitCode(1) }
    }
}
