import JSONText

/// A parsed CloudFormation SNS notification: the plain-text `Key='Value'` message, one field per key.
///
/// Splitting rule (CloudFormation does not escape quotes or newlines inside values):
/// 1. A *key line* is a line that begins `Name='` where Name matches `[A-Z][A-Za-z]*` (no leading space).
/// 2. A key line whose Name is a known key (`StackNotification.Key`) not seen before starts a new field.
/// 3. A key line with an unknown Name starts a new field (kept in `extra`) only when the value collected so far
///    is closed, i.e. ends with `'` (trailing blank lines ignored); otherwise it is part of the current value.
/// 4. A key line repeating a known key never starts a field: it stays in the current value, and the key is
///    listed in `duplicateKeys` (real messages never repeat keys, so this is text inside a free-text value).
/// 5. A value is everything after `='` up to the end of its last line, minus the single closing `'`.
///    Trailing blank lines are dropped. A value without a closing quote is kept as is (key in `unterminatedKeys`).
/// 6. Lines before the first key line are ignored. CR LF and lone CR count as line ends.
/// Pretty-printed JSON lines (`  "Key": 'x'`) never start with an upper-case letter, so they never split.
/// The raw value `null` means absent: the typed accessors return nil for it.
public struct StackNotification: Sendable, Equatable {
    /// The keys CloudFormation writes into stack event notifications.
    public enum Key: String, CaseIterable, Sendable {
        case stackId = "StackId"
        case timestamp = "Timestamp"
        case eventId = "EventId"
        case logicalResourceId = "LogicalResourceId"
        case namespace = "Namespace"
        case physicalResourceId = "PhysicalResourceId"
        case principalId = "PrincipalId"
        case resourceProperties = "ResourceProperties"
        case resourceStatus = "ResourceStatus"
        case resourceStatusReason = "ResourceStatusReason"
        case resourceType = "ResourceType"
        case stackName = "StackName"
        case clientRequestToken = "ClientRequestToken"
    }

    /// Raw values of the known keys present (including the literal `null`).
    public let fields: [Key: String]
    /// Raw values of unknown `Name='…'` keys (the first value when one repeats).
    public let extra: [String: String]
    /// Every key in message order (known and unknown; duplicates once).
    public let keyOrder: [String]
    /// Known keys that began a line again; those lines were kept as text of the value being read.
    public let duplicateKeys: [String]
    /// Keys whose value had no closing quote.
    public let unterminatedKeys: [String]

    /// The raw value of `key`, nil when missing or `null`.
    public func value(_ key: Key) -> String? {
        guard let raw = fields[key], raw != "null" else { return nil }
        return raw
    }

    public var stackId: String? { value(.stackId) }
    public var timestamp: String? { value(.timestamp) }
    public var eventId: String? { value(.eventId) }
    public var logicalResourceId: String? { value(.logicalResourceId) }
    public var namespace: String? { value(.namespace) }
    public var physicalResourceId: String? { value(.physicalResourceId) }
    public var principalId: String? { value(.principalId) }
    /// The raw ResourceProperties JSON text (one line or pretty-printed), unparsed.
    public var resourceProperties: String? { value(.resourceProperties) }
    public var resourceStatus: String? { value(.resourceStatus) }
    public var resourceStatusReason: String? { value(.resourceStatusReason) }
    public var resourceType: String? { value(.resourceType) }
    public var stackName: String? { value(.stackName) }
    public var clientRequestToken: String? { value(.clientRequestToken) }

    /// The ResourceProperties parsed as JSON, nil when absent or not valid JSON.
    public var resourcePropertiesJSON: JSONValue? {
        guard let text = resourceProperties else { return nil }
        return try? JSONValue.parse(text)
    }

    /// Whether the text looks like a CloudFormation stack notification: it has a ResourceStatus key and a
    /// StackId or StackName key.
    public var isCloudFormationNotification: Bool {
        fields[.resourceStatus] != nil && (fields[.stackId] != nil || fields[.stackName] != nil)
    }

    /// Parses notification text; never fails (check `isCloudFormationNotification`).
    public static func parse(_ text: String) -> StackNotification {
        var parser = Parser()
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            parser.consume(line)
        }
        return parser.finish()
    }

    private struct Parser {
        var fields: [Key: String] = [:]
        var extra: [String: String] = [:]
        var keyOrder: [String] = []
        var duplicateKeys: [String] = []
        var unterminatedKeys: [String] = []
        var seenKnown: Set<Key> = []
        var currentKey: String?
        var currentLines: [Substring] = []

        mutating func consume(_ line: Substring) {
            if let (name, rest) = Parser.keyLine(line) {
                let known = Key(rawValue: name)
                let startsField: Bool
                if let known {
                    startsField = !seenKnown.contains(known)
                    if !startsField, !duplicateKeys.contains(name) { duplicateKeys.append(name) }
                } else {
                    startsField = currentKey == nil || currentValueIsClosed
                }
                if startsField {
                    flush()
                    currentKey = name
                    currentLines = [rest]
                    if let known { seenKnown.insert(known) }
                    return
                }
            }
            if currentKey != nil { currentLines.append(line) }
        }

        /// Whether the value so far ends with a closing quote (trailing blank lines ignored).
        var currentValueIsClosed: Bool {
            guard let last = currentLines.last(where: { !$0.allSatisfy { $0 == " " || $0 == "\t" } }) else { return false }
            // On the first line the opening quote was already consumed, so any final `'` closes the value.
            return last.last == "'"
        }

        mutating func flush() {
            guard let key = currentKey else { return }
            var lines = currentLines
            while lines.count > 1, let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) {
                lines.removeLast()
            }
            var value = lines.joined(separator: "\n")
            while let last = value.last, last == " " || last == "\t" { value.removeLast() }
            if value.last == "'" {
                value.removeLast()
            } else {
                unterminatedKeys.append(key)
            }
            if let known = Key(rawValue: key) {
                fields[known] = value
                keyOrder.append(key)
            } else if extra[key] == nil {
                extra[key] = value
                keyOrder.append(key)
            }
            currentKey = nil
            currentLines = []
        }

        mutating func finish() -> StackNotification {
            flush()
            return StackNotification(
                fields: fields, extra: extra, keyOrder: keyOrder,
                duplicateKeys: duplicateKeys, unterminatedKeys: unterminatedKeys)
        }

        /// `(Name, rest after ='`)` when the line starts with `[A-Z][A-Za-z]*='`.
        static func keyLine(_ line: Substring) -> (String, Substring)? {
            let utf8 = line.utf8
            guard let first = utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return nil }
            var index = utf8.index(after: utf8.startIndex)
            while index != utf8.endIndex {
                let byte = utf8[index]
                let isLetter = (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                if isLetter {
                    index = utf8.index(after: index)
                    continue
                }
                guard byte == UInt8(ascii: "=") else { return nil }
                let quote = utf8.index(after: index)
                guard quote != utf8.endIndex, utf8[quote] == UInt8(ascii: "'") else { return nil }
                let name = String(line[line.startIndex..<index])
                let rest = line[utf8.index(after: quote)...]
                return (name, rest)
            }
            return nil
        }
    }
}
