/// AWS's service authorization reference for the services CatalogWatch's policies use: the tables are
/// generated into `Generated/ServiceAuthorization.swift` by `scripts/iam-authorization-codegen`.
package enum ServiceAuthorization {
    /// The tabled service with `prefix` (compared case-insensitively, as IAM does), if any.
    package static func service(_ prefix: String) -> IAMService? {
        servicesByPrefix[prefix.lowercased()].map { services[$0] }
    }

    /// Whether the reference has a service with `prefix` (tabled or not), compared case-insensitively.
    package static func isKnownPrefix(_ prefix: String) -> Bool {
        knownPrefixes.contains(prefix.lowercased())
    }

    static let servicesByPrefix: [String: Int] = Dictionary(
        uniqueKeysWithValues: services.enumerated().map { ($0.element.prefix.lowercased(), $0.offset) })
    static let knownPrefixes: Set<String> = Set(referencePrefixes.map { $0.lowercased() })
}

/// One service of the reference: its actions, its resource types and its service-level condition keys.
package struct IAMService: Sendable {
    /// The service prefix of its actions and condition keys (`sns`).
    package let prefix: String
    /// Its actions, sorted by name.
    package let actions: [IAMAction]
    /// Its resource types, sorted by name.
    package let resourceTypes: [IAMResourceType]
    /// The condition keys the service defines (templates such as `aws:ResourceTag/${TagKey}` included).
    package let conditionKeys: [String]

    package init(prefix: String, actions: [IAMAction], resourceTypes: [IAMResourceType], conditionKeys: [String]) {
        self.prefix = prefix
        self.actions = actions
        self.resourceTypes = resourceTypes
        self.conditionKeys = conditionKeys
    }

    /// The resource type named `name` (as an action's `IAMActionResource.name` gives it).
    package func resourceType(_ name: String) -> IAMResourceType? {
        resourceTypes.first { $0.name == name }
    }
}

/// One action of a service: the resource types a policy's Resource can name for it (none: it takes `"*"`) and
/// the condition keys it supports.
package struct IAMAction: Sendable {
    /// The action name as the reference spells it (`CreateTopic`), without the service prefix.
    package let name: String
    /// The resource types of the action; empty when it supports no resource-level permissions.
    package let resourceTypes: [IAMActionResource]
    /// The condition keys listed for the action (on any of its rows of the reference).
    package let conditionKeys: [String]

    package init(_ name: String, _ resourceTypes: [IAMActionResource], _ conditionKeys: [String]) {
        self.name = name
        self.resourceTypes = resourceTypes
        self.conditionKeys = conditionKeys
    }
}

/// A resource type an action acts on, and whether the reference marks it required (`*`).
package struct IAMActionResource: Sendable {
    /// The resource type's name (`topic`), a key of the service's `IAMService.resourceTypes`.
    package let name: String
    /// Whether the reference marks the resource type required for the action.
    package let required: Bool

    package init(_ name: String, _ required: Bool) {
        self.name = name
        self.required = required
    }
}

/// A resource type of a service and the ARN formats of its resources
/// (`arn:${Partition}:sns:${Region}:${Account}:${TopicName}`; `${...}` stands for any value).
package struct IAMResourceType: Sendable {
    /// The resource type's name (`topic`, `function alias`).
    package let name: String
    /// The ARN formats of resources of this type.
    package let arnFormats: [String]

    package init(_ name: String, _ arnFormats: [String]) {
        self.name = name
        self.arnFormats = arnFormats
    }
}
