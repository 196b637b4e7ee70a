import FilterContract
import XCTest

/// The package manifest: the text `catalogwatch package` writes, and reading it back with errors that point
/// at the file, line and key.
final class FilterManifestTests: XCTestCase {
    let manifest = FilterManifest(
        runtime: "provided.al2023", handler: "bootstrap", architecture: .arm64, binarySize: 1_234, binarySHA256: "ab",
        isStatic: false, interpreter: "/lib/ld-linux-aarch64.so.1", neededLibraries: ["libc.so.6", "libm.so.6"], versionNeeds: ["GLIBC_2.17"],
        zipSize: 567, zipSHA256: "cd", codeSHA256: "zQ==", s3Key: "catalogwatch/filter-arm64-0123456789abcdef.zip", runtimeSource: "table \"x\"")

    func testWritesTheSameTextAsEver() {
        XCTAssertEqual(manifest.json, """
            {
              "runtime": "provided.al2023",
              "handler": "bootstrap",
              "architecture": "arm64",
              "binary": {
                "size": 1234,
                "sha256": "ab",
                "static": false,
                "interpreter": "/lib/ld-linux-aarch64.so.1",
                "neededLibraries": ["libc.so.6", "libm.so.6"],
                "versionNeeds": ["GLIBC_2.17"]
              },
              "zip": {
                "size": 567,
                "sha256": "cd",
                "codeSha256": "zQ=="
              },
              "s3Key": "catalogwatch/filter-arm64-0123456789abcdef.zip",
              "runtimeSource": "table \\"x\\""
            }

            """)
    }

    func testReadsWhatItWrites() throws {
        XCTAssertEqual(try FilterManifest.read(manifest.json, file: "manifest.json"), manifest)
        var staticOne = manifest
        (staticOne.isStatic, staticOne.interpreter, staticOne.neededLibraries, staticOne.architecture) = (true, nil, [], .x86_64)
        XCTAssertEqual(try FilterManifest.read(staticOne.json, file: "manifest.json"), staticOne)
    }

    func error(_ text: String) -> String {
        do {
            let read = try FilterManifest.read(text, file: "dist/manifest.json")
            return "read: \(read)"
        } catch {
            return error.description
        }
    }

    func replacing(_ old: String, _ new: String) -> String {
        let text = manifest.json.replacingOccurrences(of: old, with: new)
        XCTAssertNotEqual(text, manifest.json, old)
        return text
    }

    func testErrorsNameTheFileTheLineAndTheKey() {
        XCTAssertEqual(error(replacing(#""arm64""#, #""sparc""#)), "dist/manifest.json:4:19: manifest architecture 'sparc' is not x86_64 or arm64")
        XCTAssertEqual(error(replacing(#""s3Key": "catalogwatch/filter-arm64-0123456789abcdef.zip","#, "")), "dist/manifest.json:1:1: manifest has no 's3Key'")
        XCTAssertEqual(error(replacing(#""runtime": "provided.al2023""#, #""runtime": """#)), "dist/manifest.json:2:14: manifest has no 'runtime'")
        XCTAssertEqual(error(replacing(#""size": 1234,"#, "")), "dist/manifest.json:5:13: manifest has no 'binary.size'")
        XCTAssertEqual(error(replacing(#""size": 1234"#, #""size": "1234""#)), "dist/manifest.json:6:13: manifest 'binary.size' is a string, not a number")
        XCTAssertEqual(error(replacing(#""size": 567"#, #""size": 5.5"#)), "dist/manifest.json:14:13: manifest 'zip.size' is 5.5, not a whole number of bytes")
        XCTAssertEqual(error(replacing(#""static": false"#, #""static": 0"#)), "dist/manifest.json:8:15: manifest 'binary.static' is a number, not true or false")
        XCTAssertEqual(error(replacing(#"["libc.so.6", "libm.so.6"]"#, #"["libc.so.6", 6]"#)),
            "dist/manifest.json:10:24: manifest 'binary.neededLibraries' lists a number, not only strings")
        XCTAssertEqual(error(replacing(#""interpreter": "/lib/ld-linux-aarch64.so.1""#, #""interpreter": {}"#)),
            "dist/manifest.json:9:20: manifest 'binary.interpreter' is an object, not a string or null")
        XCTAssertEqual(error(#"{"runtime": "provided.al2023", "handler": "bootstrap", "architecture": "arm64", "binary": []}"#),
            "dist/manifest.json:1:91: manifest 'binary' is an array, not an object")
        XCTAssertEqual(error("[]"), "dist/manifest.json:1:1: manifest is a JSON array, not an object")
        XCTAssertEqual(error("{\n  \"runtime\": \"provided.al2023\",\n}"), "dist/manifest.json:3:1: manifest is not JSON: unexpected '}' (expected a string key in an object) at byte 34")
    }
}
