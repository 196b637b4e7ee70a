import FilterContract
import Foundation
import SHA2
import TestSupport
import XCTest

@testable import Packaging

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
