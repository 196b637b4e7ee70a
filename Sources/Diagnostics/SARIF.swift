import URLText
/// SARIF 2.1.0 output, the format GitHub code scanning reads (`github/codeql-action/upload-sarif`).
///
/// One run, tool `catalogwatch`, every known rule in `tool.driver.rules` (sorted by id; a rule a result names
/// that is not known is added with its id as description, so every `ruleId` resolves), results in report order.
/// Deterministic: no timestamps, no absolute paths of the machine when the file is under `baseDirectory`.
public enum SARIFReport {
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    /// The SARIF log for `diagnostics`. `baseDirectory` (the current directory) turns absolute file paths below
    /// it into relative URIs, as code scanning expects; files outside it become `file://` URIs.
    public static func render(_ diagnostics: [Diagnostic], rules known: [DiagnosticRule], baseDirectory: String? = nil) -> String {
        var rulesById: [String: DiagnosticRule] = [:]
        for r in known where rulesById[r.id] == nil { rulesById[r.id] = r }
        for d in diagnostics where rulesById[d.rule] == nil { rulesById[d.rule] = DiagnosticRule(d.rule, d.rule) }
        let rules = rulesById.values.sorted { $0.id < $1.id }
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($0.element.id, $0.offset) })
        let driver: ReportJSON = .object([
            ("name", .string("catalogwatch")),
            ("rules", .array(rules.map { r in
                .object([("id", .string(r.id)), ("shortDescription", .object([("text", .string(r.summary))]))])
            })),
        ])
        let results: [ReportJSON] = diagnostics.map { d in
            var fields: [(String, ReportJSON)] = [
                ("ruleId", .string(d.rule)), ("ruleIndex", .int(ruleIndex[d.rule] ?? 0)), ("level", .string(level(d.severity))),
                ("message", .object([("text", .string("\(d.keyPath): \(d.fullMessage)"))])),
            ]
            if let file = d.file {
                var physical: [(String, ReportJSON)] = [("artifactLocation", .object([("uri", .string(uri(file, base: baseDirectory)))]))]
                if let line = d.line {
                    physical.append(("region", .object([("startLine", .int(max(line, 1))), ("startColumn", .int(max(d.column ?? 1, 1)))])))
                }
                fields.append(("locations", .array([.object([("physicalLocation", .object(physical))])])))
            }
            return .object(fields)
        }
        let log: ReportJSON = .object([
            ("$schema", .string(schemaURI)), ("version", .string("2.1.0")),
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("results", .array(results))])])),
        ])
        return log.text + "\n"
    }

    /// SARIF `level` of a severity.
    public static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    /// A URI reference for `path`: relative (to `base` when below it), else `file://` for absolute paths;
    /// characters outside RFC 3986's unreserved set and `/` are percent-encoded.
    public static func uri(_ path: String, base: String?) -> String {
        var relative = path
        if let base, !base.isEmpty {
            let prefix = base.hasSuffix("/") ? base : base + "/"
            if path.hasPrefix(prefix) { relative = String(path.dropFirst(prefix.count)) }
        }
        while relative.hasPrefix("./") { relative.removeFirst(2) }
        let encoded = PercentEncoding.encode(relative, keepSlash: true)
        return relative.hasPrefix("/") ? "file://" + encoded : encoded
    }
}
