import URLSessionTransport
import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import AWSClient
import TestSupport

final class MotoIntegrationTests: XCTestCase {
    var server: MotoServer?

    override func setUp() async throws {
        server = try await MotoServer.start(readyWithin: .seconds(30))
    }

    override func tearDown() async throws {
        server?.stop()
        server = nil
    }

    func client(_ credentials: Credentials = Credentials(accessKeyId: "testing", secretAccessKey: "testing")) throws -> AWSClient {
        let endpoint = try XCTUnwrap(server?.endpoint)
        return AWSClient(transport: URLSessionTransport(), credentials: credentials,
                         endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": endpoint]), region: "us-east-1",
                         retryPolicy: RetryPolicy(maxAttempts: 2), requestTimeout: .seconds(20))
    }

    func testAssumeRoleAndUseTheCredentials() async throws {
        let client = try client()
        let credentials = try await client.assumeRole(roleArn: "arn:aws:iam::123456789012:role/CatalogWatchReader",
                                                      sessionName: "catalogwatch", durationSeconds: 900)
        XCTAssertTrue(credentials.accessKeyId.hasPrefix("ASIA"), credentials.accessKeyId)
        XCTAssertFalse(credentials.secretAccessKey.isEmpty)
        XCTAssertFalse(credentials.sessionToken?.isEmpty ?? true)
        XCTAssertNotNil(credentials.expiration)
        // Through the caching provider; moto maps the access key back to the assumed role.
        let provider = AssumedRoleCredentials(sts: client, cache: AssumeRoleCache(),
                                              roleArn: "arn:aws:iam::123456789012:role/CatalogWatchReader", sessionName: "catalogwatch")
        let identity = try await client.with(credentials: provider).query(.sts, action: "GetCallerIdentity", parameters: [], deadline: nil)
        XCTAssertEqual(identity.text(at: "GetCallerIdentityResult/Arn"), "arn:aws:sts::123456789012:assumed-role/CatalogWatchReader/catalogwatch")
    }

    func testPublishIsDeliveredToSubscribedQueue() async throws {
        let client = try client()
        let queue = try await client.query(.sqs, action: "CreateQueue", parameters: [("QueueName", "catalogwatch-alerts")], deadline: nil)
        let queueURL = try XCTUnwrap(queue.text(at: "CreateQueueResult/QueueUrl"))
        let attributes = try await client.query(.sqs, action: "GetQueueAttributes",
                                                parameters: [("QueueUrl", queueURL), ("AttributeName.1", "QueueArn")], deadline: nil)
        let queueArn = try XCTUnwrap(attributes.element(at: "GetQueueAttributesResult")?.children("Attribute")
            .first { $0.text(at: "Name") == "QueueArn" }?.text(at: "Value"))
        let topic = try await client.query(.sns, action: "CreateTopic", parameters: [("Name", "catalogwatch")], deadline: nil)
        let topicArn = try XCTUnwrap(topic.text(at: "CreateTopicResult/TopicArn"))
        _ = try await client.query(.sns, action: "Subscribe",
                                   parameters: [("TopicArn", topicArn), ("Protocol", "sqs"), ("Endpoint", queueArn)], deadline: nil)

        let message = "Stack app: UPDATE_ROLLBACK_COMPLETE ✗ — 100% & <b>\"quoted\"</b> ~*+ \n second line"
        let messageId = try await client.publish(
            topicArn: topicArn, message: message, subject: "CatalogWatch: app failed",
            messageAttributes: [SNSMessageAttribute(name: "severity", stringValue: "high"),
                                SNSMessageAttribute(name: "count", stringValue: "3", dataType: "Number")])
        XCTAssertFalse(messageId.isEmpty)

        let received = try await client.query(.sqs, action: "ReceiveMessage",
                                              parameters: [("QueueUrl", queueURL), ("MaxNumberOfMessages", "10")], deadline: nil)
        let bodies = received.element(at: "ReceiveMessageResult")?.children("Message").compactMap { $0.text(at: "Body") } ?? []
        XCTAssertEqual(bodies.count, 1)
        let envelope = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(XCTUnwrap(bodies.first).utf8)) as? [String: Any])
        XCTAssertEqual(envelope["Message"] as? String, message)
        XCTAssertEqual(envelope["Subject"] as? String, "CatalogWatch: app failed")
        XCTAssertEqual(envelope["MessageId"] as? String, messageId)
        XCTAssertEqual(envelope["TopicArn"] as? String, topicArn)
        let messageAttributes = try XCTUnwrap(envelope["MessageAttributes"] as? [String: [String: String]])
        XCTAssertEqual(messageAttributes["severity"], ["Type": "String", "Value": "high"])
        XCTAssertEqual(messageAttributes["count"], ["Type": "Number", "Value": "3"])

        // A topic that does not exist.
        do {
            _ = try await client.publish(topicArn: topicArn + "-missing", message: "m")
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertTrue(error.isNotFound, "\(error)")
            XCTAssertFalse(error.isRetryable)
            XCTAssertEqual(error.operation, "Publish")
        }
    }

    func testDescribeStackEvents() async throws {
        let client = try client()
        let template = #"{"Resources":{"AlertTopic":{"Type":"AWS::SNS::Topic","Properties":{"TopicName":"cw-alerts"}},"#
            + #""AlertQueue":{"Type":"AWS::SQS::Queue"}}}"#
        let created = try await client.query(.cloudFormation, action: "CreateStack",
                                             parameters: [("StackName", "cw-test"), ("TemplateBody", template),
                                                          ("ClientRequestToken", "token-1")], deadline: nil)
        let stackId = try XCTUnwrap(created.text(at: "CreateStackResult/StackId"))

        let page = try await client.describeStackEvents(stackName: "cw-test")
        XCTAssertNil(page.nextToken)
        XCTAssertGreaterThanOrEqual(page.events.count, 2)
        XCTAssertEqual(Set(page.events.map(\.eventId)).count, page.events.count, "event ids are unique")
        XCTAssertTrue(page.events.allSatisfy { $0.stackId == stackId && $0.stackName == "cw-test" })
        XCTAssertTrue(page.events.allSatisfy { AWSTimestamp.parseISO8601($0.timestamp) != nil }, "\(page.events.map(\.timestamp))")
        let statuses = Set(page.events.map { "\($0.logicalResourceId) \($0.resourceType) \($0.resourceStatus)" })
        // moto records stack-level events only.
        XCTAssertTrue(statuses.contains("cw-test AWS::CloudFormation::Stack CREATE_IN_PROGRESS"), "\(statuses)")
        XCTAssertTrue(statuses.contains("cw-test AWS::CloudFormation::Stack CREATE_COMPLETE"), "\(statuses)")
        // By stack id too.
        let byId = try await client.describeStackEvents(stackName: stackId)
        XCTAssertEqual(byId.events.map(\.eventId), page.events.map(\.eventId))

        do {
            _ = try await client.describeStackEvents(stackName: "no-such-stack")
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "ValidationError")
            XCTAssertEqual(error.httpStatus, 400)
            XCTAssertTrue(error.isNotFound)
            XCTAssertNotNil(error.requestId)
        }
    }

    /// With moto's IAM authentication on, moto recomputes every signature with botocore from what arrived on the wire.
    func testMotoVerifiesOurSignatures() async throws {
        let server = try XCTUnwrap(server)
        let output = try server.boto3("""
        iam = client('iam')
        iam.create_user(UserName='catalogwatch')
        key = iam.create_access_key(UserName='catalogwatch')['AccessKey']
        allow = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]})
        iam.put_user_policy(UserName='catalogwatch', PolicyName='all', PolicyDocument=allow)
        trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 'sts:AssumeRole'}]})
        iam.create_role(RoleName='Reader', AssumeRolePolicyDocument=trust)
        iam.put_role_policy(RoleName='Reader', PolicyName='all', PolicyDocument=allow)
        urllib.request.urlopen(urllib.request.Request(ENDPOINT + '/moto-api/reset-auth', data=b'0', method='POST',
                                              headers={'Content-Type': 'text/plain'})).read()
        print(key['AccessKeyId'], key['SecretAccessKey'])
        """, region: "us-east-1")
        let parts = output.split(whereSeparator: \.isWhitespace).map(String.init)
        XCTAssertEqual(parts.count, 2)
        let user = Credentials(accessKeyId: parts[0], secretAccessKey: parts[1])
        let client = try client(user)

        let identity = try await client.query(.sts, action: "GetCallerIdentity", parameters: [], deadline: nil)
        XCTAssertEqual(identity.text(at: "GetCallerIdentityResult/Arn"), "arn:aws:iam::123456789012:user/catalogwatch")
        let topic = try await client.query(.sns, action: "CreateTopic", parameters: [("Name", "signed")], deadline: nil)
        let topicArn = try XCTUnwrap(topic.text(at: "CreateTopicResult/TopicArn"))
        _ = try await client.publish(topicArn: topicArn, message: "unicode ✓ and spaces ~*'()!", subject: "s p a c e s",
                                     messageAttributes: [SNSMessageAttribute(name: "k", stringValue: "v w")])

        // Session credentials: the security token is sent and signed.
        let assumed = try await client.assumeRole(roleArn: "arn:aws:iam::123456789012:role/Reader", sessionName: "cw")
        let roleIdentity = try await client.with(credentials: assumed).query(.sts, action: "GetCallerIdentity", parameters: [], deadline: nil)
        XCTAssertEqual(roleIdentity.text(at: "GetCallerIdentityResult/Arn"), "arn:aws:sts::123456789012:assumed-role/Reader/cw")
        _ = try await client.with(credentials: assumed).publish(topicArn: topicArn, message: "from the role")

        // A wrong secret is rejected, classified, and not retried.
        do {
            _ = try await self.client(Credentials(accessKeyId: user.accessKeyId, secretAccessKey: "wrong-secret"))
                .publish(topicArn: topicArn, message: "m")
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "SignatureDoesNotMatch")
            XCTAssertEqual(error.httpStatus, 403)
            XCTAssertFalse(error.isRetryable)
            XCTAssertFalse("\(error)".contains("wrong-secret"))
        }
        do {
            _ = try await self.client(Credentials(accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x"))
                .query(.sts, action: "GetCallerIdentity", parameters: [], deadline: nil)
            XCTFail("expected an error")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "InvalidClientTokenId")
        }
    }
}

/// The URLSession test transport against closed ports: connection failures are retried, then surface.
final class TransportFailureTests: XCTestCase {
    func testConnectionRefusedIsRetriedThenThrown() async throws {
        guard Tools.which("python3") != nil else { throw XCTSkip("python3 is needed to find a free port") }
        let port = try Tools.freePort()
        let clock = FakeClock()
        let attempts = Locked(0)
        struct Counting: HTTPTransport {
            let inner = URLSessionTransport()
            let attempts: Locked<Int>
            func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
                attempts.withValue { $0 += 1 }
                return try await inner.send(request, timeout: timeout)
            }
        }
        let client = AWSClient(transport: Counting(attempts: attempts), credentials: Credentials(accessKeyId: "a", secretAccessKey: "b"),
                               endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"]),
                               region: "us-east-1", retryPolicy: instantRetryPolicy(clock: clock, maxAttempts: 3))
        do {
            _ = try await client.publish(topicArn: "t", message: "m")
            XCTFail("expected an error")
        } catch let error as HTTPTransportError {
            guard case .connectionFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(attempts.current, 3)
        XCTAssertEqual(clock.sleeps.count, 2)
    }
}
