import AWSClient
import ChildProcesses
import Foundation

/// A profile's `credential_process`: runs the command with `/bin/sh -c` and reads its JSON
/// (`Version` 1, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`).
/// Errors name the profile and the exit status or the JSON problem, never the command (it may
/// hold a secret) nor stdout (it holds the credentials).
struct ProcessSource: Sendable {
    var profile: String
    var command: String
    var environment: [String: String]

    /// The process's JSON output (`Version` 1).
    private struct Output: Decodable {
        var Version: Int
        var AccessKeyId: String
        var SecretAccessKey: String
        var SessionToken: String?
        var Expiration: String?
    }

    /// Runs the command and decodes its output.
    func fetch() async throws -> Credentials {
        let what = "credential_process of profile \"\(profile)\""
        let result: ChildResult
        do {
            result = try await Self.run(command, environment: environment)
        } catch {
            throw CredentialsResolutionError(.sourceFailed, "\(what) could not be started")
        }
        guard result.termination == .exited(0) else {
            var message = switch result.termination {
            case .exited(let status): "\(what) exited with status \(status)"
            case .signaled(let signal): "\(what) was killed by signal \(signal)"
            }
            if let line = Self.lastLine(result.standardError) { message += ": \(line)" }
            throw CredentialsResolutionError(.sourceFailed, message)
        }
        let output = try SourceSupport.decode(Output.self, from: result.standardOutput, what: "the output of \(what)")
        guard output.Version == 1 else {
            throw CredentialsResolutionError(.sourceFailed, "the output of \(what) has Version \(output.Version), expected 1")
        }
        return try SourceSupport.credentials(
            accessKeyId: output.AccessKeyId, secretAccessKey: output.SecretAccessKey,
            sessionToken: output.SessionToken, expiration: output.Expiration, what: what)
    }

    /// The last non-empty stderr line, at most 200 characters (diagnostics, as botocore shows them).
    private static func lastLine(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
    }

    /// Runs `/bin/sh -c command` off the cooperative pool; stdin is /dev/null, stdout and stderr are captured
    /// (read together, so a helper that writes much to stderr never blocks), stderr for its last line.
    static func run(_ command: String, environment: [String: String]) async throws -> ChildResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try ChildCommand("/bin/sh", arguments: ["-c", command], environment: environment, standardInput: .null).run()
                })
            }
        }
    }
}
