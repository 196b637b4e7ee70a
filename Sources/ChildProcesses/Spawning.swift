import Glibc

/// A started child and this process's ends of its captured streams (nil when not captured).
struct StartedChild {
    var child: RunningChild
    var standardOutput: Int32?
    var standardError: Int32?
}

/// The descriptors behind a child's standard streams while it is being spawned: each source is
/// close-on-exec and at 3 or above, so the child's dup2s cannot clobber one another and nothing else leaks.
private struct Streams {
    /// dup2(source, target) in the child, in order.
    var redirections: [(source: Int32, target: Int32)] = []
    /// Descriptors the parent opened for the child: closed in the parent once the child is started.
    var childSide: [Int32] = []
    /// This process's ends of captured pipes, by target (1, 2).
    var captured: [Int32: Int32] = [:]

    mutating func redirect(own fd: Int32, to target: Int32) {
        childSide.append(fd)
        redirections.append((fd, target))
    }

    mutating func input(_ input: ChildInput) throws {
        switch input {
        case .inherit: break
        case .null: redirect(own: try Descriptor.open("/dev/null", O_RDONLY), to: 0)
        case .bytes(let bytes): redirect(own: try Descriptor.memoryFile(bytes), to: 0)
        case .file(let path): redirect(own: try Descriptor.open(path, O_RDONLY), to: 0)
        case .fileDescriptor(let fd): redirect(own: try Descriptor.duplicate(fd), to: 0)
        }
    }

    mutating func output(_ output: ChildOutput, to target: Int32, capturing: Bool) throws {
        switch output {
        case .inherit: break
        case .capture:
            guard capturing else { throw ChildProcessError.unsupported("a spawned child's output cannot be .capture (run(timeout:) captures)") }
            let ends = try Descriptor.pipe()
            captured[target] = ends.read
            redirect(own: ends.write, to: target)
        case .null: redirect(own: try Descriptor.open("/dev/null", O_WRONLY), to: target)
        case .file(let path, let append):
            redirect(own: try Descriptor.open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)), to: target)
        case .fileDescriptor(let fd): redirect(own: try Descriptor.duplicate(fd), to: target)
        case .sameAsStandardOutput:
            guard target == 2 else { throw ChildProcessError.unsupported("only standard error can be .sameAsStandardOutput") }
            redirections.append((1, 2))
        }
    }

    func closeChildSide() {
        for fd in childSide { Descriptor.close(fd) }
    }

    func closeCaptured() {
        for fd in captured.values { Descriptor.close(fd) }
    }
}

extension ChildCommand {
    /// Starts the child with posix_spawn. `capturing`: `.capture` outputs become pipes (for `run`).
    func start(capturing: Bool) throws -> StartedChild {
        let path = try resolvedExecutable()
        if let workingDirectory { try Self.requireDirectory(workingDirectory) }
        var streams = Streams()
        defer { streams.closeChildSide() }
        do {
            try streams.input(standardInput)
            try streams.output(standardOutput, to: 1, capturing: capturing)
            try streams.output(standardError, to: 2, capturing: capturing)
            let pid = try spawn(path, streams)
            return StartedChild(
                child: RunningChild(pid: pid, executable: executable, leadsProcessGroup: newProcessGroup),
                standardOutput: streams.captured[1], standardError: streams.captured[2])
        } catch {
            streams.closeCaptured()
            throw error
        }
    }

    /// posix_spawn with the file actions and attributes; the child's pid.
    private func spawn(_ path: String, _ streams: Streams) throws -> pid_t {
        let actions = UnsafeMutablePointer<posix_spawn_file_actions_t>.allocate(capacity: 1)
        let attributes = UnsafeMutablePointer<posix_spawnattr_t>.allocate(capacity: 1)
        defer {
            actions.deallocate()
            attributes.deallocate()
        }
        try check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(actions) }
        try check(posix_spawnattr_init(attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(attributes) }
        try addFileActions(actions, streams)
        try setAttributes(attributes)

        let argv = CStrings([executable] + arguments)
        let envp = environment.map { CStrings($0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) } ?? GNU.currentEnvironment()
        var pid: pid_t = 0
        let result = argv.withArray { argvArray in
            envp.withArray { envpArray in posix_spawn(&pid, path, actions, attributes, argvArray, envpArray) }
        }
        guard result == 0 else { throw ChildProcessError.spawnFailed(path, errno: result) }
        return pid
    }

    private func addFileActions(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ streams: Streams) throws {
        for (source, target) in streams.redirections {
            try check(posix_spawn_file_actions_adddup2(actions, source, target), "posix_spawn_file_actions_adddup2")
        }
        // Already close-on-exec; closed explicitly too, so the child holds them for no instruction longer.
        for fd in streams.childSide {
            try check(posix_spawn_file_actions_addclose(actions, fd), "posix_spawn_file_actions_addclose")
        }
        if let workingDirectory {
            guard let addChdir = GNU.addChdir else {
                throw ChildProcessError.unsupported("posix_spawn_file_actions_addchdir_np is not available (glibc 2.29+ is needed)")
            }
            try check(addChdir(actions, workingDirectory), "posix_spawn_file_actions_addchdir_np")
        }
    }

    /// An empty signal mask, every signal at its default disposition, and a new process group when asked.
    private func setAttributes(_ attributes: UnsafeMutablePointer<posix_spawnattr_t>) throws {
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        try check(posix_spawnattr_setsigmask(attributes, &none), "posix_spawnattr_setsigmask")
        try check(posix_spawnattr_setsigdefault(attributes, &all), "posix_spawnattr_setsigdefault")
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            try check(posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup")
        }
        try check(posix_spawnattr_setflags(attributes, Int16(flags)), "posix_spawnattr_setflags")
    }

    private func check(_ result: Int32, _ call: String) throws {
        guard result == 0 else { throw ChildProcessError.systemCallFailed(call, errno: result) }
    }

    /// The path to exec: `executable` made absolute, or found in PATH; throws when there is no such file.
    func resolvedExecutable() throws -> String {
        if searchPath && !executable.contains("/") {
            let path = environment?["PATH"] ?? getenv("PATH").map { String(cString: $0) }
            for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false) {
                let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + executable
                if Self.isExecutableFile(candidate) { return Self.absolute(candidate) }
            }
            throw ChildProcessError.executableNotFound(executable, searchedPath: true)
        }
        guard !executable.isEmpty, Self.exists(executable) else { throw ChildProcessError.executableNotFound(executable, searchedPath: false) }
        return Self.absolute(executable)
    }

    private static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/"), let cwd = getcwd(nil, 0) else { return path }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + path
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    private static func requireDirectory(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { throw ChildProcessError.workingDirectoryNotFound(path) }
    }
}
