import XCTest
import Foundation
import FilterCore
import JSONText
import TestSupport

/// `RouteFilterPolicy` follows SNS: for the same policies and message attributes, its verdicts equal those of
/// moto's SNS filter-policy evaluation (an SQS queue subscribed with each policy, every message published to
/// the topic, and the queues read back), and it rejects the policies SNS rejects.
final class RouteFilterPolicyMotoTests: XCTestCase {
    static let moto = SharedMoto()

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    static let vocabulary: [(name: String, values: [String])] = [
        ("account", ["111122223333", "444455556666"]),
        ("region", ["ap-northeast-1", "eu-west-1"]),
        ("status", ["UPDATE_ROLLBACK_FAILED", "DELETE_FAILED"]),
        ("product", ["Orders database", "Payments API"]),
        ("tag.team", ["payments", "Payments", "platform", "caf\u{E9}", "cafe\u{301}", "チーム 決済"]),
        ("tag.owner", ["alice", "bob"]),
    ]

    /// For each policy (JSON text), the indexes of the messages moto delivered to its queue, or nil when moto
    /// rejected the subscription.
    func motoVerdicts(policies: [String], messages: [[(String, String)]]) async throws -> [[Int]?] {
        let moto = try await Self.moto.get()
        let input: [String: Any] = [
            "name": "policy-\(UUID().uuidString.prefix(8).lowercased())", "policies": policies,
            "messages": messages.map { Dictionary($0, uniquingKeysWith: { first, _ in first }) },
        ]
        let encoded = Data(try jsonText(input).utf8).base64EncodedString()
        let output = try moto.boto3("""
            import base64, botocore
            data = json.loads(base64.b64decode('\(encoded)').decode('utf-8'))
            sns = client('sns'); sqs = client('sqs')
            topic = sns.create_topic(Name=data['name'])['TopicArn']
            queues = []
            for i, policy in enumerate(data['policies']):
                q = sqs.create_queue(QueueName=f"{data['name']}-{i}")['QueueUrl']
                qa = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
                try:
                    sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=qa, Attributes={'FilterPolicy': policy, 'RawMessageDelivery': 'true'})
                    queues.append(q)
                except botocore.exceptions.ClientError as e:
                    queues.append(None)
            for j, attributes in enumerate(data['messages']):
                sns.publish(TopicArn=topic, Message=str(j),
                            MessageAttributes={k: {'DataType': 'String', 'StringValue': v} for k, v in attributes.items()})
            out = []
            for q in queues:
                if q is None:
                    out.append(None)
                    continue
                got = []
                while True:
                    ms = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=0).get('Messages', [])
                    if not ms: break
                    for m in ms:
                        got.append(int(m['Body']))
                        sqs.delete_message(QueueUrl=q, ReceiptHandle=m['ReceiptHandle'])
                out.append(sorted(got))
            print(json.dumps(out))
            """)
        guard let verdicts = try parseJSON(output) as? [Any] else { throw TestFailure(output) }
        return verdicts.map { $0 as? [Int] }
    }

    /// Hand-picked cases around each rule, then random ones from a small vocabulary (so that they match often).
    func cases() throws -> (policies: [String], messages: [[(String, String)]]) {
        var policies = [
            "{}", #"{"tag.team": ["payments"]}"#, #"{"account": ["111122223333"], "tag.team": ["payments", "platform"]}"#,
            #"{"tag.team": ["caf\u00e9"]}"#, #"{"TAG.team": ["payments"]}"#, #"{"tag.owner": ["nobody"]}"#,
            #"{"account": ["111122223333", "444455556666"], "region": ["ap-northeast-1"], "status": ["DELETE_FAILED"], "product": ["Orders database"], "tag.owner": ["alice"]}"#,
        ]
        var messages: [[(String, String)]] = [[], Self.vocabulary.map { ($0.name, $0.values[0]) }, [("tag.team", "cafe\u{301}")], [("tag.team", "caf\u{E9}")]]
        var random = SplitMix64(state: 0x0C4A_7A10_6F17_7E12)
        for _ in 0..<24 {
            var members: [String] = []
            for entry in Self.vocabulary.shuffled(using: &random).prefix(Int.random(in: 0...4, using: &random)) {
                var values = Array(entry.values.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)))
                if Int.random(in: 0..<5, using: &random) == 0 { values.append("never-sent") }
                members.append("\(try jsonText(entry.name)): \(try jsonText(values))")
            }
            policies.append("{" + members.joined(separator: ", ") + "}")
        }
        for _ in 0..<40 {
            messages.append(Self.vocabulary.compactMap { entry in
                Int.random(in: 0..<10, using: &random) < 7 ? (entry.name, entry.values.randomElement(using: &random)!) : nil
            })
        }
        return (policies, messages)
    }

    func testVerdictsEqualMotosSNSEvaluation() async throws {
        let (policies, messages) = try cases()
        let verdicts = try await motoVerdicts(policies: policies, messages: messages)
        XCTAssertEqual(verdicts.count, policies.count)
        var matched = 0
        for (index, text) in policies.enumerated() {
            let policy = try RouteFilterPolicy(json: try JSONValue.parse(text))
            let ours = messages.indices.filter { policy.matches(messages[$0].map { MessageAttribute(name: $0.0, value: $0.1) }) }
            XCTAssertEqual(ours, verdicts[index], "policy \(text)")
            matched += ours.count
        }
        XCTAssertGreaterThan(matched, policies.count, "the cases exercise matches, not only misses")
        XCTAssertLessThan(matched, policies.count * messages.count / 2, "and misses")
    }

    func testPoliciesSNSRejectsAreRejected() async throws {
        let many = (0..<16).map { "\"v\($0)\"" }.joined(separator: ",")
        let rejected = [
            #"{"a": ["1"], "b": ["1"], "c": ["1"], "d": ["1"], "e": ["1"], "f": ["1"]}"#,
            #"{"account": [\#(many)], "region": ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]}"#,
            #"{"account": {"tag": ["x"]}}"#,
        ]
        let verdicts = try await motoVerdicts(policies: rejected + ["{}"], messages: [[("account", "1")]])
        for (index, text) in rejected.enumerated() {
            XCTAssertNil(verdicts[index], "moto accepted \(text)")
            XCTAssertThrowsError(try RouteFilterPolicy(json: try JSONValue.parse(text)), text)
        }
        XCTAssertEqual(verdicts.last, [0])
    }
}
