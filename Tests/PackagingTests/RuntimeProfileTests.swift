import FilterContract
import Foundation
import TestSupport
import XCTest

@testable import Packaging

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
