import Foundation
import XCTest

/// What a program that ran to its end left: exit status, standard output and standard error.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Programs on PATH, the Python peers, and the package's folders.
public enum Tools {
    /// The skip message when moto_server or boto3 is missing.
    static let installHint = "moto_server or boto3 is not installed: pip install 'moto[server]' boto3 botocore"

    /// The package root, found from this file's path (Tests/TestSupport/Tools.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The first executable named `name` on PATH.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// python3 on PATH, or XCTSkip("python3 is not on PATH").
    static func requirePython3() throws -> String {
        guard let python = which("python3") else { throw XCTSkip("python3 is not on PATH") }
        return python
    }

    nonisolated(unsafe) private static var cachedPython: String??
    private static let lock = NSLock()

    /// The real python3 interpreter (not a pyenv shim), which runs in a clean environment too; nil
    /// when python3, boto3 or moto_server is missing.
    static func pythonWithAWS() -> String? {
        lock.withLock {
            if let cached = cachedPython { return cached }
            var found: String?
            if let python = which("python3"), which("moto_server") != nil, which("timeout") != nil,
                let output = try? run(python, ["-c", "import sys, boto3, botocore; print(sys.executable)"]).trimmingCharacters(in: .whitespacesAndNewlines),
                !output.isEmpty
            {
                found = output
            }
            cachedPython = .some(found)
            return found
        }
    }

    /// python3 with boto3 and moto_server, or XCTSkip with the pip command (`installHint`, also printed).
    public static func requirePythonAWS() throws -> String {
        guard let python = pythonWithAWS() else {
            print(installHint)
            throw XCTSkip(installHint)
        }
        return python
    }

    /// Runs a program to its end (or until `timeout`, then stops it and throws) and returns what it left,
    /// whatever its exit status. The working folder is `directory`, else the package root.
    public static func execute(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
        input: [UInt8] = [], timeout: Duration? = nil
    ) throws -> ProcessResult {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment, stdin: input, workingDirectory: directory)
        guard let status = child.waitForExit(timeout: timeout) else {
            child.stop()
            throw TestFailure("\(executable) \(arguments.first ?? "") did not finish in \(timeout.map { "\($0)" } ?? "time")")
        }
        return ProcessResult(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// Runs a short-lived program to its end (120 s at most); returns stdout, throws on a non-zero exit.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> String {
        let result = try execute(executable, arguments, input: input, timeout: .seconds(120))
        guard result.status == 0 else {
            throw TestFailure("\(executable) exited \(result.status): \(result.stderr.suffix(4000))")
        }
        return result.stdout
    }

    /// Runs `python3 -c script` with boto3 available (XCTSkip when it is not).
    static func python(_ script: String) throws -> String {
        try run(try requirePythonAWS(), ["-c", script])
    }

    /// Runs `python3 -c script arguments...` with python3 from PATH (no boto3 needed) and `input` on stdin;
    /// returns stdout. Throws TestFailure (not a skip) when python3 is missing or exits non-zero.
    public static func python3(_ script: String, arguments: [String] = [], input: [UInt8] = []) throws -> String {
        guard let python = which("python3") else { throw TestFailure("python3 is not on PATH") }
        return try run(python, ["-c", script] + arguments, input: input)
    }

    /// Whether `import module` works in python3 from PATH.
    public static func hasPythonModule(_ module: String) -> Bool {
        (try? python3("import \(module)")) != nil
    }

    /// A loopback port nothing listens on (bound by python3, then released); XCTSkip without python3.
    public static func freePort() throws -> Int {
        let output = try run(try requirePython3(), ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        guard let port = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port") }
        return port
    }

    /// A new empty folder under the system's temporary folder; the caller removes it.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("catalogwatch-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The filter binary the end-to-end tests run instead of the debug build, when set: `make test` runs
    /// them once more on the packaged release binary (link-time optimized), the one that ships.
    public static let filterUnderTestVariable = "CATALOGWATCH_FILTER_UNDER_TEST"

    /// A product of this package (`catalogwatch`, `catalogwatch-filter`) built next to the test bundle of
    /// `testClass` (the filter: the binary `CATALOGWATCH_FILTER_UNDER_TEST` names, if set); throws when it
    /// is not built.
    public static func builtExecutable(_ name: String, for testClass: AnyClass) throws -> URL {
        if name == "catalogwatch-filter", let path = ProcessInfo.processInfo.environment[filterUnderTestVariable], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else { throw TestFailure("\(filterUnderTestVariable)=\(path) is not an executable") }
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle(for: testClass).bundleURL
        var folders = [bundle.deletingLastPathComponent(), bundle, Bundle.main.bundleURL]
        for other in Bundle.allBundles where other.bundlePath.hasSuffix(".xctest") { folders.append(other.bundleURL.deletingLastPathComponent()) }
        let candidates = folders.map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestFailure("\(name) is not built next to the tests (looked at \(candidates.map(\.path))); run swift build first")
        }
        return found
    }
}
