import ChildProcesses
import Foundation
import XCTest

/// One child at a time: exit statuses, signals, captured streams, stdin, working directory, environment,
/// errors, timeouts and the handle of a long-running child.
final class ChildProcessesTests: XCTestCase {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func sh(_ script: String, _ configure: (inout ChildCommand) -> Void = { _ in }) -> ChildCommand {
        var command = ChildCommand("/bin/sh", arguments: ["-c", script])
        configure(&command)
        return command
    }

    // MARK: Ending

    func testExitStatuses() throws {
        XCTAssertEqual(try ChildCommand("/bin/true").run().termination, .exited(0))
        XCTAssertEqual(try ChildCommand("/bin/false").run().termination, .exited(1))
        for code: Int32 in [2, 3, 42, 255] {
            let result = try sh("exit \(code)").run()
            XCTAssertEqual(result.termination, .exited(code))
            XCTAssertEqual(result.status, code)
        }
    }

    func testSignalsAreReportedAsSignals() throws {
        let terminated = try sh("kill -TERM $$").run()
        XCTAssertEqual(terminated.termination, .signaled(SIGTERM))
        XCTAssertEqual(terminated.status, 128 + SIGTERM)
        XCTAssertEqual(try sh("kill -KILL $$").run().termination, .signaled(SIGKILL))
        XCTAssertEqual(terminated.termination.description, "signal \(SIGTERM)")
    }

    /// Signals the spawning thread blocks are not blocked in the child, and no signal is ignored there.
    func testChildStartsWithAnEmptySignalMaskAndDefaultDispositions() throws {
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGUSR1)
        XCTAssertEqual(pthread_sigmask(SIG_BLOCK, &blocked, &previous), 0)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let previousUSR2 = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previousUSR2) }

        let status = try ChildCommand("/bin/grep", arguments: ["-E", "^Sig(Blk|Ign):", "/proc/self/status"]).run()
        XCTAssertEqual(status.status, 0, text(status.standardError))
        var masks: [String: UInt64] = [:]
        for line in text(status.standardOutput).split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { masks[String(parts[0])] = UInt64(parts[1], radix: 16) }
        }
        XCTAssertEqual(masks["SigBlk:"], 0, text(status.standardOutput))
        // glibc's posix_spawn sets its two internal signals (32 SIGCANCEL, 33 SIGSETXID: bits 31, 32) to
        // SIG_IGN in the child of a threaded parent, and SETSIGDEF cannot reach them; no program uses them.
        XCTAssertEqual(masks["SigIgn:"].map { $0 & ~UInt64(0x1_8000_0000) }, 0, text(status.standardOutput))

        let sleeper = try ChildCommand("/bin/sleep", arguments: ["30"], standardOutput: .null, standardError: .null).spawn()
        XCTAssertTrue(sleeper.terminate())
        XCTAssertEqual(sleeper.wait(timeout: .seconds(10)), .signaled(SIGTERM), "SIGTERM was blocked in the child")
    }

    // MARK: Streams

    /// Over 1 MB on each stream at once: neither pipe may fill up while the other is read.
    func testLargeOutputOnBothStreamsAtOnce() throws {
        let script = """
            head -c 1500000 /dev/zero | tr '\\000' o &
            head -c 1200000 /dev/zero | tr '\\000' e >&2
            wait
            """
        let result = try sh(script).run(timeout: .seconds(60))
        XCTAssertEqual(result.termination, .exited(0))
        XCTAssertEqual(result.standardOutput.count, 1_500_000)
        XCTAssertEqual(result.standardError.count, 1_200_000)
        XCTAssertTrue(result.standardOutput.allSatisfy { $0 == UInt8(ascii: "o") })
        XCTAssertTrue(result.standardError.allSatisfy { $0 == UInt8(ascii: "e") })
    }

    func testStandardInputBytesReachTheChild() throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<2_500_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let result = try ChildCommand("/bin/cat", standardInput: .bytes(input)).run(timeout: .seconds(60))
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.standardOutput.count, input.count)
        XCTAssertTrue(result.standardOutput == input)
        XCTAssertEqual(try ChildCommand("/bin/cat", standardInput: .bytes([])).run().standardOutput, [])
        XCTAssertEqual(try ChildCommand("/bin/cat").run().standardOutput, [], "stdin defaults to /dev/null")
    }

    func testOutputToFilesAndMergedStreams() throws {
        let folder = try temporaryFolder()
        let out = folder + "/out.txt"
        let result = try sh("echo out; echo err >&2") {
            $0.standardOutput = .file(out)
            $0.standardError = .sameAsStandardOutput
        }.run()
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.standardOutput, [])
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "out\nerr\n")
        _ = try sh("echo more") { $0.standardOutput = .file(out, append: true) }.run()
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "out\nerr\nmore\n")
        _ = try sh("echo new") { $0.standardOutput = .file(out) }.run()
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "new\n")

        let merged = try sh("echo one; echo two >&2; echo three") { $0.standardError = .sameAsStandardOutput }.run()
        XCTAssertEqual(text(merged.standardOutput), "one\ntwo\nthree\n")
        let silent = try sh("echo gone; echo gone >&2") {
            $0.standardOutput = .null
            $0.standardError = .null
        }.run()
        XCTAssertEqual(silent.standardOutput + silent.standardError, [])
    }

    // MARK: Working directory and environment

    func testWorkingDirectory() throws {
        let folder = try temporaryFolder()
        let real = try XCTUnwrap(realpath(folder, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        let result = try ChildCommand("/bin/pwd", arguments: ["-P"], workingDirectory: folder).run()
        XCTAssertEqual(text(result.standardOutput), real + "\n")
        XCTAssertThrowsError(try ChildCommand("/bin/pwd", workingDirectory: folder + "/missing").run()) { error in
            XCTAssertEqual(error as? ChildProcessError, .workingDirectoryNotFound(folder + "/missing"))
        }
    }

    func testExplicitEnvironmentIsExactlyTheChildsEnvironment() throws {
        let environment = ["A": "1", "B_WITH_SPACE": "x = y z", "EMPTY": "", "UNICODE": "é✓"]
        let result = try ChildCommand("/usr/bin/env", environment: environment).run()
        XCTAssertEqual(text(result.standardOutput), "A=1\nB_WITH_SPACE=x = y z\nEMPTY=\nUNICODE=é✓\n")
        XCTAssertEqual(try ChildCommand("/usr/bin/env", environment: [:]).run().standardOutput, [])
    }

    func testNilEnvironmentIsThisProcesssEnvironment() throws {
        let ours = ProcessInfo.processInfo.environment
        let result = try ChildCommand("/usr/bin/env", arguments: ["-0"]).run()
        let entries = result.standardOutput.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        var theirs: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            theirs[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        XCTAssertFalse(ours.isEmpty)
        XCTAssertEqual(theirs, ours)
    }

    // MARK: Errors

    func testExecutableNotFoundIsAClearError() throws {
        XCTAssertThrowsError(try ChildCommand("/no/such/program").run()) { error in
            XCTAssertEqual(error as? ChildProcessError, .executableNotFound("/no/such/program", searchedPath: false))
            XCTAssertEqual("\(error)", "no executable at /no/such/program")
        }
        XCTAssertThrowsError(try ChildCommand("no-such-program-cw", searchPath: true).run()) { error in
            XCTAssertEqual("\(error)", "no-such-program-cw was not found in PATH")
        }
        // The child's PATH is searched, not ours.
        XCTAssertThrowsError(try ChildCommand("sh", environment: ["PATH": "/nonexistent"], searchPath: true).run()) { error in
            XCTAssertEqual(error as? ChildProcessError, .executableNotFound("sh", searchedPath: true))
        }
        XCTAssertEqual(try ChildCommand("sh", arguments: ["-c", "exit 4"], searchPath: true).run().status, 4)
        XCTAssertEqual(try ChildCommand("sh", arguments: ["-c", "exit 5"], environment: ["PATH": "/usr/bin:/bin"], searchPath: true).run().status, 5)
        // Not executable: posix_spawn's own error.
        let plain = try temporaryFolder() + "/plain.txt"
        XCTAssertTrue(FileManager.default.createFile(atPath: plain, contents: Data("text".utf8)))
        XCTAssertThrowsError(try ChildCommand(plain).run()) { error in
            XCTAssertEqual(error as? ChildProcessError, .spawnFailed(plain, errno: EACCES))
        }
        XCTAssertThrowsError(try ChildCommand("/bin/cat", standardOutput: .capture).spawn()) { error in
            guard case .unsupported = error as? ChildProcessError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ChildCommand("/bin/cat", standardInput: .file("/no/such/input")).run()) { error in
            XCTAssertEqual(error as? ChildProcessError, .cannotOpen("/no/such/input", errno: ENOENT))
        }
    }

    // MARK: Timeouts and handles

    func testTimeoutKillsTheChild() throws {
        let start = ContinuousClock.now
        XCTAssertThrowsError(try ChildCommand("/bin/sleep", arguments: ["30"]).run(timeout: .milliseconds(300))) { error in
            XCTAssertEqual(error as? ChildProcessError, .timedOut("/bin/sleep", after: .milliseconds(300)))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        // A grandchild holding the captured pipe open: the timeout still ends the run, and the group is killed.
        let marker = try temporaryFolder() + "/survived"
        let group = sh("(sleep 2; touch \(marker)) & sleep 30") { $0.newProcessGroup = true }
        XCTAssertThrowsError(try group.run(timeout: .milliseconds(300)))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
        usleep(2_500_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the grandchild outlived the timeout")
        // Finishing in time is not a timeout.
        XCTAssertEqual(try sh("echo quick").run(timeout: .seconds(30)).standardOutput, Array("quick\n".utf8))
    }

    func testHandleOfALongRunningChild() throws {
        let child = try ChildCommand("/bin/sleep", arguments: ["30"], standardOutput: .null, standardError: .null).spawn()
        XCTAssertGreaterThan(child.pid, 0)
        XCTAssertTrue(child.isRunning)
        XCTAssertNil(child.termination)
        XCTAssertNil(child.wait(timeout: .milliseconds(100)))
        XCTAssertTrue(child.kill())
        XCTAssertEqual(child.wait(), .signaled(SIGKILL))
        XCTAssertFalse(child.isRunning)
        XCTAssertEqual(child.termination, .signaled(SIGKILL))
        XCTAssertFalse(child.terminate(), "a reaped child is not signalled")

        let quick = try sh("exit 7") { $0.standardOutput = .null; $0.standardError = .null }.spawn()
        XCTAssertEqual(quick.wait(timeout: .seconds(30)), .exited(7))
        XCTAssertEqual(quick.wait(), .exited(7))
    }

    func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("child-processes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
