import Glibc

/// glibc functions Swift's Glibc module leaves out (they need _GNU_SOURCE), looked up once with dlsym.
enum GNU {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>?, UInt32) -> Int32

    /// pipe2(2): both ends close-on-exec from the start (no window for a concurrent spawn to inherit them).
    static let pipe2: Pipe2? = symbol("pipe2", as: Pipe2.self)
    /// posix_spawn_file_actions_addchdir_np (glibc 2.29+).
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    /// memfd_create(2) (glibc 2.27+).
    static let memfdCreate: MemfdCreate? = symbol("memfd_create", as: MemfdCreate.self)
    static let memfdCloexec: UInt32 = 1

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        dlsym(nil, name).map { unsafeBitCast($0, to: type) }
    }

    /// A copy of this process's environment as it is now: the `environ` entries, byte for byte (duplicated
    /// with strdup, so nothing refers to `environ` once this returns). Like getenv, it races with a
    /// concurrent setenv; nothing in this module changes the environment.
    static func currentEnvironment() -> CStrings {
        let copy = CStrings()
        guard let address = dlsym(nil, "environ") else { return copy }
        let table = address.assumingMemoryBound(to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self).pointee
        guard var cursor = table else { return copy }
        while let entry = cursor.pointee {
            copy.append(copying: entry)
            cursor += 1
        }
        return copy
    }
}

/// A NULL-terminated array of C strings this object owns (argv, envp).
final class CStrings {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?] = []

    init(_ strings: [String] = []) {
        for string in strings { pointers.append(strdup(string)) }
    }

    func append(copying string: UnsafePointer<CChar>) {
        pointers.append(strdup(string))
    }

    /// The array with its NULL terminator, for `body` only.
    func withArray<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        (pointers + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    deinit {
        for pointer in pointers { free(pointer) }
    }
}

/// Descriptor calls, retrying on EINTR and throwing `ChildProcessError`.
enum Descriptor {
    /// A pipe, both ends close-on-exec.
    static func pipe() throws -> (read: Int32, write: Int32) {
        guard let pipe2 = GNU.pipe2 else { throw ChildProcessError.unsupported("pipe2 is not available in this C library") }
        var ends: [Int32] = [-1, -1]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { throw ChildProcessError.systemCallFailed("pipe2", errno: errno) }
        return (ends[0], ends[1])
    }

    /// Opens `path` close-on-exec, at 3 or above.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o666) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return try aboveStandardStreams(fd) }
            if errno != EINTR { throw ChildProcessError.cannotOpen(path, errno: errno) }
        }
    }

    /// A close-on-exec duplicate of a descriptor the caller keeps, at 3 or above.
    static func duplicate(_ fd: Int32) throws -> Int32 {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { throw ChildProcessError.systemCallFailed("fcntl(F_DUPFD_CLOEXEC) of descriptor \(fd)", errno: errno) }
        return copy
    }

    /// `fd` moved to 3 or above (when this process has a standard stream closed, open and pipe can return
    /// 0–2, and a source of the child's dup2 must not be one of its targets).
    static func aboveStandardStreams(_ fd: Int32) throws -> Int32 {
        guard fd < 3 else { return fd }
        defer { close(fd) }
        return try duplicate(fd)
    }

    /// An anonymous memory file (close-on-exec) holding `bytes`, positioned at its start.
    static func memoryFile(_ bytes: [UInt8]) throws -> Int32 {
        guard let memfdCreate = GNU.memfdCreate else { throw ChildProcessError.unsupported("memfd_create is not available in this C library") }
        let created = memfdCreate("child-stdin", GNU.memfdCloexec)
        guard created >= 0 else { throw ChildProcessError.systemCallFailed("memfd_create", errno: errno) }
        let fd = try aboveStandardStreams(created)
        do {
            try writeAll(fd, bytes)
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw ChildProcessError.systemCallFailed("lseek", errno: errno) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno != EINTR {
                    throw ChildProcessError.systemCallFailed("write", errno: errno)
                }
            }
        }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
