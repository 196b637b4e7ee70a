import AWSIdentifiers
import XCTest
import Foundation
@testable import AWSClient

let assumeRoleResponseXML = """
    <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <AssumeRoleResult>
        <SourceIdentity>Alice</SourceIdentity>
        <AssumedRoleUser>
          <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
          <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
        </AssumedRoleUser>
        <Credentials>
          <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
          <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
          <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW</SessionToken>
          <Expiration>2019-11-09T13:34:41Z</Expiration>
        </Credentials>
        <PackedPolicySize>6</PackedPolicySize>
      </AssumeRoleResult>
      <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
    </AssumeRoleResponse>
    """

let describeStackEventsXML = """
    <DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
      <DescribeStackEventsResult>
        <StackEvents>
          <member>
            <Timestamp>2024-03-01T10:00:05.123Z</Timestamp>
            <ResourceStatus>CREATE_FAILED</ResourceStatus>
            <StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/app/1</StackId>
            <EventId>Bucket-CREATE_FAILED-2024</EventId>
            <LogicalResourceId>Bucket</LogicalResourceId>
            <StackName>app</StackName>
            <ResourceStatusReason>Bucket &apos;x&apos; already exists</ResourceStatusReason>
            <PhysicalResourceId></PhysicalResourceId>
            <ResourceType>AWS::S3::Bucket</ResourceType>
            <ClientRequestToken>Console-CreateStack-1</ClientRequestToken>
          </member>
          <member>
            <Timestamp>2024-03-01T10:00:00Z</Timestamp>
            <ResourceStatus>CREATE_IN_PROGRESS</ResourceStatus>
            <EventId>e-0</EventId>
            <LogicalResourceId>app</LogicalResourceId>
            <ResourceType>AWS::CloudFormation::Stack</ResourceType>
          </member>
        </StackEvents>
        <NextToken>page-2</NextToken>
      </DescribeStackEventsResult>
      <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
    </DescribeStackEventsResponse>
    """

final class ClientTests: XCTestCase {
    let sessionCredentials = Credentials(accessKeyId: "ASIAFAKE", secretAccessKey: "fake/secret/KEY", sessionToken: "fake-session-token")

    func assertSigned(_ request: HTTPRequest, scope: String, token: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(request.method, "POST", file: file, line: line)
        XCTAssertEqual(request.headers["User-Agent"], "catalogwatch/0.1", file: file, line: line)
        XCTAssertEqual(request.headers["X-Amz-Date"], "20150830T123600Z", file: file, line: line)
        XCTAssertEqual(request.headers["X-Amz-Security-Token"], token, file: file, line: line)
        let authorization = request.headers["Authorization"] ?? ""
        XCTAssertTrue(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\(scope), SignedHeaders="), authorization, file: file, line: line)
        XCTAssertFalse(authorization.contains("user-agent"), file: file, line: line)
    }

    // MARK: Query protocol

    func testAssumeRole() async throws {
        let transport = ScriptedTransport(body: assumeRoleResponseXML)
        let client = testClient(transport, region: "eu-west-1")
        let credentials = try await client.assumeRole(roleArn: "arn:aws:iam::123456789012:role/demo", sessionName: "TestAR", durationSeconds: 900)
        XCTAssertEqual(credentials, Credentials(
            accessKeyId: "ASIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
            sessionToken: "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW",
            expiration: UnixTime(secondsSince1970: 1_573_306_481)))
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url, "https://sts.eu-west-1.amazonaws.com/")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertEqual(request.bodyString,
                       "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=TestAR&DurationSeconds=900")
        assertSigned(request, scope: "AKIDEXAMPLE/20150830/eu-west-1/sts/aws4_request")
        XCTAssertEqual(request.headers["Authorization"]?.contains("SignedHeaders=content-type;host;x-amz-date,"), true)
        XCTAssertEqual(transport.timeouts, [.seconds(10)])
    }

    func testPublishEncodingAndSessionToken() async throws {
        let transport = ScriptedTransport(body: """
            <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
              <PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult>
              <ResponseMetadata><RequestId>f187a3c1</RequestId></ResponseMetadata>
            </PublishResponse>
            """)
        let client = testClient(transport, credentials: sessionCredentials)
        let messageId = try await client.publish(
            topicArn: "arn:aws:sns:us-east-1:123456789012:alerts", message: "Stack app: CREATE_FAILED ✗ 100% & more",
            subject: "CatalogWatch alert", messageStructure: "json",
            messageAttributes: [SNSMessageAttribute(name: "severity", stringValue: "high"),
                                SNSMessageAttribute(name: "count", stringValue: "3", dataType: "Number")])
        XCTAssertEqual(messageId, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b")
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url, "https://sns.us-east-1.amazonaws.com/")
        XCTAssertEqual(request.bodyString, "Action=Publish&Version=2010-03-31"
            + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts"
            + "&Message=Stack+app%3A+CREATE_FAILED+%E2%9C%97+100%25+%26+more"
            + "&Subject=CatalogWatch+alert&MessageStructure=json"
            + "&MessageAttributes.entry.1.Name=severity&MessageAttributes.entry.1.Value.DataType=String"
            + "&MessageAttributes.entry.1.Value.StringValue=high"
            + "&MessageAttributes.entry.2.Name=count&MessageAttributes.entry.2.Value.DataType=Number"
            + "&MessageAttributes.entry.2.Value.StringValue=3")
        assertSigned(request, scope: "ASIAFAKE/20150830/us-east-1/sns/aws4_request", token: "fake-session-token")
    }

    func testPublishMinimal() async throws {
        let transport = ScriptedTransport(body: "<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>")
        _ = try await testClient(transport).publish(topicArn: "t", message: "m")
        XCTAssertEqual(transport.requests.first?.bodyString, "Action=Publish&Version=2010-03-31&TopicArn=t&Message=m")
    }

    func testDescribeStackEvents() async throws {
        let transport = ScriptedTransport(body: describeStackEventsXML)
        let page = try await testClient(transport).describeStackEvents(stackName: "app", nextToken: "page-1")
        XCTAssertEqual(transport.requests.first?.bodyString, "Action=DescribeStackEvents&Version=2010-05-15&StackName=app&NextToken=page-1")
        XCTAssertEqual(transport.requests.first?.url, "https://cloudformation.us-east-1.amazonaws.com/")
        XCTAssertEqual(page, StackEventsPage(events: [
            StackEvent(eventId: "Bucket-CREATE_FAILED-2024", stackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1",
                       stackName: "app", logicalResourceId: "Bucket", physicalResourceId: nil, resourceType: "AWS::S3::Bucket",
                       resourceStatus: "CREATE_FAILED", resourceStatusReason: "Bucket 'x' already exists",
                       timestamp: "2024-03-01T10:00:05.123Z", clientRequestToken: "Console-CreateStack-1"),
            StackEvent(eventId: "e-0", logicalResourceId: "app", resourceType: "AWS::CloudFormation::Stack",
                       resourceStatus: "CREATE_IN_PROGRESS", timestamp: "2024-03-01T10:00:00Z"),
        ], nextToken: "page-2"))
        let empty = StackEventsPage(events: [], nextToken: nil)
        XCTAssertEqual(try AWSClient.decodeStackEvents(XML.parse(
            "<DescribeStackEventsResponse><DescribeStackEventsResult><StackEvents/></DescribeStackEventsResult></DescribeStackEventsResponse>".bytes)),
            empty)
    }

    func testMalformedQueryResponsesAreTypedErrors() async {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        let cases: [(String, String, @Sendable (AWSClient) async throws -> Void)] = [
            ("truncated", String(assumeRoleResponseXML.prefix(420)), { _ = try await $0.assumeRole(roleArn: "r", sessionName: "s") }),
            ("no expiration", assumeRoleResponseXML.replacingOccurrences(of: "<Expiration>2019-11-09T13:34:41Z</Expiration>", with: ""),
             { _ = try await $0.assumeRole(roleArn: "r", sessionName: "s") }),
            ("bad expiration", assumeRoleResponseXML.replacingOccurrences(of: "2019-11-09T13:34:41Z", with: "yesterday"),
             { _ = try await $0.assumeRole(roleArn: "r", sessionName: "s") }),
            ("wrong root", "<PublishResponse/>", { _ = try await $0.assumeRole(roleArn: "r", sessionName: "s") }),
            ("not XML", "{\"json\": true}", { _ = try await $0.publish(topicArn: "t", message: "m") }),
            ("empty body", "", { _ = try await $0.publish(topicArn: "t", message: "m") }),
            ("no message id", "<PublishResponse><PublishResult/></PublishResponse>", { _ = try await $0.publish(topicArn: "t", message: "m") }),
            ("no result", "<DescribeStackEventsResponse/>", { _ = try await $0.describeStackEvents(stackName: "s") }),
            ("event without id", describeStackEventsXML.replacingOccurrences(of: "<EventId>e-0</EventId>", with: ""),
             { _ = try await $0.describeStackEvents(stackName: "s") }),
            ("truncated events", String(describeStackEventsXML.prefix(700)), { _ = try await $0.describeStackEvents(stackName: "s") }),
        ]
        for (name, body, call) in cases {
            let transport = ScriptedTransport(body: body)
            do {
                try await call(testClient(transport))
                XCTFail("\(name): expected an error")
            } catch let error as AWSClientError {
                guard case .malformedResponse = error else { return XCTFail("\(name): \(error)") }
                XCTAssertFalse("\(error)".contains(secret), name)
            } catch {
                XCTFail("\(name): unexpected \(error)")
            }
            XCTAssertEqual(transport.requests.count, 1, "\(name): malformed responses are not retried")
        }
    }

    func testMalformedErrorMessagesDoNotLeakSecrets() async {
        let transport = ScriptedTransport(body: assumeRoleResponseXML.replacingOccurrences(of: "<SessionToken>", with: "<SessionToken>&oops;"))
        do {
            _ = try await testClient(transport).assumeRole(roleArn: "r", sessionName: "s")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual("\(error)", "sts AssumeRole: malformed response: XML error at byte 475: unknown entity reference")
        }
    }

    // MARK: Errors and retries through the client

    func testServiceErrorsAreThrownWithContext() async {
        let transport = ScriptedTransport(status: 403, body: """
            <ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>not authorized</Message></Error><RequestId>q</RequestId></ErrorResponse>
            """)
        do {
            _ = try await testClient(transport).publish(topicArn: "t", message: "m")
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertEqual(error, AWSError(code: "AuthorizationError", message: "not authorized", httpStatus: 403, requestId: "q",
                                           service: "sns", operation: "Publish"))
            XCTAssertTrue(error.isAccessDenied)
        } catch {
            XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testRetriesServerErrorsThrottlingAndTransportFailuresThenSucceeds() async throws {
        let ok = HTTPResponse(status: 200, body: "<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>".bytes)
        let transport = ScriptedTransport([
            .respond(HTTPResponse(status: 503, body: "Service Unavailable".bytes)),
            .respond(HTTPResponse(status: 400, body: "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>".bytes)),
            .fail(HTTPTransportError.timedOut),
            .fail(HTTPTransportError.connectionFailed("refused")),
            .respond(ok),
        ])
        let clock = FakeClock()
        let client = testClient(transport, retryPolicy: instantRetryPolicy(clock: clock, maxAttempts: 5, random: 1))
        let messageId = try await client.publish(topicArn: "t", message: "m")
        XCTAssertEqual(messageId, "m-1")
        XCTAssertEqual(transport.requests.count, 5)
        XCTAssertEqual(clock.sleeps, [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        // Every attempt is signed afresh: one Authorization header each.
        XCTAssertTrue(transport.requests.allSatisfy { $0.headers.values(for: "Authorization").count == 1 })
    }

    func testAttemptTimeoutIsBoundedByTheDeadline() async throws {
        let clock = FakeClock()
        let transport = ScriptedTransport(body: "<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>")
        var client = testClient(transport, retryPolicy: instantRetryPolicy(clock: clock))
        client.requestTimeout = .seconds(10)
        _ = try await client.publish(topicArn: "t", message: "m", deadline: clock.now.advanced(by: .seconds(3)))
        XCTAssertEqual(transport.timeouts, [.seconds(3)])
        do {
            _ = try await client.publish(topicArn: "t", message: "m", deadline: clock.now.advanced(by: .seconds(-1)))
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error as? AWSClientError, .deadlineExceeded(service: "sns", operation: "Publish"))
        }
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testEndpointOverrideAndMissingCredentials() async throws {
        let transport = ScriptedTransport(body: "<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>")
        _ = try await testClient(transport, environment: ["AWS_ENDPOINT_URL_SNS": "http://127.0.0.1:4566/"]).publish(topicArn: "t", message: "m")
        XCTAssertEqual(transport.requests.first?.url, "http://127.0.0.1:4566/")
        let client = testClient(transport).with(credentials: EnvironmentCredentials(environment: [:]))
        do {
            _ = try await client.publish(topicArn: "t", message: "m")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual(error as? AWSClientError, .missingCredentials("AWS_ACCESS_KEY_ID"))
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(client.with(region: "eu-north-1").region, "eu-north-1")
    }

    // MARK: Service Catalog (JSON 1.1)

    func serviceCatalogCall(_ body: String, status: Int = 200, _ call: (AWSClient) async throws -> Void) async throws -> HTTPRequest {
        let transport = ScriptedTransport(status: status, body: body)
        try await call(testClient(transport, credentials: sessionCredentials, region: "eu-west-1"))
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url, "https://servicecatalog.eu-west-1.amazonaws.com/")
        XCTAssertEqual(request.headers["Content-Type"], "application/x-amz-json-1.1")
        assertSigned(request, scope: "ASIAFAKE/20150830/eu-west-1/servicecatalog/aws4_request", token: "fake-session-token")
        XCTAssertEqual(request.headers["Authorization"]?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"), true)
        return request
    }

    func testDescribeProvisionedProduct() async throws {
        let request = try await serviceCatalogCall("""
            {"CloudWatchDashboards":[],"ProvisionedProductDetail":{"Arn":"arn:aws:servicecatalog:eu-west-1:123456789012:stack/app/pp-abc",
            "CreatedTime":1.709287205E9,"Id":"pp-abc","IdempotencyToken":"x","LastProvisioningRecordId":"rec-1","LastRecordId":"rec-2",
            "LastSuccessfulProvisioningRecordId":"rec-1","LaunchRoleArn":"arn:aws:iam::123456789012:role/L","Name":"app",
            "ProductId":"prod-1","ProvisioningArtifactId":"pa-1","Status":"TAINTED","StatusMessage":"Update failed","Type":"CFN_STACK"}}
            """) { client in
            let detail = try await client.describeProvisionedProduct(id: "pp-abc")
            XCTAssertEqual(detail, ProvisionedProductDetail(id: "pp-abc", name: "app", productId: "prod-1", provisioningArtifactId: "pa-1",
                                                            lastRecordId: "rec-2", status: "TAINTED", statusMessage: "Update failed"))
        }
        XCTAssertEqual(request.headers["X-Amz-Target"], "AWS242ServiceCatalogService.DescribeProvisionedProduct")
        XCTAssertEqual(request.bodyString, #"{"Id":"pp-abc"}"#)
    }

    func testDescribeProvisioningArtifact() async throws {
        let request = try await serviceCatalogCall("""
            {"Info":{"TemplateUrl":"https://x/y"},"ProvisioningArtifactDetail":{"Active":true,"CreatedTime":1.7E9,
            "Description":"Adds \\"alarms\\" \\u00e9","Guidance":"DEFAULT","Id":"pa-1","Name":"v2.1","Type":"CLOUD_FORMATION_TEMPLATE"},
            "Status":"AVAILABLE"}
            """) { client in
            let detail = try await client.describeProvisioningArtifact(productId: "prod-1", provisioningArtifactId: "pa-1")
            XCTAssertEqual(detail, ProvisioningArtifactDetail(id: "pa-1", name: "v2.1", description: "Adds \"alarms\" é"))
        }
        XCTAssertEqual(request.headers["X-Amz-Target"], "AWS242ServiceCatalogService.DescribeProvisioningArtifact")
        XCTAssertEqual(request.bodyString, #"{"IncludeProvisioningArtifactParameters":false,"ProductId":"prod-1","ProvisioningArtifactId":"pa-1"}"#)
    }

    func testDescribeProduct() async throws {
        let request = try await serviceCatalogCall("""
            {"Budgets":[],"LaunchPaths":[{"Id":"lpv2-1","Name":"Portfolio"}],"ProductViewSummary":{"Distributor":"",
            "HasDefaultPath":false,"Id":"prodview-1","Name":"Web App","Owner":"Platform","ProductId":"prod-1","Type":"CLOUD_FORMATION_TEMPLATE"},
            "ProvisioningArtifacts":[{"Id":"pa-1","Name":"v1"}]}
            """) { client in
            let summary = try await client.describeProduct(id: "prod-1")
            XCTAssertEqual(summary, ProductViewSummary(id: "prodview-1", productId: "prod-1", name: "Web App"))
        }
        XCTAssertEqual(request.headers["X-Amz-Target"], "AWS242ServiceCatalogService.DescribeProduct")
        XCTAssertEqual(request.bodyString, #"{"Id":"prod-1"}"#)
    }

    func testDescribeRecord() async throws {
        let request = try await serviceCatalogCall("""
            {"RecordDetail":{"CreatedTime":1.7E9,"PathId":"lpv2-1","ProductId":"prod-1","ProvisionedProductId":"pp-abc",
            "ProvisionedProductName":"app","ProvisionedProductType":"CFN_STACK","ProvisioningArtifactId":"pa-1","RecordErrors":[
            {"Code":"CFN_STACK_ERROR","Description":"Resource Bucket failed: already exists"},{"Code":"X"}],
            "RecordId":"rec-2","RecordTags":[],"RecordType":"UPDATE_PROVISIONED_PRODUCT","Status":"FAILED","UpdatedTime":1.7E9},
            "RecordOutputs":[]}
            """) { client in
            let record = try await client.describeRecord(id: "rec-2")
            XCTAssertEqual(record, RecordDetail(recordId: "rec-2", status: "FAILED", recordErrors: [
                RecordError(code: "CFN_STACK_ERROR", description: "Resource Bucket failed: already exists"), RecordError(code: "X"),
            ]))
        }
        XCTAssertEqual(request.headers["X-Amz-Target"], "AWS242ServiceCatalogService.DescribeRecord")
        XCTAssertEqual(request.bodyString, #"{"Id":"rec-2"}"#)
        _ = try await serviceCatalogCall(#"{"RecordDetail":{"Status":"SUCCEEDED"}}"#) { client in
            let record = try await client.describeRecord(id: "rec-3")
            XCTAssertEqual(record, RecordDetail(status: "SUCCEEDED", recordErrors: []))
        }
    }

    func testServiceCatalogErrorsAndMalformedResponses() async throws {
        _ = try await serviceCatalogCall(#"{"__type":"com.amazonaws.servicecatalog#ResourceNotFoundException","Message":"Record not found"}"#,
                                         status: 400) { client in
            do {
                _ = try await client.describeRecord(id: "rec-x")
                XCTFail("expected an error")
            } catch let error as AWSError {
                XCTAssertEqual(error.code, "ResourceNotFoundException")
                XCTAssertEqual(error.operation, "DescribeRecord")
                XCTAssertEqual(error.service, "servicecatalog")
                XCTAssertTrue(error.isNotFound)
            }
        }
        let malformed: [(String, String)] = [
            ("", "invalid JSON"),
            (#"{"RecordDetail":{"Status":"FAI"#, "invalid JSON"),
            (#"{}"#, "missing field RecordDetail"),
            (#"{"RecordDetail":null}"#, "null field RecordDetail"),
            (#"{"RecordDetail":{"Status":42}}"#, "wrong type for field RecordDetail.Status"),
            (#"{"RecordDetail":{"RecordErrors":[{"Code":1}]}}"#, "wrong type for field RecordDetail.RecordErrors.[0].Code"),
            (#"[]"#, "wrong type for field "),
        ]
        for (body, reason) in malformed {
            _ = try await serviceCatalogCall(body) { client in
                do {
                    _ = try await client.describeRecord(id: "rec-x")
                    XCTFail("expected an error for \(body)")
                } catch {
                    XCTAssertEqual(error as? AWSClientError,
                                   .malformedResponse(service: "servicecatalog", operation: "DescribeRecord", reason: reason), body)
                }
            }
        }
    }
}
