import Diagnostics
import YAML

/// Where a parsed template came from, carried from the parse so that checks can say where a problem is:
/// the file, the position of every key path, and what the reader itself found (parts it could not evaluate).
///
/// Presentation, like the marks of YAML nodes: two templates with the same content are equal wherever they
/// were read from, so this never takes part in equality or hashing. Built templates have an empty source.
public struct TemplateSource: Hashable, Sendable {
    /// The file the template was read from, as the caller named it.
    public var file: String?
    /// Position of each key path (`Resources.Topic.Properties.Subscription[0].Endpoint`): a mapping entry at its
    /// key, a list item at the item. Intrinsic functions add no segment (`Fn::If` items are `If[1]`, as in checks).
    public var positions: [String: YAMLMark]
    /// What the reader found: notes on parts it could not evaluate, errors on features missing their transform.
    public var diagnostics: [Diagnostic]
    /// Name patterns (`*Topic`, `*` for any run of characters) of the entries that `Fn::ForEach` blocks the reader
    /// could not expand would declare, by section (`Resources`, `Outputs`, `Conditions`).
    public var unexpandedNames: [String: [String]]

    public init(file: String? = nil, positions: [String: YAMLMark] = [:], diagnostics: [Diagnostic] = [], unexpandedNames: [String: [String]] = [:]) {
        self.file = file
        self.positions = positions
        self.diagnostics = diagnostics
        self.unexpandedNames = unexpandedNames
    }

    public static func == (lhs: TemplateSource, rhs: TemplateSource) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    /// The position of `path`, or of its nearest enclosing key path that has one.
    public func mark(for path: String) -> YAMLMark? {
        var p = Substring(path)
        while !p.isEmpty {
            if let m = positions[String(p)] { return m }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = p[..<cut]
        }
        return nil
    }

    /// A diagnostic about `path` of this template, positioned from the parse at `positionPath` (default: `path`).
    public func diagnostic(
        _ severity: Severity, _ rule: String, _ path: String, at positionPath: String? = nil, _ message: String, suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(severity, rule: rule, file: file, mark: mark(for: positionPath ?? path), keyPath: path, message: message, suggestion: suggestion)
    }

    /// A finding of `rule` about `path` of this template, positioned from the parse at `positionPath` (default:
    /// `path`), with the rule's severity unless `severity` is given.
    package func diagnostic(
        _ rule: DiagnosticRule, _ path: String, at positionPath: String? = nil, _ message: String, severity: Severity? = nil, suggestion: String? = nil
    ) -> Diagnostic {
        Diagnostic(rule, severity: severity, file: file, mark: mark(for: positionPath ?? path), keyPath: path, message: message, suggestion: suggestion)
    }

    /// True when `name` may be one that an unexpanded `Fn::ForEach` block of `section` declares.
    public func mayBeDeclaredByForEach(_ name: String, in section: String) -> Bool {
        (unexpandedNames[section] ?? []).contains { NamePattern.matches($0, name) }
    }
}

extension Diagnostic {
    /// A diagnostic at a YAML position.
    public init(
        _ severity: Severity, rule: String, file: String?, mark: YAMLMark?, keyPath: String, message: String,
        suggestion: String? = nil
    ) {
        self.init(severity, rule: rule, file: file, line: mark?.line, column: mark?.column, keyPath: keyPath, message: message, suggestion: suggestion)
    }

    /// A finding of `rule` at a YAML position, with the rule's severity unless `severity` is given.
    package init(
        _ rule: DiagnosticRule, severity: Severity? = nil, file: String?, mark: YAMLMark?, keyPath: String, message: String,
        suggestion: String? = nil
    ) {
        self.init(rule, severity: severity, file: file, line: mark?.line, column: mark?.column, keyPath: keyPath, message: message, suggestion: suggestion)
    }

    /// A YAML read error (syntax, encoding, a template that is not one) as an error diagnostic.
    public init(_ error: YAMLError, rule: String, file: String, keyPath: String) {
        self.init(.error, rule: rule, file: error.file ?? file, mark: error.mark, keyPath: keyPath, message: error.message)
    }

    /// A YAML read error as a finding of `rule` (`.parse` for a template that cannot be read).
    package init(_ error: YAMLError, rule: DiagnosticRule, file: String, keyPath: String) {
        self.init(rule, file: error.file ?? file, mark: error.mark, keyPath: keyPath, message: error.message)
    }
}

/// Patterns where `*` stands for any run of characters (names declared by `Fn::ForEach` with unknown values).
enum NamePattern {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        CheckContext.glob(pattern, matches: text, anyOneCharacter: nil)
    }
}
