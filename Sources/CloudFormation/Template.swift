/// A named entry of an ordered template section (parameters, conditions, resources, outputs).
public struct Named<Value: Hashable & Sendable>: Hashable, Sendable {
    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// A template parameter declaration.
public struct Parameter: Hashable, Sendable {
    public var type: String
    public var description: String?
    public var `default`: CFNValue?
    public var allowedValues: [CFNValue]?
    public var allowedPattern: String?
    public var constraintDescription: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: CFNValue?
    public var maxValue: CFNValue?
    public var noEcho: Bool?
    /// Keys this model does not know, kept in order so hand-written templates survive a round trip.
    public var extra: [CFNField]

    public init(
        type: String, description: String? = nil, default: CFNValue? = nil, allowedValues: [CFNValue]? = nil,
        allowedPattern: String? = nil, constraintDescription: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, minValue: CFNValue? = nil, maxValue: CFNValue? = nil, noEcho: Bool? = nil,
        extra: [CFNField] = []
    ) {
        self.type = type
        self.description = description
        self.default = `default`
        self.allowedValues = allowedValues
        self.allowedPattern = allowedPattern
        self.constraintDescription = constraintDescription
        self.minLength = minLength
        self.maxLength = maxLength
        self.minValue = minValue
        self.maxValue = maxValue
        self.noEcho = noEcho
        self.extra = extra
    }

    /// A `String` parameter.
    public static func string(
        _ description: String, default: String? = nil, allowedValues: [String]? = nil, pattern: String? = nil,
        constraint: String? = nil, minLength: Int? = nil, maxLength: Int? = nil
    ) -> Parameter {
        Parameter(
            type: "String", description: description, default: `default`.map(CFNValue.string),
            allowedValues: allowedValues?.map(CFNValue.string), allowedPattern: pattern,
            constraintDescription: constraint, minLength: minLength, maxLength: maxLength)
    }
}

/// A template resource: its type, attributes and ordered properties.
public struct Resource: Hashable, Sendable {
    public var type: String
    public var condition: String?
    public var dependsOn: [String]
    /// `Delete`, `Retain`, `Snapshot`, ... or, with `AWS::LanguageExtensions`, an intrinsic (`!If`, `!FindInMap`).
    public var deletionPolicy: CFNValue?
    public var updateReplacePolicy: CFNValue?
    public var metadata: CFNValue?
    public var properties: [CFNField]
    /// `Properties` written as an intrinsic (`Properties: !If [Cond, {...}, {...}]`); `properties` is then empty.
    public var propertiesExpression: CFNValue?
    /// Other resource attributes (CreationPolicy, UpdatePolicy, ...), in order.
    public var extra: [CFNField]

    public init(
        type: String, condition: String? = nil, dependsOn: [String] = [], deletionPolicy: CFNValue? = nil,
        updateReplacePolicy: CFNValue? = nil, metadata: CFNValue? = nil, properties: [CFNField] = [],
        propertiesExpression: CFNValue? = nil, extra: [CFNField] = []
    ) {
        self.type = type
        self.condition = condition
        self.dependsOn = dependsOn
        self.deletionPolicy = deletionPolicy
        self.updateReplacePolicy = updateReplacePolicy
        self.metadata = metadata
        self.properties = properties
        self.propertiesExpression = propertiesExpression
        self.extra = extra
    }

    /// The value of property `key`, if set.
    public func property(_ key: String) -> CFNValue? { properties.first(where: { $0.key == key })?.value }

    /// `Properties` as one value: the object of `properties`, or `propertiesExpression` when it is an intrinsic.
    public var propertiesValue: CFNValue { propertiesExpression ?? .object(properties) }
}

/// A template output.
public struct Output: Hashable, Sendable {
    public var description: String?
    public var value: CFNValue
    public var exportName: CFNValue?
    public var condition: String?

    public init(description: String? = nil, value: CFNValue, exportName: CFNValue? = nil, condition: String? = nil) {
        self.description = description
        self.value = value
        self.exportName = exportName
        self.condition = condition
    }
}

/// A whole CloudFormation template, every section ordered as written.
public struct Template: Hashable, Sendable {
    public var formatVersion: String?
    public var description: String?
    public var metadata: CFNValue?
    public var parameters: [Named<Parameter>]
    public var rules: CFNValue?
    public var mappings: CFNValue?
    public var conditions: [Named<CFNValue>]
    public var transform: CFNValue?
    /// SAM's `Globals` (with `Transform: AWS::Serverless-2016-10-31`).
    public var globals: CFNValue?
    public var resources: [Named<Resource>]
    /// `Hooks` (with `Transform: AWS::CodeDeployBlueGreen`).
    public var hooks: CFNValue?
    public var outputs: [Named<Output>]
    /// Where a parsed template was read from: never part of equality (see `TemplateSource`).
    public var source: TemplateSource

    public init(
        formatVersion: String? = "2010-09-09", description: String? = nil, metadata: CFNValue? = nil,
        parameters: [Named<Parameter>] = [], rules: CFNValue? = nil, mappings: CFNValue? = nil,
        conditions: [Named<CFNValue>] = [], transform: CFNValue? = nil, globals: CFNValue? = nil,
        resources: [Named<Resource>] = [], hooks: CFNValue? = nil, outputs: [Named<Output>] = [],
        source: TemplateSource = TemplateSource()
    ) {
        self.formatVersion = formatVersion
        self.description = description
        self.metadata = metadata
        self.parameters = parameters
        self.rules = rules
        self.mappings = mappings
        self.conditions = conditions
        self.transform = transform
        self.globals = globals
        self.resources = resources
        self.hooks = hooks
        self.outputs = outputs
        self.source = source
    }

    /// The resource named `name`.
    public func resource(_ name: String) -> Resource? { resources.first(where: { $0.name == name })?.value }

    /// The parameter named `name`.
    public func parameter(_ name: String) -> Parameter? { parameters.first(where: { $0.name == name })?.value }

    /// The transforms the template declares (`Transform: X` or `Transform: [X, Y]`; a transform with
    /// parameters, `{Name: AWS::Include, ...}`, counts by its name).
    public var transforms: [String] {
        func name(_ v: CFNValue) -> String? { v.stringValue ?? v["Name"]?.stringValue }
        switch transform {
        case .list(let items)?: return items.compactMap(name)
        case let v?: return name(v).map { [$0] } ?? []
        case nil: return []
        }
    }

    /// SAM's transform.
    public static let serverlessTransform = "AWS::Serverless-2016-10-31"
    /// The transform behind `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString` and intrinsic deletion policies.
    public static let languageExtensionsTransform = "AWS::LanguageExtensions"
}

// MARK: - Typed resources

/// A CloudFormation resource type with typed properties and GetAtt attributes (generated from the schemas).
public protocol ResourceType: Sendable {
    /// The attributes `!GetAtt` accepts for this type; any other name does not compile.
    associatedtype Attribute: RawRepresentable & Sendable where Attribute.RawValue == String
    /// `AWS::Service::Type`.
    static var typeName: String { get }
    /// The set properties, in declaration order.
    var properties: [CFNField] { get }
}

/// The `Attribute` of a type that has none: no value exists, so `getAtt` cannot be called.
public enum NoAttributes: RawRepresentable, Sendable {
    public init?(rawValue: String) { nil }
    public var rawValue: String { switch self {} }
}

/// A typed reference to a resource added to a template.
public struct ResourceHandle<R: ResourceType>: Sendable {
    /// The resource's logical name.
    public let name: String

    /// A handle for the resource of type `R` named `name` (one added elsewhere, e.g. by a part).
    public init(name: String) { self.name = name }

    /// `!Ref Name`.
    public var ref: CFNValue { .ref(name) }

    /// `!GetAtt Name.Attribute`: the attribute must be one the resource type declares.
    public func getAtt(_ attribute: R.Attribute) -> CFNValue {
        .function("Fn::GetAtt", .list([.string(name), .string(attribute.rawValue)]))
    }
}

/// A reference to a parameter added to a template.
public struct ParameterHandle: Sendable {
    /// The parameter's logical name.
    public let name: String

    /// A handle for the parameter named `name`.
    public init(name: String) { self.name = name }

    /// `!Ref Name`.
    public var ref: CFNValue { .ref(name) }
}

/// A reference to a condition added to a template.
public struct ConditionHandle: Hashable, Sendable {
    /// The condition's logical name.
    public let name: String

    /// A handle for the condition named `name`.
    public init(name: String) { self.name = name }
}

/// Builds a `Template` from typed parts, keeping the order in which they are added.
public struct TemplateBuilder: Sendable {
    /// The template built so far; raw edits are allowed for constructs the typed API does not cover.
    public var template: Template
    /// Changes applied to each typed resource as it is added, in registration order.
    private var customizations: [@Sendable (String, inout any ResourceType) -> Void] = []

    /// An empty template with `description`.
    public init(description: String? = nil, formatVersion: String? = "2010-09-09") {
        template = Template(formatVersion: formatVersion, description: description)
    }

    /// Registers `change` for every resource of type `R` added through this builder from now on, by
    /// you or by any part that adds to it: e.g. tags on every topic, a permissions boundary on every
    /// role. `change` gets the logical name and the typed resource before it is stored; resources
    /// added before this call are not changed.
    public mutating func customize<R: ResourceType>(
        _ type: R.Type, _ change: @escaping @Sendable (_ name: String, _ resource: inout R) -> Void
    ) {
        customizations.append { name, resource in
            guard var typed = resource as? R else { return }
            change(name, &typed)
            resource = typed
        }
    }

    /// Registers `change` for every typed resource added from now on, whatever its type (`customize` is the
    /// one-type form); for library-wide guardrails such as `tagEveryResource`. Runs in registration order
    /// with the `customize` changes.
    mutating func customizeEveryResource(
        _ change: @escaping @Sendable (_ name: String, _ resource: inout any ResourceType) -> Void
    ) {
        customizations.append(change)
    }

    /// Declares a parameter.
    @discardableResult
    public mutating func parameter(_ name: String, _ parameter: Parameter) -> ParameterHandle {
        template.parameters.append(Named(name, parameter))
        return ParameterHandle(name: name)
    }

    /// Declares a condition.
    @discardableResult
    public mutating func condition(_ name: String, _ expression: ConditionExpression) -> ConditionHandle {
        template.conditions.append(Named(name, expression.cfnValue))
        return ConditionHandle(name: name)
    }

    /// Declares a mapping (top key → second key → value), in the given order.
    public mutating func mapping(_ name: String, _ entries: [CFNField]) {
        var fields: [CFNField]
        if case .object(let existing) = template.mappings { fields = existing } else { fields = [] }
        fields.append(CFNField(name, .object(entries)))
        template.mappings = .object(fields)
    }

    /// Declares a typed resource and returns its handle.
    @discardableResult
    public mutating func resource<R: ResourceType>(
        _ name: String, _ resource: R, condition: ConditionHandle? = nil, dependsOn: [String] = [],
        deletionPolicy: CFNValue? = nil, updateReplacePolicy: CFNValue? = nil, metadata: CFNValue? = nil
    ) -> ResourceHandle<R> {
        var customized: any ResourceType = resource
        for change in customizations { change(name, &customized) }
        template.resources.append(
            Named(
                name,
                Resource(
                    type: R.typeName, condition: condition?.name, dependsOn: dependsOn,
                    deletionPolicy: deletionPolicy, updateReplacePolicy: updateReplacePolicy, metadata: metadata,
                    properties: customized.properties)))
        return ResourceHandle(name: name)
    }

    /// Declares an output.
    public mutating func output(
        _ name: String, _ value: CFNValue, description: String? = nil, exportName: CFNValue? = nil,
        condition: ConditionHandle? = nil
    ) {
        template.outputs.append(
            Named(name, Output(description: description, value: value, exportName: exportName, condition: condition?.name)))
    }

    /// Sets the template's Metadata section.
    public mutating func metadata(_ value: CFNValue) { template.metadata = value }
}
