import FilterContract
import JSONText

/// CloudWatch Embedded Metric Format lines (namespace `CatalogWatch`), one JSON object per line.
public enum MetricsEMF {
    public static let namespace = Canary.metricNamespace

    /// `Alerts` = 1 with dimensions [Account, Product].
    public static func alert(account: String, product: String, timestampMillis: Int64) -> String {
        line(
            metric: "Alerts", dimensions: [("Account", account), ("Product", product)],
            timestampMillis: timestampMillis)
    }

    /// `StackOperations` = 1 with dimensions [Product, Outcome], for one stack-level event.
    public static func stackOperation(product: String, outcome: StackOutcome, timestampMillis: Int64) -> String {
        line(
            metric: "StackOperations", dimensions: [("Product", product), ("Outcome", outcome.rawValue)],
            timestampMillis: timestampMillis)
    }

    /// `Heartbeats` = 1 with dimension [Region]: a canary from `region` reached the filter (the heartbeat
    /// alarm of each region watches it).
    public static func heartbeat(region: String, timestampMillis: Int64) -> String {
        line(metric: Canary.heartbeatMetric, dimensions: [(Canary.heartbeatDimension, region)], timestampMillis: timestampMillis)
    }

    /// A CloudWatch dimension value: ASCII only (other bytes percent-encoded, controls dropped), 1...1024
    /// characters, `unknown` when blank.
    public static func dimensionValue(_ raw: String) -> String {
        var out = ""
        for character in Text.singleLine(raw) {
            var piece = ""
            for byte in String(character).utf8 {
                if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") {
                    piece.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    piece += "%" + Text.hexByte(byte)
                }
            }
            if out.utf8.count + piece.utf8.count > 1_024 { break }
            out += piece
        }
        return out.isEmpty ? "unknown" : out
    }

    private static func line(metric: String, dimensions: [(String, String)], timestampMillis: Int64) -> String {
        var members: [(key: String, value: JSONValue)] = [
            (
                "_aws",
                .object([
                    ("Timestamp", .number(Double(timestampMillis))),
                    (
                        "CloudWatchMetrics",
                        .array([
                            .object([
                                ("Namespace", .string(namespace)),
                                ("Dimensions", .array([.array(dimensions.map { .string($0.0) })])),
                                ("Metrics", .array([.object([("Name", .string(metric)), ("Unit", .string("Count"))])])),
                            ])
                        ])
                    ),
                ])
            )
        ]
        for (name, value) in dimensions {
            members.append((name, .string(dimensionValue(value))))
        }
        members.append((metric, .number(1)))
        return JSONValue.object(members).serialized()
    }
}
