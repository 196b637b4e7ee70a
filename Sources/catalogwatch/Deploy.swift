import AWSClient
import AlertStack
import Layout
import ArgumentParser
import Deployment
import Foundation
import Packaging
import SHA2

struct Deploy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deploy the alert stack from a layout: artifact, roles, StackSets, instances, constraints.",
        discussion: """
            Checks that the credentials are the layout's management account, uploads the filter zip under its \
            content-hash key, creates or updates the StackSet roles stack through a change set, creates or updates \
            the StackSet(s) and their instances in the layout's RegionOrder (main region first), and adds the \
            notification constraint to every product of the layout's portfolios. Prints the plan first; waits for \
            every operation; safe to re-run after any interruption. Exit 0 when deployed, 1 when a step failed \
            (naming account, region and reason), 2 on a usage or credentials problem.
            """)

    @OptionGroup var layoutOptions: LayoutOptions
    @OptionGroup var aws: AWSOptions

    @Option(name: .long, help: ArgumentHelp("The packaged filter (default: dist/catalogwatch-filter-<arch>.zip from `catalogwatch package`).", valueName: "file"))
    var zip: String?

    @Option(name: .long, help: ArgumentHelp("Artifact bucket (default: the layout's lambdaCode.bucket).", valueName: "name"))
    var bucket: String?

    @Flag(name: .long, help: "Create the artifact bucket when it is missing (public access blocked, encryption on, owner-enforced).")
    var createBucket = false

    @Flag(name: .long, help: "Remove regions and StackSets the layout dropped without asking.")
    var yes = false

    @Flag(name: .long, help: "Print what would change and change nothing.")
    var dryRun = false

    func run() async throws {
        let (layout, _) = try layoutOptions.load()
        let missing = IdentityCheck.missingKeys(layout)
        guard missing.isEmpty else { throw CLIError.usage("the layout lacks \(missing.joined(separator: ", ")); deploy needs them") }
        guard let bucket = bucket ?? layout.lambdaCode?.bucket else {
            throw CLIError.usage("no artifact bucket: set lambdaCode.bucket in the layout or pass --bucket")
        }
        let (zipBytes, key) = try readZip(layout)
        let (client, source) = try await aws.session(mainRegion: layout.mainRegion)
        let reporter = ConsoleReporter(format: aws.format)
        reporter.report(.step("credentials from \(source)"))
        try await runReportingFailure(reporter) {
            let identity = try await Guard(account: layout.managementAccountId ?? "", region: client.region)
                .run("GetCallerIdentity") { try await client.callerIdentity() }
            try IdentityCheck.verify(identity, layout: layout)
            let target = try DeploymentTarget(layout: layout, account: identity.account, code: .init(bucket: bucket, key: key))
            let options = DeployOptions(zip: zipBytes, code: .init(bucket: bucket, key: key), dryRun: dryRun,
                                        approveRemovals: yes, createBucket: createBucket)
            try await Deployer(client: client, target: target, options: options, reporter: reporter, waiting: try aws.waiting(),
                               confirm: askOnTerminal).run()
        }
    }

    /// The zip and its content-hash key.
    func readZip(_ layout: Layout) throws -> ([UInt8], String) {
        let arch = layout.architecture
        let path = zip ?? "dist/catalogwatch-filter-\(arch.rawValue).zip"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read \(path): run `catalogwatch package --layout \(layoutOptions.layout ?? "FILE")` first, or pass --zip FILE")
        }
        let bytes = [UInt8](data)
        return (bytes, LambdaPackage.s3Key(zipSHA256: Hex.encode(SHA256.hash(bytes)), architecture: arch))
    }
}

/// Runs a deployment command, printing a `DeploymentError` as one message (and, with `--format json`,
/// as a last `failed` event) and exiting 1.
func runReportingFailure(_ reporter: ConsoleReporter, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as DeploymentError {
        if reporter.format == .json { reporter.report(.failed(error.description)) }
        printError(error.description)
        throw ExitCode(1)
    }
}

/// Asks on the terminal whether to go ahead; false when standard input is not a terminal.
@Sendable func askOnTerminal(_ question: String) async -> Bool {
    guard isatty(STDIN_FILENO) == 1 else { return false }
    FileHandle.standardError.write(Data("catalogwatch: \(question). Go ahead? [y/N] ".utf8))
    guard let answer = readLine() else { return false }
    return ["y", "yes"].contains(answer.lowercased())
}
