import ChildProcesses
import Foundation

/// A child process whose stdout and stderr go to files (so a chatty child never blocks on a pipe), started
/// with posix_spawn (module ChildProcesses) as the leader of its own process group. Every test target
/// starts its children here, or through `Tools.execute`, which uses this.
public final class ChildProcess: Sendable {
    let child: RunningChild
    /// The folder holding the captured stdout and stderr (removed when the child is released).
    let directory: URL
    let stdoutURL: URL
    let stderrURL: URL

    /// Starts `executable` (an absolute path) with `arguments` in `workingDirectory` (the package root when
    /// nil), with `environment` (inherited when nil) and `stdin` as its input.
    ///
    /// Every child starts with an empty signal mask and default signal dispositions (posix_spawn resets
    /// them), whatever the test threads block.
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, stdin: [UInt8] = [],
        workingDirectory: URL? = nil
    ) throws {
        let directory = try Tools.temporaryDirectory()
        self.directory = directory
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        let command = ChildCommand(
            executable, arguments: arguments, environment: environment, workingDirectory: (workingDirectory ?? Tools.packageRoot).path,
            standardInput: .bytes(stdin), standardOutput: .file(stdoutURL.path), standardError: .file(stderrURL.path), newProcessGroup: true)
        do {
            child = try command.spawn()
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var pid: Int32 { child.pid }
    var isRunning: Bool { child.isRunning }
    /// The exit status (128 + the signal number when a signal ended it); nil while the child runs.
    var exitStatus: Int32? { child.termination?.status }
    public var stdout: String { Self.text(stdoutURL) }
    public var stderr: String { Self.text(stderrURL) }

    /// A file's bytes as UTF-8 (invalid sequences replaced); "" when it cannot be read.
    private static func text(_ url: URL) -> String {
        String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
    }

    /// The first line the child printed, waiting for it up to `timeout`.
    func firstLine(timeout: Duration) throws -> String {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if let status = exitStatus {
                let name = (child.executable as NSString).lastPathComponent
                throw TestFailure("\(name) exited \(status) before printing a line: \(stderr.suffix(2000))")
            }
            usleep(20_000)
        }
        throw TestFailure("no output line within \(timeout)")
    }

    /// Waits for the exit; nil when still running after `timeout` (no limit when `timeout` is nil). The
    /// status is 128 + the signal number when a signal ended the child.
    public func waitForExit(timeout: Duration?) -> Int32? {
        guard let timeout else { return child.wait().status }
        return child.wait(timeout: timeout)?.status
    }

    /// SIGTERM (to the process group with `group`), then SIGKILL after 5 s.
    public func stop(group: Bool = false) {
        guard child.isRunning else { return }
        child.terminate(toGroup: group)
        if child.wait(timeout: .seconds(5)) == nil {
            child.kill(toGroup: group)
            _ = child.wait(timeout: .seconds(5))
        }
    }
}
