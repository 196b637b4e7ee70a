/// A stored property of a generated resource or property type.
struct PropertyModel {
    /// The schema name (`KmsMasterKeyId`).
    let jsonName: String
    /// The Swift name, unescaped (`kmsMasterKeyId`).
    let swiftName: String
    /// `CFNValue`, a nested struct name, or an array of one.
    let type: String
    let required: Bool
    let doc: String
}

/// A generated property type (a nested struct).
struct StructModel {
    let swiftName: String
    let doc: String
    let properties: [PropertyModel]
}

/// Everything generated for one resource type.
struct ResourceModel {
    let typeName: String
    let namespace: String
    let swiftName: String
    let hash: String
    let doc: String
    /// GetAtt names, sorted (`Arn`, `SnapStartResponse.ApplyOn`).
    let attributes: [String]
    let properties: [PropertyModel]
    /// Nested structs, sorted by name.
    let structs: [StructModel]
    /// Settable top-level property names, in schema order.
    let writable: [String]
    /// Required settable top-level property names, in schema order.
    let required: [String]
    /// Property path (`LoggingConfig.LogFormat`) → allowed values, sorted by path.
    let allowedValues: [(path: String, values: [String])]
    /// How the type takes tags, when its schema has a settable `Tags` property.
    let tagging: TaggingModel?
}

/// The `Tags` property of a taggable type and the shape its schema gives it.
struct TaggingModel {
    /// The case names of `TagShape` (Sources/CloudFormation/Tagging.swift).
    enum Shape: String {
        /// A list of `{Key, Value}` objects.
        case keyValueList
        /// An object of tag key → string value.
        case stringMap
    }

    let shape: Shape
    /// The generated `Tags` property.
    let property: PropertyModel
    /// For a list whose items are a generated struct: that struct (its properties are `Key` and `Value`).
    let item: StructModel?
}

/// Namespaces whose schema name would clash with a module (`CloudFormation` is this library's module name).
let namespaceOverrides: [String: String] = ["CloudFormation": "CFN"]

/// Names a nested struct must not take: the protocol requirements and core types it is nested next to.
private let reservedTypeNames: Set<String> = [
    "Any", "Array", "Attribute", "Bool", "CFNField", "CFNValue", "CFNValueConvertible", "Double", "Hashable",
    "Int", "NoAttributes", "Optional", "Protocol", "ResourceTag", "ResourceType", "Self", "Sendable", "String",
    "TagMerging", "TagShape", "TaggableResource", "Type",
]

/// Builds a `ResourceModel` from one provider schema.
final class ResourceBuilder {
    let typeName: String
    let hash: String
    let schema: JSON
    let swiftName: String
    let namespace: String
    private let readOnly: Set<String>
    /// Definition name → struct name, for definitions that are objects with properties.
    private var definitionStructNames: [String: String] = [:]
    private var takenTypeNames: Set<String>
    private var structs: [String: StructModel] = [:]
    /// Structs being built (`def:Name`, `inline:Name`); a direct reference back to one cannot be embedded.
    private var building: [String] = []

    init(typeName: String, hash: String, schema: JSON) throws {
        let parts = typeName.components(separatedBy: "::")
        guard parts.count == 3, parts[0] == "AWS" else { throw CodegenError("\(typeName): not AWS::Service::Type") }
        self.typeName = typeName
        self.hash = hash
        self.schema = schema
        namespace = namespaceOverrides[parts[1]] ?? Naming.upperCamel(parts[1])
        let name = Naming.upperCamel(parts[2])
        // `X.Type` is the metatype; a few names cannot be member types.
        swiftName = ["Any", "Protocol", "Self", "Type"].contains(name) ? name + "Resource" : name
        readOnly = Set(schema["readOnlyProperties"]?.strings ?? [])
        takenTypeNames = reservedTypeNames.union([swiftName, namespace])
        for (name, definition) in schema["definitions"]?.fields ?? [] where Self.isStruct(definition) {
            var candidate = Naming.upperCamel(name)
            while takenTypeNames.contains(candidate) { candidate += "Property" }
            takenTypeNames.insert(candidate)
            definitionStructNames[name] = candidate
        }
    }

    /// An object schema with properties and no alternative scalar type becomes a struct.
    static func isStruct(_ node: JSON) -> Bool {
        let types = node.typeNames
        return !(node["properties"]?.fields.isEmpty ?? true) && (types.isEmpty || types == ["object"])
            && node["$ref"] == nil
    }

    func build() throws -> ResourceModel {
        let top = schema["properties"]?.fields ?? []
        let requiredSet = Set(schema["required"]?.strings ?? [])
        var properties: [PropertyModel] = []
        var names: Set<String> = ["properties", "typeName"]
        for (name, node) in top where !readOnly.contains("/properties/\(name)") {
            properties.append(
                property(name, node, required: requiredSet.contains(name), taken: &names))
        }
        var allowed: [String: [String]] = [:]
        for (name, node) in top where !readOnly.contains("/properties/\(name)") {
            collectEnums(node, path: [name], visiting: [], into: &allowed)
        }
        let tagging = try taggingModel(properties)
        let description = schema["description"]?.string.map(Naming.docLine) ?? ""
        return ResourceModel(
            typeName: typeName, namespace: namespace, swiftName: swiftName, hash: hash,
            doc: description.isEmpty ? "The `\(typeName)` resource." : description,
            attributes: attributes(), properties: properties,
            structs: structs.keys.sorted().map { structs[$0]! },
            writable: properties.map(\.jsonName), required: properties.filter(\.required).map(\.jsonName),
            allowedValues: allowed.keys.sorted().map { ($0, allowed[$0]!) }, tagging: tagging)
    }

    /// The tag shape of a settable top-level `Tags` property: a list of `{Key, Value}` objects (items with
    /// exactly those properties, or a `oneOf`/`anyOf` with such an option: then the property is a plain
    /// `CFNValue`), or an object of values (`patternProperties`, `additionalProperties`, or a JSON object as
    /// Glue and Greengrass have). Any other shape (AutoScaling's required `PropagateAtLaunch`, a wrapper
    /// object) is an error: a type added to types.txt with such `Tags` needs a decision here rather than
    /// silently not being tagged.
    private func taggingModel(_ properties: [PropertyModel]) throws -> TaggingModel? {
        guard let property = properties.first(where: { $0.jsonName == "Tags" }),
            let node = schema["properties"]?["Tags"]
        else { return nil }
        let tags = dereferenced(node)
        let types = Set(tags.typeNames)
        func isKeyValue(_ node: JSON) -> Bool {
            Set(dereferenced(node)["properties"]?.fields.map(\.key) ?? []) == ["Key", "Value"]
        }
        if types == ["array"] || (types.isEmpty && tags["items"] != nil) {
            guard let items = tags["items"] else { throw CodegenError("\(typeName): Tags is a list without items") }
            let options = (dereferenced(items)["oneOf"]?.items ?? []) + (dereferenced(items)["anyOf"]?.items ?? [])
            if property.type.hasPrefix("["), isKeyValue(items),
                let item = structs[String(property.type.dropFirst().dropLast())]
            {
                return TaggingModel(shape: .keyValueList, property: property, item: item)
            }
            if property.type == "CFNValue", isKeyValue(items) || options.contains(where: isKeyValue) {
                return TaggingModel(shape: .keyValueList, property: property, item: nil)
            }
            throw CodegenError(
                "\(typeName): Tags is a list whose items are not {Key, Value} objects; decide how to tag it in "
                    + "cfn-codegen")
        }
        let isMap =
            tags["properties"] == nil
            && (tags["patternProperties"] != nil || tags["additionalProperties"] != nil
                || tags["format"]?.string == "json")
        let objectTyped = types.isEmpty || (types.contains("object") && types.isSubset(of: ["object", "string"]))
        if property.type == "CFNValue", objectTyped, isMap {
            return TaggingModel(shape: .stringMap, property: property, item: nil)
        }
        throw CodegenError(
            "\(typeName): Tags is neither a list of {Key, Value} objects nor a map; decide how to tag it in cfn-codegen")
    }

    /// `node`, or the definition its `$ref` chain leads to.
    private func dereferenced(_ node: JSON) -> JSON {
        var current = node
        var depth = 0
        while let ref = current["$ref"]?.string, depth < 16, let (_, def) = definition(ref) {
            current = def
            depth += 1
        }
        return current
    }

    /// GetAtt names from `readOnlyProperties`; a container whose members are listed is left out.
    private func attributes() -> [String] {
        let names = readOnly.compactMap { pointer -> String? in
            guard pointer.hasPrefix("/properties/") else { return nil }
            let parts = pointer.dropFirst("/properties/".count).split(separator: "/").map(String.init)
            guard !parts.isEmpty, !parts.contains("*") else { return nil }
            return parts.joined(separator: ".")
        }
        let all = Set(names)
        return all.filter { name in !all.contains(where: { $0.hasPrefix(name + ".") }) }.sorted()
    }

    private func property(
        _ name: String, _ node: JSON, required: Bool, taken: inout Set<String>
    ) -> PropertyModel {
        var swiftName = Naming.lowerCamel(name)
        while taken.contains(swiftName) { swiftName += "Property" }
        taken.insert(swiftName)
        let (type, summary) = resolve(node, name: name, direct: true, depth: 0)
        let description = node["description"]?.string.map(Naming.docLine) ?? ""
        let doc =
            description.isEmpty
            ? "`\(name)`\(required ? " (required)" : ""): \(summary)."
            : description
        return PropertyModel(jsonName: name, swiftName: swiftName, type: type, required: required, doc: doc)
    }

    private func definition(_ ref: String) -> (name: String, node: JSON)? {
        guard ref.hasPrefix("#/definitions/") else { return nil }
        let name = String(ref.dropFirst("#/definitions/".count))
        guard let node = schema["definitions"]?[name] else { return nil }
        return (name, node)
    }

    /// The Swift type of a property schema and a short description of it.
    private func resolve(_ node: JSON, name: String, direct: Bool, depth: Int) -> (type: String, summary: String) {
        if let ref = node["$ref"]?.string {
            guard depth < 16, let (defName, def) = definition(ref) else { return ("CFNValue", "value") }
            if let structName = definitionStructNames[defName] {
                if building.contains("def:" + defName) {
                    // A struct cannot contain itself; through an array it can.
                    return direct ? ("CFNValue", "`\(structName)` object") : (structName, "`\(structName)`")
                }
                buildStruct(structName, def, key: "def:" + defName, context: defName)
                return (structName, "`\(structName)`")
            }
            return resolve(def, name: name, direct: direct, depth: depth + 1)
        }
        let types = node.typeNames
        if types == ["array"] || (types.isEmpty && node["items"] != nil) {
            guard let items = node["items"] else { return ("CFNValue", "list") }
            let (itemType, itemSummary) = resolve(items, name: name, direct: false, depth: depth + 1)
            return itemType == "CFNValue" ? ("CFNValue", "list of \(itemSummary)") : ("[\(itemType)]", "list of \(itemSummary)")
        }
        if Self.isStruct(node) {
            var structName = Naming.upperCamel(name)
            while takenTypeNames.contains(structName) { structName += "Property" }
            takenTypeNames.insert(structName)
            buildStruct(structName, node, key: "inline:" + structName, context: name)
            return (structName, "`\(structName)`")
        }
        return ("CFNValue", scalarSummary(node))
    }

    private func scalarSummary(_ node: JSON) -> String {
        var kind: String
        let types = node.typeNames
        if node["format"]?.string == "json" {
            kind = types.contains("string") ? "JSON object or string" : "JSON object"
        } else if node["patternProperties"] != nil {
            kind = "map of names to values"
        } else if types.isEmpty {
            kind = "value"
        } else {
            kind = types.joined(separator: " or ")
        }
        var formats: [String] = []
        if let format = node["format"]?.string, format != "json" { formats.append(format) }
        for option in (node["anyOf"]?.items ?? []) + (node["oneOf"]?.items ?? []) {
            if let format = option["format"]?.string, format != "json" { formats.append(format) }
        }
        if !formats.isEmpty { kind += " (\(formats.joined(separator: ", ")))" }
        if let values = node["enum"]?.items.compactMap(\.scalarText), !values.isEmpty {
            let shown = values.prefix(5).joined(separator: ", ")
            kind += values.count > 5 ? ", one of \(values.count) values: \(shown), ..." : ", one of: \(shown)"
        }
        return kind
    }

    private func buildStruct(_ structName: String, _ node: JSON, key: String, context: String) {
        guard structs[structName] == nil, !building.contains(key) else { return }
        building.append(key)
        let requiredSet = Set(node["required"]?.strings ?? [])
        var names: Set<String> = ["cfnValue"]
        var properties: [PropertyModel] = []
        for (name, child) in node["properties"]?.fields ?? [] {
            properties.append(property(name, child, required: requiredSet.contains(name), taken: &names))
        }
        building.removeLast()
        let description = node["description"]?.string.map(Naming.docLine) ?? ""
        structs[structName] = StructModel(
            swiftName: structName,
            doc: description.isEmpty ? "The `\(context)` property type of `\(typeName)`." : description,
            properties: properties)
    }

    /// Records `enum` lists by property path; array items share their array's path.
    private func collectEnums(_ node: JSON, path: [String], visiting: Set<String>, into table: inout [String: [String]]) {
        if let ref = node["$ref"]?.string {
            guard let (defName, def) = definition(ref), !visiting.contains(defName) else { return }
            collectEnums(def, path: path, visiting: visiting.union([defName]), into: &table)
            return
        }
        if let values = node["enum"]?.items.compactMap(\.scalarText), !values.isEmpty {
            let key = path.joined(separator: ".")
            var merged = table[key] ?? []
            for value in values where !merged.contains(value) { merged.append(value) }
            table[key] = merged
        }
        if let items = node["items"] {
            collectEnums(items, path: path, visiting: visiting, into: &table)
        }
        for (name, child) in node["properties"]?.fields ?? [] {
            collectEnums(child, path: path + [name], visiting: visiting, into: &table)
        }
    }
}
