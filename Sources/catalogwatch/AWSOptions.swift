import AWSClient
import AWSConfiguration
import ArgumentParser
import Deployment
import Foundation
import URLSessionTransport

/// Options of the commands that call AWS: credentials, region, deadline and output.
struct AWSOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Profile of the shared AWS config files (default: AWS_PROFILE, then the default chain).", valueName: "name"))
    var profile: String?

    @Option(name: .long, help: ArgumentHelp("Region for the calls that are not regional by the layout (default: the layout's main region).", valueName: "region"))
    var region: String?

    @Option(name: .long, help: ArgumentHelp("Give up waiting after this long: 90s, 30m, 1h.", valueName: "duration"))
    var timeout = "30m"

    @Option(name: .long, help: ArgumentHelp("Seconds between polls of an operation.", valueName: "seconds"))
    var pollInterval = 5.0

    @Option(name: .long, help: "text (a live status line on a terminal, plain lines otherwise) or json (JSON lines).")
    var format: ProgressFormat = .text

    /// The deadline and polling of this run.
    func waiting() throws -> Waiting {
        guard let timeout = Self.duration(timeout) else {
            throw CLIError.usage("--timeout \(timeout): use a number with s, m or h, at most 24h (e.g. 30m)")
        }
        guard pollInterval > 0, pollInterval <= 600 else { throw CLIError.usage("--poll-interval must be between 0 and 600 seconds") }
        return Waiting(timeout: timeout, pollInterval: .milliseconds(Int(pollInterval * 1000)))
    }

    /// Credentials and region as the AWS SDKs resolve them; the region defaults to `mainRegion`.
    func session(mainRegion: String) async throws -> (client: AWSClient, source: String) {
        let environment = ProcessInfo.processInfo.environment
        let transport = URLSessionTransport()
        let resolver = AWSConfigurationResolver(
            environment: environment, homeDirectory: FileManager.default.homeDirectoryForCurrentUser.path, transport: transport)
        let session: AWSSession
        do {
            session = try await resolver.resolve(profile: profile, region: region ?? mainRegion)
        } catch {
            throw CLIError.usage("\(error)")
        }
        let client = AWSClient(
            transport: transport, credentials: session.credentials, endpoints: session.endpoints, region: session.region,
            requestTimeout: .seconds(30), defaultTimeBudget: .seconds(120))
        return (client, session.source)
    }

    static func duration(_ text: String) -> Duration? {
        let units: [(String, Int)] = [("h", 3600), ("m", 60), ("s", 1)]
        // At most a day: longer is a typo, and a bound keeps the conversion to milliseconds exact.
        func bounded(_ seconds: Double) -> Duration? {
            seconds.isFinite && seconds > 0 && seconds <= 86_400 ? .milliseconds(Int(seconds * 1000)) : nil
        }
        for (suffix, seconds) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast()).flatMap { bounded($0 * Double(seconds)) }
        }
        return Double(text).flatMap(bounded)
    }
}

/// How deployment commands print progress.
enum ProgressFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Prints progress: JSON lines, plain lines, or on a terminal a status line rewritten in place
/// for regions still running (finished regions and every other event get a line of their own).
final class ConsoleReporter: ProgressReporter, @unchecked Sendable {
    let format: ProgressFormat
    private let live: Bool
    private let lock = NSLock()
    private var statusLineShown = false

    init(format: ProgressFormat, live: Bool = isatty(STDOUT_FILENO) == 1) {
        self.format = format
        self.live = live && format == .text
    }

    func report(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        if format == .json { return write(event.jsonLine + "\n") }
        if live, case .region(_, _, let status, _) = event, ["RUNNING", "PENDING", "QUEUED"].contains(status) {
            write("\r\u{1B}[2K" + event.text)
            statusLineShown = true
            return
        }
        if statusLineShown { write("\r\u{1B}[2K") }
        statusLineShown = false
        write(event.text + "\n")
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
