import CloudFormation
import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

/// `heartbeat`: a scheduled canary rule in every region with a receive topic (which may publish it), one
/// alarm per region in the main region, and the StackSet execution role's grant for the rule.
final class HeartbeatKeysTests: XCTestCase {
    func testEveryRegionGetsARuleAndTheMainRegionAnAlarmPerRegion() throws {
        let result = LayoutReader.read(layoutText("heartbeat: 30m\n"), file: "heartbeat.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.heartbeatMinutes, 30)
        let template = AlertStack.template(for: layout)
        let rule = try XCTUnwrap(template.resource(AlertStack.Names.heartbeatRule))
        XCTAssertNil(rule.condition, "every region has its rule")
        XCTAssertEqual(rule.property("ScheduleExpression"), "rate(30 minutes)")
        for region in layout.regions {
            let alarm = try XCTUnwrap(template.resource(AlertStack.Names.heartbeatAlarm(region)), region)
            XCTAssertEqual(alarm.condition, AlertStack.Names.isMainRegion)
            XCTAssertEqual(alarm.property("Period"), .number("1800"))
            XCTAssertEqual(alarm.property("TreatMissingData"), "breaching", "no heartbeat at all alarms too")
            XCTAssertEqual(alarm.property("MetricName"), .string(Canary.heartbeatMetric))
        }
        let yaml = try template.rendered(.yaml)
        XCTAssertTrue(yaml.contains("HeartbeatRulePublishesItsCanary"), "the receive topic lets only its rule publish beside the organization")
        let roles = try StackSetArtifacts.rolesTemplate(for: layout).rendered(.yaml)
        XCTAssertTrue(roles.contains("Sid: HeartbeatRule"))
        XCTAssertEqual(AlertStack.Names.heartbeatAlarm("ap-northeast-1"), "HeartbeatAlarmApNortheast1")
        XCTAssertEqual(AlertStackParts.Heartbeat(minutes: 60).schedule, "rate(1 hour)")
        XCTAssertEqual(AlertStackParts.Heartbeat(minutes: 180).schedule, "rate(3 hours)")
        XCTAssertEqual(PlanText.heartbeat(layout).count, 1)
        XCTAssertTrue(PlanText.heartbeat(layout)[0].hasPrefix("Heartbeat: every 30 min, rule catalogwatch-heartbeat"), PlanText.heartbeat(layout)[0])
    }

    func testOffByDefault() throws {
        for extra in ["", "heartbeat: off\n"] {
            let layout = try XCTUnwrap(LayoutReader.read(layoutText(extra), file: "plain.yaml").layout)
            XCTAssertNil(layout.heartbeatMinutes)
            XCTAssertNil(AlertStack.template(for: layout).resource(AlertStack.Names.heartbeatRule))
        }
    }

    func testBadValuesAreNamedWithTheirPosition() {
        let cases: [(String, String)] = [
            ("heartbeat: 1m\n", "must be off or an interval from 5m to 12h"),
            ("heartbeat: 13h\n", "must be off or an interval from 5m to 12h"),
            ("heartbeat: 60\n", "must be off or an interval"),
            ("heartbeat: {every: 1h}\n", "must be off or an interval"),
            ("heartbeat: 1h\nsource: eventbridge\norganizationalUnits: [ou-ab12-cdef3456]\n", "needs receive topics"),
        ]
        for (extra, message) in cases {
            let diagnostics = LayoutReader.read(layoutText(extra), file: "bad.yaml").diagnostics
            XCTAssertTrue(diagnostics.contains { $0.keyPath == "heartbeat" && $0.message.contains(message) && $0.line == 5 && $0.severity == .error },
                          "\(extra): \(diagnostics.map { "\($0.line ?? 0) \($0.keyPath) \($0.message)" })")
        }
    }
}
