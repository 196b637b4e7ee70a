import CYAML

/// Writes a `YAMLNode` as block-style YAML through libyaml's event API, byte-identically on every run.
public enum YAMLEmitter {
    /// Emits `node` as one YAML document (no `---`), UTF-8 unescaped, lines never folded.
    public static func emit(_ node: YAMLNode) throws(YAMLError) -> String {
        let emitter = try LibYAMLEmitter()
        var writer = EventWriter(emitter: emitter)
        try writer.streamStart()
        try writer.documentStart()
        try writer.node(node, depth: 0)
        try writer.documentEnd()
        try writer.streamEnd()
        return String(decoding: emitter.output, as: UTF8.self)
    }
}

/// One libyaml emitter and the bytes it wrote. The `yaml_emitter_t` lives in its own heap allocation,
/// owned by this object and freed in `deinit`: libyaml is handed its address once and keeps using it, so it
/// must stay put for the emitter's whole life, which the address of a Swift local `var` does not promise.
private final class LibYAMLEmitter {
    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    /// Everything libyaml has written so far.
    private(set) var output: [UInt8] = []

    init() throws(YAMLError) {
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        emitter.initialize(to: yaml_emitter_t())
        guard yaml_emitter_initialize(emitter) == 1 else {
            emitter.deinitialize(count: 1)
            emitter.deallocate()
            throw YAMLError("cannot initialise the YAML emitter")
        }
        self.emitter = emitter
        // libyaml calls the handler only from inside `emit` (a method of this object), so `self` outlives every call.
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            let owner = Unmanaged<LibYAMLEmitter>.fromOpaque(data).takeUnretainedValue()
            owner.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, -1)
        yaml_emitter_set_indent(emitter, 2)
        yaml_emitter_set_break(emitter, YAML_LN_BREAK)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deinitialize(count: 1)
        emitter.deallocate()
    }

    /// Hands `event` to libyaml (which takes ownership of what it points to).
    func emit(_ event: inout yaml_event_t, _ what: String) throws(YAMLError) {
        guard yaml_emitter_emit(emitter, &event) == 1 else {
            let problem = emitter.pointee.problem.map { String(cString: $0) } ?? "unknown problem"
            throw YAMLError("cannot emit \(what): \(problem)")
        }
    }
}

private struct EventWriter {
    let emitter: LibYAMLEmitter

    func emit(_ event: inout yaml_event_t, _ what: String) throws(YAMLError) {
        try emitter.emit(&event, what)
    }

    mutating func streamStart() throws(YAMLError) {
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        try emit(&event, "stream start")
    }

    mutating func streamEnd() throws(YAMLError) {
        var event = yaml_event_t()
        yaml_stream_end_event_initialize(&event)
        try emit(&event, "stream end")
    }

    mutating func documentStart() throws(YAMLError) {
        var event = yaml_event_t()
        yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
        try emit(&event, "document start")
    }

    mutating func documentEnd() throws(YAMLError) {
        var event = yaml_event_t()
        yaml_document_end_event_initialize(&event, 1)
        try emit(&event, "document end")
    }

    mutating func node(_ node: YAMLNode, depth: Int) throws(YAMLError) {
        guard depth < YAMLParser.maximumDepth else {
            throw YAMLError("cannot emit: nesting deeper than \(YAMLParser.maximumDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            try self.scalar(scalar)
        case .sequence(let items, let tag, _):
            var event = yaml_event_t()
            let ok = withOptionalCString(tag) { tagPtr in
                yaml_sequence_start_event_initialize(&event, nil, tagPtr, tag == nil ? 1 : 0, YAML_BLOCK_SEQUENCE_STYLE)
            }
            guard ok == 1 else { throw YAMLError("cannot emit sequence tag \(tag ?? "")") }
            try emit(&event, "sequence")
            for item in items { try self.node(item, depth: depth + 1) }
            var end = yaml_event_t()
            yaml_sequence_end_event_initialize(&end)
            try emit(&end, "sequence end")
        case .mapping(let pairs, let tag, _):
            var event = yaml_event_t()
            let ok = withOptionalCString(tag) { tagPtr in
                yaml_mapping_start_event_initialize(&event, nil, tagPtr, tag == nil ? 1 : 0, YAML_BLOCK_MAPPING_STYLE)
            }
            guard ok == 1 else { throw YAMLError("cannot emit mapping tag \(tag ?? "")") }
            try emit(&event, "mapping")
            for pair in pairs {
                try self.node(pair.key, depth: depth + 1)
                try self.node(pair.value, depth: depth + 1)
            }
            var end = yaml_event_t()
            yaml_mapping_end_event_initialize(&end)
            try emit(&end, "mapping end")
        }
    }

    mutating func scalar(_ scalar: YAMLScalar) throws(YAMLError) {
        var scalar = scalar
        // An empty plain scalar means null, but libyaml writes it quoted where a plain one is not allowed
        // (e.g. as a key), which would make it a string: write the null explicitly.
        if scalar.style == .plain, scalar.tag == nil, scalar.value.isEmpty { scalar.value = "~" }
        let style: yaml_scalar_style_t
        switch scalar.style {
        case .plain: style = YAML_PLAIN_SCALAR_STYLE
        case .singleQuoted: style = YAML_SINGLE_QUOTED_SCALAR_STYLE
        case .doubleQuoted: style = YAML_DOUBLE_QUOTED_SCALAR_STYLE
        case .literal: style = YAML_LITERAL_SCALAR_STYLE
        case .folded: style = YAML_FOLDED_SCALAR_STYLE
        case .any:
            if scalar.value.contains("\n") {
                style = YAML_LITERAL_SCALAR_STYLE
            } else if YAMLResolver.needsQuotes(scalar.value) {
                style = YAML_SINGLE_QUOTED_SCALAR_STYLE
            } else {
                style = YAML_PLAIN_SCALAR_STYLE
            }
        }
        // A plain scalar without a tag must not be resolved to anything but what the style promises:
        // `.any` strings that look typed are quoted above, so implicit resolution is safe here.
        let implicit: Int32 = scalar.tag == nil ? 1 : 0
        var event = yaml_event_t()
        var utf8 = Array(scalar.value.utf8)
        let length = Int32(utf8.count)
        utf8.append(0)  // never an empty buffer, so the base address is never nil
        let ok = utf8.withUnsafeMutableBufferPointer { buffer in
            withOptionalCString(scalar.tag) { tagPtr in
                yaml_scalar_event_initialize(&event, nil, tagPtr, buffer.baseAddress, length, implicit, implicit, style)
            }
        }
        guard ok == 1 else { throw YAMLError("cannot emit scalar \(scalar.value.prefix(40))") }
        try emit(&event, "scalar")
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafeMutablePointer<UInt8>?) -> R) -> R {
    guard let s else { return body(nil) }
    var bytes = Array(s.utf8)
    bytes.append(0)
    return bytes.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
