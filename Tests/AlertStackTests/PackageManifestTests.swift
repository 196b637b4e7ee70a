import CloudFormation
import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

final class PackageManifestTests: XCTestCase {
    /// A manifest as `catalogwatch package` writes it.
    let text = FilterManifest(
        runtime: "provided.al2023", handler: "bootstrap", architecture: .arm64, binarySize: 1, binarySHA256: "00", isStatic: true,
        interpreter: nil, neededLibraries: [], versionNeeds: [], zipSize: 1, zipSHA256: "00", codeSHA256: "AA==",
        s3Key: "catalogwatch/filter-arm64-0123456789abcdef.zip", runtimeSource: "test"
    ).json

    func testReadsAndAppliesToTheLayout() throws {
        let m = try PackageManifest.read(text, file: "manifest.json")
        XCTAssertEqual(m.architecture, .arm64)
        var layout = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"])
        XCTAssertThrowsError(try m.applied(to: layout)) { XCTAssertTrue(String(describing: $0).contains("lambdaCode.bucket")) }
        layout.lambdaCode = .init(bucket: "artifacts-bucket", key: "old.zip")
        let applied = try m.applied(to: layout)
        XCTAssertEqual(applied.lambdaCode, .init(bucket: "artifacts-bucket", key: "catalogwatch/filter-arm64-0123456789abcdef.zip"))
        XCTAssertEqual(applied.architecture, .arm64)
        // Templates generated from the applied layout agree with the manifest; the old ones do not.
        XCTAssertEqual(m.check(AlertStack.template(for: applied), file: "a.yaml"), [])
        let stale = m.check(AlertStack.template(for: layout), file: "a.yaml")
        XCTAssertEqual(Set(stale.map(\.keyPath)), ["Parameters.LambdaArchitecture.Default", "Parameters.LambdaCodeKey.Default"])
        XCTAssertEqual(m.check(AlertStack.template(for: layout), file: "a.yaml", parameters: false), [])
    }

    func testRuntimeMismatchAndBadInput() throws {
        let other = try PackageManifest.read(text.replacingOccurrences(of: "provided.al2023", with: "provided.al2"), file: "m.json")
        var layout = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"])
        layout.lambdaCode = .init(bucket: "artifacts-bucket", key: "k.zip")
        XCTAssertThrowsError(try other.applied(to: layout))
        XCTAssertEqual(other.check(AlertStack.template(for: layout), file: "a.yaml", parameters: false).map(\.keyPath), ["Resources.FilterFunction.Properties.Runtime"])
        XCTAssertThrowsError(try PackageManifest.read(text.replacingOccurrences(of: "arm64\"", with: "sparc\""), file: "m.json")) {
            XCTAssertEqual(String(describing: $0), "m.json:4:19: manifest architecture 'sparc' is not x86_64 or arm64")
        }
        XCTAssertThrowsError(try PackageManifest.read("{\"runtime\": \"provided.al2023\"}", file: "m.json")) {
            XCTAssertEqual(String(describing: $0), "m.json:1:1: manifest has no 'architecture'")
        }
    }
}
