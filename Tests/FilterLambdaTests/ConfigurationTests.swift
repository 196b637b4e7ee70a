import XCTest
import FilterCore
import FilterContract
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

    func testDigestsNeedTheirQueueAndTheLedger() throws {
        let digest = #"{"default":{"window":300,"threshold":3},"routes":[]}"#
        var env = valid
        env["DIGEST"] = digest
        let message = try XCTUnwrap(problem(env))
        XCTAssertTrue(message.contains("DIGEST is set but DIGEST_QUEUE_URL is not"), message)
        XCTAssertTrue(message.contains("DIGEST is set but ALERT_LEDGER_TABLE is not"), message)
        env["DIGEST_QUEUE_URL"] = "https://sqs.ap-northeast-1.amazonaws.com/123456789012/catalogwatch-digest"
        env["ALERT_LEDGER_TABLE"] = "catalogwatch-alerts-sent"
        let c = try FilterConfiguration.from(environment: env)
        XCTAssertEqual(c.digests?.defaultRoute, .some(DigestSetting(windowSeconds: 300, threshold: 3)))
        XCTAssertEqual(c.digestQueueURL, env["DIGEST_QUEUE_URL"])
        // Rules that hold nothing need no queue: no digests.
        var off = valid
        off["DIGEST"] = #"{"default":false,"routes":[]}"#
        XCTAssertNil(try FilterConfiguration.from(environment: off).digests)
        off["DIGEST"] = #"{"default":{"window":5,"threshold":3},"routes":[]}"#
        XCTAssertTrue(problem(off)?.contains("DIGEST default window must be 60–900 seconds") == true, problem(off) ?? "")
    }

    func testRegionFallsBackToDefaultRegion() throws {
        var env = valid
        env["AWS_REGION"] = ""
        env["AWS_DEFAULT_REGION"] = "eu-west-1"
        XCTAssertEqual(try FilterConfiguration.from(environment: env).region, "eu-west-1")
    }
}

/// `RUNBOOKS`, `CONSOLE_START_URL` and `CONSOLE_ROLE_NAME`: read into the links of each alert.
final class LinkSettingsTests: XCTestCase {
    let valid = [
        "ALERT_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts",
        "MEMBER_ROLE_NAME": "CatalogWatchMember",
        "AWS_REGION": "ap-northeast-1",
    ]

    func configuration(_ extra: [String: String]) throws -> FilterConfiguration {
        try FilterConfiguration.from(environment: valid.merging(extra) { $1 })
    }

    func testTheLinksOfAnAlertUseTheRunbooksAndThePortal() throws {
        let c = try configuration([
            "RUNBOOKS": #"{"prod-abc":"https://wiki.example.com/abc","default":"https://wiki.example.com/"}"#,
            "CONSOLE_START_URL": "https://d-1234567890.awsapps.com/start", "CONSOLE_ROLE_NAME": "ReadOnly",
        ])
        let arn = "arn:aws:cloudformation:us-east-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
        let failure = StackFailure(
            account: "111122223333", region: "us-east-1", partition: "aws", stackId: arn, stackARN: StackARN(parsing: arn),
            stackName: "SC-111122223333-pp-abcdefghijklm", status: "ROLLBACK_COMPLETE", reason: nil, eventId: nil, timestamp: nil,
            provisionedProductId: "pp-abcdefghijklm")
        let links = c.links(failure, Enrichment(productId: "prod-abc", provisioningArtifactId: "pa-abc"))
        XCTAssertEqual(links.runbook, "https://wiki.example.com/abc")
        XCTAssertTrue(links.stackEvents?.hasPrefix("https://d-1234567890.awsapps.com/start/#/console?account_id=111122223333&role_name=ReadOnly&destination=https%3A%2F%2Fus-east-1.console.aws.amazon.com") == true)
        XCTAssertEqual(c.links(failure, Enrichment(productId: "prod-other")).runbook, "https://wiki.example.com/")
        XCTAssertNil(try configuration([:]).links(failure, Enrichment()).runbook)
    }

    func testBadSettingsAreNamed() {
        func problem(_ extra: [String: String]) -> String? {
            do { _ = try configuration(extra); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(problem(["CONSOLE_START_URL": "https://d-1.awsapps.com/start"]), "CONSOLE_START_URL is set but CONSOLE_ROLE_NAME is not (the permission set to sign in with)")
        XCTAssertEqual(problem(["CONSOLE_ROLE_NAME": "ReadOnly"]), "CONSOLE_ROLE_NAME is set but CONSOLE_START_URL is not (the access portal's start URL)")
        XCTAssertEqual(problem(["CONSOLE_START_URL": "http://x", "CONSOLE_ROLE_NAME": "Read Only"]),
                       "CONSOLE_START_URL 'http://x' is not an https:// URL; CONSOLE_ROLE_NAME 'Read Only' is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)")
        XCTAssertEqual(problem(["RUNBOOKS": #"{"default":"ftp://x"}"#]), "RUNBOOKS 'default' is not an https:// URL")
    }
}
