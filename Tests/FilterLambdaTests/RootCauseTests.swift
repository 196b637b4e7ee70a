import XCTest
import AWSClient
import FilterCore
@testable import FilterLambda

/// `RootCause` on hand-made event lists, newest first as DescribeStackEvents returns them.
final class RootCauseTests: XCTestCase {
    let stackName = "SC-111122223333-pp-abcdefghijklm"

    /// Events are written oldest first here and reversed, so that the lists read like a timeline.
    func timeline(_ entries: [(String, String, String, String?)]) -> [StackEvent] {
        entries.enumerated().map { index, e in
            let (logical, type, status, reason) = e
            return StackEvent(eventId: "e\(index)", stackName: stackName, logicalResourceId: logical, resourceType: type, resourceStatus: status,
                              resourceStatusReason: reason, timestamp: String(format: "2024-05-01T02:%02d:00Z", index))
        }.reversed()
    }

    var stack: String { stackName }
    let stackType = "AWS::CloudFormation::Stack"

    func testEarliestFailureOfTheLatestOperation() throws {
        let events = timeline([
            (stack, stackType, "CREATE_IN_PROGRESS", "User Initiated"),
            ("Old", "AWS::S3::Bucket", "CREATE_FAILED", "an older operation's failure"),
            (stack, stackType, "ROLLBACK_COMPLETE", nil),
            (stack, stackType, "UPDATE_IN_PROGRESS", "User Initiated"),
            ("Bucket", "AWS::S3::Bucket", "UPDATE_COMPLETE", nil),
            ("Replica", "AWS::RDS::DBInstance", "UPDATE_FAILED", "DBParameterGroup not found"),
            ("Queue", "AWS::SQS::Queue", "UPDATE_FAILED", "Resource update cancelled"),
            (stack, stackType, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Replica]."),
            ("Replica", "AWS::RDS::DBInstance", "UPDATE_FAILED", "a failure during the rollback"),
            (stack, stackType, "UPDATE_ROLLBACK_FAILED", nil),
        ])
        let cause = try XCTUnwrap(RootCause.find(in: events, stackName: stackName))
        XCTAssertEqual(cause.logicalResourceId, "Replica")
        XCTAssertEqual(cause.resourceStatusReason, "DBParameterGroup not found")
        XCTAssertEqual(RootCause.operationStart(in: events, stackName: stackName), 6)
    }

    func testCancelledFollowUpsAreSkippedEvenWhenEarlier() throws {
        let events = timeline([
            (stack, stackType, "CREATE_IN_PROGRESS", "User Initiated"),
            ("Topic", "AWS::SNS::Topic", "CREATE_FAILED", "Resource creation cancelled"),
            ("Role", "AWS::IAM::Role", "CREATE_FAILED", "Encountered unsupported property Foo"),
            (stack, stackType, "ROLLBACK_IN_PROGRESS", nil),
            (stack, stackType, "ROLLBACK_COMPLETE", nil),
        ])
        XCTAssertEqual(RootCause.find(in: events, stackName: stackName)?.logicalResourceId, "Role")
    }

    func testOnlyCancelledFailuresGiveTheEarliestOfThem() throws {
        let events = timeline([
            (stack, stackType, "CREATE_IN_PROGRESS", "User Initiated"),
            ("A", "AWS::SNS::Topic", "CREATE_FAILED", "Resource creation cancelled"),
            ("B", "AWS::SNS::Topic", "CREATE_FAILED", "Resource creation Cancelled"),
            (stack, stackType, "ROLLBACK_COMPLETE", nil),
        ])
        XCTAssertEqual(RootCause.find(in: events, stackName: stackName)?.logicalResourceId, "A")
    }

    func testOperationBoundaryIsRespected() {
        let events = timeline([
            (stack, stackType, "CREATE_IN_PROGRESS", "User Initiated"),
            ("Bucket", "AWS::S3::Bucket", "CREATE_FAILED", "Bucket already exists"),
            (stack, stackType, "ROLLBACK_COMPLETE", nil),
            (stack, stackType, "DELETE_IN_PROGRESS", "User Initiated"),
            (stack, stackType, "DELETE_FAILED", "Role is in use"),
        ])
        XCTAssertNil(RootCause.find(in: events, stackName: stackName), "the create's failure is not the delete's cause")
        XCTAssertEqual(RootCause.operationStart(in: events, stackName: stackName), 1)
    }

    func testStackLevelFailuresAreNotCausesButNestedStacksAre() throws {
        let events = timeline([
            (stack, stackType, "UPDATE_IN_PROGRESS", "User Initiated"),
            ("Network", stackType, "UPDATE_FAILED", "Embedded stack arn:... was not successfully updated"),
            (stack, stackType, "UPDATE_FAILED", "stack-level"),
            (stack, stackType, "UPDATE_ROLLBACK_COMPLETE", nil),
        ])
        let cause = try XCTUnwrap(RootCause.find(in: events, stackName: stackName))
        XCTAssertEqual(cause.logicalResourceId, "Network")
        XCTAssertEqual(cause.resourceType, stackType)
    }

    func testDeleteFailure() throws {
        let events = timeline([
            (stack, stackType, "DELETE_IN_PROGRESS", "User Initiated"),
            ("Role", "AWS::IAM::Role", "DELETE_COMPLETE", nil),
            ("LogsBucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket you tried to delete is not empty"),
            (stack, stackType, "DELETE_FAILED", "The following resource(s) failed to delete: [LogsBucket]."),
        ])
        XCTAssertEqual(RootCause.find(in: events, stackName: stackName)?.logicalResourceId, "LogsBucket")
    }

    func testWithoutTheOperationStartEveryEventCounts() {
        // A truncated history (the start is on a page not read): the earliest failure seen is the cause.
        let events = timeline([
            ("A", "AWS::SNS::Topic", "UPDATE_FAILED", "first"),
            ("B", "AWS::SNS::Topic", "UPDATE_FAILED", "second"),
            (stack, stackType, "UPDATE_ROLLBACK_COMPLETE", nil),
        ])
        XCTAssertNil(RootCause.operationStart(in: events, stackName: stackName))
        XCTAssertEqual(RootCause.find(in: events, stackName: stackName)?.logicalResourceId, "A")
    }

    func testNoFailureAndNoEvents() {
        XCTAssertNil(RootCause.find(in: [], stackName: stackName))
        let events = timeline([
            (stack, stackType, "UPDATE_IN_PROGRESS", "User Initiated"),
            ("A", "AWS::SNS::Topic", "UPDATE_COMPLETE", nil),
            (stack, stackType, "UPDATE_COMPLETE", nil),
        ])
        XCTAssertNil(RootCause.find(in: events, stackName: stackName))
    }

    func testAnotherStacksStartIsNoBoundary() {
        // A nested stack's own CREATE_IN_PROGRESS (as a resource of the parent) does not end the parent's operation.
        let events = timeline([
            (stack, stackType, "CREATE_IN_PROGRESS", "User Initiated"),
            ("Network", stackType, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
            ("Network", stackType, "CREATE_FAILED", "Embedded stack failed"),
            (stack, stackType, "ROLLBACK_COMPLETE", nil),
        ])
        XCTAssertEqual(RootCause.operationStart(in: events, stackName: stackName), 3)
        XCTAssertEqual(RootCause.find(in: events, stackName: stackName)?.logicalResourceId, "Network")
    }
}
