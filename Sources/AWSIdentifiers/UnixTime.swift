#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant of wall-clock time as seconds since 1970-01-01T00:00:00Z: what the SigV4 signature, credential
/// expirations and AWS timestamps need of a date, without Foundation (the filter links no Foundation).
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since the epoch, with a fraction.
    public var secondsSince1970: Double

    public init(secondsSince1970: Double) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The wall clock now (`CLOCK_REALTIME`).
    public static func now() -> UnixTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UnixTime(secondsSince1970: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
    }

    /// Whole seconds since the epoch, rounding down.
    public var epochSeconds: Int { Int(secondsSince1970.rounded(.down)) }

    /// Milliseconds since the epoch, to the nearest (a parsed `.123` is 123, not 122.99...).
    public var epochMilliseconds: Int64 { Int64((secondsSince1970 * 1000).rounded()) }

    /// This instant moved by `seconds` (negative for earlier).
    public func adding(seconds: Double) -> UnixTime { UnixTime(secondsSince1970: secondsSince1970 + seconds) }

    /// Seconds from `earlier` to this instant (negative when `earlier` is later).
    public func seconds(since earlier: UnixTime) -> Double { secondsSince1970 - earlier.secondsSince1970 }

    /// `2015-08-30T12:36:00Z` (whole seconds).
    public var iso8601: String { CivilTime.iso8601(epochSeconds: epochSeconds) }

    public var description: String { iso8601 }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form AWS uses in XML and JSON; nil otherwise.
    public init?(iso8601 string: String) {
        var scanner = DigitScanner(bytes: Array(string.utf8))
        guard let year = scanner.digits(4), scanner.expect("-"), let month = scanner.digits(2), scanner.expect("-"),
              let day = scanner.digits(2), scanner.expect("T") || scanner.expect("t") || scanner.expect(" "),
              let hour = scanner.digits(2), scanner.expect(":"), let minute = scanner.digits(2), scanner.expect(":"),
              let second = scanner.digits(2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
              let fraction = scanner.fraction(), let offsetSeconds = scanner.zoneOffset(), scanner.atEnd
        else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        self.init(secondsSince1970: Double(seconds) + fraction)
    }
}

/// Reads an ISO 8601 timestamp's digits and marks left to right.
private struct DigitScanner {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i == bytes.count }

    mutating func digits(_ count: Int) -> Int? {
        guard i + count <= bytes.count else { return nil }
        var value = 0
        for k in i..<(i + count) {
            guard bytes[k] >= 0x30, bytes[k] <= 0x39 else { return nil }
            value = value * 10 + Int(bytes[k] - 0x30)
        }
        i += count
        return value
    }

    mutating func expect(_ c: Unicode.Scalar) -> Bool {
        guard i < bytes.count, bytes[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }

    /// `.digits` (at least one) as a fraction of a second, or 0 when there is no `.`; nil when malformed.
    mutating func fraction() -> Double? {
        guard expect(".") else { return 0 }
        var fraction = 0.0, scale = 0.1
        let start = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            fraction += Double(bytes[i] - 0x30) * scale
            scale /= 10
            i += 1
        }
        return i > start ? fraction : nil
    }

    /// `Z` as 0, or `±HH[:]MM` in seconds east of UTC; nil otherwise.
    mutating func zoneOffset() -> Int? {
        if expect("Z") || expect("z") { return 0 }
        let sign: Int
        if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
        guard let hours = digits(2) else { return nil }
        _ = expect(":")
        guard let minutes = digits(2) else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
