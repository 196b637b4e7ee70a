/// A position in a YAML source: 1-based line and column.
public struct YAMLMark: Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// How a scalar is written. `.any` lets the emitter choose a style that keeps the value a string.
public enum YAMLScalarStyle: Hashable, Sendable {
    /// Emitter's choice: a literal block when the text has line breaks, single-quoted when a YAML 1.1/1.2 reader
    /// would see a non-string, plain otherwise.
    case any
    /// Plain, even when the text reads as a number, boolean or null (used for typed values).
    case plain
    case singleQuoted
    case doubleQuoted
    case literal
    case folded
}

/// A YAML scalar: text, an optional tag (`!Ref`), its style and where it was read.
public struct YAMLScalar: Sendable {
    public var value: String
    public var tag: String?
    public var style: YAMLScalarStyle
    public var mark: YAMLMark?

    public init(_ value: String, tag: String? = nil, style: YAMLScalarStyle = .any, mark: YAMLMark? = nil) {
        self.value = value
        self.tag = tag
        self.style = style
        self.mark = mark
    }

    /// True when the scalar was written without quotes or block indicators (so it may be a number, bool or null).
    public var isPlain: Bool { style == .plain || style == .any }

    /// What a reader makes of the scalar: tagged and non-plain scalars are their text; plain ones resolve.
    var meaning: YAMLResolver.ResolvedScalar {
        tag == nil && isPlain ? YAMLResolver.resolvePlain(value) : .string(value)
    }
}

/// One key/value pair of a YAML mapping, in source order.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(_ key: YAMLNode, _ value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// An ordered YAML node tree. Equality compares what a reader sees — tags, structure and each scalar's
/// meaning (a plain scalar as YAML resolves it, a quoted or block scalar as a string); styles and marks are presentation.
public indirect enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], tag: String? = nil, mark: YAMLMark? = nil)
    case mapping([YAMLPair], tag: String? = nil, mark: YAMLMark? = nil)

    /// A plain string scalar that the emitter keeps a string.
    public static func string(_ value: String, tag: String? = nil) -> YAMLNode {
        .scalar(YAMLScalar(value, tag: tag, style: .any))
    }

    public var tag: String? {
        switch self {
        case .scalar(let s): s.tag
        case .sequence(_, let tag, _), .mapping(_, let tag, _): tag
        }
    }

    public var mark: YAMLMark? {
        switch self {
        case .scalar(let s): s.mark
        case .sequence(_, _, let mark), .mapping(_, _, let mark): mark
        }
    }

    /// The scalar text, when this is a scalar.
    public var scalarValue: String? {
        if case .scalar(let s) = self { return s.value }
        return nil
    }

    /// The pairs, when this is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let p, _, _) = self { return p }
        return nil
    }

    /// The items, when this is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let i, _, _) = self { return i }
        return nil
    }

    /// The value of the first pair whose key is the scalar `key`.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first(where: { $0.key.scalarValue == key })?.value
    }

    /// A copy without tag (used when a tag has been interpreted by a higher layer).
    public var untagged: YAMLNode {
        switch self {
        case .scalar(var s):
            s.tag = nil
            return .scalar(s)
        case .sequence(let i, _, let m): return .sequence(i, tag: nil, mark: m)
        case .mapping(let p, _, let m): return .mapping(p, tag: nil, mark: m)
        }
    }

    /// A short name of the node kind, for error messages.
    public var kindName: String {
        switch self {
        case .scalar: "scalar"
        case .sequence: "list"
        case .mapping: "mapping"
        }
    }
}

extension YAMLNode: Equatable {
    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)):
            return a.tag == b.tag && a.meaning == b.meaning
        case (.sequence(let a, let ta, _), .sequence(let b, let tb, _)):
            return ta == tb && a == b
        case (.mapping(let a, let ta, _), .mapping(let b, let tb, _)):
            return ta == tb && a.count == b.count
                && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default:
            return false
        }
    }
}
