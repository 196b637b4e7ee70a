import AWSIdentifiers

/// UTC timestamp formatting and parsing done by hand (no calendars, no ICU).
package enum AWSTimestamp {
    /// `20150830T123600Z`, the SigV4 `X-Amz-Date` form.
    static func amzDate(_ time: UnixTime) -> String { CivilTime.amzDate(epochSeconds: time.epochSeconds) }

    /// `2015-08-30T12:36:00Z`.
    package static func iso8601(_ time: UnixTime) -> String { time.iso8601 }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form AWS uses in XML; nil otherwise.
    package static func parseISO8601(_ string: String) -> UnixTime? { UnixTime(iso8601: string) }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
