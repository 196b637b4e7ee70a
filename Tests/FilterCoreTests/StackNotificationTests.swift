import XCTest

@testable import FilterCore

final class StackNotificationTests: XCTestCase {
    func testStandardNotificationAllKeys() {
        let n = StackNotification.parse(
            Fixture.notification(status: "UPDATE_ROLLBACK_COMPLETE", reason: "boom", clientRequestToken: "tok-1"))
        XCTAssertTrue(n.isCloudFormationNotification)
        XCTAssertEqual(n.stackId, Fixture.scStackId)
        XCTAssertEqual(n.timestamp, "2024-05-01T02:03:04.567Z")
        XCTAssertEqual(n.eventId, "8c3d9a10-0781-11ef-9f6e-0a1b2c3d4e5f")
        XCTAssertEqual(n.logicalResourceId, Fixture.scStack)
        XCTAssertEqual(n.namespace, "111122223333")
        XCTAssertEqual(n.physicalResourceId, Fixture.scStackId)
        XCTAssertEqual(n.principalId, "AROAEXAMPLEROLEID12345:servicecatalog")
        XCTAssertNil(n.resourceProperties, "'null' means absent")
        XCTAssertEqual(n.fields[.resourceProperties], "null", "raw value is kept")
        XCTAssertEqual(n.resourceStatus, "UPDATE_ROLLBACK_COMPLETE")
        XCTAssertEqual(n.resourceStatusReason, "boom")
        XCTAssertEqual(n.resourceType, "AWS::CloudFormation::Stack")
        XCTAssertEqual(n.stackName, Fixture.scStack)
        XCTAssertEqual(n.clientRequestToken, "tok-1")
        XCTAssertEqual(n.keyOrder, StackNotification.Key.allCases.map(\.rawValue))
        XCTAssertEqual(n.extra, [:])
        XCTAssertEqual(n.duplicateKeys, [])
        XCTAssertEqual(n.unterminatedKeys, [])
    }

    func testEmptyValueIsEmptyNotNil() {
        let n = StackNotification.parse(Fixture.notification(status: "CREATE_COMPLETE", reason: ""))
        XCTAssertEqual(n.resourceStatusReason, "")
    }

    func testReorderedAndMissingKeys() {
        let text = """
            ResourceStatus='ROLLBACK_COMPLETE'
            StackName='my-stack'
            ResourceType='AWS::CloudFormation::Stack'
            LogicalResourceId='my-stack'
            StackId='arn:aws:cloudformation:us-east-1:111122223333:stack/my-stack/11111111-2222-4333-8444-555555555555'
            """
        let n = StackNotification.parse(text)
        XCTAssertTrue(n.isCloudFormationNotification)
        XCTAssertEqual(n.keyOrder, ["ResourceStatus", "StackName", "ResourceType", "LogicalResourceId", "StackId"])
        XCTAssertEqual(n.resourceStatus, "ROLLBACK_COMPLETE")
        XCTAssertEqual(n.stackName, "my-stack")
        XCTAssertNil(n.eventId)
        XCTAssertNil(n.timestamp)
        XCTAssertNil(n.resourceStatusReason)
        XCTAssertNil(n.fields[.eventId])
    }

    func testNullValues() {
        let text = "StackId='null'\nStackName='s'\nResourceStatus='null'\nResourceStatusReason='null'\n"
        let n = StackNotification.parse(text)
        XCTAssertNil(n.stackId)
        XCTAssertNil(n.resourceStatus)
        XCTAssertNil(n.resourceStatusReason)
        XCTAssertEqual(n.stackName, "s")
        XCTAssertTrue(n.isCloudFormationNotification, "keys are present even if null")
    }

    func testOneLineResourcePropertiesWithEscapedQuotes() {
        let props = #"{"PolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}","Tags":[{"Key":"owner","Value":"o'brien"}]}"#
        let n = StackNotification.parse(
            Fixture.notification(status: "CREATE_IN_PROGRESS", logicalResourceId: "Policy", resourceType: "AWS::IAM::ManagedPolicy",
                                 properties: props))
        XCTAssertEqual(n.resourceProperties, props)
        XCTAssertEqual(n.resourceStatus, "CREATE_IN_PROGRESS")
        let json = n.resourcePropertiesJSON
        XCTAssertEqual(json?["Tags"]?.arrayValue?.first?["Value"]?.stringValue, "o'brien")
        XCTAssertEqual(json?["PolicyDocument"]?.stringValue?.hasPrefix(#"{"Version":"2012-10-17""#), true)
    }

    /// Pretty-printed JSON whose lines end in `'` and look like `  "Key": 'x'` must not split the value.
    func testMultiLinePrettyPrintedResourceProperties() {
        let props = """
            {
              "BucketName": "example-bucket",
              "Tags": [
                {
                  "Key": 'x'
                },
                {
                  "Value": 'y',
                  "Key": "Name='quoted'"
                }
              ]
            }
            """
        let text = Fixture.notification(
            status: "CREATE_FAILED", logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket",
            physicalResourceId: "", reason: "Bucket exists", properties: props)
        let n = StackNotification.parse(text)
        XCTAssertEqual(n.resourceProperties, props)
        XCTAssertEqual(n.resourceStatus, "CREATE_FAILED")
        XCTAssertEqual(n.resourceStatusReason, "Bucket exists")
        XCTAssertEqual(n.resourceType, "AWS::S3::Bucket")
        XCTAssertEqual(n.stackName, Fixture.scStack)
        XCTAssertEqual(n.physicalResourceId, "")
        XCTAssertEqual(n.extra, [:])
        XCTAssertEqual(n.keyOrder.count, 13)
    }

    func testReasonWithQuotesNewlinesAndStatusWords() {
        let reason = """
            Resource handler returned message: "Bucket 'logs' already exists" (HandlerErrorCode: AlreadyExists)
            The stack will end in ROLLBACK_COMPLETE; ResourceStatus='CREATE_FAILED' is mentioned mid-line.
            Note='not a key because the previous line is still open
            and UPDATE_FAILED is just a word'
            """
        let n = StackNotification.parse(
            Fixture.notification(status: "CREATE_FAILED", logicalResourceId: "Bucket", resourceType: "AWS::S3::Bucket",
                                 reason: reason))
        XCTAssertEqual(n.resourceStatusReason, reason)
        XCTAssertEqual(n.resourceStatus, "CREATE_FAILED")
        XCTAssertEqual(n.resourceType, "AWS::S3::Bucket")
        XCTAssertEqual(n.extra, [:], "Note= line is inside an open value")
    }

    func testRepeatedKnownKeyLineStaysInValue() {
        let reason = "first line\nResourceStatus='CREATE_COMPLETE'\nlast"
        let n = StackNotification.parse(
            Fixture.notification(status: "UPDATE_ROLLBACK_FAILED", reason: reason))
        XCTAssertEqual(n.resourceStatus, "UPDATE_ROLLBACK_FAILED")
        XCTAssertEqual(n.resourceStatusReason, reason)
        XCTAssertEqual(n.duplicateKeys, ["ResourceStatus"])
    }

    func testUnknownKeysAreKeptInExtraWhenPreviousValueIsClosed() {
        let text = """
            StackId='arn:aws:cloudformation:us-east-1:111122223333:stack/s/11111111-2222-4333-8444-555555555555'
            HookStatus='HOOK_COMPLETE_SUCCEEDED'
            ResourceStatus='UPDATE_COMPLETE'
            DetailedStatus='CONFIGURATION_COMPLETE'
            StackName='s'
            lowercase='is not a key line'
            """
        let n = StackNotification.parse(text)
        XCTAssertEqual(n.extra, ["HookStatus": "HOOK_COMPLETE_SUCCEEDED", "DetailedStatus": "CONFIGURATION_COMPLETE"])
        XCTAssertEqual(n.resourceStatus, "UPDATE_COMPLETE")
        XCTAssertEqual(n.stackName, "s'\nlowercase='is not a key line", "a non key line continues the value")
        XCTAssertEqual(n.keyOrder, ["StackId", "HookStatus", "ResourceStatus", "DetailedStatus", "StackName"])
    }

    func testUnknownKeyInsideOpenMultiLineValueDoesNotSplit() {
        let text = """
            StackName='s'
            ResourceStatus='CREATE_FAILED'
            ResourceStatusReason='line one
            Detail='looks like a key'
            line three'
            ResourceType='AWS::SQS::Queue'
            """
        let n = StackNotification.parse(text)
        XCTAssertEqual(n.resourceStatusReason, "line one\nDetail='looks like a key'\nline three")
        XCTAssertEqual(n.resourceType, "AWS::SQS::Queue")
        XCTAssertEqual(n.extra, [:])
    }

    func testValueStartingWithNewline() {
        let text = "StackName='s'\nResourceStatus='CREATE_FAILED'\nResourceStatusReason='\nFoo='x'\n'\nResourceType='T'\n"
        let n = StackNotification.parse(text)
        XCTAssertEqual(n.resourceStatusReason, "\nFoo='x'\n")
        XCTAssertEqual(n.extra, [:])
        XCTAssertEqual(n.resourceType, "T")
    }

    func testCRLFLineEndingsAndTrailingBlankLines() {
        let text = Fixture.notification(status: "DELETE_FAILED", reason: "a\nb")
            .replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\n"
        let n = StackNotification.parse(text)
        XCTAssertEqual(n.resourceStatus, "DELETE_FAILED")
        XCTAssertEqual(n.resourceStatusReason, "a\nb")
        XCTAssertEqual(n.clientRequestToken, nil)
        XCTAssertEqual(n.unterminatedKeys, [])
    }

    func testUnterminatedValueIsKept() {
        let n = StackNotification.parse("StackName='s'\nResourceStatus='CREATE_FAILED")
        XCTAssertEqual(n.resourceStatus, "CREATE_FAILED")
        XCTAssertEqual(n.unterminatedKeys, ["ResourceStatus"])
    }

    func testGarbageIsNotANotification() {
        for text in ["", "hello world", "{\"a\":1}", "StackName='x'", "   StackId='x'\n   ResourceStatus='y'", "\u{0}\u{1}'='"] {
            let n = StackNotification.parse(text)
            XCTAssertFalse(n.isCloudFormationNotification, text)
        }
    }

    func testPreambleIsIgnored() {
        let n = StackNotification.parse("Some banner\n" + Fixture.notification(status: "CREATE_COMPLETE"))
        XCTAssertEqual(n.keyOrder.first, "StackId")
        XCTAssertEqual(n.resourceStatus, "CREATE_COMPLETE")
    }
}
