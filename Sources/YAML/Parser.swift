import CYAML

/// Reads YAML text into `YAMLNode`s through libyaml's event API, with bounded depth and alias expansion.
public enum YAMLParser {
    /// Deepest nesting accepted; deeper input is an error, never a stack overflow.
    public static let maximumDepth = 200
    /// Most nodes one document may expand to, aliases included (stops "billion laughs" documents).
    public static let maximumNodes = 1_000_000

    /// Parses the single document in `text`. An empty document is a null scalar.
    public static func parse(_ text: String, file: String? = nil) throws(YAMLError) -> YAMLNode {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses the single document in UTF-8 `bytes`; invalid UTF-8 is an error with its position.
    public static func parse(bytes: [UInt8], file: String? = nil) throws(YAMLError) -> YAMLNode {
        let parser = try LibYAMLParser(file: file)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> YAMLNode in
            // libyaml keeps pointers to `buffer` and to the parser itself: both stay valid until the parse is done.
            var builder = TreeBuilder(file: file, bytes: buffer)
            return try parser.parse(buffer) { (p) throws(YAMLError) -> YAMLNode in try builder.run(p) }
        }
    }
}

/// One libyaml parser. The `yaml_parser_t` lives in its own heap allocation, owned by this object and freed in
/// `deinit`: `yaml_parser_set_input_string` stores the parser's own address in it, so it must not move while it
/// lives, which the address of a Swift local `var` does not promise.
private final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>

    init(file: String?) throws(YAMLError) {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        guard yaml_parser_initialize(parser) == 1 else {
            parser.deinitialize(count: 1)
            parser.deallocate()
            throw YAMLError("cannot initialise the YAML parser", file: file)
        }
        self.parser = parser
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deinitialize(count: 1)
        parser.deallocate()
    }

    /// Reads `input` with `body`; libyaml holds on to `input`, so it is used only while `body` runs.
    func parse<R>(_ input: UnsafeBufferPointer<UInt8>, _ body: (UnsafeMutablePointer<yaml_parser_t>) throws(YAMLError) -> R) throws(YAMLError) -> R {
        yaml_parser_set_input_string(parser, input.baseAddress ?? UnsafePointer(bitPattern: 1), input.count)
        return try body(parser)
    }
}

private struct TreeBuilder {
    let file: String?
    let bytes: UnsafeBufferPointer<UInt8>

    enum Frame {
        case sequence(items: [YAMLNode], tag: String?, mark: YAMLMark, anchor: String?, size: Int)
        case mapping(pairs: [YAMLPair], pendingKey: YAMLNode?, keys: Set<String>, tag: String?, mark: YAMLMark, anchor: String?, size: Int)
    }

    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    var totalNodes = 0
    var documents = 0
    var root: YAMLNode?

    init(file: String?, bytes: UnsafeBufferPointer<UInt8>) {
        self.file = file
        self.bytes = bytes
    }

    func error(_ message: String, _ mark: YAMLMark?) -> YAMLError { YAMLError(message, file: file, mark: mark) }

    mutating func run(_ parser: UnsafeMutablePointer<yaml_parser_t>) throws(YAMLError) -> YAMLNode {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else {
                throw parserError(parser.pointee)
            }
            defer { yaml_event_delete(&event) }
            let mark = YAMLMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root ?? .scalar(YAMLScalar("", style: .plain, mark: YAMLMark(line: 1, column: 1)))
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 { throw error("more than one YAML document; expected exactly one", mark) }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                let style: YAMLScalarStyle
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                var tag = s.tag.map { String(cString: $0) }
                if tag == "!" { tag = nil }  // the non-specific tag: "this is a string"
                let node = YAMLNode.scalar(YAMLScalar(value, tag: tag, style: tag == nil && s.tag != nil ? .singleQuoted : style, mark: mark))
                try add(node, size: 1, anchor: s.anchor.map { String(cString: $0) }, mark: mark)
            case YAML_ALIAS_EVENT:
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard let target = anchors[name] else { throw error("unknown alias *\(name)", mark) }
                try add(target.node, size: target.size, anchor: nil, mark: mark)
            case YAML_SEQUENCE_START_EVENT:
                try push(mark)
                let d = event.data.sequence_start
                stack.append(.sequence(items: [], tag: d.tag.map { String(cString: $0) }, mark: mark,
                                       anchor: d.anchor.map { String(cString: $0) }, size: 1))
            case YAML_MAPPING_START_EVENT:
                try push(mark)
                let d = event.data.mapping_start
                stack.append(.mapping(pairs: [], pendingKey: nil, keys: [], tag: d.tag.map { String(cString: $0) },
                                      mark: mark, anchor: d.anchor.map { String(cString: $0) }, size: 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let frame = stack.popLast() else { throw error("unbalanced collection end", mark) }
                switch frame {
                case .sequence(let items, let tag, let m, let anchor, let size):
                    try add(.sequence(items, tag: tag, mark: m), size: size, anchor: anchor, mark: m, counted: true)
                case .mapping(let pairs, _, _, let tag, let m, let anchor, let size):
                    try add(.mapping(pairs, tag: tag, mark: m), size: size, anchor: anchor, mark: m, counted: true)
                }
            default:
                break
            }
        }
    }

    mutating func push(_ mark: YAMLMark) throws(YAMLError) {
        if stack.count >= YAMLParser.maximumDepth {
            throw error("nesting deeper than \(YAMLParser.maximumDepth) levels", mark)
        }
    }

    mutating func add(_ node: YAMLNode, size: Int, anchor: String?, mark: YAMLMark, counted: Bool = false) throws(YAMLError) {
        if !counted { totalNodes += size }
        if totalNodes > YAMLParser.maximumNodes {
            throw error("document expands to more than \(YAMLParser.maximumNodes) nodes (alias bomb?)", mark)
        }
        if let anchor { anchors[anchor] = (node, size) }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(var items, let tag, let m, let a, let s):
            items.append(node)
            stack.append(.sequence(items: items, tag: tag, mark: m, anchor: a, size: s + size))
        case .mapping(var pairs, let pending, var keys, let tag, let m, let a, let s):
            if let key = pending {
                pairs.append(YAMLPair(key, node))
                stack.append(.mapping(pairs: pairs, pendingKey: nil, keys: keys, tag: tag, mark: m, anchor: a, size: s + size))
            } else {
                if case .scalar(let k) = node, k.tag == nil {
                    if keys.contains(k.value) { throw error("duplicate key '\(k.value)'", node.mark ?? mark) }
                    keys.insert(k.value)
                }
                stack.append(.mapping(pairs: pairs, pendingKey: node, keys: keys, tag: tag, mark: m, anchor: a, size: s + size))
            }
        }
    }

    func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) { message = "\(problem) \(context)" }
        let m: yaml_mark_t
        switch parser.error {
        case YAML_READER_ERROR:
            // The reader reports a byte offset; turn it into a line and column.
            let offset = min(Int(parser.problem_offset), bytes.count)
            var line = 1
            var lineStart = 0
            for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            return error("\(problem) (byte \(offset))", YAMLMark(line: line, column: offset - lineStart + 1))
        default:
            m = parser.problem_mark
        }
        return error(message, YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1))
    }
}
