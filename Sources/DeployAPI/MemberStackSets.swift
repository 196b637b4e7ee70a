import AWSClient

/// What a service-managed StackSet holds: the input of `CreateStackSet` and `UpdateStackSet` for the
/// member StackSet of an EventBridge source. Called from the management account (`CallAs` SELF, the default).
package struct ServiceManagedStackSetDefinition: Sendable, Equatable {
    package var name: String
    package var description: String
    package var templateBody: String
    package var parameters: [Parameter]
    package var capabilities: [String]
    /// Tags of the StackSet and, through it, of the member stacks.
    package var tags: [Parameter] = []

    /// One template parameter value (or tag).
    package typealias Parameter = KeyValue

    package init(name: String, description: String, templateBody: String, parameters: [Parameter], capabilities: [String]) {
        self.name = name
        self.description = description
        self.templateBody = templateBody
        self.parameters = parameters
        self.capabilities = capabilities
    }

    /// Whether `existing` already holds this template, these parameters and tags (auto-deployment is its own step). An empty
    /// capability list reads as "not reported" (moto never returns it), as for the self-managed sets.
    package func matches(_ existing: StackSetDescription) -> Bool {
        existing.templateBody == templateBody
            && parameters.allSatisfy { existing.parameters[$0.key] == $0.value } && existing.parameters.count == parameters.count
            && (existing.capabilities.isEmpty || Set(existing.capabilities) == Set(capabilities))
            && existing.tags == Dictionary(tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Name, template, parameters, capabilities and tags.
    var commonParameters: QueryParameters {
        var p = QueryParameters()
        p.add("StackSetName", name)
        p.add("Description", description)
        p.add("TemplateBody", templateBody)
        p.add("Parameters", structures: parameters.map { [("ParameterKey", $0.key), ("ParameterValue", $0.value)] })
        p.add("Capabilities", list: capabilities)
        p.add("Tags", structures: tags.map { [("Key", $0.key), ("Value", $0.value)] })
        return p
    }

    /// Auto-deployment on, stacks removed from accounts that leave the OUs.
    static let autoDeployment: QueryParameters = {
        var p = QueryParameters()
        p.add("Enabled", "true")
        p.add("RetainStacksOnAccountRemoval", "false")
        return p
    }()
}

/// The organization's trusted access for StackSets (`DescribeOrganizationsAccess`).
package enum OrganizationsAccess: String, Sendable {
    case enabled = "ENABLED"
    case disabled = "DISABLED"
    case disabledPermanently = "DISABLED_PERMANENTLY"
}

extension AWSClient {
    /// `CreateStackSet` (service-managed, auto-deployment on, managed execution so auto-deployments queue).
    package func createStackSet(_ definition: ServiceManagedStackSetDefinition, deadline: ContinuousClock.Instant? = nil) async throws {
        var p = definition.commonParameters
        p.add("AutoDeployment", structure: ServiceManagedStackSetDefinition.autoDeployment)
        p.add("PermissionModel", "SERVICE_MANAGED")
        p.add("ManagedExecution.Active", "true")
        _ = try await query(.cloudFormation, action: "CreateStackSet", parameters: p.pairs, deadline: deadline)
    }

    /// `UpdateStackSet` of a service-managed StackSet: for the instances of `organizationalUnits` in
    /// `regions`, or, with `enableAutoDeployment` or no targets, for the StackSet and all its instances.
    /// AWS takes AutoDeployment only without DeploymentTargets and Regions.
    package func updateStackSet(
        _ definition: ServiceManagedStackSetDefinition, organizationalUnits: [String], regions: [String], enableAutoDeployment: Bool,
        preferences: OperationPreferences, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = definition.commonParameters
        if enableAutoDeployment || organizationalUnits.isEmpty || regions.isEmpty {
            if enableAutoDeployment { p.add("AutoDeployment", structure: ServiceManagedStackSetDefinition.autoDeployment) }
        } else {
            p.add("DeploymentTargets.OrganizationalUnitIds", list: organizationalUnits)
            p.add("Regions", list: regions)
        }
        p.add("OperationPreferences", structure: preferences.parameters)
        p.add("OperationId", operationId)
        return try await stackSetOperation("UpdateStackSet", p, deadline)
    }

    /// `CreateStackInstances` or `DeleteStackInstances` for every account of `organizationalUnits` in `regions`.
    package func stackInstances(
        _ action: StackInstancesAction, stackSet: String, organizationalUnits: [String], regions: [String],
        preferences: OperationPreferences, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = QueryParameters()
        p.add("StackSetName", stackSet)
        p.add("DeploymentTargets.OrganizationalUnitIds", list: organizationalUnits)
        p.add("Regions", list: regions)
        p.add("OperationPreferences", structure: preferences.parameters)
        if case .delete(let retain) = action { p.add("RetainStacks", retain ? "true" : "false") }
        p.add("OperationId", operationId)
        return try await stackSetOperation(action.name, p, deadline)
    }

    /// `DescribeOrganizationsAccess`: whether StackSets may deploy to the organization's accounts.
    package func organizationsAccess(deadline: ContinuousClock.Instant? = nil) async throws -> OrganizationsAccess? {
        let root = try await query(.cloudFormation, action: "DescribeOrganizationsAccess", parameters: [], deadline: deadline)
        return root.value("DescribeOrganizationsAccessResult/Status").flatMap(OrganizationsAccess.init(rawValue:))
    }

    /// `ActivateOrganizationsAccess`: turns on trusted access for StackSets in the organization.
    package func activateOrganizationsAccess(deadline: ContinuousClock.Instant? = nil) async throws {
        _ = try await query(.cloudFormation, action: "ActivateOrganizationsAccess", parameters: [], deadline: deadline)
    }
}
