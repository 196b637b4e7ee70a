import JSONText
import YAML

/// Output syntax of a rendered template.
public enum TemplateFormat: String, CaseIterable, Sendable {
    /// YAML with short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt Res.Attr`, ...).
    case yaml
    /// JSON with long-form intrinsics (`{"Ref": ...}`, `{"Fn::Sub": ...}`).
    case json

    /// The file extension for this format.
    public var fileExtension: String { rawValue }
}

extension Template {
    /// The template as one ordered object, sections in canonical order (as `rain fmt` orders them).
    public var canonicalValue: CFNValue {
        var fields: [CFNField] = []
        if let formatVersion { fields.append(CFNField("AWSTemplateFormatVersion", .string(formatVersion))) }
        if let description { fields.append(CFNField("Description", .string(description))) }
        if let metadata { fields.append(CFNField("Metadata", metadata)) }
        if !parameters.isEmpty {
            fields.append(CFNField("Parameters", .object(parameters.map { CFNField($0.name, $0.value.canonicalValue) })))
        }
        if let rules { fields.append(CFNField("Rules", rules)) }
        if let mappings { fields.append(CFNField("Mappings", mappings)) }
        if !conditions.isEmpty {
            fields.append(CFNField("Conditions", .object(conditions.map { CFNField($0.name, $0.value) })))
        }
        if let transform { fields.append(CFNField("Transform", transform)) }
        if let globals { fields.append(CFNField("Globals", globals)) }
        fields.append(CFNField("Resources", .object(resources.map { CFNField($0.name, $0.value.canonicalValue) })))
        if let hooks { fields.append(CFNField("Hooks", hooks)) }
        if !outputs.isEmpty {
            fields.append(CFNField("Outputs", .object(outputs.map { CFNField($0.name, $0.value.canonicalValue) })))
        }
        return .object(fields)
    }

    /// Renders the template in `format`; the same template always gives the same bytes.
    public func rendered(_ format: TemplateFormat) throws(YAMLError) -> String {
        switch format {
        case .yaml: return try YAMLEmitter.emit(canonicalValue.yamlNode)
        case .json: return JSONWriter.write(canonicalValue) + "\n"
        }
    }
}

extension Parameter {
    var canonicalValue: CFNValue {
        var f: [CFNField] = [CFNField("Type", .string(type))]
        if let description { f.append(CFNField("Description", .string(description))) }
        if let `default` { f.append(CFNField("Default", `default`)) }
        if let allowedValues { f.append(CFNField("AllowedValues", .list(allowedValues))) }
        if let allowedPattern { f.append(CFNField("AllowedPattern", .string(allowedPattern))) }
        if let constraintDescription { f.append(CFNField("ConstraintDescription", .string(constraintDescription))) }
        if let minLength { f.append(CFNField("MinLength", minLength.cfnValue)) }
        if let maxLength { f.append(CFNField("MaxLength", maxLength.cfnValue)) }
        if let minValue { f.append(CFNField("MinValue", minValue)) }
        if let maxValue { f.append(CFNField("MaxValue", maxValue)) }
        if let noEcho { f.append(CFNField("NoEcho", .bool(noEcho))) }
        return .object(f + extra)
    }
}

extension Resource {
    var canonicalValue: CFNValue {
        var f: [CFNField] = [CFNField("Type", .string(type))]
        if let condition { f.append(CFNField("Condition", .string(condition))) }
        if dependsOn.count == 1 {
            f.append(CFNField("DependsOn", .string(dependsOn[0])))
        } else if !dependsOn.isEmpty {
            f.append(CFNField("DependsOn", .list(dependsOn.map(CFNValue.string))))
        }
        if let deletionPolicy { f.append(CFNField("DeletionPolicy", deletionPolicy)) }
        if let updateReplacePolicy { f.append(CFNField("UpdateReplacePolicy", updateReplacePolicy)) }
        if let metadata { f.append(CFNField("Metadata", metadata)) }
        f += extra
        if let propertiesExpression {
            f.append(CFNField("Properties", propertiesExpression))
        } else if !properties.isEmpty {
            f.append(CFNField("Properties", .object(properties)))
        }
        return .object(f)
    }
}

extension Output {
    var canonicalValue: CFNValue {
        var f: [CFNField] = []
        if let description { f.append(CFNField("Description", .string(description))) }
        if let condition { f.append(CFNField("Condition", .string(condition))) }
        f.append(CFNField("Value", value))
        if let exportName { f.append(CFNField("Export", .object([CFNField("Name", exportName)]))) }
        return .object(f)
    }
}

// MARK: - YAML (short form)

extension CFNValue {
    /// This value as a YAML node, intrinsics in short form where YAML allows it.
    package var yamlNode: YAMLNode {
        switch self {
        case .string(let s): return .string(s)
        case .number(let n): return .scalar(YAMLScalar(n, style: .plain))
        case .bool(let b): return .scalar(YAMLScalar(b ? "true" : "false", style: .plain))
        case .null: return .scalar(YAMLScalar("null", style: .plain))
        case .list(let items): return .sequence(items.map(\.yamlNode))
        case .object(let fields): return .mapping(fields.map { YAMLPair(.string($0.key), $0.value.yamlNode) })
        case .function(let name, let argument): return Self.shortForm(name, argument)
        }
    }

    private static func shortForm(_ name: String, _ argument: CFNValue) -> YAMLNode {
        switch (name, argument) {
        case ("Ref", .string(let target)):
            return .scalar(YAMLScalar(target, tag: "!Ref"))
        case ("Condition", .string(let target)):
            return .scalar(YAMLScalar(target, tag: "!Condition"))
        case ("Fn::GetAtt", .list(let parts)):
            if parts.count == 2, case .string(let resource) = parts[0], case .string(let attribute) = parts[1],
                !resource.contains(".")
            {
                return .scalar(YAMLScalar("\(resource).\(attribute)", tag: "!GetAtt"))
            }
        default:
            break
        }
        // A YAML node carries one tag, so `!Base64 !Sub x` cannot be written: such a nesting stays long form.
        guard name.hasPrefix("Fn::"), argument.function == nil else {
            return .mapping([YAMLPair(.string(name), argument.yamlNode)])
        }
        let tag = "!" + name.dropFirst(4)
        switch argument.yamlNode {
        case .scalar(var s):
            s.tag = tag
            return .scalar(s)
        case .sequence(let items, _, _):
            return .sequence(items, tag: tag)
        case .mapping(let pairs, _, _):
            return .mapping(pairs, tag: tag)
        }
    }
}

// MARK: - JSON (long form)

/// Writes `CFNValue`s as deterministic, two-space-indented JSON with long-form intrinsics.
public enum JSONWriter {
    /// JSON text of `value` (no trailing newline).
    public static func write(_ value: CFNValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out)
        return out
    }

    private static func write(_ value: CFNValue, indent: Int, into out: inout String) {
        switch value {
        case .string(let s): appendQuoted(s, into: &out)
        case .number(let n): out += n
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .list(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                write(item, indent: indent + 2, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let fields):
            guard !fields.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, field) in fields.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                appendQuoted(field.key, into: &out)
                out += ": "
                write(field.value, indent: indent + 2, into: &out)
                out += i == fields.count - 1 ? "\n" : ",\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        case .function(let name, let argument):
            write(.object([CFNField(name, argument)]), indent: indent, into: &out)
        }
    }

    /// Appends `s` as a JSON string literal; non-ASCII text stays UTF-8.
    package static func appendQuoted(_ s: String, into out: inout String) {
        JSONText.appendQuoted(s, to: &out)
    }
}
