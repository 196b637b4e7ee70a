import Foundation
import TestSupport
import XCTest

@testable import FilterCore

/// Decodes every sample in examples/events and checks what each one should produce.
final class ExampleEventsTests: XCTestCase {
    private var eventsDirectory: URL {
        Tools.packageRoot.appendingPathComponent("examples/events")
    }

    /// Expected alert statuses per record; nil for a record that is not an alert.
    private let expectations: [String: [String?]] = [
        "sns-update-rollback-complete.json": ["UPDATE_ROLLBACK_COMPLETE"],
        "sns-routine-create-in-progress.json": [nil],
        "sqs-batch-mixed.json": ["UPDATE_ROLLBACK_FAILED", nil, nil],
        "eventbridge-stack-status-change.json": ["UPDATE_ROLLBACK_COMPLETE"],
        "sns-non-servicecatalog-failure.json": ["ROLLBACK_COMPLETE"],
        "sns-delete-failed.json": ["DELETE_FAILED"],
    ]

    func testEveryExampleDecodes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: eventsDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(Set(files), Set(expectations.keys), "every example has an expectation")
        let classifier = Classifier()
        for file in files {
            let data = try Data(contentsOf: eventsDirectory.appendingPathComponent(file))
            let event: DecodedEvent
            do {
                event = try EventDecoder.decode(Array(data))
            } catch {
                XCTFail("\(file): \(error)")
                continue
            }
            for record in event.records {
                if case .unrecognized(let reason) = record.payload {
                    let isGarbage = file == "sqs-batch-mixed.json" && record.index == 2
                    XCTAssertTrue(isGarbage, "\(file) record \(record.index): \(reason)")
                }
            }
            let statuses = classifier.classify(event).map { $0.failure?.status }
            XCTAssertEqual(statuses, expectations[file] ?? [], file)
            for failure in classifier.classify(event).compactMap(\.failure) {
                XCTAssertEqual(failure.account, "111122223333", file)
                let alert = AlertComposer.compose(failure)
                XCTAssertTrue(alert.subject.hasPrefix("CatalogWatch: \(failure.status) "), file)
                XCTAssertNotNil(failure.consoleURL, file)
                if file == "sns-non-servicecatalog-failure.json" {
                    XCTAssertNil(failure.provisionedProductId)
                } else {
                    XCTAssertNotNil(failure.provisionedProductId, file)
                }
            }
            if file == "sqs-batch-mixed.json" {
                XCTAssertEqual(event.source, .sqs)
                XCTAssertTrue(event.records.allSatisfy { $0.itemIdentifier != nil })
            }
        }
    }
}
