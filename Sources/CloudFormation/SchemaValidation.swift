import Diagnostics

extension DiagnosticRule {
    static let unknownProperty = DiagnosticRule("unknown-property", "A resource sets a property its type does not have")
    static let readOnlyProperty = DiagnosticRule("read-only-property", "A resource sets a read-only property (a GetAtt attribute)")
    static let missingRequiredProperty = DiagnosticRule("missing-required-property", "A resource lacks a property its type requires")
    static let valueNotAllowed = DiagnosticRule("value-not-allowed", "A property has a literal value outside the values its schema allows")
}

extension TemplateCheck {
    /// Resources of the generated types against their schemas (`SchemaValidation`).
    static let schema = TemplateCheck(rules: SchemaValidation.rules) { $0.findings += SchemaValidation.validate(template: $0.template) }
}

/// Checks resources of the generated types against the schema tables: unknown and read-only property
/// names, missing required top-level properties, and literal strings or numbers outside an `enum`.
/// Intrinsic functions are never judged; resource types without a generated table are skipped.
/// `Properties: !If [C, {...}, {...}]` is checked branch by branch.
public enum SchemaValidation {
    public static let rules: [DiagnosticRule] = [.unknownProperty, .readOnlyProperty, .missingRequiredProperty, .valueNotAllowed]

    /// Diagnostics for every resource of `template`, in resource order, positioned from the parse.
    public static func validate(template: Template) -> [Diagnostic] {
        template.resources.flatMap { validate(resource: $0.value, named: $0.name, source: template.source) }
    }

    /// Diagnostics for one resource, in order: property names, required properties, values.
    public static func validate(resource: Resource, named name: String, source: TemplateSource = TemplateSource()) -> [Diagnostic] {
        guard ResourceSchemaRegistry.properties[resource.type] != nil else { return [] }
        var out: [Diagnostic] = []
        let base = "Resources.\(name).Properties"
        for branch in branches(resource.propertiesValue, at: base) {
            for d in validate(properties: branch.fields, at: branch.path, type: resource.type, name: name, source: source) where !out.contains(d) {
                out.append(d)
            }
        }
        return out
    }

    /// The property sets `Properties` may have: one object, or each branch of an `!If` (`AWS::NoValue`: none),
    /// with the key path where each was read (`Properties[1]` for an `!If`'s first branch).
    static func branches(_ value: CFNValue, at path: String) -> [(fields: [CFNField], path: String)] {
        switch value {
        case .object(let fields): return [(fields, path)]
        case .function("Fn::If", .list(let items)) where items.count == 3:
            return branches(items[1], at: "\(path)[1]") + branches(items[2], at: "\(path)[2]")
        case .function("Ref", .string("AWS::NoValue")): return [([], path)]
        default: return []
        }
    }

    /// One property set read at `read` (the positions' key path; diagnostics name `Resources.<name>.Properties...`).
    static func validate(properties: [CFNField], at read: String, type: String, name: String, source: TemplateSource) -> [Diagnostic] {
        let known = ResourceSchemaRegistry.properties[type] ?? []
        let subject = "\(name) (\(type))"
        let base = "Resources.\(name).Properties"
        var out: [Diagnostic] = []
        let attributes = ResourceSchemaRegistry.attributes[type] ?? []
        for field in properties where !known.contains(field.key) {
            if attributes.contains(field.key) {
                out.append(source.diagnostic(.readOnlyProperty, "\(base).\(field.key)", at: "\(read).\(field.key)",
                    "\(subject): property '\(field.key)' is read-only (a GetAtt attribute) and cannot be set"))
            } else {
                out.append(source.diagnostic(.unknownProperty, "\(base).\(field.key)", at: "\(read).\(field.key)", "\(subject): unknown property '\(field.key)'",
                    suggestion: known.sorted().first { $0.lowercased() == field.key.lowercased() }))
            }
        }
        for required in ResourceSchemaRegistry.requiredProperties[type] ?? [] where !properties.contains(where: { $0.key == required }) {
            out.append(source.diagnostic(.missingRequiredProperty, "\(base).\(required)", at: read, "\(subject): required property '\(required)' is not set"))
        }
        let allowedByPath = ResourceSchemaRegistry.allowedValues[type] ?? [:]
        for path in allowedByPath.keys.sorted() {
            let allowed = allowedByPath[path]!
            let components = path.split(separator: ".").map(String.init)
            guard let top = properties.first(where: { $0.key == components[0] })?.value else { continue }
            for literal in literals(in: top, at: components.dropFirst()) where !allowed.contains(literal) {
                out.append(source.diagnostic(.valueNotAllowed, "\(base).\(path)", at: "\(read).\(path)",
                    "\(subject): property '\(path)' has value '\(literal)', allowed values: " + allowed.joined(separator: ", "),
                    suggestion: allowed.first { $0.lowercased() == literal.lowercased() }))
            }
        }
        return out
    }

    /// The literal strings and numbers found at `path` below `value`; lists are looked through at every
    /// level (a list of objects, or a list of enum values), intrinsic functions are skipped.
    private static func literals(in value: CFNValue, at path: ArraySlice<String>) -> [String] {
        switch value {
        case .list(let items):
            return items.flatMap { literals(in: $0, at: path) }
        case .object(let fields):
            guard let key = path.first, let child = fields.first(where: { $0.key == key })?.value else { return [] }
            return literals(in: child, at: path.dropFirst())
        case .string(let text), .number(let text):
            return path.isEmpty ? [text] : []
        case .bool, .null, .function:
            return []
        }
    }
}
