import CloudFormation
import Foundation
import XCTest

@testable import AlertStack
@testable import Layout

/// `FailureEventPattern.pattern`, as rendered into the templates, against the real-shaped event samples in
/// Tests/Fixtures/eventbridge (see its README), judged by `EventPatternMatcher`.
final class FailureEventPatternTests: XCTestCase {
    typealias JSON = EventPatternMatcher.JSON

    static let samplesFolder = repositoryRoot.appendingPathComponent("Tests/Fixtures/eventbridge")

    /// The `.json` files of `Tests/Fixtures/eventbridge/<folder>`, by file name, sorted.
    func samples(_ folder: String) throws -> [(name: String, text: String)] {
        let directory = Self.samplesFolder.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            (name, try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
        }
    }

    var renderedPattern: String { JSONWriter.write(FailureEventPattern.pattern) }

    func testSampleFoldersAreNotEmpty() throws {
        XCTAssertFalse(try samples("must-match").isEmpty, "Tests/Fixtures/eventbridge/must-match has no samples")
        XCTAssertFalse(try samples("must-not-match").isEmpty, "Tests/Fixtures/eventbridge/must-not-match has no samples")
    }

    func testMustMatchSamplesMatch() throws {
        let pattern = renderedPattern
        for sample in try samples("must-match") {
            XCTAssertTrue(try EventPatternMatcher.matches(pattern: pattern, event: sample.text), "must-match/\(sample.name) does not match")
        }
    }

    func testMustNotMatchSamplesDoNotMatch() throws {
        let pattern = renderedPattern
        for sample in try samples("must-not-match") {
            XCTAssertFalse(try EventPatternMatcher.matches(pattern: pattern, event: sample.text), "must-not-match/\(sample.name) matches")
        }
    }

    /// A status added to (or removed from) the pattern needs a must-match sample (or loses it).
    func testStatusesAreExactlyThoseOfTheMustMatchSamples() throws {
        var covered: Set<String> = []
        for sample in try samples("must-match") {
            let event = try JSON(parsing: sample.text)
            guard case .object(let detail)? = event.field("detail"), case .object(let statusDetails)? = detail["status-details"],
                case .string(let status)? = statusDetails["status"]
            else { return XCTFail("must-match/\(sample.name) has no detail.status-details.status") }
            covered.insert(status)
        }
        XCTAssertEqual(Set(FailureEventPattern.statuses), covered)
        XCTAssertEqual(FailureEventPattern.statuses.count, Set(FailureEventPattern.statuses).count, "duplicate statuses")
    }

    /// The must-match samples cover the commercial, China and GovCloud partitions.
    func testMustMatchSamplesCoverEveryPartition() throws {
        var partitions: Set<String> = []
        for sample in try samples("must-match") {
            guard case .string(let arn)? = try JSON(parsing: sample.text).field("resources")?.firstElement else {
                return XCTFail("must-match/\(sample.name) has no resources")
            }
            partitions.insert(arn.split(separator: ":", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "")
        }
        XCTAssertEqual(partitions, ["aws", "aws-cn", "aws-us-gov"])
    }

    /// Every sample is a complete event: the envelope EventBridge delivers, with the stack ARN in resources.
    func testSamplesAreCompleteEvents() throws {
        let envelope = ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
        for folder in ["must-match", "must-not-match"] {
            for sample in try samples(folder) {
                guard case .object(let event) = try JSON(parsing: sample.text) else {
                    XCTFail("\(folder)/\(sample.name) is not a JSON object")
                    continue
                }
                XCTAssertEqual(Set(event.keys), Set(envelope), "\(folder)/\(sample.name)")
                guard case .object(let detail)? = event["detail"], case .string(let stackId)? = detail["stack-id"] else {
                    XCTFail("\(folder)/\(sample.name) has no detail.stack-id")
                    continue
                }
                XCTAssertEqual(event["resources"], .array([.string(stackId)]), "\(folder)/\(sample.name)")
                XCTAssertTrue(stackId.hasPrefix("arn:"), "\(folder)/\(sample.name)")
            }
        }
    }

    /// The rendered pattern is a JSON object on source, detail-type and the detail's stack id and status.
    func testRenderedPatternShape() throws {
        let pattern = try JSON(parsing: renderedPattern)
        guard case .object(let fields) = pattern, case .object(let detail)? = fields["detail"] else {
            return XCTFail("the pattern is not a JSON object with a detail object")
        }
        XCTAssertEqual(Set(fields.keys), ["source", "detail-type", "detail"])
        XCTAssertEqual(Set(detail.keys), ["stack-id", "status-details"])
    }
}

extension EventPatternMatcher.JSON {
    /// The value of `key` if this is an object.
    func field(_ key: String) -> Self? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The first element if this is a non-empty array.
    var firstElement: Self? {
        if case .array(let items) = self { return items.first }
        return nil
    }
}
