// Child processes over posix_spawn, without Foundation: Foundation's Process on Swift 6.3.1 crashes now and
// then inside Process.run() (swift-corelibs-foundation, fixed upstream by PR #5472).

/// What to start as a child process: the executable, its arguments and environment, its working directory,
/// where its standard streams come from and go to, and whether it leads a new process group.
///
/// `run(timeout:)` runs it to its end and returns its termination and what it printed; `spawn()` starts it
/// and returns a `RunningChild` for children that run alongside the caller (servers, long builds).
///
/// Every child starts with an empty signal mask and the default disposition of every signal (whatever the
/// spawning thread blocks or this process ignores), and with only its three standard streams from us: every
/// descriptor this module opens is close-on-exec.
package struct ChildCommand: Sendable {
    /// An absolute path (a relative one with a "/" is taken from this process's working directory), or with
    /// `searchPath` a name without "/" looked up in PATH.
    package var executable: String
    /// The arguments after argv[0] (which is `executable` as given).
    package var arguments: [String]
    /// Exactly the child's environment (sorted by name); nil passes a copy of this process's current one.
    package var environment: [String: String]?
    /// The child's working directory (it must exist); nil keeps this process's.
    package var workingDirectory: String?
    /// Looks `executable` up in the PATH of the child's environment (else this process's PATH, else
    /// /usr/local/bin:/usr/bin:/bin) when it has no "/".
    package var searchPath: Bool
    package var standardInput: ChildInput
    package var standardOutput: ChildOutput
    package var standardError: ChildOutput
    /// Starts the child as the leader of a new process group, so a signal `toGroup` reaches what it starts too.
    package var newProcessGroup: Bool

    package init(
        _ executable: String, arguments: [String] = [], environment: [String: String]? = nil, workingDirectory: String? = nil,
        searchPath: Bool = false, standardInput: ChildInput = .null, standardOutput: ChildOutput = .capture,
        standardError: ChildOutput = .capture, newProcessGroup: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.searchPath = searchPath
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.newProcessGroup = newProcessGroup
    }
}

/// Where a child's standard input comes from.
package enum ChildInput: Sendable, Equatable {
    /// /dev/null: the child reads end-of-file at once.
    case null
    /// This process's standard input.
    case inherit
    /// These bytes, then end-of-file (held in an anonymous memory file, so no writer can block).
    case bytes([UInt8])
    /// The file at this path.
    case file(String)
    /// A descriptor the caller owns and closes (the child gets a duplicate).
    case fileDescriptor(Int32)
}

/// Where a child's standard output or standard error goes.
package enum ChildOutput: Sendable, Equatable {
    /// A pipe that `run(timeout:)` reads while the child runs, returned as bytes (not with `spawn()`).
    case capture
    /// /dev/null.
    case null
    /// This process's stream of the same number.
    case inherit
    /// The file at this path, created when missing (mode 0666 less the umask), truncated unless `append`.
    case file(String, append: Bool = false)
    /// A descriptor the caller owns and closes (the child gets a duplicate).
    case fileDescriptor(Int32)
    /// Standard error only: wherever the child's standard output goes (`2>&1`).
    case sameAsStandardOutput
}

/// How a child ended.
package enum ChildTermination: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status (0–255; -1 when something else in this process reaped it first).
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// The exit status, or 128 + the signal number for a signal, as shells report them.
    package var status: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }

    package var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)"
        }
    }

    /// Decodes a `waitpid` status (WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import).
    init(waitStatus: Int32) {
        let low = waitStatus & 0x7f
        self = low == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(low)
    }
}

/// What a child that `run(timeout:)` ran to its end left.
package struct ChildResult: Sendable, Equatable {
    package var termination: ChildTermination
    /// The captured standard output (empty unless it was `.capture`).
    package var standardOutput: [UInt8]
    /// The captured standard error (empty unless it was `.capture`).
    package var standardError: [UInt8]

    /// `termination.status`: the exit status, or 128 + the signal number.
    package var status: Int32 { termination.status }

    package init(termination: ChildTermination, standardOutput: [UInt8], standardError: [UInt8]) {
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}
