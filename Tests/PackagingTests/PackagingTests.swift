import Foundation
import SHA2
import TestSupport
import XCTest

@testable import Packaging

// MARK: - Helpers

/// Reads a file as bytes.
func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

/// A scratch folder with C programs compiled by the system compiler.
final class CFixtures {
    let directory: URL
    let cc: String

    init() throws {
        guard let cc = Tools.which("cc") else { throw XCTSkip("no C compiler (`cc`) on PATH: cannot build real ELF fixtures") }
        self.cc = cc
        directory = try Tools.temporaryDirectory()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Compiles `source` into an executable named `name`; fails the test (throws) when the compiler does.
    func compile(_ name: String, _ source: String, flags: [String] = [], libraries: [String] = []) throws -> URL {
        let sourceURL = directory.appendingPathComponent("\(name).c")
        try Data(source.utf8).write(to: sourceURL)
        let output = directory.appendingPathComponent(name)
        let result = try Tools.execute(cc, ["-O0"] + flags + ["-o", output.path, sourceURL.path] + libraries)
        guard result.status == 0 else {
            XCTFail("cc failed for \(name) (exit \(result.status)):\n\(result.stderr)")
            throw CocoaError(.fileWriteUnknown)
        }
        return output
    }

    static let putsSource = """
        #include <stdio.h>
        int main(void) { puts("hello from an old libc symbol"); return 0; }
        """

    /// `hypotf` got a new symbol version, GLIBC_2.35; the argument comes from argv so nothing is constant-folded.
    static let hypotfSource = """
        #include <math.h>
        #include <stdio.h>
        #include <stdlib.h>
        int main(int argc, char **argv) {
            float x = argc > 1 ? strtof(argv[1], NULL) : 3.0f;
            printf("%.1f\\n", (double)hypotf(x, 4.0f));
            return 0;
        }
        """

    /// Uses libyaml and zlib, which provided.al2023 does not ship; prototypes declared here so no header is needed.
    static let foreignLibrariesSource = """
        #include <stdio.h>
        const char *yaml_get_version_string(void);
        const char *zlibVersion(void);
        int main(void) { printf("%s %s\\n", yaml_get_version_string(), zlibVersion()); return 0; }
        """

    func dynamicPuts() throws -> URL { try compile("puts-dynamic", Self.putsSource) }
    func staticPuts() throws -> URL { try compile("puts-static", Self.putsSource, flags: ["-static"]) }
    func hypotf() throws -> URL { try compile("hypotf", Self.hypotfSource, libraries: ["-lm"]) }
    func foreignLibraries() throws -> URL { try compile("foreign-libs", Self.foreignLibrariesSource, libraries: ["-lyaml", "-lz"]) }
}

extension Array where Element == UInt8 {
    mutating func putLE(_ value: UInt64, at offset: Int, size: Int) {
        for i in 0..<size { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }
}

func packagingError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> LambdaPackage.PackagingError? {
    do {
        try body()
        XCTFail("expected a PackagingError, packaging succeeded", file: file, line: line)
    } catch let error as LambdaPackage.PackagingError {
        return error
    } catch {
        XCTFail("expected a PackagingError, got \(error)", file: file, line: line)
    }
    return nil
}

// MARK: - ELF check on real binaries

final class ELFCheckTests: XCTestCase {
    var fixtures: CFixtures!

    override func setUpWithError() throws { fixtures = try CFixtures() }
    override func tearDown() { fixtures = nil }

    func testHypotfNeedsGLIBC235AndIsRejected() throws {
        let binary = try fixtures.hypotf()
        // The program really calls hypotf at run time on this (glibc ≥ 2.35) host: hypotf(3, 4) = 5.
        let ran = try Tools.execute(binary.path, ["3"])
        XCTAssertEqual(ran.status, 0)
        XCTAssertEqual(ran.stdout, "5.0\n")

        let info = try ELFReader.read(try bytes(binary))
        XCTAssertEqual(info.machine, .x86_64)
        XCTAssertEqual(info.interpreter, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertTrue(info.neededLibraries.contains("libm.so.6"), "\(info.neededLibraries)")
        XCTAssertTrue(info.versionNeeds.contains(.init(library: "libm.so.6", version: "GLIBC_2.35")), "\(info.versionNeeds)")

        let problems = RuntimeProfile.providedAL2023.problems(with: info, architecture: .x86_64)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertTrue(problems.first?.contains("GLIBC_2.35") == true, "\(problems)")
        XCTAssertTrue(problems.first?.contains("libm.so.6") == true, "\(problems)")
        XCTAssertTrue(problems.first?.contains("GLIBC_2.34") == true, "names the newest version the runtime has: \(problems)")

        let error = packagingError { _ = try LambdaPackage.make(binary: try bytes(binary), architecture: .x86_64) }
        XCTAssertTrue(error?.description.contains("GLIBC_2.35") == true, "\(String(describing: error))")
        XCTAssertTrue(error?.description.contains("provided.al2023") == true, "\(String(describing: error))")
    }

    func testPatchedMachineIsRejectedForX86_64() throws {
        var image = try bytes(try fixtures.dynamicPuts())
        XCTAssertEqual(image[18], 62)
        XCTAssertEqual(image[19], 0)
        image[18] = 183  // EM_AARCH64, little-endian u16
        image[19] = 0
        let info = try ELFReader.read(image)
        XCTAssertEqual(info.machine, .aarch64)

        let error = packagingError { _ = try LambdaPackage.make(binary: image, architecture: .x86_64) }
        let machineProblem = error?.problems.first { $0.contains("aarch64") && $0.contains("x86_64") }
        XCTAssertNotNil(machineProblem, "a problem names both machines: \(String(describing: error?.problems))")

        image[18] = 0x34  // some other machine (EM_MIPS_X = 0x33, 0x34 = EM_COLDFIRE)
        XCTAssertEqual(try ELFReader.read(image).machine, .other(0x34))
        XCTAssertFalse(RuntimeProfile.providedAL2023.problems(with: try ELFReader.read(image), architecture: .x86_64).isEmpty)
        XCTAssertFalse(RuntimeProfile.providedAL2023.problems(with: try ELFReader.read(image), architecture: .arm64).isEmpty)
    }

    func testRealX86_64BinaryIsRejectedForArm64() throws {
        let dynamic = try bytes(try fixtures.dynamicPuts())
        let error = packagingError { _ = try LambdaPackage.make(binary: dynamic, architecture: .arm64) }
        let problems = error?.problems ?? []
        XCTAssertTrue(problems.contains { $0.contains("x86_64") && $0.contains("aarch64") && $0.contains("arm64") }, "\(problems)")
        // Its loader does not exist on arm64 either.
        XCTAssertTrue(problems.contains { $0.contains("/lib64/ld-linux-x86-64.so.2") && $0.contains("/lib/ld-linux-aarch64.so.1") }, "\(problems)")

        // A static x86_64 binary fails on arm64 for the machine alone.
        let staticBinary = try bytes(try fixtures.staticPuts())
        let staticProblems = RuntimeProfile.providedAL2023.problems(with: try ELFReader.read(staticBinary), architecture: .arm64)
        XCTAssertEqual(staticProblems.count, 1, "\(staticProblems)")
        XCTAssertTrue(staticProblems.first?.contains("x86_64") == true && staticProblems.first?.contains("aarch64") == true)
    }

    func testLibrariesTheRuntimeLacksAreRejected() throws {
        let binary = try fixtures.foreignLibraries()
        let info = try ELFReader.read(try bytes(binary))
        XCTAssertTrue(info.neededLibraries.contains("libyaml-0.so.2"), "\(info.neededLibraries)")
        XCTAssertTrue(info.neededLibraries.contains("libz.so.1"), "\(info.neededLibraries)")
        XCTAssertTrue(info.neededLibraries.contains("libc.so.6"), "\(info.neededLibraries)")

        let problems = RuntimeProfile.providedAL2023.problems(with: info, architecture: .x86_64)
        XCTAssertTrue(problems.contains { $0.contains("libyaml-0.so.2") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("libz.so.1") }, "\(problems)")
        XCTAssertFalse(problems.contains { $0.contains("libc.so.6") }, "libc is provided: \(problems)")

        let error = packagingError { _ = try LambdaPackage.make(binary: try bytes(binary), architecture: .x86_64) }
        XCTAssertTrue(error?.description.contains("libyaml-0.so.2") == true)
    }

    func testStaticBinaryPasses() throws {
        let binary = try fixtures.staticPuts()
        let image = try bytes(binary)
        let info = try ELFReader.read(image)
        XCTAssertEqual(info.machine, .x86_64)
        XCTAssertTrue(info.isSixtyFourBit)
        XCTAssertNil(info.interpreter)
        XCTAssertEqual(info.neededLibraries, [])
        XCTAssertEqual(info.versionNeeds, [])
        XCTAssertTrue(info.isStatic)
        XCTAssertEqual(RuntimeProfile.providedAL2023.problems(with: info, architecture: .x86_64), [])

        let package = try LambdaPackage.make(binary: image, architecture: .x86_64)
        XCTAssertTrue(package.manifest.isStatic)
        XCTAssertNil(package.manifest.interpreter)
        XCTAssertEqual(package.manifest.binarySize, image.count)
    }

    func testDynamicBinaryWithOldSymbolsPasses() throws {
        let binary = try fixtures.dynamicPuts()
        let image = try bytes(binary)
        let info = try ELFReader.read(image)
        XCTAssertEqual(info.machine, .x86_64)
        XCTAssertEqual(info.interpreter, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertEqual(info.neededLibraries, ["libc.so.6"])
        XCTAssertFalse(info.isStatic)
        XCTAssertFalse(info.versionNeeds.isEmpty, "a glibc program has symbol versions")
        for need in info.versionNeeds {
            XCTAssertEqual(need.library, "libc.so.6")
            let (family, numbers) = try XCTUnwrap(RuntimeProfile.split(need.version), need.version)
            XCTAssertEqual(family, "GLIBC")
            XCTAssertTrue(numbers.lexicographicallyPrecedes([2, 34]) || numbers == [2, 34], "\(need.version) is at most GLIBC_2.34")
        }
        XCTAssertEqual(RuntimeProfile.providedAL2023.problems(with: info, architecture: .x86_64), [])

        let package = try LambdaPackage.make(binary: image, architecture: .x86_64)
        XCTAssertFalse(package.manifest.isStatic)
        XCTAssertEqual(package.manifest.interpreter, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertEqual(package.manifest.neededLibraries, ["libc.so.6"])
        XCTAssertEqual(package.manifest.versionNeeds, info.versionNeeds.map(\.version))
    }

    // MARK: Malformed input: every case throws ELFError and nothing traps.

    func assertELFError(_ image: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let info = try ELFReader.read(image)
            XCTFail("\(what): read as \(info), expected ELFError", file: file, line: line)
        } catch {
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        }
    }

    func testMalformedInputsThrow() throws {
        let real = try bytes(try fixtures.dynamicPuts())
        var generator = SplitMix64(state: 42)

        assertELFError([], "empty")
        assertELFError((0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }, "10 random bytes")
        assertELFError([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0], "10 bytes of ELF header")
        assertELFError(Array(real.prefix(100)), "first 100 bytes of a real binary")
        assertELFError(Array(real.prefix(63)), "63 bytes")
        XCTAssertThrowsError(try LambdaPackage.make(binary: [], architecture: .x86_64)) { XCTAssertTrue($0 is ELFError, "\($0)") }

        var elf32 = real
        elf32[4] = 1
        assertELFError(elf32, "ELFCLASS32")
        var bigEndian = real
        bigEndian[5] = 2
        assertELFError(bigEndian, "big-endian")

        // Section headers past the end of the file.
        var shoffPastEnd = real
        shoffPastEnd.putLE(UInt64(real.count + 4096), at: 40, size: 8)
        assertELFError(shoffPastEnd, "e_shoff past the end")
        var shoffNearEnd = real
        shoffNearEnd.putLE(UInt64(real.count - 10), at: 40, size: 8)
        assertELFError(shoffNearEnd, "e_shoff 10 bytes before the end")

        // Offsets that do not fit in Int must not trap converting or adding.
        for offsetField in [32, 40] {
            for value: UInt64 in [.max, 1 << 63, UInt64(Int.max), UInt64(Int.max) - 100] {
                var huge = real
                huge.putLE(value, at: offsetField, size: 8)
                assertELFError(huge, "offset field \(offsetField) = \(value)")
            }
        }

        // Program and section headers that lie about their own contents.
        let phoff = Int(real[32..<40].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let phnum = Int(real[56]) | Int(real[57]) << 8
        let shoff = Int(real[40..<48].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let shnum = Int(real[60]) | Int(real[61]) << 8
        XCTAssertGreaterThan(phnum, 0)
        XCTAssertGreaterThan(shnum, 0)
        var sawInterp = false
        for i in 0..<phnum where real[phoff + i * 56] == 3 {  // PT_INTERP
            sawInterp = true
            for (field, value) in [(8, UInt64.max), (8, UInt64(real.count)), (32, UInt64.max), (8, 1 << 63)] {
                var lying = real
                lying.putLE(value, at: phoff + i * 56 + field, size: 8)
                assertELFError(lying, "PT_INTERP field \(field) = \(value)")
            }
        }
        XCTAssertTrue(sawInterp)
        var sawDynamic = false
        var sawVerneed = false
        for i in 0..<shnum {
            let base = shoff + i * 64
            let type = UInt32(real[base + 4]) | UInt32(real[base + 5]) << 8 | UInt32(real[base + 6]) << 16 | UInt32(real[base + 7]) << 24
            guard type == 6 || type == 0x6fff_fffe else { continue }
            if type == 6 { sawDynamic = true } else { sawVerneed = true }
            for (field, value, size) in [(24, UInt64.max, 8), (24, 1 << 63, 8), (32, UInt64.max, 8), (24, UInt64(real.count), 8), (40, 0xFFFF, 4)] {
                var lying = real
                lying.putLE(value, at: base + field, size: size)
                assertELFError(lying, "section \(i) (type \(type)) field \(field) = \(value)")
            }
        }
        XCTAssertTrue(sawDynamic)
        XCTAssertTrue(sawVerneed)
    }

    /// Every prefix and many random corruptions of real binaries either read or throw; a trap would crash the test run.
    func testTruncationsAndCorruptionsNeverTrap() throws {
        var generator = SplitMix64(state: 2026)
        for image in [try bytes(try fixtures.dynamicPuts()), try bytes(try fixtures.hypotf())] {
            var threw = 0
            for length in stride(from: 0, to: image.count, by: 13) {
                do { _ = try ELFReader.read(Array(image.prefix(length))) } catch { threw += 1 }
            }
            XCTAssertGreaterThan(threw, 0)
            for _ in 0..<3000 {
                var mutated = image
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    // Mostly the header, program headers and the section headers at the end, where the offsets live.
                    let region = Int.random(in: 0..<3, using: &generator)
                    let index =
                        switch region {
                        case 0: Int.random(in: 0..<64, using: &generator)
                        case 1: Int.random(in: 64..<min(image.count, 64 + 13 * 56), using: &generator)
                        default: Int.random(in: max(0, image.count - 2048)..<image.count, using: &generator)
                        }
                    mutated[index] = Bool.random(using: &generator) ? 0xFF : UInt8.random(in: 0...255, using: &generator)
                }
                _ = try? ELFReader.read(mutated)
            }
        }
        // The unmutated binaries still read.
        XCTAssertNoThrow(try ELFReader.read(try bytes(try fixtures.dynamicPuts())))
    }
}

// MARK: - Runtime profile and version comparison

final class RuntimeProfileTests: XCTestCase {
    func testSplit() throws {
        let glibc = try XCTUnwrap(RuntimeProfile.split("GLIBC_2.35"))
        XCTAssertEqual(glibc.0, "GLIBC")
        XCTAssertEqual(glibc.1, [2, 35])
        let old = try XCTUnwrap(RuntimeProfile.split("GLIBC_2.2.5"))
        XCTAssertEqual(old.1, [2, 2, 5])
        let cxx = try XCTUnwrap(RuntimeProfile.split("GLIBCXX_3.4.30"))
        XCTAssertEqual(cxx.0, "GLIBCXX")
        XCTAssertEqual(cxx.1, [3, 4, 30])
        let gcc = try XCTUnwrap(RuntimeProfile.split("GCC_3.0"))
        XCTAssertEqual(gcc.0, "GCC")
        XCTAssertEqual(gcc.1, [3, 0])
        for bad in ["GLIBC_PRIVATE", "GLIBC_", "GLIBC", "", "libc.so.6", "GLIBC_2..34", "GLIBC_2.34.", "GLIBC_.2", "GLIBC_+2.34", "GLIBC_-2", "GLIBC_2.x"] {
            XCTAssertNil(RuntimeProfile.split(bad), bad)
        }
    }

    func info(_ versions: [String], library: String = "libc.so.6") -> ELFInfo {
        ELFInfo(
            machine: .x86_64, isSixtyFourBit: true, interpreter: "/lib64/ld-linux-x86-64.so.2", neededLibraries: [library],
            versionNeeds: versions.map { .init(library: library, version: $0) })
    }

    func problems(_ versions: [String], library: String = "libc.so.6") -> [String] {
        RuntimeProfile.providedAL2023.problems(with: info(versions, library: library), architecture: .x86_64)
    }

    func testVersionComparison() {
        for ok in ["GLIBC_2.34", "GLIBC_2.4", "GLIBC_2.2.5", "GLIBC_2.3.4", "GLIBC_2.33", "GLIBC_2.0", "GLIBC_1.99"] {
            XCTAssertEqual(problems([ok]), [], ok)
        }
        for tooNew in ["GLIBC_2.35", "GLIBC_2.34.1", "GLIBC_2.36", "GLIBC_2.100", "GLIBC_3.0", "GLIBC_3"] {
            let found = problems([tooNew])
            XCTAssertEqual(found.count, 1, tooNew)
            XCTAssertTrue(found.first?.contains(tooNew) == true, "\(found)")
            XCTAssertTrue(found.first?.contains("GLIBC_2.34") == true, "\(found)")
        }
        XCTAssertEqual(problems(["GLIBCXX_3.4.29", "GLIBCXX_3.4", "CXXABI_1.3.13", "CXXABI_1.3"], library: "libstdc++.so.6"), [])
        XCTAssertEqual(problems(["GCC_3.0", "GCC_7.0.0", "GCC_4.2.0"], library: "libgcc_s.so.1"), [])
        let cxx = problems(["GLIBCXX_3.4.30"], library: "libstdc++.so.6")
        XCTAssertEqual(cxx.count, 1)
        XCTAssertTrue(cxx.first?.contains("GLIBCXX_3.4.30") == true && cxx.first?.contains("GLIBCXX_3.4.29") == true, "\(cxx)")
        XCTAssertEqual(problems(["CXXABI_1.3.14"], library: "libstdc++.so.6").count, 1)
        XCTAssertEqual(problems(["GCC_12.0.0"], library: "libgcc_s.so.1").count, 1)

        let privateNeed = problems(["GLIBC_PRIVATE"])
        XCTAssertEqual(privateNeed.count, 1)
        XCTAssertTrue(privateNeed.first?.contains("GLIBC_PRIVATE") == true, "\(privateNeed)")

        // Several needs: each bad one reported once, good ones not at all.
        let mixed = problems(["GLIBC_2.2.5", "GLIBC_2.35", "GLIBC_2.34", "GLIBC_2.38", "GLIBC_PRIVATE"])
        XCTAssertEqual(mixed.count, 3, "\(mixed)")
    }

    func testLoaderAndLibraries() {
        var musl = info([])
        musl.interpreter = "/lib/ld-musl-x86_64.so.1"
        let found = RuntimeProfile.providedAL2023.problems(with: musl, architecture: .x86_64)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.contains("/lib/ld-musl-x86_64.so.1") == true, "\(found)")

        var arm = info([])
        arm.machine = .aarch64
        arm.interpreter = "/lib/ld-linux-aarch64.so.1"
        XCTAssertEqual(RuntimeProfile.providedAL2023.problems(with: arm, architecture: .arm64), [])
        XCTAssertEqual(RuntimeProfile.providedAL2023.problems(with: arm, architecture: .x86_64).count, 2)

        for library in ["libm.so.6", "libpthread.so.0", "libdl.so.2", "libstdc++.so.6", "libgcc_s.so.1"] {
            XCTAssertEqual(problems([], library: library), [], library)
        }
        for library in ["libssl.so.1.1", "libyaml-0.so.2", "libz.so.1", "libc.so.7"] {
            XCTAssertEqual(problems([], library: library).count, 1, library)
        }
    }
}

// MARK: - Deterministic zip

final class ZipTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Tools.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Compressible and incompressible bytes, like an executable.
    func sampleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(state: seed)
        return (0..<count).map { i in i % 3 == 0 ? UInt8(truncatingIfNeeded: i / 97) : UInt8.random(in: 0...255, using: &generator) }
    }

    func testArchiveIsDeterministicAndReadsBack() throws {
        let payload = sampleBytes(200_000, seed: 7)
        let entries: [DeterministicZip.Entry] = [.init(name: "bootstrap", bytes: payload, mode: 0o755)]
        let first = try DeterministicZip.archive(entries)
        let second = try DeterministicZip.archive(entries)
        XCTAssertEqual(first, second)
        let text = Array(String(repeating: "catalogwatch bootstrap ", count: 5000).utf8)
        XCTAssertLessThan(try DeterministicZip.archive([.init(name: "bootstrap", bytes: text, mode: 0o755)]).count, text.count / 20, "deflated")
        XCTAssertNotEqual(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload + [1], mode: 0o755)]), first)
        XCTAssertNotEqual(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o700)]), first)

        let read = try DeterministicZip.entries(of: first)
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read.first?.name, "bootstrap")
        XCTAssertEqual(read.first?.mode, 0o755)
        XCTAssertEqual(read.first?.bytes, payload)

        let several = try DeterministicZip.archive([
            .init(name: "bootstrap", bytes: payload, mode: 0o755), .init(name: "empty", bytes: []), .init(name: "dir/é.txt", bytes: Array("x".utf8)),
        ])
        let readSeveral = try DeterministicZip.entries(of: several)
        XCTAssertEqual(readSeveral.map(\.name), ["bootstrap", "empty", "dir/é.txt"])
        XCTAssertEqual(readSeveral.map(\.mode), [0o755, 0o644, 0o644])
        XCTAssertEqual(readSeveral.map(\.bytes), [payload, [], Array("x".utf8)])
    }

    func testMalformedZipsThrow() throws {
        let good = try DeterministicZip.archive([.init(name: "bootstrap", bytes: sampleBytes(5000, seed: 1), mode: 0o755)])
        XCTAssertThrowsError(try DeterministicZip.entries(of: []))
        XCTAssertThrowsError(try DeterministicZip.entries(of: Array(repeating: 0, count: 100)))
        for length in stride(from: 0, to: good.count, by: 7) {
            _ = try? DeterministicZip.entries(of: Array(good.prefix(length)))
        }
        var generator = SplitMix64(state: 9)
        let centralStart = good.count - 22 - 46 - "bootstrap".utf8.count
        for _ in 0..<2000 {
            var mutated = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let region = Bool.random(using: &generator)
                let index = region ? Int.random(in: 0..<30, using: &generator) : Int.random(in: centralStart..<good.count, using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? DeterministicZip.entries(of: mutated)
        }
    }

    func testPythonZipfileReadsTheArchive() throws {
        let payload = sampleBytes(150_000, seed: 11)
        let other = Array("second entry\n".utf8)
        let zip = try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o755), .init(name: "notes.txt", bytes: other)])
        let zipURL = directory.appendingPathComponent("bundle.zip")
        try Data(zip).write(to: zipURL)

        let program = """
            import hashlib, json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                out = {"testzip": z.testzip(), "entries": []}
                for i in z.infolist():
                    data = z.read(i.filename)
                    out["entries"].append({
                        "name": i.filename, "mode": i.external_attr >> 16, "date": list(i.date_time),
                        "system": i.create_system, "method": i.compress_type, "size": i.file_size,
                        "sha256": hashlib.sha256(data).hexdigest()})
            print(json.dumps(out))
            """
        let output = try Tools.python3(program, arguments: [zipURL.path])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        XCTAssertTrue(json["testzip"] is NSNull, "testzip() reports no bad CRC: \(String(describing: json["testzip"]))")
        let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries.map { $0["name"] as? String }, ["bootstrap", "notes.txt"])
        XCTAssertEqual(entries.map { $0["mode"] as? Int }, [0o100755, 0o100644])
        for entry in entries {
            XCTAssertEqual(entry["date"] as? [Int], [1980, 1, 1, 0, 0, 0])
            XCTAssertEqual(entry["system"] as? Int, 3, "made by Unix")
            XCTAssertEqual(entry["method"] as? Int, 8, "deflate")
        }
        XCTAssertEqual(entries[0]["size"] as? Int, payload.count)
        XCTAssertEqual(entries[0]["sha256"] as? String, Hex.encode(SHA256.hash(payload)))
        XCTAssertEqual(entries[1]["sha256"] as? String, Hex.encode(SHA256.hash(other)))

        // Python extracts byte-identical files with the executable bit.
        let extractDir = directory.appendingPathComponent("extracted")
        _ = try Tools.python3(
            """
            import os, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                for i in z.infolist():
                    path = z.extract(i, sys.argv[2])
                    os.chmod(path, (i.external_attr >> 16) & 0o7777)
            """, arguments: [zipURL.path, extractDir.path])
        XCTAssertEqual(try bytes(extractDir.appendingPathComponent("bootstrap")), payload)
        XCTAssertEqual(try bytes(extractDir.appendingPathComponent("notes.txt")), other)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: extractDir.appendingPathComponent("bootstrap").path))
    }

    func testUnzipReadsTheArchive() throws {
        guard let unzip = Tools.which("unzip") else { throw XCTSkip("unzip is not installed (optional peer)") }
        let payload = sampleBytes(40_000, seed: 3)
        let zipURL = directory.appendingPathComponent("bundle.zip")
        try Data(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o755)])).write(to: zipURL)
        let listing = try Tools.execute(unzip, ["-Z", zipURL.path])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let line = try XCTUnwrap(listing.stdout.split(separator: "\n").first { $0.hasSuffix(" bootstrap") }, listing.stdout)
        XCTAssertTrue(line.hasPrefix("-rwxr-xr-x"), String(line))
        XCTAssertTrue(line.contains("unx"), String(line))
        XCTAssertTrue(line.contains("80-Jan-01 00:00") || line.contains("1980"), String(line))
        let test = try Tools.execute(unzip, ["-t", zipURL.path])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("No errors detected"), test.stdout)
    }
}

// MARK: - Lambda package and manifest

final class LambdaPackageTests: XCTestCase {
    var fixtures: CFixtures!

    override func setUpWithError() throws { fixtures = try CFixtures() }
    override func tearDown() { fixtures = nil }

    func testPackageIsDeterministicAndManifestMatchesTheZip() throws {
        let binaryURL = try fixtures.staticPuts()
        let binary = try bytes(binaryURL)
        let first = try LambdaPackage.make(binary: binary, architecture: .x86_64)
        let second = try LambdaPackage.make(binary: binary, architecture: .x86_64)
        XCTAssertEqual(first.zip, second.zip)
        XCTAssertEqual(first.manifest, second.manifest)
        XCTAssertEqual(first.manifest.json, second.manifest.json)

        let read = try DeterministicZip.entries(of: first.zip)
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read.first?.name, "bootstrap")
        XCTAssertEqual(read.first?.mode, 0o755)
        XCTAssertEqual(read.first?.bytes, binary)

        // Independent digests from Python's hashlib.
        let zipURL = fixtures.directory.appendingPathComponent("filter.zip")
        try Data(first.zip).write(to: zipURL)
        let digests = try Tools.python3(
            """
            import base64, hashlib, sys
            for path in sys.argv[1:]:
                d = hashlib.sha256(open(path, "rb").read()).digest()
                print(d.hex(), base64.b64encode(d).decode())
            """, arguments: [zipURL.path, binaryURL.path]
        ).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(digests.count, 2)
        let zipHex = digests[0][0]
        let zipBase64 = digests[0][1]
        let binaryHex = digests[1][0]

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(first.manifest.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["runtime"] as? String, "provided.al2023")
        XCTAssertEqual(json["handler"] as? String, "bootstrap")
        XCTAssertEqual(json["architecture"] as? String, "x86_64")
        let zipInfo = try XCTUnwrap(json["zip"] as? [String: Any])
        XCTAssertEqual(zipInfo["codeSha256"] as? String, zipBase64)
        XCTAssertEqual(zipInfo["sha256"] as? String, zipHex)
        XCTAssertEqual(zipInfo["size"] as? Int, first.zip.count)
        let binaryInfo = try XCTUnwrap(json["binary"] as? [String: Any])
        XCTAssertEqual(binaryInfo["sha256"] as? String, binaryHex)
        XCTAssertEqual(binaryInfo["size"] as? Int, binary.count)
        XCTAssertEqual(binaryInfo["static"] as? Bool, true)
        XCTAssertTrue(binaryInfo["interpreter"] is NSNull)
        XCTAssertEqual(binaryInfo["neededLibraries"] as? [String], [])
        let s3Key = try XCTUnwrap(json["s3Key"] as? String)
        XCTAssertTrue(s3Key.contains(String(zipHex.prefix(16))), s3Key)
        XCTAssertTrue(s3Key.hasPrefix("catalogwatch/"), s3Key)
        XCTAssertTrue(s3Key.hasSuffix(".zip"), s3Key)
        XCTAssertTrue((json["runtimeSource"] as? String)?.contains("glibc 2.34") == true)

        // A different binary gives a different key; a different prefix only changes the key's prefix.
        let other = try LambdaPackage.make(binary: try bytes(try fixtures.dynamicPuts()), architecture: .x86_64)
        XCTAssertNotEqual(other.manifest.s3Key, first.manifest.s3Key)
        XCTAssertNotEqual(other.manifest.codeSHA256, first.manifest.codeSHA256)
        let prefixed = try LambdaPackage.make(binary: binary, architecture: .x86_64, keyPrefix: "team/lambda")
        XCTAssertEqual(prefixed.zip, first.zip)
        XCTAssertTrue(prefixed.manifest.s3Key.hasPrefix("team/lambda/"), prefixed.manifest.s3Key)
        XCTAssertTrue(prefixed.manifest.s3Key.contains(String(zipHex.prefix(16))))
    }

    func testManifestJSONEscapesAndParses() throws {
        let package = try LambdaPackage.make(binary: try bytes(try fixtures.dynamicPuts()), architecture: .x86_64, keyPrefix: "we\"ird\\pre\nfix\u{1}")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(package.manifest.json.utf8)) as? [String: Any])
        XCTAssertTrue((json["s3Key"] as? String)?.hasPrefix("we\"ird\\pre\nfix\u{1}/") == true)
        let binaryInfo = try XCTUnwrap(json["binary"] as? [String: Any])
        XCTAssertEqual(binaryInfo["interpreter"] as? String, "/lib64/ld-linux-x86-64.so.2")
        XCTAssertEqual(binaryInfo["neededLibraries"] as? [String], ["libc.so.6"])
        XCTAssertEqual(binaryInfo["versionNeeds"] as? [String], package.manifest.versionNeeds)
        XCTAssertEqual(binaryInfo["static"] as? Bool, false)
    }
}

// MARK: - The `catalogwatch package` command

final class PackageCommandTests: XCTestCase {
    var fixtures: CFixtures!

    override func setUpWithError() throws { fixtures = try CFixtures() }
    override func tearDown() { fixtures = nil }

    /// The `catalogwatch` executable built next to the test bundle.
    func catalogwatch() throws -> String { try Tools.builtExecutable("catalogwatch", for: Self.self).path }

    func testPackagesAStaticBinaryDeterministically() throws {
        let tool = try catalogwatch()
        let binary = try fixtures.staticPuts()
        let outputs = ["out1", "out2"].map { fixtures.directory.appendingPathComponent($0) }
        for output in outputs {
            let result = try Tools.execute(tool, ["package", "--binary", binary.path, "--output", output.path], in: fixtures.directory)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("provided.al2023"), result.stdout)
        }
        let zips = try outputs.map { try bytes($0.appendingPathComponent("catalogwatch-filter-x86_64.zip")) }
        let manifests = try outputs.map { try Data(contentsOf: $0.appendingPathComponent("manifest.json")) }
        XCTAssertEqual(zips[0], zips[1])
        XCTAssertEqual(manifests[0], manifests[1])
        XCTAssertEqual(try DeterministicZip.entries(of: zips[0]).first?.bytes, try bytes(binary))

        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: manifests[0]) as? [String: Any])
        let zipInfo = try XCTUnwrap(json["zip"] as? [String: Any])
        XCTAssertEqual(zipInfo["codeSha256"] as? String, Base64.encode(SHA256.hash(zips[0])))
        XCTAssertEqual(json["architecture"] as? String, "x86_64")
    }

    func testRejectsAGLIBC235Binary() throws {
        let tool = try catalogwatch()
        let binary = try fixtures.hypotf()
        let output = fixtures.directory.appendingPathComponent("rejected")
        let result = try Tools.execute(tool, ["package", "--binary", binary.path, "--output", output.path], in: fixtures.directory)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("GLIBC_2.35"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.appendingPathComponent("catalogwatch-filter-x86_64.zip").path))
    }

    func testRefusesToBuildForAnArchitectureWithoutAnSDK() throws {
        let tool = try catalogwatch()
        #if arch(x86_64)
        let (foreign, triple) = ("arm64", "aarch64")
        #else
        let (foreign, triple) = ("x86_64", "x86_64")
        #endif
        // An empty working folder: even a regression that tried to build would find no Package.swift.
        let result = try Tools.execute(tool, ["package", "--architecture", foreign, "--output", "out"], in: fixtures.directory)
        XCTAssertEqual(result.status, 1, result.stdout + result.stderr)
        XCTAssertTrue(result.stderr.contains("no Swift SDK for \(triple)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("installed"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: fixtures.directory.appendingPathComponent("out").path))
    }
}
