// Tags on every taggable resource: the shapes a schema gives `Tags`, the protocol the generated taggable types
// conform to, the builder guardrail that applies one tag set to every resource, and the check that finds
// resources without required tags.

/// One tag applied to many resources at once (`TemplateBuilder.tagEveryResource`): a literal key and a value,
/// which may be an intrinsic (`!Ref CostCenter`).
public struct ResourceTag: Hashable, Sendable {
    public var key: String
    public var value: CFNValue

    /// The tag `key: value`.
    public init(key: String, value: CFNValue) {
        self.key = key
        self.value = value
    }
}

/// A generated resource type whose schema has a `Tags` property (the generator emits the conformance).
public protocol TaggableResource: ResourceType {
    /// Adds `tags` to the resource's `Tags`.
    ///
    /// A key the resource already has keeps the resource's own value: a guardrail fills in the tags a
    /// resource lacks and never overrides one its author set deliberately. The other tags are appended
    /// after the existing ones, in the given order (the first of repeated keys in `tags` counts), so the
    /// result is deterministic. A `Tags` given as an intrinsic (`!If [...]`) cannot be merged and is left
    /// as it is; an existing tag whose key is an intrinsic never matches a guardrail key.
    mutating func merge(tags: [ResourceTag])
}

/// How a resource type's schema shapes its `Tags` property (`ResourceSchemaRegistry.tagShapes`).
package enum TagShape: String, Hashable, Sendable {
    /// A list of `{Key, Value}` objects (most types).
    case keyValueList
    /// An object of tag key → string value.
    case stringMap
}

extension TemplateBuilder {
    /// Registers `tags` for every taggable resource (`TaggableResource`) added through this builder from now
    /// on, by you or by any part: e.g. an enterprise tag set on every topic, queue, role, function and
    /// StackSet. A tag a resource already sets keeps the resource's value (see `TaggableResource.merge`);
    /// resources added before this call, and resource types without `Tags`, are not changed. Like
    /// `customize`, it runs in registration order with the other customizations.
    public mutating func tagEveryResource(_ tags: [ResourceTag]) {
        guard !tags.isEmpty else { return }
        customizeEveryResource { _, resource in
            guard var taggable = resource as? any TaggableResource else { return }
            taggable.merge(tags: tags)
            resource = taggable
        }
    }
}

/// The merge of `TaggableResource.merge(tags:)` for each way a generated type stores `Tags`; the generated
/// conformances call it.
enum TagMerging {
    /// `Tags` as a list of generated `{Key, Value}` structs.
    static func merge<Item>(
        _ tags: [ResourceTag], into items: inout [Item]?, key: (Item) -> CFNValue?, make: (ResourceTag) -> Item
    ) {
        var merged = items ?? []
        var keys = Set(merged.compactMap { key($0)?.stringValue })
        for tag in tags where keys.insert(tag.key).inserted { merged.append(make(tag)) }
        if items != nil || !merged.isEmpty { items = merged }
    }

    /// A required `Tags` list of generated structs.
    static func merge<Item>(
        _ tags: [ResourceTag], into items: inout [Item], key: (Item) -> CFNValue?, make: (ResourceTag) -> Item
    ) {
        var optional: [Item]? = items
        merge(tags, into: &optional, key: key, make: make)
        items = optional ?? []
    }

    /// `Tags` kept as a plain value: a list of `{Key, Value}` objects or an object of keys to values.
    static func merge(_ tags: [ResourceTag], into value: inout CFNValue?, shape: TagShape) {
        switch (shape, value) {
        case (.keyValueList, nil): value = .list(appendingItems(tags, to: []))
        case (.keyValueList, .list(let items)?): value = .list(appendingItems(tags, to: items))
        case (.stringMap, nil): value = .object(appendingFields(tags, to: []))
        case (.stringMap, .object(let fields)?): value = .object(appendingFields(tags, to: fields))
        default: break  // an intrinsic or a malformed value: nothing can be merged into it
        }
    }

    /// A required `Tags` kept as a plain value.
    static func merge(_ tags: [ResourceTag], into value: inout CFNValue, shape: TagShape) {
        var optional: CFNValue? = value
        merge(tags, into: &optional, shape: shape)
        value = optional ?? value
    }

    /// `items` followed by a `{Key, Value}` object for each tag whose key no item has.
    private static func appendingItems(_ tags: [ResourceTag], to items: [CFNValue]) -> [CFNValue] {
        var items = items
        var keys = Set(items.compactMap { $0["Key"]?.stringValue })
        for tag in tags where keys.insert(tag.key).inserted {
            items.append(.object([CFNField("Key", .string(tag.key)), CFNField("Value", tag.value)]))
        }
        return items
    }

    /// `fields` followed by a field for each tag whose key is not among them.
    private static func appendingFields(_ tags: [ResourceTag], to fields: [CFNField]) -> [CFNField] {
        var fields = fields
        var keys = Set(fields.map(\.key))
        for tag in tags where keys.insert(tag.key).inserted { fields.append(CFNField(tag.key, tag.value)) }
        return fields
    }
}

/// A resource lacking some required tags (`untaggedResources`).
package struct UntaggedResource: Hashable, Sendable {
    /// The resource's logical name.
    package let name: String
    /// The required keys its `Tags` does not have, in the order they were required.
    package let missing: [String]

    package init(name: String, missing: [String]) {
        self.name = name
        self.missing = missing
    }
}

/// The resources of `template` whose type takes tags (`ResourceSchemaRegistry.tagShapes`) and whose `Tags`
/// lacks some of the `required` keys, in template order. `Tags` is read from the rendered properties in
/// either shape. A resource whose `Properties` or `Tags` (or a tag key) is an intrinsic cannot be judged
/// statically and is not reported; types the registry does not know are not checked.
package func untaggedResources(in template: Template, required: [String]) -> [UntaggedResource] {
    var found: [UntaggedResource] = []
    for entry in template.resources {
        guard let shape = ResourceSchemaRegistry.tagShapes[entry.value.type],
            entry.value.propertiesExpression == nil,
            let keys = tagKeys(entry.value.property("Tags"), shape: shape)
        else { continue }
        let missing = required.filter { !keys.contains($0) }
        if !missing.isEmpty { found.append(UntaggedResource(name: entry.name, missing: missing)) }
    }
    return found
}

/// The literal keys of a rendered `Tags` value, or nil when they cannot be known without deploying.
private func tagKeys(_ tags: CFNValue?, shape: TagShape) -> Set<String>? {
    switch (shape, tags) {
    case (_, nil):
        return []
    case (.keyValueList, .list(let items)?):
        var keys = Set<String>()
        for item in items {
            guard let key = item["Key"]?.stringValue else { return nil }
            keys.insert(key)
        }
        return keys
    case (.stringMap, .object(let fields)?):
        return Set(fields.map(\.key))
    default:
        return nil
    }
}
