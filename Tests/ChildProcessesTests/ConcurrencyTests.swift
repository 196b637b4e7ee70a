import ChildProcesses
import Foundation
import Synchronization
import XCTest

/// Many children from many threads at once: no crash, no lost status, no descriptor leaking into another child.
final class ConcurrencyTests: XCTestCase {
    /// Runs `body(index)` on `count` threads of their own at once and waits for all of them (the cooperative
    /// pool has as many threads as cores, so tasks there would not spawn concurrently on a small machine).
    func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            Thread {
                body(index)
                group.leave()
            }.start()
        }
        group.wait()
    }

    /// 2,000 children from 8 concurrent threads: every one exits 0; every other one also prints through a
    /// captured pipe. (Foundation's Process crashed in about 1 run in 5 of a test suite doing this.)
    func testTwoThousandSpawnsFromEightThreads() {
        let workers = 8, perWorker = 250
        let failures = Mutex<[String]>([])
        let statuses = Mutex<[Int32: Int]>([:])
        let start = ContinuousClock.now
        onThreads(workers) { worker in
            for index in 0..<perWorker {
                do {
                    let result: ChildResult
                    if index.isMultiple(of: 2) {
                        result = try ChildCommand("/bin/true", standardOutput: .null, standardError: .null).run(timeout: .seconds(60))
                    } else {
                        result = try ChildCommand("/bin/echo", arguments: ["\(worker)-\(index)"]).run(timeout: .seconds(60))
                        let printed = String(decoding: result.standardOutput, as: UTF8.self)
                        if printed != "\(worker)-\(index)\n" { failures.withLock { $0.append("echo \(worker)-\(index) printed \(printed.debugDescription)") } }
                    }
                    statuses.withLock { $0[result.status, default: 0] += 1 }
                } catch {
                    failures.withLock { $0.append("spawn \(worker)-\(index): \(error)") }
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        print("ChildProcessesTests: \(workers * perWorker) spawns from \(workers) threads in \(elapsed)")
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(statuses.withLock { $0 }, [0: workers * perWorker])
    }

    /// Pipes opened for one run must not leak into a child another thread spawns meanwhile: a leaked write
    /// end would keep that run reading until the other child (sleep 30) exits, far beyond any scheduling delay.
    func testCapturedPipesDoNotLeakIntoConcurrentChildren() {
        let slowRuns = Mutex<[String]>([])
        let sleepers = Mutex<[RunningChild]>([])
        onThreads(4) { thread in
            for index in 0..<25 {
                if thread == 0 {
                    if let child = try? ChildCommand("/bin/sleep", arguments: ["30"], standardOutput: .null, standardError: .null).spawn() {
                        sleepers.withLock { $0.append(child) }
                    }
                    usleep(5_000)
                    continue
                }
                let start = ContinuousClock.now
                let result = try? ChildCommand("/bin/echo", arguments: ["\(index)"]).run(timeout: .seconds(60))
                let elapsed = ContinuousClock.now - start
                if result?.status != 0 || elapsed > .seconds(10) {
                    slowRuns.withLock { $0.append("run \(thread)-\(index): \(elapsed), \(result.map { "\($0.termination)" } ?? "failed")") }
                }
            }
        }
        for child in sleepers.withLock({ $0 }) {
            child.kill()
            child.wait()
        }
        XCTAssertEqual(sleepers.withLock { $0.count }, 25)
        XCTAssertEqual(slowRuns.withLock { $0 }, [])
    }

    /// Several threads waiting for one child all see how it ended.
    func testManyWaitersOnOneChild() throws {
        let child = try ChildCommand("/bin/sh", arguments: ["-c", "sleep 0.3; exit 9"], standardOutput: .null, standardError: .null).spawn()
        let seen = Mutex<[ChildTermination]>([])
        onThreads(6) { index in
            let termination = index.isMultiple(of: 2) ? child.wait() : child.wait(timeout: .seconds(30))
            seen.withLock { $0.append(termination ?? .exited(-2)) }
        }
        XCTAssertEqual(seen.withLock { $0 }, Array(repeating: .exited(9), count: 6))
        XCTAssertFalse(child.isRunning)
    }

    /// Spawning from async tasks (blocking their threads briefly) works too.
    func testSpawnsFromConcurrentTasks() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<8 {
                group.addTask { try ChildCommand("/bin/sh", arguments: ["-c", "exit \(index)"]).run(timeout: .seconds(60)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.sorted(), Array(0..<8))
    }
}
