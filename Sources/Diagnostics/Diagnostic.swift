/// How much a diagnostic matters. Only errors fail `catalogwatch validate`.
public enum Severity: String, Hashable, Sendable, CaseIterable {
    /// The file is wrong: CloudFormation or CatalogWatch would fail, or it breaks a rule CatalogWatch enforces.
    case error
    /// Probably wrong, or not portable; the run still passes.
    case warning
    /// Information: a part that could not be checked, and why.
    case note
}

/// One problem found in a layout file or a template: what, where, and what to do about it.
///
/// The only diagnostic type of CatalogWatch: the layout reader, the template parser, the template checks,
/// schema validation and `validate`'s layout agreement checks all report in it, and every report format
/// (text, JSON, GitHub annotations, SARIF) prints it.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public var severity: Severity
    /// A stable rule id (`unresolved-ref`, `layout`, `hard-coded-partition`), see `DiagnosticRule`.
    public var rule: String
    /// The file as the user named it (relative or absolute), when known.
    public var file: String?
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// 1-based column, when known (always together with `line`).
    public var column: Int?
    /// Where in the document: `Resources.Topic.Properties.Subscription[0].Endpoint`, `regions[1]`, `(file)`.
    public var keyPath: String
    public var message: String
    /// A replacement that probably fixes it ("did you mean ..."), when there is one.
    public var suggestion: String?

    public init(
        _ severity: Severity, rule: String, file: String? = nil, line: Int? = nil, column: Int? = nil,
        keyPath: String, message: String, suggestion: String? = nil
    ) {
        self.severity = severity
        self.rule = rule
        self.file = file
        self.line = line
        self.column = line == nil ? nil : column
        self.keyPath = keyPath
        self.message = message
        self.suggestion = suggestion
    }

    /// `file:line:column`, `file`, or empty when nothing is known.
    public var location: String {
        guard let file else { return "" }
        guard let line else { return file }
        return "\(file):\(line):\(column ?? 1)"
    }

    /// The message with the suggestion appended: `'amd64' is not one of x86_64, arm64 (did you mean x86_64?)`.
    public var fullMessage: String {
        suggestion.map { "\(message) (did you mean \($0)?)" } ?? message
    }

    /// `file:line:column: severity [rule] key.path: message (did you mean x?)`, the one line every text output uses.
    public var description: String {
        let at = location
        return (at.isEmpty ? "" : at + ": ") + "\(severity.rawValue) [\(rule)] \(keyPath): \(fullMessage)"
    }
}

/// A rule a diagnostic can name: its id, one line saying what it checks (SARIF `rules[]`), and the severity
/// of its findings. Checks report through the rule value (`add(.unresolvedRef, ...)`), not its id, so that a
/// finding cannot name a rule no table declares.
public struct DiagnosticRule: Hashable, Sendable {
    public var id: String
    public var summary: String
    /// The severity of the rule's findings unless the check that reports one says otherwise.
    package var severity: Severity

    /// A rule whose findings are errors.
    public init(_ id: String, _ summary: String) {
        self.init(id, summary, severity: .error)
    }

    package init(_ id: String, _ summary: String, severity: Severity) {
        self.id = id
        self.summary = summary
        self.severity = severity
    }
}

extension Diagnostic {
    /// A finding of `rule`, with the rule's severity unless `severity` is given.
    package init(
        _ rule: DiagnosticRule, severity: Severity? = nil, file: String? = nil, line: Int? = nil, column: Int? = nil,
        keyPath: String, message: String, suggestion: String? = nil
    ) {
        self.init(severity ?? rule.severity, rule: rule.id, file: file, line: line, column: column, keyPath: keyPath, message: message, suggestion: suggestion)
    }
}

extension Array where Element == Diagnostic {
    /// Files in order of first appearance, each file's diagnostics by line and column (unpositioned ones last),
    /// ties kept in the order they were found: the same input always prints the same report.
    public func sortedForReport() -> [Diagnostic] {
        var fileOrder: [String: Int] = [:]
        for d in self where fileOrder[d.file ?? ""] == nil { fileOrder[d.file ?? ""] = fileOrder.count }
        return enumerated().sorted { a, b in
            let ka = (fileOrder[a.element.file ?? ""] ?? 0, a.element.line ?? Int.max, a.element.column ?? Int.max, a.offset)
            let kb = (fileOrder[b.element.file ?? ""] ?? 0, b.element.line ?? Int.max, b.element.column ?? Int.max, b.offset)
            return ka < kb
        }.map(\.element)
    }

    /// How many diagnostics have `severity`.
    public func count(_ severity: Severity) -> Int { lazy.filter { $0.severity == severity }.count }

    /// True when any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
