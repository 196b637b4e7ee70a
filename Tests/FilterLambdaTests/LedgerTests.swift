import XCTest
import Foundation
import AWSClient
import FilterCore
import TestSupport
import URLSessionTransport
@testable import FilterLambda

// MARK: - moto_server fixtures of the alert ledger

extension MotoServer {
    /// A ledger table as the alert stack makes it: hash key `failure` (S), TTL on `expiresAt`.
    func ledgerTable(name: String, region: String = Member.region) throws {
        _ = try boto3("""
            ddb = client('dynamodb', '\(region)')
            ddb.create_table(TableName='\(name)', BillingMode='PAY_PER_REQUEST',
                             KeySchema=[{'AttributeName': 'failure', 'KeyType': 'HASH'}],
                             AttributeDefinitions=[{'AttributeName': 'failure', 'AttributeType': 'S'}])
            ddb.update_time_to_live(TableName='\(name)', TimeToLiveSpecification={'Enabled': True, 'AttributeName': 'expiresAt'})
            """)
    }

    /// Every item of the table, strings and numbers as they are (numbers as integers), by `failure`.
    func ledgerItems(table: String, region: String = Member.region) throws -> [String: [String: Any]] {
        let output = try boto3("""
            ddb = client('dynamodb', '\(region)'); out = {}
            for page in ddb.get_paginator('scan').paginate(TableName='\(table)'):
                for item in page['Items']:
                    plain = {k: (v['S'] if 'S' in v else int(v['N'])) for k, v in item.items()}
                    out[plain['failure']] = plain
            print(json.dumps(out))
            """)
        guard let items = try jsonObject(output) as? [String: [String: Any]] else { throw TestFailure(output) }
        return items
    }

    /// Writes an item directly (a claim left by another delivery).
    func putLedgerItem(table: String, item: [String: Any], region: String = Member.region) throws {
        let attributes = item.mapValues { value -> [String: String] in
            if let number = value as? Int { return ["N": String(number)] }
            return ["S": "\(value)"]
        }
        // As hex: a Python string literal would keep JSON's `\/` escapes.
        let hex = try jsonText(attributes).utf8.map { String(format: "%02x", $0) }.joined()
        _ = try boto3("client('dynamodb', '\(region)').put_item(TableName='\(table)', Item=json.loads(bytes.fromhex('\(hex)')))")
    }
}

/// An EventBridge stack status change at `time` (Events.eventBridge has a fixed time).
func stackStatusChange(id: String, stackId: String, status: String, time: String) -> [String: Any] {
    var event = Events.eventBridge(id: id, stackId: stackId, status: status)
    event["time"] = time
    return event
}

/// Epoch seconds of an ISO 8601 time, read by Foundation (independently of the filter's parser).
func epochSeconds(_ iso: String) throws -> Int64 {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = iso.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
    let date = try XCTUnwrap(formatter.date(from: iso), iso)
    return Int64(date.timeIntervalSince1970.rounded(.down))
}

/// Records the requests a client sends (and passes them on).
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    private let base = URLSessionTransport()
    private let lock = NSLock()
    private var seen: [HTTPRequest] = []

    var requests: [HTTPRequest] { lock.withLock { seen } }

    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        lock.withLock { seen.append(request) }
        return try await base.send(request, timeout: timeout)
    }
}

// MARK: - The pure parts

final class LedgerEntryTests: XCTestCase {
    let now: Int64 = 1_760_000_000

    func failures(snsTimestamp: String, eventBridgeTime: String, status: String = "UPDATE_ROLLBACK_FAILED") throws -> (sns: StackFailure, eventBridge: StackFailure) {
        let stackId = Member.fakeStackId("abcdefghijklm"), stackName = Member.stackName("abcdefghijklm")
        let classifier = Classifier()
        let sns = Events.snsEvent(Events.cfnMessage(stackId: stackId, stackName: stackName, status: status, eventId: "evt-1", timestamp: snsTimestamp))
        let eb = stackStatusChange(id: "eb-1", stackId: stackId, status: status, time: eventBridgeTime)
        let first = try XCTUnwrap(classifier.classify(try EventDecoder.decode(try jsonBytes(sns))).first?.failure)
        let second = try XCTUnwrap(classifier.classify(try EventDecoder.decode(try jsonBytes(eb))).first?.failure)
        return (first, second)
    }

    func testSNSAndEventBridgeDeliveriesOfOneFailureShareTheKeyAndFallInTheWindow() throws {
        let (sns, eb) = try failures(snsTimestamp: "2024-05-04T07:08:12.345Z", eventBridgeTime: "2024-05-04T07:08:09Z")
        let a = AlertLedger.Entry(failure: sns, now: now), b = AlertLedger.Entry(failure: eb, now: now)
        XCTAssertEqual(a.key, "\(Member.fakeStackId("abcdefghijklm"))|UPDATE_ROLLBACK_FAILED")
        XCTAssertEqual(a.key, b.key)
        XCTAssertEqual(a.eventTime, try epochSeconds("2024-05-04T07:08:12.345Z"), "fractional seconds are dropped")
        XCTAssertEqual(b.eventTime, try epochSeconds("2024-05-04T07:08:09Z"))
        XCTAssertLessThanOrEqual(abs(a.eventTime - b.eventTime), AlertLedger.window)
        // Another status of the same stack is another failure.
        let other = try failures(snsTimestamp: "2024-05-04T07:08:12.345Z", eventBridgeTime: "2024-05-04T07:08:09Z", status: "DELETE_FAILED")
        XCTAssertNotEqual(AlertLedger.Entry(failure: other.sns, now: now).key, a.key)
    }

    func testKeyWithoutAStackARNAndTimeWithoutATimestamp() {
        let failure = StackFailure(
            account: "111122223333", region: "ap-northeast-1", partition: "aws", stackId: nil, stackARN: nil, stackName: "SC-111122223333-pp-abcdefghijklm",
            status: "DELETE_FAILED", reason: nil, eventId: nil, timestamp: nil, provisionedProductId: "pp-abcdefghijklm")
        let entry = AlertLedger.Entry(failure: failure, now: now)
        XCTAssertEqual(entry.key, "111122223333/ap-northeast-1/SC-111122223333-pp-abcdefghijklm|DELETE_FAILED")
        XCTAssertEqual(entry.eventTime, now, "no timestamp: the claim time")
        let garbled = StackFailure(
            account: failure.account, region: failure.region, partition: "aws", stackId: "not-an-arn", stackARN: nil, stackName: failure.stackName,
            status: failure.status, reason: nil, eventId: nil, timestamp: "yesterday", provisionedProductId: nil)
        XCTAssertEqual(AlertLedger.Entry(failure: garbled, now: now).key, entry.key, "an unparsable stack id is not used")
        XCTAssertEqual(AlertLedger.Entry(failure: garbled, now: now).eventTime, now, "an unparsable timestamp: the claim time")
    }

    func testClaimItemConditionAndValues() throws {
        let (sns, _) = try failures(snsTimestamp: "2024-05-04T07:08:12.345Z", eventBridgeTime: "2024-05-04T07:08:09Z")
        let entry = AlertLedger.Entry(failure: sns, now: now)
        let eventTime = try epochSeconds("2024-05-04T07:08:12.345Z")
        XCTAssertEqual(AlertLedger.window, 300)
        XCTAssertEqual(AlertLedger.staleClaim, 120)
        XCTAssertEqual(entry.item, [
            "failure": .string(entry.key), "eventTime": .number(String(eventTime)), "state": .string("claimed"),
            "claimedAt": .number(String(now)), "expiresAt": .number(String(now + 2 * 86_400)),
        ])
        XCTAssertEqual(
            AlertLedger.Entry.claimCondition,
            "attribute_not_exists(failure) OR eventTime < :lo OR eventTime > :hi OR (#state = :claimed AND claimedAt < :stale)")
        XCTAssertEqual(entry.claimValues, [
            ":lo": .number(String(eventTime - 300)), ":hi": .number(String(eventTime + 300)),
            ":claimed": .string("claimed"), ":stale": .number(String(now - 120)),
        ])
        XCTAssertEqual(AlertLedger.stateName, ["#state": "state"], "state is a DynamoDB reserved word")
    }

    func testLedgerTableSetting() throws {
        let base = [
            "ALERT_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:catalogwatch-alerts", "MEMBER_ROLE_NAME": "CatalogWatchMember",
            "AWS_REGION": "ap-northeast-1",
        ]
        XCTAssertNil(try FilterConfiguration.from(environment: base).alertLedgerTable)
        for good in ["abc", "catalogwatch-alert-ledger", "A.b_C-9", String(repeating: "t", count: 255)] {
            var env = base
            env["ALERT_LEDGER_TABLE"] = good
            XCTAssertEqual(try FilterConfiguration.from(environment: env).alertLedgerTable, good)
        }
        var blank = base
        blank["ALERT_LEDGER_TABLE"] = "  "
        XCTAssertNil(try FilterConfiguration.from(environment: blank).alertLedgerTable, "blank is unset")
        for bad in ["ab", String(repeating: "t", count: 256), "alert ledger", "ledger/x", "léger", "arn:aws:dynamodb:ap-northeast-1:123456789012:table/x"] {
            var env = base
            env["ALERT_LEDGER_TABLE"] = bad
            XCTAssertThrowsError(try FilterConfiguration.from(environment: env), bad) { error in
                let text = (error as? FilterConfiguration.Problem)?.description ?? ""
                XCTAssertTrue(text.contains("ALERT_LEDGER_TABLE '") && text.contains("is not a DynamoDB table name"), text)
            }
        }
    }
}
