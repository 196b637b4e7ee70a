import YAML

/// Parameters, resources and outputs: the entries whose keys the model knows.
extension TemplateReader {
    mutating func parameter(_ node: YAMLNode, _ name: String) throws(YAMLError) -> Parameter {
        guard let pairs = node.pairs else { throw error("parameter \(name) must be a mapping", node) }
        var p = Parameter(type: "")
        var sawType = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Parameters.\(name).\(key)"
            record(path, pair.key.mark)
            switch key {
            case "Type":
                p.type = try string(v, path)
                sawType = true
            case "Description": p.description = try string(v, path)
            case "Default": p.default = try value(v, at: path)
            case "AllowedValues":
                guard case .list(let values) = try value(v, at: path) else { throw error("\(path) must be a list", v) }
                p.allowedValues = values
            case "AllowedPattern": p.allowedPattern = try string(v, path)
            case "ConstraintDescription": p.constraintDescription = try string(v, path)
            case "MinLength": p.minLength = try int(v, path)
            case "MaxLength": p.maxLength = try int(v, path)
            case "MinValue": p.minValue = try value(v, at: path)
            case "MaxValue": p.maxValue = try value(v, at: path)
            case "NoEcho":
                guard case .bool(let b) = try value(v, at: path) else { throw error("\(path) must be true or false", v) }
                p.noEcho = b
            default:
                p.extra.append(CFNField(key, try value(v, at: path)))
            }
        }
        guard sawType else { throw error("parameter \(name) has no Type", node) }
        return p
    }

    mutating func resource(_ node: YAMLNode, _ name: String) throws(YAMLError) -> Resource {
        guard let pairs = node.pairs else { throw error("resource \(name) must be a mapping", node) }
        var r = Resource(type: "")
        var sawType = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Resources.\(name).\(key)"
            record(path, pair.key.mark)
            switch key {
            case "Type":
                r.type = try string(v, path)
                sawType = true
            case "Condition": r.condition = try string(v, path)
            case "DependsOn": r.dependsOn = try dependsOn(v, path)
            case "DeletionPolicy": r.deletionPolicy = try policy(v, path)
            case "UpdateReplacePolicy": r.updateReplacePolicy = try policy(v, path)
            case "Metadata": r.metadata = try value(v, at: path)
            case "Properties":
                switch try value(v, at: path) {
                case .object(let fields): r.properties = fields
                case .function(let fn, let argument): r.propertiesExpression = .function(fn, argument)
                default: throw error("\(path) must be a mapping or an intrinsic function such as !If", v)
                }
            default:
                r.extra.append(CFNField(key, try value(v, at: path)))
            }
        }
        guard sawType else { throw error("resource \(name) has no Type", node) }
        return r
    }

    mutating func dependsOn(_ node: YAMLNode, _ path: String) throws(YAMLError) -> [String] {
        switch try value(node, at: path) {
        case .string(let one): return [one]
        case .list(let many):
            var names: [String] = []
            for item in many {
                guard case .string(let s) = item else { throw error("\(path) must list resource names", node) }
                names.append(s)
            }
            return names
        default: throw error("\(path) must be a name or a list of names", node)
        }
    }

    /// `DeletionPolicy` or `UpdateReplacePolicy`: a name, or an intrinsic with `AWS::LanguageExtensions`.
    mutating func policy(_ node: YAMLNode, _ path: String) throws(YAMLError) -> CFNValue {
        let v = try value(node, at: path)
        switch v {
        case .string: return v
        case .function:
            useExtension("an intrinsic function in \(path.split(separator: ".").last ?? "")", at: path)
            return v
        default: throw error("\(path) must be a string or an intrinsic function, found a \(node.kindName)", node)
        }
    }

    mutating func output(_ node: YAMLNode, _ name: String) throws(YAMLError) -> Output {
        guard let pairs = node.pairs else { throw error("output \(name) must be a mapping", node) }
        var o = Output(value: .null)
        var sawValue = false
        for pair in pairs {
            let key = pair.key.scalarValue ?? ""
            let v = pair.value
            let path = "Outputs.\(name).\(key)"
            record(path, pair.key.mark)
            switch key {
            case "Description": o.description = try string(v, path)
            case "Condition": o.condition = try string(v, path)
            case "Value":
                o.value = try value(v, at: path)
                sawValue = true
            case "Export":
                guard let exportName = v["Name"] else { throw error("\(path) must be a mapping with Name", v) }
                o.exportName = try value(exportName, at: path)
            default:
                throw error("unknown output key '\(key)' in output \(name)", pair.key)
            }
        }
        guard sawValue else { throw error("output \(name) has no Value", node) }
        return o
    }
}
