import AlertStack
@testable import DeployAPI
import Foundation
import XCTest

@testable import Deployment

final class ProgressEventTests: XCTestCase {
    let events: [ProgressEvent] = [
        .plan("upload s3://b/k"), .step("create StackSet \"x\""), .region(stackSet: "x", region: "us-east-1", status: "FAILED", reason: "a\nb"),
        .region(stackSet: "x", region: "eu-west-1", status: "SUCCEEDED", reason: nil), .waiting("w"), .warning("careful"), .todo("confirm"), .done("done"),
        .failed("account 1, region r: no"),
    ]

    func testEveryEventIsOneValidJSONObjectWithItsKind() throws {
        for event in events {
            let line = event.jsonLine
            XCTAssertFalse(line.contains("\n"), line)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], line)
            XCTAssertNotNil(object["event"])
        }
        let region = try JSONSerialization.jsonObject(with: Data(events[2].jsonLine.utf8)) as? [String: String]
        XCTAssertEqual(region, ["event": "region", "stackSet": "x", "region": "us-east-1", "status": "FAILED", "reason": "a\nb"])
    }

    func testTextLinesNameRegionAndStatus() {
        XCTAssertEqual(events[2].text, "[us-east-1] x: FAILED: a\nb")
        XCTAssertEqual(events[0].text, "plan: upload s3://b/k")
    }
}

final class StatusReportTests: XCTestCase {
    func healthy() -> StatusReport {
        var report = StatusReport(account: "111122223333")
        report.rolesStack = "CREATE_COMPLETE"
        report.stackSets = [.init(name: "catalogwatch-receive", status: "ACTIVE", drift: "IN_SYNC", instances: [
            .init(region: "ap-northeast-1", status: "CURRENT", detailedStatus: "SUCCEEDED", reason: nil, drift: "IN_SYNC", receiveTopic: true),
        ])]
        report.emailSubscription = "confirmed"
        report.deadLetters = [("catalogwatch-filter-dlq", 0)]
        report.filterErrors24h = 0
        return report
    }

    func testAHealthyDeploymentHasNoProblems() throws {
        let report = healthy()
        XCTAssertTrue(report.isHealthy, "\(report.problems)")
        XCTAssertTrue(report.text.hasSuffix("healthy"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        XCTAssertEqual(json["healthy"] as? Bool, true)
    }

    func testEachKindOfTroubleIsAProblem() throws {
        var cases: [(String, (inout StatusReport) -> Void)] = []
        cases.append(("roles stack is MISSING", { $0.rolesStack = "MISSING" }))
        cases.append(("ap-northeast-1: OUTDATED", { $0.stackSets[0].instances[0].status = "OUTDATED" }))
        cases.append(("drifted", { $0.stackSets[0].instances[0].drift = "DRIFTED" }))
        cases.append(("receive topic missing", { $0.stackSets[0].instances[0].receiveTopic = false }))
        cases.append(("e-mail subscription: pending confirmation", { $0.emailSubscription = "pending confirmation" }))
        cases.append(("catalogwatch-filter-dlq holds 3 message(s)", { $0.deadLetters = [("catalogwatch-filter-dlq", 3)] }))
        cases.append(("filter errors in the last 24 h: 2", { $0.filterErrors24h = 2 }))
        cases.append(("lacks the notification constraint", {
            $0.unwatchedProducts = [ProductWatch(region: "ap-northeast-1", portfolioId: "port-a", productId: "prod-a", productName: "A", launchRoles: [])]
        }))
        for (expected, change) in cases {
            var report = healthy()
            change(&report)
            XCTAssertFalse(report.isHealthy, expected)
            XCTAssertTrue(report.problems.contains { $0.contains(expected) }, "\(expected) not in \(report.problems)")
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
            XCTAssertEqual(json["healthy"] as? Bool, false)
        }
    }
}

final class ConstraintParametersTests: XCTestCase {
    func testNotificationParametersRoundTrip() {
        let text = ConstraintParameters.notification(["arn:aws:sns:us-east-1:111122223333:catalogwatch-receive"])
        XCTAssertEqual(text, #"{"NotificationArns":["arn:aws:sns:us-east-1:111122223333:catalogwatch-receive"]}"#)
        XCTAssertEqual(ConstraintParameters.decode(text).notificationArns, ["arn:aws:sns:us-east-1:111122223333:catalogwatch-receive"])
    }

    func testLaunchRolesAreRead() {
        XCTAssertEqual(ConstraintParameters.decode(#"{"RoleArn":"arn:aws:iam::1:role/launch"}"#).roleArn, "arn:aws:iam::1:role/launch")
        XCTAssertEqual(ConstraintParameters.decode(#"{"LocalRoleName":"launch"}"#).localRoleName, "launch")
        XCTAssertEqual(ConstraintParameters.decode("not json"), ConstraintParameters.Decoded())
    }
}

final class QueryParametersTests: XCTestCase {
    func testListsAndStructuresFlattenAsBotocoreDoes() {
        var p = QueryParameters()
        p.add("StackSetName", "x")
        p.add("Missing", nil)
        p.add("Regions", list: ["ap-northeast-1", "us-east-1"])
        p.add("Parameters", structures: [[("ParameterKey", "A"), ("ParameterValue", "1")]])
        p.add("OperationPreferences", structure: StackSetRollout(regionOrder: ["ap-northeast-1"], pace: .oneRegionAtATime).operationPreferences.parameters)
        XCTAssertEqual(p.pairs.map { "\($0.0)=\($0.1)" }, [
            "StackSetName=x", "Regions.member.1=ap-northeast-1", "Regions.member.2=us-east-1",
            "Parameters.member.1.ParameterKey=A", "Parameters.member.1.ParameterValue=1",
            "OperationPreferences.RegionOrder.member.1=ap-northeast-1", "OperationPreferences.RegionConcurrencyType=SEQUENTIAL",
            "OperationPreferences.MaxConcurrentCount=1", "OperationPreferences.FailureToleranceCount=0",
        ])
    }
}

final class HeartbeatStatusTests: XCTestCase {
    func testALateOrMissingHeartbeatIsAProblemAndEveryRegionIsShown() throws {
        var report = StatusReport(account: "111122223333")
        report.rolesStack = "CREATE_COMPLETE"
        report.emailSubscription = "confirmed"
        report.heartbeat = (60, [("eu-west-1", "2026-12-05T01:00:00Z", 50), ("eu-central-1", "2026-12-04T20:00:00Z", 350), ("us-east-1", nil, nil)])
        XCTAssertEqual(report.lateHeartbeats, ["eu-central-1", "us-east-1"], "two intervals without one, or none in 24 h")
        XCTAssertTrue(report.problems.contains("eu-central-1: no heartbeat in the last 120 minutes"))
        XCTAssertFalse(report.isHealthy)
        XCTAssertTrue(report.text.contains("heartbeat eu-west-1: last at 2026-12-05T01:00:00Z (50 min ago)"))
        XCTAssertTrue(report.text.contains("heartbeat us-east-1: none in the last 24 h"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let heartbeats = try XCTUnwrap(json["heartbeats"] as? [String: Any])
        XCTAssertEqual(heartbeats["intervalMinutes"] as? Int, 60)
        XCTAssertEqual((heartbeats["regions"] as? [[String: Any]])?.count, 3)
        report.heartbeat = (60, [("eu-west-1", "2026-12-05T01:00:00Z", 50)])
        XCTAssertTrue(report.isHealthy, "\(report.problems)")
    }
}
