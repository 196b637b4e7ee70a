import Glibc

extension ChildCommand {
    /// Starts the child and returns its handle; the caller waits for it (or stops it). Outputs cannot be
    /// `.capture` here: send them to files, /dev/null or this process's streams.
    package func spawn() throws -> RunningChild {
        try start(capturing: false).child
    }

    /// Runs the child to its end and returns how it ended and what it printed on captured streams (read
    /// together with poll, so a child filling both pipes never blocks). With `timeout`, a child still
    /// running then (or still holding a captured pipe open) is killed — SIGKILL, to its process group when it
    /// leads one — and reaped, and `ChildProcessError.timedOut` is thrown. Blocks the calling thread.
    package func run(timeout: Duration? = nil) throws -> ChildResult {
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        let started = try start(capturing: true)
        var streams = CapturedStreams(standardOutput: started.standardOutput, standardError: started.standardError)
        defer { streams.closeAll() }
        var termination: ChildTermination?
        if streams.readToEnd(until: deadline) {
            termination = deadline.map { started.child.wait(until: $0) } ?? started.child.wait()
        }
        guard let termination else {
            started.child.kill(toGroup: true)
            started.child.wait()
            throw ChildProcessError.timedOut(executable, after: timeout ?? .zero)
        }
        return ChildResult(termination: termination, standardOutput: streams.output[1] ?? [], standardError: streams.output[2] ?? [])
    }
}

/// This process's ends of a child's captured pipes, read until end-of-file with poll.
struct CapturedStreams {
    /// Open read ends by stream number (1, 2).
    private var open: [Int32: Int32] = [:]
    /// What each stream delivered so far.
    private(set) var output: [Int32: [UInt8]] = [:]

    init(standardOutput: Int32?, standardError: Int32?) {
        if let standardOutput { open[1] = standardOutput }
        if let standardError { open[2] = standardError }
    }

    /// Reads every open pipe until end-of-file; false when `deadline` came first.
    mutating func readToEnd(until deadline: ContinuousClock.Instant?) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            var waitMilliseconds: Int32 = -1
            if let deadline {
                let now = ContinuousClock.now
                guard now < deadline else { return false }
                waitMilliseconds = Int32(clamping: (RunningChild.microseconds(deadline - now) + 999) / 1_000)
            }
            let streams = open.keys.sorted()
            var fds = streams.map { pollfd(fd: open[$0]!, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                closeAll()  // poll itself failed (ENOMEM): stop reading rather than spin.
                return true
            }
            for (stream, entry) in zip(streams, fds) where entry.revents != 0 {
                read(stream, into: &buffer)
            }
        }
        return true
    }

    /// One read from `stream`; closes it at end-of-file or on an error.
    private mutating func read(_ stream: Int32, into buffer: inout [UInt8]) {
        guard let fd = open[stream] else { return }
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            output[stream, default: []].append(contentsOf: buffer[0..<count])
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            Descriptor.close(fd)
            open[stream] = nil
        }
    }

    mutating func closeAll() {
        for fd in open.values { Descriptor.close(fd) }
        open = [:]
    }
}
