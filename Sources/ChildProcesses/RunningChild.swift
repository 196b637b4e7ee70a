import Glibc
import Synchronization

/// A started child process: its pid, whether it still runs, signals, and waiting for its end.
///
/// The child is reaped only through this handle (waitpid on its own pid, under a lock), so a signal sent
/// here never reaches a recycled pid, and any number of threads can wait at once. Release it only after
/// the child ended and was seen to end (`wait`, `termination`, `isRunning` false): a child still running
/// when its handle goes away stays a zombie once it exits.
package final class RunningChild: Sendable {
    package let pid: pid_t
    /// The executable as the command named it (for messages).
    package let executable: String
    /// Whether the child was started as the leader of its own process group (its pgid is `pid`).
    package let leadsProcessGroup: Bool
    /// How the child ended, once reaped.
    private let ended = Mutex<ChildTermination?>(nil)

    init(pid: pid_t, executable: String, leadsProcessGroup: Bool) {
        self.pid = pid
        self.executable = executable
        self.leadsProcessGroup = leadsProcessGroup
    }

    deinit {
        _ = termination
    }

    /// How the child ended; nil while it runs (reaps it when it has ended: waitpid WNOHANG).
    package var termination: ChildTermination? {
        ended.withLock { ended in
            if let ended { return ended }
            var status: Int32 = 0
            while true {
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid {
                    ended = ChildTermination(waitStatus: status)
                    return ended
                }
                if result == 0 { return nil }
                if errno != EINTR {
                    // ECHILD: something else in this process reaped it; its status is lost.
                    ended = .exited(-1)
                    return ended
                }
            }
        }
    }

    package var isRunning: Bool { termination == nil }

    /// Sends `signal` to the child (or to its process group with `toGroup`, when it leads one) unless it
    /// has been reaped; whether it was sent.
    @discardableResult
    package func signal(_ signal: Int32, toGroup: Bool = false) -> Bool {
        ended.withLock { ended in
            // Under the lock nothing can reap the child, so `pid` is still ours (alive or a zombie).
            guard ended == nil else { return false }
            return Glibc.kill(toGroup && leadsProcessGroup ? -pid : pid, signal) == 0
        }
    }

    /// SIGTERM.
    @discardableResult
    package func terminate(toGroup: Bool = false) -> Bool { signal(SIGTERM, toGroup: toGroup) }

    /// SIGKILL.
    @discardableResult
    package func kill(toGroup: Bool = false) -> Bool { signal(SIGKILL, toGroup: toGroup) }

    /// Blocks until the child ends; how it ended.
    @discardableResult
    package func wait() -> ChildTermination {
        while true {
            if let termination { return termination }
            // Waits for the exit without reaping it (WNOWAIT), so threads waiting together all wake; the
            // reaping happens under the lock in `termination`.
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno != EINTR && errno != ECHILD {
                usleep(1_000)
            }
        }
    }

    /// Waits up to `timeout` for the child to end (polling, 1 ms growing to 20 ms); nil if it still runs.
    package func wait(timeout: Duration) -> ChildTermination? {
        wait(until: ContinuousClock.now.advanced(by: timeout))
    }

    /// Waits until `deadline` for the child to end; nil if it still runs then.
    package func wait(until deadline: ContinuousClock.Instant) -> ChildTermination? {
        var pause: UInt32 = 1_000
        while true {
            if let termination { return termination }
            let now = ContinuousClock.now
            guard now < deadline else { return nil }
            usleep(min(pause, Self.microseconds(deadline - now)))
            pause = min(pause * 2, 20_000)
        }
    }

    /// `duration` in whole microseconds, at least 1, at most UInt32.max.
    static func microseconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let micro = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !micro.overflow else { return UInt32.max }
        return UInt32(clamping: max(1, micro.partialValue + attoseconds / 1_000_000_000_000))
    }
}
