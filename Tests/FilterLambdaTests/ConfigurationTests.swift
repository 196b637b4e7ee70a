import XCTest
import FilterCore
@testable import FilterLambda

final class ConfigurationTests: XCTestCase {
    let valid = [
        "ALERT_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts",
        "MEMBER_ROLE_NAME": "CatalogWatchMember",
        "AWS_REGION": "ap-northeast-1",
    ]

    func problem(_ env: [String: String]) -> String? {
        do {
            _ = try FilterConfiguration.from(environment: env)
            return nil
        } catch {
            return error.description
        }
    }

    func testValidSettings() throws {
        let c = try FilterConfiguration.from(environment: valid)
        XCTAssertEqual(c.alertTopicArn, "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts")
        XCTAssertEqual(c.memberRoleName, "CatalogWatchMember")
        XCTAssertEqual(c.region, "ap-northeast-1")
        XCTAssertEqual(c.alertStatuses, AlertStatuses.default)
    }

    func testMissingTopic() throws {
        var env = valid
        env["ALERT_TOPIC_ARN"] = nil
        let message = try XCTUnwrap(problem(env))
        XCTAssertTrue(message.contains("ALERT_TOPIC_ARN is not set"), message)
        env["ALERT_TOPIC_ARN"] = "  "
        XCTAssertTrue(problem(env)?.contains("ALERT_TOPIC_ARN is not set") == true)
    }

    func testInvalidTopics() throws {
        for bad in [
            "catalogwatch-alerts",
            "arn:aws:sqs:ap-northeast-1:123456789012:catalogwatch-alerts",
            "arn:aws:sns:ap-northeast-1:123456789012",
            "arn:aws:sns:::",
            "arn:aws:sns:ap-northeast-1:1234:alerts",
            "arn:aws:sns:ap-northeast-1:123456789012:",
            "arn:aws:sns:ap-northeast-1:123456789012:alerts ",
            "arn:aws:sns:ap-northeast-1:123456789012:alerts/x",
        ] {
            var env = valid
            env["ALERT_TOPIC_ARN"] = bad
            let message = try XCTUnwrap(problem(env), bad)
            XCTAssertTrue(message.contains("ALERT_TOPIC_ARN '\(bad)' is not an SNS topic ARN"), message)
        }
        for good in ["arn:aws-cn:sns:cn-north-1:123456789012:a_b-C9", "arn:aws:sns:us-east-1:123456789012:alerts.fifo"] {
            var env = valid
            env["ALERT_TOPIC_ARN"] = good
            XCTAssertNil(problem(env), good)
        }
    }

    func testBadAlertStatuses() throws {
        var env = valid
        env["ALERT_STATUSES"] = "CREATE_FAILED, bogus_status"
        let message = try XCTUnwrap(problem(env))
        XCTAssertTrue(message.contains("ALERT_STATUSES has unknown status 'bogus_status'"), message)
        env["ALERT_STATUSES"] = " , ,"
        XCTAssertTrue(problem(env)?.contains("ALERT_STATUSES lists no status") == true)
        env["ALERT_STATUSES"] = "delete_failed,UPDATE_ROLLBACK_FAILED"
        XCTAssertEqual(try FilterConfiguration.from(environment: env).alertStatuses, [.deleteFailed, .updateRollbackFailed])
    }

    func testEveryProblemIsNamed() throws {
        let message = try XCTUnwrap(problem(["ALERT_STATUSES": "nope"]))
        for part in ["ALERT_TOPIC_ARN is not set", "MEMBER_ROLE_NAME is not set", "AWS_REGION is not set", "'nope'"] {
            XCTAssertTrue(message.contains(part), "\(part) missing from: \(message)")
        }
    }

    func testRegionFallsBackToDefaultRegion() throws {
        var env = valid
        env["AWS_REGION"] = ""
        env["AWS_DEFAULT_REGION"] = "eu-west-1"
        XCTAssertEqual(try FilterConfiguration.from(environment: env).region, "eu-west-1")
    }
}
