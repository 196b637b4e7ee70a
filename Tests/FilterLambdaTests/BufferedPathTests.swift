import XCTest
import Foundation
import FilterCore
import TestSupport

/// The `buffer: sqs` layout end to end against a real moto_server: stack notifications published to the
/// receive topic reach the events queue as SNS envelopes (raw delivery off, as the template subscribes it),
/// are received from there and handed to the built `catalogwatch-filter` as Lambda's event source mapping
/// would, and the alerts land on the send topic's subscribed inbox.
final class BufferedPathTests: XCTestCase {
    static let moto = ClassMoto()

    var moto: MotoServer!
    var fixture: CatalogFixture?
    var receiveTopicArn: String!
    var eventsQueueURL: String!
    var eventsQueueArn: String!
    var sendTopicArn: String!
    var inboxURL: String!
    /// Stack ids of the two member stacks, by suffix.
    var stackIds: [String: String] = [:]

    let first = "bufferedaaaaa"
    let second = "bufferedbbbbb"

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        moto = try await Self.moto.get()
        // A clean moto for every test: no queue holds messages of an earlier test, no topic two subscriptions.
        _ = try moto.boto3("urllib.request.urlopen(urllib.request.Request(ENDPOINT + '/moto-api/reset', method='POST'))")
        try moto.createOrganization([Member.account])  // the reset took the organization too
        let output = try moto.boto3("""
            sns = client('sns'); sqs = client('sqs')
            topic = sns.create_topic(Name='catalogwatch-receive')['TopicArn']
            queue = sqs.create_queue(QueueName='catalogwatch-events', Attributes={'VisibilityTimeout': '30'})['QueueUrl']
            arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
            sub = sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=arn, ReturnSubscriptionArn=True)['SubscriptionArn']
            attributes = sns.get_subscription_attributes(SubscriptionArn=sub)['Attributes']
            print(json.dumps({'topic': topic, 'queue': queue, 'arn': arn, 'raw': attributes.get('RawMessageDelivery', 'false')}))
            """)
        let created = try jsonObject(output)
        receiveTopicArn = try XCTUnwrap(created["topic"] as? String)
        eventsQueueURL = try XCTUnwrap(created["queue"] as? String)
        eventsQueueArn = try XCTUnwrap(created["arn"] as? String)
        XCTAssertEqual(created["raw"] as? String, "false", "the template subscribes the events queue with raw delivery off")
        (sendTopicArn, inboxURL) = try moto.topicWithQueue(name: "catalogwatch-alerts")
        for suffix in [first, second] { stackIds[suffix] = try moto.memberStack(name: Member.stackName(suffix)) }
        fixture = try CatalogFixture(fixture: Member.fixture(provisionedProducts: [first, second]), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
    }

    // MARK: Helpers

    func failureMessage(_ suffix: String, eventId: String) throws -> String {
        Events.cfnMessage(stackId: try XCTUnwrap(stackIds[suffix]), stackName: Member.stackName(suffix), status: "UPDATE_ROLLBACK_FAILED", eventId: eventId)
    }

    /// Publishes `messages` to the receive topic as CloudFormation does.
    func publishToReceiveTopic(_ messages: [String]) throws {
        _ = try moto.boto3("""
            sns = client('sns')
            for m in json.loads(r'''\(try jsonText(messages))'''):
                sns.publish(TopicArn='\(receiveTopicArn!)', Subject='AWS CloudFormation Notification', Message=m)
            """)
    }

    /// Receives `count` messages from the events queue (they stay in flight, as with the event source
    /// mapping) and builds the Lambda SQS event from them exactly as Lambda does.
    func receiveBatch(count: Int) throws -> (event: [String: Any], records: [[String: Any]]) {
        let output = try moto.boto3("""
            sqs = client('sqs'); got = []
            for _ in range(20):
                if len(got) >= \(count): break
                got += sqs.receive_message(QueueUrl='\(eventsQueueURL!)', MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           AttributeNames=['All'], MessageAttributeNames=['All']).get('Messages', [])
            keep = ('ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp')
            records = [{
                'messageId': m['MessageId'], 'receiptHandle': m['ReceiptHandle'], 'body': m['Body'],
                'attributes': {k: v for k, v in m.get('Attributes', {}).items() if k in keep},
                'messageAttributes': {}, 'md5OfBody': m['MD5OfBody'], 'eventSource': 'aws:sqs',
                'eventSourceARN': '\(eventsQueueArn!)', 'awsRegion': 'ap-northeast-1',
            } for m in got]
            print(json.dumps({'Records': records}))
            """)
        let event = try jsonObject(output)
        let records = try XCTUnwrap(event["Records"] as? [[String: Any]])
        XCTAssertEqual(records.count, count, "every published notification reached the events queue once")
        return (event, records)
    }

    /// The EventId in a record's SNS envelope (nil when the body is not one).
    func eventId(of record: [String: Any]) -> String? {
        guard let body = record["body"] as? String, let envelope = try? jsonObject(body),
            let message = envelope["Message"] as? String,
            let line = message.split(separator: "\n").first(where: { $0.hasPrefix("EventId='") })
        else { return nil }
        return String(line.dropFirst("EventId='".count).dropLast())
    }

    func lambdaEnvironment(topic: String) throws -> [String: String] {
        Member.lambdaEnvironment(keyId: "ASIABUFFEREDFUNCTION", secret: "buffered/function-secret", token: "buffered-token").merging([
            "ALERT_TOPIC_ARN": topic,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ENDPOINT_URL_SERVICE_CATALOG": try XCTUnwrap(fixture).endpoint,
        ]) { $1 }
    }

    /// A batch of a first stack's failure, a routine event and a second stack's failure, as received.
    func publishAndReceive() throws -> (event: [String: Any], records: [[String: Any]], failureIds: [String]) {
        try publishToReceiveTopic([
            try failureMessage(first, eventId: "evt-buffered-1"),
            Events.routineMessage(stackId: try XCTUnwrap(stackIds[first]), stackName: Member.stackName(first)),
            try failureMessage(second, eventId: "evt-buffered-3"),
        ])
        let (event, records) = try receiveBatch(count: 3)
        for record in records {
            let envelope = try jsonObject(try XCTUnwrap(record["body"] as? String))
            XCTAssertEqual(envelope["Type"] as? String, "Notification", "the body is the SNS envelope (raw delivery off)")
            XCTAssertEqual(envelope["TopicArn"] as? String, receiveTopicArn)
            XCTAssertEqual(envelope["Subject"] as? String, "AWS CloudFormation Notification")
            XCTAssertEqual((record["attributes"] as? [String: String])?["ApproximateReceiveCount"], "1")
        }
        XCTAssertEqual(Set(records.compactMap(eventId(of:))).count, 3)
        let failureIds = records.filter { ["evt-buffered-1", "evt-buffered-3"].contains(eventId(of: $0) ?? "") }.compactMap { $0["messageId"] as? String }
        XCTAssertEqual(failureIds.count, 2)
        return (event, records, failureIds)
    }

    // MARK: Tests

    func testBatchFromTheEventQueueAlertsOnTheFailures() throws {
        let (event, _, _) = try publishAndReceive()
        let run = try runFilter(events: [event], environment: try lambdaEnvironment(topic: sendTopicArn))
        XCTAssertNil(run.initError)
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, ["response"], run.reportText)
        XCTAssertEqual(run.responses, [#"{"batchItemFailures":[]}"#])
        XCTAssertEqual(run.stderr, "")

        let alerts = try moto.drain(queueURL: inboxURL).map { try jsonObject(try XCTUnwrap($0["Message"] as? String)) }
        XCTAssertEqual(alerts.count, 2, "one alert per failure, none for the routine event")
        XCTAssertEqual(alerts.compactMap { $0["eventId"] as? String }.sorted(), ["evt-buffered-1", "evt-buffered-3"])
        XCTAssertEqual(Set(alerts.compactMap { $0["stackId"] as? String }), Set(stackIds.values))
        for alert in alerts {
            XCTAssertEqual(alert["lookupFailures"] as? [String], [], "\(alert)")
            XCTAssertEqual(alert["productName"] as? String, "Orders database")
            XCTAssertEqual(alert["status"] as? String, "UPDATE_ROLLBACK_FAILED")
        }
    }

    func testUndeliverableAlertsComeBackAsBatchItemFailures() throws {
        let (event, records, failureIds) = try publishAndReceive()
        let missingTopic = "arn:aws:sns:ap-northeast-1:\(MotoServer.defaultAccount):does-not-exist"
        let run = try runFilter(events: [event], environment: try lambdaEnvironment(topic: missingTopic))
        XCTAssertEqual(run.results.map { $0["kind"] as? String }, ["response"], run.reportText)
        let response = try jsonObject(try XCTUnwrap(run.responses.first ?? nil))
        let reported = try XCTUnwrap(response["batchItemFailures"] as? [[String: String]]).map { $0["itemIdentifier"] }
        XCTAssertEqual(reported, failureIds, "exactly the two failure records, in record order; not the routine one")
        XCTAssertEqual(try moto.drain(queueURL: inboxURL).count, 0)

        // What Lambda then does: delete the other messages, and the reported ones come back after their
        // visibility timeout (made immediate here). The receipt handles must be the queue's own.
        let handled = records.filter { !failureIds.contains($0["messageId"] as? String ?? "") }
        _ = try moto.boto3("""
            sqs = client('sqs'); q = '\(eventsQueueURL!)'
            for h in json.loads(r'''\(try jsonText(handled.compactMap { $0["receiptHandle"] as? String }))'''):
                sqs.delete_message(QueueUrl=q, ReceiptHandle=h)
            for h in json.loads(r'''\(try jsonText(records.filter { failureIds.contains($0["messageId"] as? String ?? "") }.compactMap { $0["receiptHandle"] as? String }))'''):
                sqs.change_message_visibility(QueueUrl=q, ReceiptHandle=h, VisibilityTimeout=0)
            """)
        let (_, again) = try receiveBatch(count: 2)
        XCTAssertEqual(Set(again.compactMap { $0["messageId"] as? String }), Set(failureIds))
        XCTAssertEqual(again.compactMap { ($0["attributes"] as? [String: String])?["ApproximateReceiveCount"] }, ["2", "2"])
    }
}
