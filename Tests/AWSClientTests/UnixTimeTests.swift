import XCTest
import Foundation
import AWSIdentifiers

/// The Foundation-free wall clock and timestamp the AWS client and the filter use.
final class UnixTimeTests: XCTestCase {
    func testNowIsFoundationsNow() {
        let ours = UnixTime.now().secondsSince1970
        let theirs = Date().timeIntervalSince1970
        XCTAssertEqual(ours, theirs, accuracy: 1)
    }

    func testMillisecondsOfAParsedFractionAreExact() throws {
        let time = try XCTUnwrap(UnixTime(iso8601: "2024-05-04T07:08:09.123Z"))
        XCTAssertEqual(time.epochMilliseconds, 1_714_806_489_123)
        XCTAssertEqual(time.epochSeconds, 1_714_806_489)
        XCTAssertEqual(time.iso8601, "2024-05-04T07:08:09Z")
    }

    func testAgreesWithFoundationsISO8601() throws {
        let formatter = ISO8601DateFormatter()
        for seconds in stride(from: -86_400 * 365 * 30, through: 86_400 * 365 * 80, by: 7_777_777) {
            let date = Date(timeIntervalSince1970: Double(seconds))
            XCTAssertEqual(UnixTime(secondsSince1970: Double(seconds)).iso8601, formatter.string(from: date))
            XCTAssertEqual(UnixTime(iso8601: formatter.string(from: date))?.secondsSince1970, Double(seconds))
        }
    }

    func testArithmeticAndOrder() {
        let a = UnixTime(secondsSince1970: 100), b = a.adding(seconds: 2.5)
        XCTAssertLessThan(a, b)
        XCTAssertEqual(b.seconds(since: a), 2.5)
        XCTAssertEqual(a.seconds(since: b), -2.5)
    }
}
