/// A problem found by checking a resource against its provider schema (`ResourceSchemaRegistry`).
public struct SchemaFinding: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// A property the type does not have.
        case unknownProperty
        /// A read-only property (a GetAtt attribute) set in the template.
        case readOnlyProperty
        /// A required top-level property that is not set.
        case missingRequiredProperty
        /// A literal outside the schema's `enum`.
        case valueNotAllowed
    }

    public var kind: Kind
    /// The resource's logical name.
    public var resource: String
    /// The resource type.
    public var type: String
    /// The property path (`Runtime`, `LoggingConfig.LogFormat`).
    public var property: String
    /// The offending literal, for `.valueNotAllowed`.
    public var value: String?
    /// The values the schema allows, for `.valueNotAllowed`.
    public var allowedValues: [String]

    public init(
        kind: Kind, resource: String, type: String, property: String, value: String? = nil,
        allowedValues: [String] = []
    ) {
        self.kind = kind
        self.resource = resource
        self.type = type
        self.property = property
        self.value = value
        self.allowedValues = allowedValues
    }

    /// One line naming the resource, the property and, for values, the bad and the allowed values.
    public var message: String {
        let subject = "\(resource) (\(type))"
        switch kind {
        case .unknownProperty:
            return "\(subject): unknown property '\(property)'"
        case .readOnlyProperty:
            return "\(subject): property '\(property)' is read-only (a GetAtt attribute) and cannot be set"
        case .missingRequiredProperty:
            return "\(subject): required property '\(property)' is not set"
        case .valueNotAllowed:
            return "\(subject): property '\(property)' has value '\(value ?? "")', allowed values: "
                + allowedValues.joined(separator: ", ")
        }
    }

    public var description: String { message }
}

/// Checks resources of the generated types against the schema tables: unknown and read-only property
/// names, missing required top-level properties, and literal strings or numbers outside an `enum`.
/// Intrinsic functions are never judged; resource types without a generated table are skipped.
public enum SchemaValidation {
    /// Findings for every resource of `template`, in resource order.
    public static func validate(template: Template) -> [SchemaFinding] {
        template.resources.flatMap { validate(resource: $0.value, named: $0.name) }
    }

    /// Findings for one resource, in order: property names, required properties, values.
    public static func validate(resource: Resource, named name: String) -> [SchemaFinding] {
        let type = resource.type
        guard let known = ResourceSchemaRegistry.properties[type] else { return [] }
        var findings: [SchemaFinding] = []
        let attributes = ResourceSchemaRegistry.attributes[type] ?? []
        for field in resource.properties where !known.contains(field.key) {
            let kind: SchemaFinding.Kind = attributes.contains(field.key) ? .readOnlyProperty : .unknownProperty
            findings.append(SchemaFinding(kind: kind, resource: name, type: type, property: field.key))
        }
        for required in ResourceSchemaRegistry.requiredProperties[type] ?? [] where resource.property(required) == nil {
            findings.append(
                SchemaFinding(kind: .missingRequiredProperty, resource: name, type: type, property: required))
        }
        let allowedByPath = ResourceSchemaRegistry.allowedValues[type] ?? [:]
        for path in allowedByPath.keys.sorted() {
            let allowed = allowedByPath[path]!
            let components = path.split(separator: ".").map(String.init)
            guard let top = resource.property(components[0]) else { continue }
            for literal in literals(in: top, at: components.dropFirst()) where !allowed.contains(literal) {
                findings.append(
                    SchemaFinding(
                        kind: .valueNotAllowed, resource: name, type: type, property: path, value: literal,
                        allowedValues: allowed))
            }
        }
        return findings
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
