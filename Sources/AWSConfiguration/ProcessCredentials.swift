import AWSClient
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
        let result: (status: Int32, stdout: Data, stderr: Data)
        do {
            result = try await Self.run(command, environment: environment)
        } catch {
            throw CredentialsResolutionError(.sourceFailed, "\(what) could not be started")
        }
        guard result.status == 0 else {
            var message = "\(what) exited with status \(result.status)"
            if let line = Self.lastLine(result.stderr) { message += ": \(line)" }
            throw CredentialsResolutionError(.sourceFailed, message)
        }
        let output = try SourceSupport.decode(Output.self, from: Array(result.stdout), what: "the output of \(what)")
        guard output.Version == 1 else {
            throw CredentialsResolutionError(.sourceFailed, "the output of \(what) has Version \(output.Version), expected 1")
        }
        return try SourceSupport.credentials(
            accessKeyId: output.AccessKeyId, secretAccessKey: output.SecretAccessKey,
            sessionToken: output.SessionToken, expiration: output.Expiration, what: what)
    }

    /// The last non-empty stderr line, at most 200 characters (diagnostics, as botocore shows them).
    private static func lastLine(_ data: Data) -> String? {
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else { return nil }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed
    }

    /// Runs `/bin/sh -c command` off the cooperative pool; stdin is /dev/null.
    static func run(_ command: String, environment: [String: String]) async throws -> (status: Int32, stdout: Data, stderr: Data) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(command, environment: environment) })
            }
        }
    }

    /// stderr as read by a background reader; written once before `group.wait()` returns.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }

    private static func runBlocking(_ command: String, environment: [String: String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errors = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, output, errors.data)
    }
}
