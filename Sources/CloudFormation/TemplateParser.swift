import Diagnostics
import YAML

/// Reads CloudFormation templates (YAML short or long form, or JSON) into the `Template` model.
///
/// Every section CloudFormation accepts is read (`Transform`, SAM's `Globals`, `Rules`, `Metadata`, `Hooks`,
/// `Mappings`, `Conditions`, ...), intrinsics are accepted wherever CloudFormation takes them, and
/// `AWS::LanguageExtensions` is evaluated where it can be: `Fn::ForEach` over a known collection is expanded
/// as the transform would. What cannot be evaluated is said in `Template.source.diagnostics` as a note.
/// The position of every key path is kept in `Template.source` for the checks.
public enum TemplateParser {
    /// Parses template text; errors name the file, line and column.
    public static func parse(_ text: String, file: String? = nil) throws(YAMLError) -> Template {
        let node = try YAMLParser.parse(text, file: file)
        var reader = TemplateReader(file: file)
        return try reader.template(from: node)
    }

    /// Converts a YAML node to a template value, resolving short-form tags and long-form functions.
    public static func value(from node: YAMLNode, file: String? = nil) throws(YAMLError) -> CFNValue {
        var reader = TemplateReader(file: file)
        return try reader.value(node, at: "")
    }
}

extension DiagnosticRule {
    /// The rule of a template that cannot be read (`TemplateParser.parse` throws): its callers report it.
    package static let parse = DiagnosticRule("parse", "The file is not a readable CloudFormation template")
    static let transformRequired = DiagnosticRule("transform-required", "A feature is used without the transform that provides it")
    static let notEvaluated = DiagnosticRule("not-evaluated", "A part of the template that the checks could not evaluate", severity: .note)
}

extension TemplateCheck {
    /// What the reader found while reading the template (`Template.source.diagnostics`).
    static let reader = TemplateCheck(rules: [.parse, .transformRequired, .notEvaluated]) { context in
        context.findings += context.template.source.diagnostics
    }
}

/// One template read: the positions it records and what it notes along the way.
struct TemplateReader {
    let file: String?
    var positions: [String: YAMLMark] = [:]
    var diagnostics: [Diagnostic] = []
    var unexpandedNames: [String: [String]] = [:]
    /// Read before the other sections: `Fn::ForEach` collections may name a parameter or a mapping.
    var parameters: [String: Parameter] = [:]
    var mappings: CFNValue?
    /// The first use of each `AWS::LanguageExtensions` feature (for the transform check), in order.
    var extensionUses: [(feature: String, path: String)] = []

    init(file: String?) { self.file = file }

    func error(_ message: String, _ node: YAMLNode?) -> YAMLError { YAMLError(message, file: file, mark: node?.mark) }

    mutating func record(_ path: String, _ mark: YAMLMark?) {
        if let mark, positions[path] == nil { positions[path] = mark }
    }

    /// The position of `path` or of its nearest enclosing key path.
    func mark(for path: String) -> YAMLMark? { TemplateSource(positions: positions).mark(for: path) }

    /// Records a finding of `rule`, with the rule's severity.
    mutating func note(_ rule: DiagnosticRule, _ path: String, _ mark: YAMLMark?, _ message: String) {
        diagnostics.append(Diagnostic(rule, file: file, mark: mark, keyPath: path, message: message))
    }

    mutating func useExtension(_ feature: String, at path: String) {
        if !extensionUses.contains(where: { $0.feature == feature }) { extensionUses.append((feature, path)) }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: values

    mutating func value(_ node: YAMLNode, at path: String) throws(YAMLError) -> CFNValue {
        switch node {
        case .scalar(let s):
            if let tag = s.tag { return try tagged(tag, node, at: path) }
            guard s.isPlain else { return .string(s.value) }
            switch YAMLResolver.resolvePlain(s.value) {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int, .number: return .number(s.value)
            case .string(let t): return .string(t)
            }
        case .sequence(let items, let tag, _):
            if let tag { return try tagged(tag, node, at: path) }
            var out: [CFNValue] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                record("\(path)[\(i)]", item.mark)
                out.append(try value(item, at: "\(path)[\(i)]"))
            }
            return .list(out)
        case .mapping(_, let tag, _):
            if let tag { return try tagged(tag, node, at: path) }
            let pairs = try expandingForEach(node, at: path, section: nil)
            if pairs.count == 1, pairs[0].key.tag == nil, let key = pairs[0].key.scalarValue, Self.isFunctionName(key) {
                // Long-form functions add no path segment, as short-form tags add none.
                return normalized(key, try value(pairs[0].value, at: path), at: path)
            }
            var fields: [CFNField] = []
            fields.reserveCapacity(pairs.count)
            for pair in pairs {
                guard let key = pair.key.scalarValue, pair.key.tag == nil else {
                    throw error("mapping keys must be plain strings", pair.key)
                }
                record(Self.join(path, key), pair.key.mark)
                fields.append(CFNField(key, try value(pair.value, at: Self.join(path, key))))
            }
            return .object(fields)
        }
    }

    static func isFunctionName(_ key: String) -> Bool {
        key == "Ref" || key == "Condition" || key.hasPrefix("Fn::")
    }

    mutating func normalized(_ name: String, _ argument: CFNValue, at path: String) -> CFNValue {
        switch (name, argument) {
        case ("Fn::GetAtt", .string(let dotted)):
            if let dot = dotted.firstIndex(of: ".") {
                return .function(name, .list([.string(String(dotted[..<dot])), .string(String(dotted[dotted.index(after: dot)...]))]))
            }
        case ("Fn::Length", _), ("Fn::ToJsonString", _):
            useExtension(name, at: path)
        case ("Fn::FindInMap", .list(let items)) where items.count == 4:
            useExtension("Fn::FindInMap with DefaultValue", at: path)
        default:
            break
        }
        return .function(name, argument)
    }

    mutating func tagged(_ tag: String, _ node: YAMLNode, at path: String) throws(YAMLError) -> CFNValue {
        let inner = try value(node.untagged, at: path)
        switch tag {
        case "!Ref", "!Condition":
            guard case .string = inner else { throw error("\(tag) takes a name, not a \(node.kindName)", node) }
            return .function(String(tag.dropFirst()), inner)
        case "tag:yaml.org,2002:str":
            return .string(node.scalarValue ?? "")
        default:
            guard tag.hasPrefix("!"), tag.count > 1, !tag.hasPrefix("!!") else { throw error("unsupported tag \(tag)", node) }
            return normalized("Fn::" + tag.dropFirst(), inner, at: path)
        }
    }

    // MARK: sections

    mutating func template(from node: YAMLNode) throws(YAMLError) -> Template {
        guard let pairs = node.pairs else {
            throw error("a template must be a mapping of sections, found a \(node.kindName)", node)
        }
        var t = Template(formatVersion: nil)
        // Parameters and Mappings first, wherever they are written: Fn::ForEach collections may use them.
        for pair in pairs {
            switch pair.key.scalarValue {
            case "Parameters":
                for entry in try entries(pair.value, "Parameters") {
                    let p = try parameter(entry.node, entry.name)
                    parameters[entry.name] = p
                    t.parameters.append(Named(entry.name, p))
                }
            case "Mappings": mappings = try value(pair.value, at: "Mappings")
            default: break
            }
        }
        t.mappings = mappings
        var sawResources = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            record(key, pair.key.mark)
            let v = pair.value
            switch key {
            case "AWSTemplateFormatVersion": t.formatVersion = try string(v, key)
            case "Description": t.description = try string(v, key)
            case "Metadata": t.metadata = try value(v, at: key)
            case "Rules": t.rules = try value(v, at: key)
            case "Transform": t.transform = try value(v, at: key)
            case "Globals": t.globals = try value(v, at: key)
            case "Hooks": t.hooks = try value(v, at: key)
            case "Parameters", "Mappings": break
            case "Conditions":
                for entry in try entries(v, key) {
                    t.conditions.append(Named(entry.name, try value(entry.node, at: "Conditions.\(entry.name)")))
                }
            case "Resources":
                sawResources = true
                for entry in try entries(v, key) {
                    t.resources.append(Named(entry.name, try resource(entry.node, entry.name)))
                }
            case "Outputs":
                for entry in try entries(v, key) {
                    t.outputs.append(Named(entry.name, try output(entry.node, entry.name)))
                }
            default:
                throw error("unknown template section '\(key)'", pair.key)
            }
        }
        guard sawResources else { throw error("template has no Resources section", node) }
        checkTransforms(t)
        t.source = TemplateSource(file: file, positions: positions, diagnostics: diagnostics, unexpandedNames: unexpandedNames)
        return t
    }

    /// Features whose transform the template does not declare: CloudFormation rejects them.
    mutating func checkTransforms(_ t: Template) {
        let transforms = t.transforms
        if !transforms.contains(Template.languageExtensionsTransform) {
            for use in extensionUses {
                note(.transformRequired, use.path, mark(for: use.path), "\(use.feature) needs Transform: \(Template.languageExtensionsTransform)")
            }
        }
        guard !transforms.contains(Template.serverlessTransform) else { return }
        if t.globals != nil {
            note(.transformRequired, "Globals", positions["Globals"], "Globals needs Transform: \(Template.serverlessTransform)")
        }
        if let sam = t.resources.first(where: { $0.value.type.hasPrefix("AWS::Serverless::") }) {
            note(.transformRequired, "Resources.\(sam.name).Type", positions["Resources.\(sam.name)"],
                 "\(sam.value.type) needs Transform: \(Template.serverlessTransform)")
        }
    }

    /// The entries of a section, `Fn::ForEach` blocks expanded. Errors about an entry as a whole point at its
    /// name, where a reader looks for it.
    mutating func entries(_ node: YAMLNode, _ section: String) throws(YAMLError) -> [(name: String, node: YAMLNode)] {
        guard node.pairs != nil else { throw error("\(section) must be a mapping, found a \(node.kindName)", node) }
        var out: [(name: String, node: YAMLNode)] = []
        for pair in try expandingForEach(node, at: section, section: section) {
            var value = pair.value
            if case .mapping(let p, let tag, _) = value { value = .mapping(p, tag: tag, mark: pair.key.mark) }
            let name = pair.key.scalarValue ?? ""
            record("\(section).\(name)", pair.key.mark)
            out.append((name, value))
        }
        return out
    }

    func string(_ node: YAMLNode, _ key: String) throws(YAMLError) -> String {
        guard case .scalar(let s) = node, s.tag == nil else { throw error("\(key) must be a string, found a \(node.kindName)", node) }
        return s.value
    }

    func int(_ node: YAMLNode, _ key: String) throws(YAMLError) -> Int {
        guard let text = node.scalarValue, let n = Int(text) else { throw error("\(key) must be an integer", node) }
        return n
    }
}
