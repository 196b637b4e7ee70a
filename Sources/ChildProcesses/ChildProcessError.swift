import Glibc

/// Why a child could not be started or did not finish. Descriptions name the executable and paths, never
/// the arguments or the environment (they may hold secrets).
package enum ChildProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No executable at the path, or (`searchedPath`) none of that name in PATH.
    case executableNotFound(String, searchedPath: Bool)
    /// The working directory does not exist or is not a directory.
    case workingDirectoryNotFound(String)
    /// A file for a standard stream could not be opened.
    case cannotOpen(String, errno: Int32)
    /// posix_spawn failed (the exec's error: EACCES, ENOEXEC, …).
    case spawnFailed(String, errno: Int32)
    /// Another system call failed.
    case systemCallFailed(String, errno: Int32)
    /// The child ran past the timeout and was killed (SIGKILL, to its group when it leads one).
    case timedOut(String, after: Duration)
    /// A configuration this call cannot carry out (`.capture` with `spawn()`, `sameAsStandardOutput` for stdout).
    case unsupported(String)

    package var description: String {
        switch self {
        case .executableNotFound(let name, true): "\(name) was not found in PATH"
        case .executableNotFound(let path, false): "no executable at \(path)"
        case .workingDirectoryNotFound(let path): "working directory \(path) does not exist or is not a directory"
        case .cannotOpen(let path, let code): "cannot open \(path): \(Self.message(code))"
        case .spawnFailed(let path, let code): "cannot start \(path): \(Self.message(code))"
        case .systemCallFailed(let call, let code): "\(call) failed: \(Self.message(code))"
        case .timedOut(let path, let timeout): "\(path) did not finish within \(timeout) and was killed"
        case .unsupported(let what): what
        }
    }

    /// strerror's text for `code`, with the number.
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
