import Foundation
import XCTest

@testable import FilterCore

final class FailureBatchTests: XCTestCase {
    func testDuplicateEventIdsInOneBatchKeepTheFirst() throws {
        let failureA = Fixture.notification(status: "UPDATE_ROLLBACK_COMPLETE", eventId: "evt-a")
        let failureB = Fixture.notification(status: "DELETE_FAILED", eventId: "evt-b")
        let event = try EventDecoder.decode(
            Fixture.sqsEvent([
                (id: "m0", body: Fixture.snsEnvelope(failureA)),
                (id: "m1", body: Fixture.snsEnvelope(Fixture.notification(status: "CREATE_IN_PROGRESS", eventId: "evt-a"))),
                (id: "m2", body: Fixture.snsEnvelope(failureB)),
                (id: "m3", body: Fixture.snsEnvelope(failureA, messageId: "redelivered")),
                (id: "m4", body: Fixture.snsEnvelope(failureB)),
            ]))
        let batch = FailureBatch(decisions: Classifier().classify(event))
        XCTAssertEqual(batch.alerts.map(\.index), [0, 2])
        XCTAssertEqual(batch.alerts.map(\.failure.status), ["UPDATE_ROLLBACK_COMPLETE", "DELETE_FAILED"])
        XCTAssertEqual(batch.duplicateIndexes, [3, 4])
        XCTAssertEqual(batch.duplicates.map(\.firstIndex), [0, 2])
    }

    func testFailuresWithoutEventIdAreKeyedByStackStatusAndTime() {
        func failure(_ status: String, _ time: String?) -> StackFailure {
            StackFailure(
                account: "111122223333", region: "us-east-1", partition: "aws", stackId: "id", stackARN: nil,
                stackName: "s", status: status, reason: nil, eventId: nil, timestamp: time, provisionedProductId: nil)
        }
        let batch = FailureBatch(failures: [
            (index: 0, failure: failure("CREATE_FAILED", "t1")),
            (index: 1, failure: failure("CREATE_FAILED", "t1")),
            (index: 2, failure: failure("CREATE_FAILED", "t2")),
            (index: 5, failure: failure("ROLLBACK_COMPLETE", "t1")),
        ])
        XCTAssertEqual(batch.alerts.map(\.index), [0, 2, 5])
        XCTAssertEqual(batch.duplicates, [FailureBatch.Duplicate(index: 1, firstIndex: 0)])
    }

    func testNoFailures() {
        let batch = FailureBatch(decisions: [.ignore(.unrecognized), .ignore(.notStackLevel)])
        XCTAssertTrue(batch.alerts.isEmpty)
        XCTAssertTrue(batch.duplicates.isEmpty)
    }
}

final class AlertStatusesTests: XCTestCase {
    func testDefaultWhenUnsetOrBlank() throws {
        XCTAssertEqual(try AlertStatuses.parse(nil), StackStatus.terminalFailures)
        XCTAssertEqual(try AlertStatuses.parse(" \n"), StackStatus.terminalFailures)
        XCTAssertEqual(StackStatus.terminalFailures.count, 9)
    }

    func testParsesListLeniently() throws {
        XCTAssertEqual(try AlertStatuses.parse(" delete_failed, UPDATE_ROLLBACK_COMPLETE ,,"), [.deleteFailed, .updateRollbackComplete])
    }

    func testRejectsUnknownWordsListingValidOnes() {
        XCTAssertThrowsError(try AlertStatuses.parse("UPDATE_FAILED, BROKEN, ROLLBACK")) { error in
            XCTAssertEqual(error as? AlertStatusesError, .unknownStatuses(["BROKEN", "ROLLBACK"]))
            let message = "\(error)"
            XCTAssertTrue(message.contains("'BROKEN', 'ROLLBACK'"), message)
            XCTAssertTrue(message.contains("Valid statuses: CREATE_IN_PROGRESS, CREATE_FAILED"), message)
            XCTAssertTrue(message.contains("IMPORT_ROLLBACK_COMPLETE"), message)
        }
        XCTAssertThrowsError(try AlertStatuses.parse(" , ,")) { error in
            XCTAssertEqual(error as? AlertStatusesError, .empty)
            XCTAssertTrue("\(error)".contains("Valid statuses:"))
        }
    }
}

final class MetricsEMFTests: XCTestCase {
    private func object(_ line: String) throws -> [String: Any] {
        XCTAssertFalse(line.contains("\n"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    func testAlertLine() throws {
        let line = MetricsEMF.alert(account: "111122223333", product: "S3 Bucket", timestampMillis: 1_714_528_985_123)
        XCTAssertEqual(
            line,
            #"{"_aws":{"Timestamp":1714528985123,"CloudWatchMetrics":[{"Namespace":"CatalogWatch","Dimensions":[["Account","Product"]],"Metrics":[{"Name":"Alerts","Unit":"Count"}]}]},"Account":"111122223333","Product":"S3 Bucket","Alerts":1}"#)
        let o = try object(line)
        XCTAssertEqual((o["_aws"] as? [String: Any])?["Timestamp"] as? Int64, 1_714_528_985_123)
    }

    func testStackOperationLineAndOutcomes() throws {
        for outcome in StackOutcome.allCases {
            let o = try object(MetricsEMF.stackOperation(product: "p", outcome: outcome, timestampMillis: 0))
            XCTAssertEqual(o["Outcome"] as? String, outcome.rawValue)
            XCTAssertEqual(o["StackOperations"] as? Int, 1)
            let metrics = (o["_aws"] as? [String: Any])?["CloudWatchMetrics"] as? [[String: Any]]
            XCTAssertEqual(metrics?.first?["Dimensions"] as? [[String]], [["Product", "Outcome"]])
        }
        XCTAssertEqual(Set(StackOutcome.allCases.map(\.rawValue)), ["failed", "succeeded", "in-progress"])
    }

    func testDimensionValuesAreASCIIAndNonEmpty() throws {
        XCTAssertEqual(MetricsEMF.dimensionValue("注文"), "%E6%B3%A8%E6%96%87")
        XCTAssertEqual(MetricsEMF.dimensionValue("100%\n\"x\""), "100%25 \"x\"")
        XCTAssertEqual(MetricsEMF.dimensionValue(" \n\t"), "unknown")
        let long = MetricsEMF.dimensionValue(String(repeating: "本", count: 1_000))
        XCTAssertLessThanOrEqual(long.utf8.count, 1_024)
        XCTAssertTrue(long.hasSuffix("%AC"), "never cuts inside an encoded character")
        let o = try object(MetricsEMF.alert(account: "1", product: "\"注文\"\n", timestampMillis: 5))
        XCTAssertEqual(o["Product"] as? String, "\"%E6%B3%A8%E6%96%87\"")
    }
}
