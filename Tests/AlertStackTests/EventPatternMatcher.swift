import Foundation

/// A test-only matcher for Amazon EventBridge event patterns, following the documented rules
/// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
/// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html), because moto's
/// TestEventPattern does not evaluate patterns.
///
/// - A pattern is a JSON object. Every field it names must match (AND); a nested object matches the nested
///   fields of the event; a leaf is an array of alternatives, of which one must match (OR).
/// - When the event field is an array, the leaf matches if any element matches; an array of objects matches
///   a nested pattern if one element matches all of it (so two fields never match in different elements).
/// - Literals match exactly: strings by Unicode scalars, numbers numerically, `null` and booleans by value.
/// - Operators: `prefix`, `suffix` (both also with `{"equals-ignore-case": ...}`), `equals-ignore-case`,
///   `wildcard`, `anything-but` (a value, a list, or `prefix`/`suffix`/`equals-ignore-case`/`wildcard`),
///   `numeric` and `exists`. `cidr` is not implemented: a pattern using it throws `PatternError`.
/// - `$or` (an array of two or more objects) at any object level matches if one of its objects matches.
/// - A field absent from the event (or holding an object where the pattern has a leaf) matches only
///   `{"exists": false}`.
///
/// Patterns EventBridge would reject (a leaf that is not an array, an unknown operator, `**` in a wildcard)
/// throw `PatternError`, so a typo in a pattern fails the test instead of silently not matching.
enum EventPatternMatcher {
    /// A parsed JSON value (events and patterns).
    indirect enum JSON: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case array([JSON])
        case object([String: JSON])
    }

    struct PatternError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let operatorNames: Set<String> = [
        "prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr",
    ]

    // MARK: Entry points

    /// Whether the event (JSON text) matches the pattern (JSON text).
    static func matches(pattern: String, event: String) throws -> Bool {
        guard case .object(let patternObject) = try JSON(parsing: pattern) else {
            throw PatternError("an event pattern must be a JSON object")
        }
        guard case .object(let eventObject) = try JSON(parsing: event) else {
            throw PatternError("an event must be a JSON object")
        }
        return try matches(patternObject, eventObject)
    }

    /// Whether every field of `pattern` matches `event` (AND).
    static func matches(_ pattern: [String: JSON], _ event: [String: JSON]) throws -> Bool {
        for (key, expected) in pattern {
            if let alternatives = orClause(key, expected) {
                guard try alternatives.contains(where: { try matches($0, event) }) else { return false }
                continue
            }
            switch expected {
            case .object(let nested):
                guard try matches(nested, within: event[key]) else { return false }
            case .array(let alternatives):
                guard try matchesLeaf(alternatives, event[key]) else { return false }
            default:
                throw PatternError("\(key): a pattern value must be an array of alternatives or an object")
            }
        }
        return true
    }

    /// The objects of a `$or` clause: the key `$or` with an array of two or more objects that are not operators.
    static func orClause(_ key: String, _ value: JSON) -> [[String: JSON]]? {
        guard key == "$or", case .array(let items) = value, items.count >= 2 else { return nil }
        let objects = items.compactMap { item -> [String: JSON]? in
            guard case .object(let object) = item, operatorNames.isDisjoint(with: object.keys) else { return nil }
            return object
        }
        return objects.count == items.count ? objects : nil
    }

    /// A nested pattern against the event's field: an object, any object of an array, or nothing (every leaf
    /// below is then absent, which only `exists: false` matches).
    static func matches(_ nested: [String: JSON], within field: JSON?) throws -> Bool {
        switch field {
        case .object(let object)?:
            return try matches(nested, object)
        case .array(let items)?:
            let objects = flattened(items).compactMap { item -> [String: JSON]? in
                if case .object(let object) = item { return object }
                return nil
            }
            if objects.isEmpty { return try matches(nested, [:]) }
            return try objects.contains(where: { try matches(nested, $0) })
        default:
            return try matches(nested, [:])
        }
    }

    // MARK: Leaves

    /// A leaf: one of the alternatives matches one of the field's values (OR).
    static func matchesLeaf(_ alternatives: [JSON], _ field: JSON?) throws -> Bool {
        guard !alternatives.isEmpty else { throw PatternError("a leaf must list at least one alternative") }
        let values = leafValues(field)
        return try alternatives.contains { alternative in
            switch alternative {
            case .object(let operation):
                return try matchesOperator(operation, values)
            case .array:
                throw PatternError("an alternative cannot be an array")
            default:
                return values.contains { equalsLiteral(alternative, $0) }
            }
        }
    }

    /// The scalar values of an event field: none if absent or an object, the elements if an array.
    static func leafValues(_ field: JSON?) -> [JSON] {
        switch field {
        case nil, .object?: return []
        case .array(let items)?: return flattened(items).filter { if case .object = $0 { false } else { true } }
        case let scalar?: return [scalar]
        }
    }

    /// Nested arrays flattened into one list.
    static func flattened(_ items: [JSON]) -> [JSON] {
        items.flatMap { item -> [JSON] in
            if case .array(let inner) = item { return flattened(inner) }
            return [item]
        }
    }

    static func equalsLiteral(_ expected: JSON, _ value: JSON) -> Bool {
        switch (expected, value) {
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    // MARK: Operators

    /// An operator object (`{"prefix": "us-"}`) against the field's values.
    static func matchesOperator(_ operation: [String: JSON], _ values: [JSON]) throws -> Bool {
        guard operation.count == 1, case let (name, argument)? = operation.first else {
            throw PatternError("an operator object must have exactly one key: \(operation.keys.sorted())")
        }
        if name == "exists" {
            guard case .bool(let wanted) = argument else { throw PatternError("exists takes true or false") }
            return values.isEmpty != wanted
        }
        let test = try valueTest(name, argument)
        return values.contains(where: test)
    }

    /// The test one value must pass for the operator `name` with `argument`.
    static func valueTest(_ name: String, _ argument: JSON) throws -> (JSON) -> Bool {
        switch name {
        case "prefix", "suffix", "equals-ignore-case", "wildcard":
            let test = try stringTest(name, argument)
            return { value in
                if case .string(let s) = value { return test(s) }
                return false
            }
        case "anything-but":
            return try anythingBut(argument)
        case "numeric":
            return try numericTest(argument)
        case "cidr":
            throw PatternError("cidr matching is not implemented by this test matcher")
        default:
            throw PatternError("unknown operator \(name)")
        }
    }

    /// `prefix`, `suffix`, `equals-ignore-case` and `wildcard` on strings; `prefix` and `suffix` also take
    /// `{"equals-ignore-case": "..."}`.
    static func stringTest(_ name: String, _ argument: JSON) throws -> (String) -> Bool {
        if name == "prefix" || name == "suffix", case .object(let inner) = argument {
            guard inner.count == 1, case .string(let text)? = inner["equals-ignore-case"] else {
                throw PatternError("\(name) takes a string or {\"equals-ignore-case\": string}")
            }
            let folded = text.lowercased()
            let test = try stringTest(name, .string(folded))
            return { test($0.lowercased()) }
        }
        guard case .string(let text) = argument else { throw PatternError("\(name) takes a string") }
        switch name {
        case "prefix": return { $0.unicodeScalars.starts(with: text.unicodeScalars) }
        case "suffix": return { $0.unicodeScalars.reversed().starts(with: text.unicodeScalars.reversed()) }
        case "equals-ignore-case": return { $0.lowercased().unicodeScalars.elementsEqual(text.lowercased().unicodeScalars) }
        default:
            let tokens = try wildcardTokens(text)
            return { wildcardMatches(tokens, Array($0.unicodeScalars)) }
        }
    }

    /// `anything-but`: a value, a list of values, or `{"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}`
    /// (string or list). It needs a value: an absent field never matches.
    static func anythingBut(_ argument: JSON) throws -> (JSON) -> Bool {
        switch argument {
        case .string, .number, .bool, .null:
            return { !equalsLiteral(argument, $0) }
        case .array(let excluded):
            guard !excluded.isEmpty else { throw PatternError("anything-but needs at least one value") }
            return { value in !excluded.contains { equalsLiteral($0, value) } }
        case .object(let inner):
            guard inner.count == 1, case let (name, operand)? = inner.first,
                ["prefix", "suffix", "equals-ignore-case", "wildcard"].contains(name)
            else { throw PatternError("anything-but takes prefix, suffix, equals-ignore-case or wildcard") }
            let operands: [JSON]
            if case .array(let list) = operand { operands = list } else { operands = [operand] }
            let tests = try operands.map { try stringTest(name, $0) }
            return { value in
                guard case .string(let s) = value else { return false }
                return !tests.contains { $0(s) }
            }
        }
    }

    /// `numeric`: one or two comparisons (`[">", 0, "<=", 5]`), all of which a JSON number must pass.
    static func numericTest(_ argument: JSON) throws -> (JSON) -> Bool {
        guard case .array(let items) = argument, [2, 4].contains(items.count) else {
            throw PatternError("numeric takes one or two (operator, number) pairs")
        }
        var comparisons: [(Double) -> Bool] = []
        for index in stride(from: 0, to: items.count, by: 2) {
            guard case .string(let comparison) = items[index], case .number(let bound) = items[index + 1] else {
                throw PatternError("numeric takes (operator, number) pairs")
            }
            switch comparison {
            case "<": comparisons.append { $0 < bound }
            case "<=": comparisons.append { $0 <= bound }
            case "=": comparisons.append { $0 == bound }
            case ">=": comparisons.append { $0 >= bound }
            case ">": comparisons.append { $0 > bound }
            default: throw PatternError("unknown numeric operator \(comparison)")
            }
        }
        return { value in
            guard case .number(let n) = value else { return false }
            return comparisons.allSatisfy { $0(n) }
        }
    }

    // MARK: Wildcards

    enum WildcardToken: Equatable {
        case star
        case scalar(Unicode.Scalar)
    }

    /// `*` matches any run of characters (also none); `\*` is a literal asterisk and `\\` a literal backslash.
    /// Consecutive wildcards and any other escape are invalid, as in EventBridge.
    static func wildcardTokens(_ pattern: String) throws -> [WildcardToken] {
        var tokens: [WildcardToken] = []
        var escaping = false
        for scalar in pattern.unicodeScalars {
            if escaping {
                guard scalar == "*" || scalar == "\\" else { throw PatternError("wildcard: invalid escape \\\(scalar)") }
                tokens.append(.scalar(scalar))
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else if scalar == "*" {
                guard tokens.last != .star else { throw PatternError("wildcard: consecutive * are not allowed") }
                tokens.append(.star)
            } else {
                tokens.append(.scalar(scalar))
            }
        }
        guard !escaping else { throw PatternError("wildcard: a trailing backslash escapes nothing") }
        return tokens
    }

    /// Glob matching with backtracking to the last star.
    static func wildcardMatches(_ tokens: [WildcardToken], _ text: [Unicode.Scalar]) -> Bool {
        var t = 0, s = 0
        var lastStar: (token: Int, text: Int)? = nil
        while s < text.count {
            if t < tokens.count, tokens[t] == .scalar(text[s]) {
                t += 1
                s += 1
            } else if t < tokens.count, tokens[t] == .star {
                lastStar = (t, s)
                t += 1
            } else if let star = lastStar {
                lastStar = (star.token, star.text + 1)
                t = star.token + 1
                s = star.text + 1
            } else {
                return false
            }
        }
        while t < tokens.count, tokens[t] == .star { t += 1 }
        return t == tokens.count
    }
}

extension EventPatternMatcher.JSON {
    /// Parses JSON text with Foundation's JSONSerialization.
    init(parsing text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        try self.init(foundation: object)
    }

    /// Converts JSONSerialization's output; booleans are told from numbers by their class.
    init(foundation value: Any) throws {
        switch value {
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            let isBool = type(of: number) == type(of: NSNumber(value: true))
            self = isBool ? .bool(number.boolValue) : .number(number.doubleValue)
        case is NSNull:
            self = .null
        case let array as [Any]:
            self = .array(try array.map { try Self(foundation: $0) })
        case let object as [String: Any]:
            self = .object(try object.mapValues { try Self(foundation: $0) })
        default:
            throw EventPatternMatcher.PatternError("not a JSON value: \(type(of: value))")
        }
    }
}
