import YAML

/// `Fn::ForEach` of `AWS::LanguageExtensions`, expanded as the transform does when the collection is known:
///
///     Fn::ForEach::Topics:            # a key of Resources, Outputs, Conditions or any mapping
///       - Name                        # the identifier
///       - [Alerts, Audit]             # the collection
///       - ${Name}Topic:               # the fragment: keys and values repeated per item
///           Type: AWS::SNS::Topic
///
/// In the fragment, `${Name}` and `&{Name}` (the item without non-alphanumerics) are replaced in keys and in
/// `Fn::Sub` strings, and `!Ref Name` becomes the item; a `Fn::Sub` left without variables becomes a plain
/// string. Expanded entries keep the positions of the fragment, so findings point into the loop.
extension TemplateReader {
    static let forEachPrefix = "Fn::ForEach::"

    /// The pairs of `node` with every `Fn::ForEach::` key replaced by the entries it declares (nested loops too).
    /// A loop whose collection cannot be known is dropped with a note, and the names it would declare are kept
    /// as patterns for `section`.
    mutating func expandingForEach(_ node: YAMLNode, at path: String, section: String?) throws(YAMLError) -> [YAMLPair] {
        guard let pairs = node.pairs else { return [] }
        guard pairs.contains(where: { $0.key.scalarValue?.hasPrefix(Self.forEachPrefix) == true }) else { return pairs }
        var out: [YAMLPair] = []
        var names = Set(pairs.compactMap { $0.key.scalarValue }.filter { !$0.hasPrefix(Self.forEachPrefix) })
        for pair in pairs {
            guard let key = pair.key.scalarValue, key.hasPrefix(Self.forEachPrefix) else {
                out.append(pair)
                continue
            }
            let loopPath = Self.join(path, key)
            record(loopPath, pair.key.mark)
            useExtension("Fn::ForEach", at: loopPath)
            guard let items = pair.value.items, items.count == 3, let identifier = items[0].scalarValue, items[0].tag == nil,
                let fragment = items[2].pairs
            else {
                throw error("\(key) takes [identifier, collection, {key: value, ...}]", pair.value)
            }
            guard let values = collection(items[1], of: key, at: loopPath, mark: pair.key.mark) else {
                unexpandedNames[section ?? path, default: []] += Self.namePatterns(fragment)
                continue
            }
            var generated: [YAMLPair] = []
            for v in values {
                for entry in fragment {
                    generated.append(YAMLPair(Self.substitute(key: entry.key, identifier, v), Self.substitute(entry.value, identifier, v)))
                }
            }
            for p in try expandingForEach(.mapping(generated, mark: pair.key.mark), at: path, section: section) {
                let name = p.key.scalarValue ?? ""
                guard names.insert(name).inserted else { throw error("\(key) declares '\(name)', which is already declared", p.key) }
                out.append(p)
            }
        }
        return out
    }

    /// The items of a loop's collection, or nil with a note saying why they cannot be known.
    mutating func collection(_ node: YAMLNode, of key: String, at path: String, mark: YAMLMark?) -> [String]? {
        if case .sequence(let items, nil, _) = node {
            let literals = items.compactMap { item -> String? in item.tag == nil ? item.scalarValue : nil }
            if literals.count == items.count { return literals }
            note(.notEvaluated, path, mark, "the collection holds intrinsic functions; the entries \(key) declares are not checked")
            return nil
        }
        var scratch = TemplateReader(file: file)
        let v = (try? scratch.value(node, at: "")) ?? .null
        switch v {
        case .function("Ref", .string(let name)):
            guard let p = parameters[name], p.type == "CommaDelimitedList" || p.type.hasPrefix("List<") else {
                note(.notEvaluated, path, mark, "the collection is !Ref \(name), which is not a list parameter; the entries \(key) declares are not checked")
                return nil
            }
            guard let d = p.default, let items = Self.listItems(d) else {
                note(.notEvaluated, path, mark, "the collection is parameter \(name), which has no default; the entries \(key) declares are not checked")
                return nil
            }
            note(.notEvaluated, path, mark, "expanded with the default of parameter \(name) (\(items.joined(separator: ", "))); other values are not checked")
            return items
        case .function("Fn::FindInMap", .list(let args)) where args.count == 3:
            let keys = args.compactMap(\.stringValue)
            if keys.count == 3, let found = mappings?[keys[0]]?[keys[1]]?[keys[2]], let items = Self.listItems(found) { return items }
        default:
            break
        }
        let what = v.function.map { "computed by \($0.name)" } ?? "not a list"
        note(.notEvaluated, path, mark, "the collection is \(what); the entries \(key) declares are not checked")
        return nil
    }

    /// A list of literals, or a comma-separated string (a `CommaDelimitedList` default).
    static func listItems(_ v: CFNValue) -> [String]? {
        switch v {
        case .string(let s): return s.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        case .list(let items):
            let literals = items.compactMap { item -> String? in
                switch item {
                case .string(let s), .number(let s): return s
                default: return nil
                }
            }
            return literals.count == items.count ? literals : nil
        default: return nil
        }
    }

    /// The names a fragment declares, with `${...}` and `&{...}` as `*`; nested loops contribute theirs.
    static func namePatterns(_ fragment: [YAMLPair]) -> [String] {
        fragment.flatMap { pair -> [String] in
            guard let key = pair.key.scalarValue else { return [] }
            if key.hasPrefix(forEachPrefix) {
                guard let inner = pair.value.items, inner.count == 3, let pairs = inner[2].pairs else { return [] }
                return namePatterns(pairs)
            }
            return [maskingVariables(key)]
        }
    }

    static func maskingVariables(_ text: String) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "$" || text[i] == "&", text[text.index(after: i)...].hasPrefix("{"),
                let close = text[i...].firstIndex(of: "}")
            {
                if !out.hasSuffix("*") { out += "*" }
                i = text.index(after: close)
            } else {
                out.append(text[i])
                i = text.index(after: i)
            }
        }
        return out
    }

    // MARK: substitution

    /// `node` with the loop identifier `id` replaced by `value`, as the transform replaces it.
    static func substitute(_ node: YAMLNode, _ id: String, _ value: String) -> YAMLNode {
        switch node {
        case .scalar(let s):
            if s.tag == "!Ref", s.value == id { return plain(value, node.mark) }
            if s.tag == "!Sub" {
                let r = sub(node.untagged, id, value)
                return r.plain ?? tagged(r.argument, "!Sub")
            }
            return node
        case .sequence(let items, let tag, let mark):
            if tag == "!Sub" {
                let r = sub(node.untagged, id, value)
                return r.plain ?? tagged(r.argument, "!Sub")
            }
            return .sequence(items.map { substitute($0, id, value) }, tag: tag, mark: mark)
        case .mapping(let pairs, let tag, let mark):
            if tag == nil, pairs.count == 1, let key = pairs[0].key.scalarValue {
                if key == "Ref", pairs[0].value.tag == nil, pairs[0].value.scalarValue == id { return plain(value, pairs[0].value.mark) }
                if key == "Fn::Sub" {
                    let r = sub(pairs[0].value, id, value)
                    return r.plain ?? .mapping([YAMLPair(pairs[0].key, r.argument)], tag: nil, mark: mark)
                }
            }
            // Keys are rewritten everywhere in the fragment (the names it declares, and nested loops' names).
            return .mapping(pairs.map { YAMLPair(substitute(key: $0.key, id, value), substitute($0.value, id, value)) }, tag: tag, mark: mark)
        }
    }

    static func substitute(key: YAMLNode, _ id: String, _ value: String) -> YAMLNode {
        guard case .scalar(var s) = key else { return key }
        s.value = replacing(s.value, id, value)
        return .scalar(s)
    }

    /// A `Fn::Sub` argument (untagged) after substitution, and the plain string it became when no variable is left.
    static func sub(_ argument: YAMLNode, _ id: String, _ value: String) -> (argument: YAMLNode, plain: YAMLNode?) {
        switch argument {
        case .scalar(var s):
            s.value = replacing(s.value, id, value)
            return (.scalar(s), hasVariables(s.value) ? nil : plain(s.value, s.mark))
        case .sequence(let items, _, let mark):
            guard case .scalar(var s)? = items.first else { return (argument, nil) }
            s.value = replacing(s.value, id, value)
            if !hasVariables(s.value) { return (argument, plain(s.value, s.mark)) }
            return (.sequence([.scalar(s)] + items.dropFirst().map { substitute($0, id, value) }, mark: mark), nil)
        case .mapping:
            return (substitute(argument, id, value), nil)
        }
    }

    static func tagged(_ node: YAMLNode, _ tag: String) -> YAMLNode {
        switch node {
        case .scalar(var s):
            s.tag = tag
            return .scalar(s)
        case .sequence(let items, _, let mark): return .sequence(items, tag: tag, mark: mark)
        case .mapping(let pairs, _, let mark): return .mapping(pairs, tag: tag, mark: mark)
        }
    }

    static func plain(_ text: String, _ mark: YAMLMark?) -> YAMLNode {
        .scalar(YAMLScalar(text, style: .singleQuoted, mark: mark))
    }

    static func replacing(_ text: String, _ id: String, _ value: String) -> String {
        let alphanumeric = String(value.unicodeScalars.filter { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
        return text.replacingAll("${\(id)}", with: value).replacingAll("&{\(id)}", with: alphanumeric)
    }

    /// True when `text` still holds a `${Name}` or `&{Name}` variable (`${!Literal}` counts, so it stays a Sub).
    static func hasVariables(_ text: String) -> Bool {
        text.contains("${") || text.contains("&{")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
