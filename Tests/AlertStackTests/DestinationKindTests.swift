import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

/// The destination kinds table: each kind reads what its key names, and what it reads leads back to it.
final class DestinationKindTests: XCTestCase {
    func testEveryKindReadsItsOwnKeyAndLeadsBackToItself() throws {
        let values = [
            "email": "ops@example.com", "https": "https://hooks.example.com/x", "sqs": "arn:aws:sqs:us-east-1:111122223333:q",
            "lambda": "arn:aws:lambda:us-east-1:111122223333:function:f", "chat": "{slack: {workspaceId: T0123, channelId: C0123}}",
        ]
        let keys = Route.destinationKinds.map { $0.key }
        XCTAssertEqual(keys, ["email", "https", "sqs", "lambda", "chat"])
        XCTAssertEqual(Set(keys).count, keys.count)
        XCTAssertEqual(RouteRules.routeKeys, ["name"] + keys + ["match", "digest"])
        let routes = keys.map { "  - name: r-\($0)\n    \($0): \(values[$0] ?? "")\n    match: {account: [\"111122223333\"]}\n" }
        let result = LayoutReader.read(layoutText("managementAccountId: \"111122223333\"\nroutes:\n" + routes.joined()), file: "kinds.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.routes.map { type(of: $0.destination.kind).key }, keys)
        XCTAssertEqual(layout.routes.map(\.destination.kind.delivery), [
            .subscription(.email, endpoint: "ops@example.com"), .subscription(.https, endpoint: "https://hooks.example.com/x"),
            .subscription(.sqs, endpoint: values["sqs"] ?? ""), .subscription(.lambda, endpoint: values["lambda"] ?? ""), .chatTopic,
        ])
        XCTAssertEqual(layout.routes.compactMap(\.destination.kind.externalArn), [values["sqs"], values["lambda"]].compactMap { $0 })
        // Only the function in the management account is granted (one statement however many functions).
        XCTAssertEqual(layout.routes.compactMap { $0.destination.kind.executionGrant(layout: layout)?.sid }, ["RouteFunctionPermissions"])
    }

    func testARouteWithoutADestinationNamesEveryKind() {
        let result = LayoutReader.read(layoutText("routes:\n  - name: x\n    match: {account: [\"111122223333\"]}\n"), file: "none.yaml")
        XCTAssertTrue(result.diagnostics.contains { $0.message == "needs one destination: email, https, sqs, lambda or chat" }, "\(result.diagnostics)")
    }
}
