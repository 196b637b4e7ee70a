import FilterContract
import XCTest

@testable import FilterCore

final class ClassifierTests: XCTestCase {
    static let terminalFailures = [
        "CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_FAILED",
    ]

    /// The shared list names only statuses CloudFormation has, each once: the filter's set is the same size.
    func testTheFiltersTerminalFailuresAreTheContractsList() {
        XCTAssertEqual(StackStatus.terminalFailures.count, TerminalFailures.statuses.count)
        XCTAssertEqual(Set(StackStatus.terminalFailures.map(\.rawValue)), Set(Self.terminalFailures))
    }

    static let nonFailures = [
        "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_COMPLETE",
        "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "REVIEW_IN_PROGRESS", "IMPORT_IN_PROGRESS", "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_IN_PROGRESS", "DELETE_SKIPPED", "UPDATE_ROLLBACK_COMPLETE_CLEANUP", "update_rollback_complete",
        "UPDATE_ROLLBACK_COMPLETE ", " CREATE_FAILED", "ROLLBACK_COMPLETE_X", "FAILED",
    ]

    let classifier = Classifier()

    private func classify(_ text: String) throws -> Decision {
        classifier.classify(try Fixture.onlyRecord(Fixture.snsEvent([text])))
    }

    func testEveryTerminalFailureAlerts() throws {
        XCTAssertEqual(Set(Self.terminalFailures), Set(StackStatus.terminalFailures.map(\.rawValue)))
        for status in Self.terminalFailures {
            let decision = try classify(Fixture.notification(status: status, reason: "why \(status)"))
            guard case .alert(let failure) = decision else {
                XCTFail("\(status) should alert, got \(decision)")
                continue
            }
            XCTAssertEqual(failure.status, status)
            XCTAssertEqual(failure.account, "111122223333")
            XCTAssertEqual(failure.region, "ap-northeast-1")
            XCTAssertEqual(failure.partition, "aws")
            XCTAssertEqual(failure.stackId, Fixture.scStackId)
            XCTAssertEqual(failure.stackName, Fixture.scStack)
            XCTAssertEqual(failure.reason, "why \(status)")
            XCTAssertEqual(failure.eventId, "8c3d9a10-0781-11ef-9f6e-0a1b2c3d4e5f")
            XCTAssertEqual(failure.timestamp, "2024-05-01T02:03:04.567Z")
            XCTAssertEqual(failure.provisionedProductId, "pp-abcdefghijklm")
        }
    }

    func testNonFailureStatusesDoNotAlert() throws {
        XCTAssertGreaterThanOrEqual(Self.nonFailures.count, 20)
        for status in Self.nonFailures {
            XCTAssertEqual(try classify(Fixture.notification(status: status)), .ignore(.statusNotTerminalFailure), status)
        }
        // Every documented non-failure stack status is covered.
        let documented = StackStatus.allCases.filter { !StackStatus.terminalFailures.contains($0) }.map(\.rawValue)
        XCTAssertTrue(Set(documented).isSubset(of: Set(Self.nonFailures)))
    }

    func testResourceLevelFailureDoesNotAlert() throws {
        let text = Fixture.notification(
            status: "CREATE_FAILED", logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket", physicalResourceId: "",
            reason: "Resource handler returned message: \"already exists\"")
        XCTAssertEqual(try classify(text), .ignore(.notStackLevel))
    }

    func testNestedStackResourceEventDoesNotAlert() throws {
        let nestedId = "arn:aws:cloudformation:ap-northeast-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm-Network-1ABCDEF/11111111-2222-4333-8444-555555555555"
        for status in ["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED"] {
            let text = Fixture.notification(
                status: status, logicalResourceId: "Network", resourceType: "AWS::CloudFormation::Stack",
                physicalResourceId: nestedId, reason: "Embedded stack \(nestedId) was not successfully created")
            XCTAssertEqual(try classify(text), .ignore(.notStackLevel), status)
        }
    }

    func testReasonMentioningFailureDoesNotMakeRoutineEventAlert() throws {
        let text = Fixture.notification(
            status: "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            reason: "ResourceStatus='UPDATE_ROLLBACK_COMPLETE'\nStack will be UPDATE_FAILED ROLLBACK_COMPLETE")
        XCTAssertEqual(try classify(text), .ignore(.statusNotTerminalFailure))
    }

    func testNonServiceCatalogStackAlertsWithoutProductId() throws {
        let text = Fixture.notification(status: "ROLLBACK_COMPLETE", stackName: Fixture.otherStack, stackId: Fixture.otherStackId)
        let failure = try XCTUnwrap(try classify(text).failure)
        XCTAssertNil(failure.provisionedProductId)
        XCTAssertEqual(failure.stackName, "network-baseline")
        XCTAssertEqual(failure.account, "111122223333")
    }

    func testMissingStatus() throws {
        let text = "StackId='\(Fixture.scStackId)'\nStackName='\(Fixture.scStack)'\nResourceStatus='null'\n"
        XCTAssertEqual(try classify(text), .ignore(.missingStatus))
    }

    func testStackNameFallsBackToStackIdAndAccountToNamespace() throws {
        let text = """
            StackId='arn:aws-cn:cloudformation:cn-north-1:444455556666:stack/app/11111111-2222-4333-8444-555555555555'
            LogicalResourceId='app'
            ResourceType='AWS::CloudFormation::Stack'
            ResourceStatus='DELETE_FAILED'
            """
        let failure = try XCTUnwrap(try classify(text).failure)
        XCTAssertEqual(failure.stackName, "app")
        XCTAssertEqual(failure.partition, "aws-cn")
        XCTAssertEqual(failure.account, "444455556666")
        XCTAssertNil(failure.eventId)
        XCTAssertNil(failure.reason)
        XCTAssertEqual(failure.consoleURL?.hasPrefix("https://cn-north-1.console.amazonaws.cn/"), true)
    }

    func testMalformedStackIdStillAlertsWithFallbacks() throws {
        let text = """
            StackId='not-an-arn'
            StackName='SC-444455556666-pp-abcdefghijklm'
            LogicalResourceId='SC-444455556666-pp-abcdefghijklm'
            ResourceType='AWS::CloudFormation::Stack'
            ResourceStatus='UPDATE_FAILED'
            """
        let failure = try XCTUnwrap(try classify(text).failure)
        XCTAssertEqual(failure.account, "444455556666", "from the SC stack name")
        XCTAssertEqual(failure.region, "unknown")
        XCTAssertNil(failure.stackARN)
        XCTAssertNil(failure.consoleURL)
        XCTAssertEqual(failure.provisionedProductId, "pp-abcdefghijklm")
    }

    func testEventBridgeStatusChange() throws {
        for status in Self.terminalFailures {
            let decision = classifier.classify(try Fixture.onlyRecord(Fixture.bytes(Fixture.eventBridge(status: status, reason: "r"))))
            let failure = try XCTUnwrap(decision.failure, status)
            XCTAssertEqual(failure.eventId, "7f8091a2-b3c4-4dde-8f50-6b7c8d9e0f1a")
            XCTAssertEqual(failure.stackName, Fixture.scStack)
            XCTAssertEqual(failure.provisionedProductId, "pp-abcdefghijklm")
            XCTAssertEqual(failure.timestamp, "2024-05-04T07:08:09Z")
            XCTAssertEqual(failure.reason, "r")
        }
        for status in Self.nonFailures {
            let decision = classifier.classify(try Fixture.onlyRecord(Fixture.bytes(Fixture.eventBridge(status: status))))
            XCTAssertEqual(decision, .ignore(.statusNotTerminalFailure), status)
        }
    }

    func testEventBridgeChangeOfANonServiceCatalogStackIsIgnored() throws {
        XCTAssertTrue(IgnoreReason.allCases.contains(.notServiceCatalog))
        XCTAssertEqual(IgnoreReason.notServiceCatalog.rawValue, "not-service-catalog")
        let nestedId = "arn:aws:cloudformation:ap-northeast-1:111122223333:stack/SC-111122223333-pp-abcdefghijklm-Network-1ABCDEF/11111111-2222-4333-8444-555555555555"
        // Failures and routine statuses alike: the organization-wide sink may deliver any stack of any account.
        for stackId in [Fixture.otherStackId, nestedId, "not-an-arn"] {
            for status in Self.terminalFailures + ["UPDATE_COMPLETE", "CREATE_IN_PROGRESS"] {
                let record = try Fixture.onlyRecord(Fixture.bytes(Fixture.eventBridge(status: status, stackId: stackId)))
                XCTAssertEqual(classifier.classify(record), .ignore(.notServiceCatalog), "\(stackId) \(status)")
                XCTAssertNil(classifier.stackLevelEvent(record), "not counted in the stack-operation metrics either")
            }
        }
        // A Service Catalog stack's routine status change is still just routine.
        for status in ["UPDATE_COMPLETE", "CREATE_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"] {
            let record = try Fixture.onlyRecord(Fixture.bytes(Fixture.eventBridge(status: status)))
            XCTAssertEqual(classifier.classify(record), .ignore(.statusNotTerminalFailure), status)
            XCTAssertEqual(classifier.stackLevelEvent(record)?.provisionedProductId, "pp-abcdefghijklm")
        }
        // The SNS path keeps alerting on a non-Service Catalog stack pointed at the receive topic.
        let sns = Fixture.notification(status: "ROLLBACK_COMPLETE", stackName: Fixture.otherStack, stackId: Fixture.otherStackId)
        XCTAssertEqual(try classify(sns).failure?.stackName, Fixture.otherStack)
    }

    func testCustomAlertStatuses() throws {
        let custom = Classifier(alertStatuses: [.deleteFailed, .updateComplete])
        let record = { (status: String) in try Fixture.onlyRecord(Fixture.snsEvent([Fixture.notification(status: status)])) }
        XCTAssertNotNil(custom.classify(try record("DELETE_FAILED")).failure)
        XCTAssertNotNil(custom.classify(try record("UPDATE_COMPLETE")).failure)
        XCTAssertEqual(custom.classify(try record("UPDATE_ROLLBACK_COMPLETE")), .ignore(.statusNotTerminalFailure))
    }

    func testUnrecognizedRecord() throws {
        let record = try Fixture.onlyRecord(Fixture.snsEvent(["hello"]))
        XCTAssertEqual(classifier.classify(record), .ignore(.unrecognized))
        XCTAssertNil(classifier.stackLevelEvent(record))
    }

    func testStackLevelEventOutcomes() throws {
        let cases: [(String, StackOutcome?)] = [
            ("CREATE_IN_PROGRESS", .inProgress), ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", .inProgress),
            ("CREATE_COMPLETE", .succeeded), ("DELETE_COMPLETE", .succeeded), ("IMPORT_COMPLETE", .succeeded),
            ("UPDATE_ROLLBACK_COMPLETE", .failed), ("ROLLBACK_COMPLETE", .failed), ("DELETE_FAILED", .failed),
            ("SOMETHING_NEW", nil),
        ]
        for (status, outcome) in cases {
            let event = try XCTUnwrap(
                classifier.stackLevelEvent(try Fixture.onlyRecord(Fixture.snsEvent([Fixture.notification(status: status)]))), status)
            XCTAssertEqual(event.outcome, outcome, status)
            XCTAssertEqual(event.provisionedProductId, "pp-abcdefghijklm")
        }
        let resource = Fixture.notification(status: "CREATE_COMPLETE", logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket")
        XCTAssertNil(classifier.stackLevelEvent(try Fixture.onlyRecord(Fixture.snsEvent([resource]))))
    }
}
