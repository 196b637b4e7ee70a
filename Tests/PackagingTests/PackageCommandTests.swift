import Foundation
import SHA2
import TestSupport
import XCTest

@testable import Packaging

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
