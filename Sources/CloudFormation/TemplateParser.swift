import YAML

/// Reads CloudFormation templates (YAML short or long form, or JSON) into the `Template` model.
public enum TemplateParser {
    /// Parses template text; errors name the file, line and column.
    public static func parse(_ text: String, file: String? = nil) throws(YAMLError) -> Template {
        let node = try YAMLParser.parse(text, file: file)
        return try template(from: node, file: file)
    }

    /// Converts a YAML node to a template value, resolving short-form tags and long-form functions.
    public static func value(from node: YAMLNode, file: String? = nil) throws(YAMLError) -> CFNValue {
        switch node {
        case .scalar(let s):
            if let tag = s.tag { return try tagged(tag, node, file: file) }
            guard s.isPlain else { return .string(s.value) }
            switch YAMLResolver.resolvePlain(s.value) {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int, .number: return .number(s.value)
            case .string(let t): return .string(t)
            }
        case .sequence(let items, let tag, _):
            if let tag { return try tagged(tag, node, file: file) }
            var out: [CFNValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try value(from: item, file: file)) }
            return .list(out)
        case .mapping(let pairs, let tag, _):
            if let tag { return try tagged(tag, node, file: file) }
            var fields: [CFNField] = []
            fields.reserveCapacity(pairs.count)
            for pair in pairs {
                guard let key = pair.key.scalarValue, pair.key.tag == nil else {
                    throw YAMLError("mapping keys must be plain strings", file: file, mark: pair.key.mark)
                }
                fields.append(CFNField(key, try value(from: pair.value, file: file)))
            }
            if fields.count == 1, isFunctionName(fields[0].key) {
                return normalized(fields[0].key, fields[0].value)
            }
            return .object(fields)
        }
    }

    private static func isFunctionName(_ key: String) -> Bool {
        key == "Ref" || key == "Condition" || key.hasPrefix("Fn::")
    }

    private static func normalized(_ name: String, _ argument: CFNValue) -> CFNValue {
        if name == "Fn::GetAtt", case .string(let dotted) = argument, let dot = dotted.firstIndex(of: ".") {
            return .function(name, .list([.string(String(dotted[..<dot])), .string(String(dotted[dotted.index(after: dot)...]))]))
        }
        return .function(name, argument)
    }

    private static func tagged(_ tag: String, _ node: YAMLNode, file: String?) throws(YAMLError) -> CFNValue {
        let inner = try value(from: node.untagged, file: file)
        switch tag {
        case "!Ref", "!Condition":
            guard case .string = inner else {
                throw YAMLError("\(tag) takes a name, not a \(node.kindName)", file: file, mark: node.mark)
            }
            return .function(String(tag.dropFirst()), inner)
        case "tag:yaml.org,2002:str":
            return .string(node.scalarValue ?? "")
        default:
            guard tag.hasPrefix("!"), tag.count > 1, !tag.hasPrefix("!!") else {
                throw YAMLError("unsupported tag \(tag)", file: file, mark: node.mark)
            }
            return normalized("Fn::" + tag.dropFirst(), inner)
        }
    }

    static func template(from node: YAMLNode, file: String?) throws(YAMLError) -> Template {
        guard let pairs = node.pairs else {
            throw YAMLError("a template must be a mapping of sections, found a \(node.kindName)", file: file, mark: node.mark)
        }
        var t = Template(formatVersion: nil)
        var sawResources = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let mark = pair.key.mark
            let v = pair.value
            switch key {
            case "AWSTemplateFormatVersion":
                t.formatVersion = try string(v, "AWSTemplateFormatVersion", file)
            case "Description":
                t.description = try string(v, "Description", file)
            case "Metadata": t.metadata = try value(from: v, file: file)
            case "Rules": t.rules = try value(from: v, file: file)
            case "Mappings": t.mappings = try value(from: v, file: file)
            case "Transform": t.transform = try value(from: v, file: file)
            case "Parameters":
                for entry in try entries(v, "Parameters", file) {
                    t.parameters.append(Named(entry.name, try parameter(entry.node, entry.name, file)))
                }
            case "Conditions":
                for entry in try entries(v, "Conditions", file) {
                    t.conditions.append(Named(entry.name, try value(from: entry.node, file: file)))
                }
            case "Resources":
                sawResources = true
                for entry in try entries(v, "Resources", file) {
                    t.resources.append(Named(entry.name, try resource(entry.node, entry.name, file)))
                }
            case "Outputs":
                for entry in try entries(v, "Outputs", file) {
                    t.outputs.append(Named(entry.name, try output(entry.node, entry.name, file)))
                }
            default:
                throw YAMLError("unknown template section '\(key)'", file: file, mark: mark)
            }
        }
        guard sawResources else { throw YAMLError("template has no Resources section", file: file, mark: node.mark) }
        return t
    }

    private static func entries(_ node: YAMLNode, _ section: String, _ file: String?) throws(YAMLError) -> [(name: String, node: YAMLNode)] {
        guard let pairs = node.pairs else {
            throw YAMLError("\(section) must be a mapping, found a \(node.kindName)", file: file, mark: node.mark)
        }
        // Errors about an entry as a whole point at its name, where a reader looks for it.
        return pairs.map { pair in
            var value = pair.value
            if case .mapping(let p, let tag, _) = value { value = .mapping(p, tag: tag, mark: pair.key.mark) }
            return (pair.key.scalarValue ?? "", value)
        }
    }

    private static func string(_ node: YAMLNode, _ key: String, _ file: String?) throws(YAMLError) -> String {
        guard case .scalar(let s) = node, s.tag == nil else {
            throw YAMLError("\(key) must be a string, found a \(node.kindName)", file: file, mark: node.mark)
        }
        return s.value
    }

    private static func int(_ node: YAMLNode, _ key: String, _ file: String?) throws(YAMLError) -> Int {
        guard let text = node.scalarValue, let n = Int(text) else {
            throw YAMLError("\(key) must be an integer", file: file, mark: node.mark)
        }
        return n
    }

    private static func parameter(_ node: YAMLNode, _ name: String, _ file: String?) throws(YAMLError) -> Parameter {
        guard let pairs = node.pairs else {
            throw YAMLError("parameter \(name) must be a mapping", file: file, mark: node.mark)
        }
        var p = Parameter(type: "")
        var sawType = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Parameters.\(name).\(key)"
            switch key {
            case "Type":
                p.type = try string(v, path, file)
                sawType = true
            case "Description": p.description = try string(v, path, file)
            case "Default": p.default = try value(from: v, file: file)
            case "AllowedValues":
                guard case .list(let values) = try value(from: v, file: file) else {
                    throw YAMLError("\(path) must be a list", file: file, mark: v.mark)
                }
                p.allowedValues = values
            case "AllowedPattern": p.allowedPattern = try string(v, path, file)
            case "ConstraintDescription": p.constraintDescription = try string(v, path, file)
            case "MinLength": p.minLength = try int(v, path, file)
            case "MaxLength": p.maxLength = try int(v, path, file)
            case "MinValue": p.minValue = try value(from: v, file: file)
            case "MaxValue": p.maxValue = try value(from: v, file: file)
            case "NoEcho":
                guard case .bool(let b) = try value(from: v, file: file) else {
                    throw YAMLError("\(path) must be true or false", file: file, mark: v.mark)
                }
                p.noEcho = b
            default:
                p.extra.append(CFNField(key, try value(from: v, file: file)))
            }
        }
        guard sawType else { throw YAMLError("parameter \(name) has no Type", file: file, mark: node.mark) }
        return p
    }

    private static func resource(_ node: YAMLNode, _ name: String, _ file: String?) throws(YAMLError) -> Resource {
        guard let pairs = node.pairs else {
            throw YAMLError("resource \(name) must be a mapping", file: file, mark: node.mark)
        }
        var r = Resource(type: "")
        var sawType = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Resources.\(name).\(key)"
            switch key {
            case "Type":
                r.type = try string(v, path, file)
                sawType = true
            case "Condition": r.condition = try string(v, path, file)
            case "DependsOn":
                switch try value(from: v, file: file) {
                case .string(let one): r.dependsOn = [one]
                case .list(let many):
                    r.dependsOn = []
                    for item in many {
                        guard case .string(let s) = item else {
                            throw YAMLError("\(path) must list resource names", file: file, mark: v.mark)
                        }
                        r.dependsOn.append(s)
                    }
                default: throw YAMLError("\(path) must be a name or a list of names", file: file, mark: v.mark)
                }
            case "DeletionPolicy": r.deletionPolicy = try string(v, path, file)
            case "UpdateReplacePolicy": r.updateReplacePolicy = try string(v, path, file)
            case "Metadata": r.metadata = try value(from: v, file: file)
            case "Properties":
                switch try value(from: v, file: file) {
                case .object(let fields): r.properties = fields
                default: throw YAMLError("\(path) must be a mapping", file: file, mark: v.mark)
                }
            default:
                r.extra.append(CFNField(key, try value(from: v, file: file)))
            }
        }
        guard sawType else { throw YAMLError("resource \(name) has no Type", file: file, mark: node.mark) }
        return r
    }

    private static func output(_ node: YAMLNode, _ name: String, _ file: String?) throws(YAMLError) -> Output {
        guard let pairs = node.pairs else {
            throw YAMLError("output \(name) must be a mapping", file: file, mark: node.mark)
        }
        var o = Output(value: .null)
        var sawValue = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Outputs.\(name).\(key)"
            switch key {
            case "Description": o.description = try string(v, path, file)
            case "Condition": o.condition = try string(v, path, file)
            case "Value":
                o.value = try value(from: v, file: file)
                sawValue = true
            case "Export":
                guard let exportName = v["Name"] else {
                    throw YAMLError("\(path) must be a mapping with Name", file: file, mark: v.mark)
                }
                o.exportName = try value(from: exportName, file: file)
            default:
                throw YAMLError("unknown output key '\(key)' in output \(name)", file: file, mark: pair.key.mark)
            }
        }
        guard sawValue else { throw YAMLError("output \(name) has no Value", file: file, mark: node.mark) }
        return o
    }
}
