import ArgumentParser
import Foundation

@main
struct CatalogWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogwatch",
        abstract: "Alerts on failed Service Catalog products across an AWS organization.",
        discussion: """
            Generates the CloudFormation and StackSet templates of the alert stack from a region layout, \
            validates layouts and templates in CI, packages the Swift filter Lambda for provided.al2023, \
            runs the filter locally on an event file, and deploys, checks and removes the whole setup in \
            an AWS organization's management account (deploy, status, destroy, constraints).
            """,
        version: "0.1.0",
        subcommands: [Generate.self, Validate.self, Plan.self, Package.self, Invoke.self, Deploy.self, Status.self, Destroy.self, Constraints.self, TestAlert.self])

    /// Runs the command; usage errors exit 2 (not ArgumentParser's 64), as CI scripts expect.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            printError(error.description)
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
