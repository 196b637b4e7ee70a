import FilterContract
import Foundation
import TestSupport
import XCTest

@testable import Packaging

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
