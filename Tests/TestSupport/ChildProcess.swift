import Foundation

/// A child process whose stdout and stderr go to files (so a chatty child never blocks on a pipe).
public final class ChildProcess: @unchecked Sendable {
    let process = Process()
    /// The folder holding the captured stdin, stdout and stderr (removed when the child is released).
    let directory: URL
    let stdoutURL: URL
    let stderrURL: URL

    /// Starts `executable` with `arguments` in `workingDirectory` (the package root when nil), with
    /// `environment` (inherited when nil) and `stdin` as its input.
    ///
    /// Threads of the test process may block SIGTERM, and children inherit the mask: with
    /// `unblockingSignals`, python3 from PATH (XCTSkip without it) clears the mask, then execs `executable`
    /// (which must then be an absolute path).
    public init(
        executable: String, arguments: [String], environment: [String: String]? = nil, stdin: [UInt8] = [],
        workingDirectory: URL? = nil, unblockingSignals: Bool = false
    ) throws {
        directory = try Tools.temporaryDirectory()
        stdoutURL = directory.appendingPathComponent("stdout")
        stderrURL = directory.appendingPathComponent("stderr")
        let stdinURL = directory.appendingPathComponent("stdin")
        try Data(stdin).write(to: stdinURL)
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        if unblockingSignals {
            process.executableURL = URL(fileURLWithPath: try Tools.requirePython3())
            process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                                 executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        // Always an explicit environment: Process.run() then builds the child's from this dictionary, not
        // from the live `environ` (a run once crashed in Foundation's copy while starting a child).
        process.environment = environment ?? ProcessInfo.processInfo.environment
        process.currentDirectoryURL = workingDirectory ?? Tools.packageRoot
        process.standardInput = try FileHandle(forReadingFrom: stdinURL)
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The first line the child printed, waiting for it up to `timeout`.
    func firstLine(timeout: Duration) throws -> String {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if !process.isRunning {
                throw TestFailure("\(process.executableURL?.lastPathComponent ?? "child") exited \(process.terminationStatus) before printing a line: \(stderr.suffix(2000))")
            }
            usleep(20_000)
        }
        throw TestFailure("no output line within \(timeout)")
    }

    /// Polls for the exit (`waitUntilExit` spins a run loop); nil when still running after `timeout`
    /// (no limit when `timeout` is nil).
    public func waitForExit(timeout: Duration?) -> Int32? {
        let start = ContinuousClock.now
        while process.isRunning {
            if let timeout, ContinuousClock.now - start > timeout { return nil }
            usleep(10_000)
        }
        return process.terminationStatus
    }

    /// SIGTERM (to the process group with `group`), then SIGKILL after 5 s.
    public func stop(group: Bool = false) {
        guard process.isRunning else { return }
        let target = group ? -pid : pid
        kill(target, SIGTERM)
        if waitForExit(timeout: .seconds(5)) == nil {
            kill(target, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }
}
