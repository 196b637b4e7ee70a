import AWSClient
import ArgumentParser
import DeployAPI
import Deployment
import Foundation

struct TestAlert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-alert",
        abstract: "Send a synthetic failure through one region's path and wait until the filter handles it.",
        discussion: """
            Publishes a clearly marked canary (stack catalogwatch-canary-<id>) into the receive topic of --region \
            (default: the main region), then waits until the filter logs that it handled it, and prints each \
            hop's latency. The canary's alert reaches no destination unless --deliver is given. Exit 0 when the \
            filter handled it (and, with --deliver, published it), 1 when it did not within --timeout (at most \
            10 minutes), 2 on a usage, credentials or access problem.
            """)

    @OptionGroup var layoutOptions: LayoutOptions
    @OptionGroup var aws: AWSOptions

    @Flag(name: .long, help: "Let the canary's alert reach the destinations (people see it).")
    var deliver = false

    /// test-alert waits at most this long, whatever --timeout says.
    static let longestWait: Duration = .seconds(600)

    func run() async throws {
        let (layout, _) = try layoutOptions.load()
        guard let account = layout.managementAccountId else { throw CLIError.usage("the layout lacks managementAccountId; test-alert needs it") }
        let region = aws.region ?? layout.mainRegion
        do {
            try CanaryRun.check(layout: layout, region: region)
        } catch {
            throw CLIError.usage(error.description)
        }
        let (client, _) = try await aws.session(mainRegion: layout.mainRegion)
        var waiting = try aws.waiting()
        waiting.deadline = min(waiting.deadline, ContinuousClock.now + Self.longestWait)
        let main = client.with(region: layout.mainRegion)
        do {
            let identity = try await Guard(account: account, region: layout.mainRegion).run("GetCallerIdentity") { try await main.callerIdentity() }
            try IdentityCheck.verify(identity, layout: layout)
            let run = CanaryRun(client: main, layout: layout, region: region, deliver: deliver, waiting: waiting)
            let report = try await run.run(account: account, partition: identity.partition) { line in printError(line) }
            print(CanaryRun.text(report, region: region, mainRegion: layout.mainRegion, deliver: deliver).joined(separator: "\n"))
            if let error = report.deliveryError {
                printError("the filter handled canary \(report.id) but could not publish its alert: \(error)")
                throw ExitCode(1)
            }
            print(deliver
                ? "the path from \(region) works: the filter handled the canary and published its alert"
                : "the path from \(region) works: the filter handled the canary (not delivered; --deliver sends it to the destinations)")
        } catch let error as DeploymentError {
            printError(error.description)
            throw ExitCode(2)
        } catch let problem as CanaryRun.Problem {
            printError(problem.description)
            throw ExitCode(1)
        }
    }
}
