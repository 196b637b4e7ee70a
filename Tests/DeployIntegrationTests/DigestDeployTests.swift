import Foundation
import TestSupport
import XCTest

/// `deploy` of a layout without digests refuses while the digest queue holds a flush message: deleting the
/// queue would delete the held failures' only way to be alerted.
final class DigestDeployTests: XCTestCase {
    var peers: Peers!

    override func setUp() async throws {
        peers = try await Peers.start()
    }

    override func tearDown() {
        peers?.stop()
    }

    func deploy(_ layout: String, _ extra: [String] = []) throws -> CLIRun {
        try catalogwatch(["deploy", "--layout", layout, "--zip", try writeZip(peers), "--poll-interval", "0.1"] + extra, environment: peers.environment)
    }

    func testDigestsAreNotTurnedOffWhileAFlushIsPending() async throws {
        let regions = ["ap-northeast-1"]
        let withDigests = try writeLayout(peers, regions: regions, extra: "digest: {window: 5m, threshold: 3}\n", name: "digest.yaml")
        let first = try deploy(withDigests, ["--create-bucket"])
        XCTAssertEqual(first.status, 0, first.all)
        // A held failure's flush, due in 5 minutes, on the queue (moto's StackSet instances make no queue: made here).
        let url = try peers.moto.boto3("""
            sqs = client('sqs', 'ap-northeast-1')
            url = sqs.create_queue(QueueName='catalogwatch-digest')['QueueUrl']
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({'catalogWatchDigest': 'digest|prod-x/pa-y|(default)|0'}), DelaySeconds=300)
            print(url)
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        let without = try writeLayout(peers, regions: regions, name: "plain.yaml")
        _ = try await peers.requests(reset: true)
        let refused = try deploy(without)
        XCTAssertEqual(refused.status, 1, refused.all)
        XCTAssertTrue(refused.stderr.contains("account \(Peers.account), region ap-northeast-1: the digest queue catalogwatch-digest still holds 1 flush message(s)"), refused.stderr)
        let changed = peers.actions(try await peers.requests()).filter { ["UpdateStackSet", "DeleteStackInstances", "ExecuteChangeSet"].contains($0) }
        XCTAssertEqual(changed, [], "refused before changing anything")

        // Once the window has flushed (here: the queue emptied), the same deploy goes through.
        _ = try peers.moto.boto3("client('sqs', 'ap-northeast-1').purge_queue(QueueUrl='\(url)')")
        let moved = try deploy(without)
        XCTAssertEqual(moved.status, 0, moved.all)
    }
}
