import CloudFormation

/// A parameter of CatalogWatch's templates, named once. Templates declare it, `Ref` it and embed it in
/// `Fn::Sub` text through this type; deploy and validation pass and compare values by it. No other source
/// file spells a parameter name (`ParameterNameAuthorityTests` greps for it).
public enum ParameterName: String, CaseIterable, Sendable {
    case mainRegion = "MainRegion"
    case namePrefix = "NamePrefix"
    case organizationId = "OrganizationId"
    case notificationEmail = "NotificationEmail"
    case memberRoleName = "MemberRoleName"
    case lambdaCodeBucket = "LambdaCodeBucket"
    case lambdaCodeKey = "LambdaCodeKey"
    case lambdaArchitecture = "LambdaArchitecture"
    case logRetentionDays = "LogRetentionDays"
    case managementAccountId = "ManagementAccountId"
    /// The OUs the reader StackSet deploys to (`stackset.yaml`).
    case readerOrganizationalUnits = "ReaderOrganizationalUnits"

    /// The logical name in the template.
    public var name: String { rawValue }
    /// `{"Ref": <name>}`.
    public var ref: CFNValue { .ref(rawValue) }
    /// `${<name>}`, to embed in `Fn::Sub` text.
    public var template: String { "${\(rawValue)}" }
}

extension TemplateBuilder {
    /// Declares parameter `name`.
    @discardableResult
    public mutating func parameter(_ name: ParameterName, _ parameter: Parameter) -> ParameterHandle {
        self.parameter(name.rawValue, parameter)
    }
}

extension Template {
    /// The declared parameter `name`, if any.
    public func parameter(_ name: ParameterName) -> Parameter? { parameter(name.rawValue) }
}
