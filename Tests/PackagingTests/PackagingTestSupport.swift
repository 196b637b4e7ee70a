import Foundation
import TestSupport
import XCTest

@testable import Packaging

// MARK: - Helpers shared by the PackagingTests files

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
