import CloudFormation
import Layout

/// The member side of the `eventbridge` source: the template a service-managed StackSet puts into every
/// account of the layout's OUs (and every account that joins them later) in every layout region, and
/// that StackSet. It holds only the forwarding rule and its role (`AlertStackParts.ForwardingRule`).
public enum MemberForwarding {
    /// The member template's description.
    public static let templateDescription =
        "CatalogWatch member forwarding: sends terminal failures of Service Catalog stacks in this account and region to the central bus of the management account."

    /// The logical name of the StackSet resource in the StackSet template.
    public static let stackSetLogicalName = "MemberForwardingStackSet"

    /// Parameters of the member template, in order (the StackSet passes each).
    public static var parameterNames: [String] { ServiceManagedStackSetPlan.memberForwarding(.embeddedDefault).parameters.map(\.name.name) }

    /// The member template: the forwarding rule to `arn:…:events:<MainRegion>:<ManagementAccountId>:event-bus/<NamePrefix>-events`.
    public static func template(for layout: Layout) -> Template {
        var t = TemplateBuilder(description: templateDescription)
        Guardrails.register(layout, on: &t)
        t.parameter(
            .mainRegion,
            .string("Region of the central bus (the layout's main region).", default: layout.mainRegion,
                    pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]$", constraint: "an AWS region name such as ap-northeast-1"))
        addManagementParameters(
            for: layout, namePrefix: "Prefix of the central bus and rule names.",
            account: "Account holding the central bus (the organization's management account).", to: &t)
        let forwarding = AlertStackParts.ForwardingRule(
            centralBusArn: .sub("arn:${AWS::Partition}:events:\(ParameterName.mainRegion.template):\(ParameterName.managementAccountId.template):event-bus/\(PhysicalName.centralBus.template)")
        ).add(to: &t)
        t.output("ForwardRuleArn", forwarding.rule.getAtt(.arn), description: "The rule forwarding stack failures from this account and region.")
        return t.template
    }

    /// `NamePrefix` and `ManagementAccountId`, the parameters every member template takes (described for its use).
    static func addManagementParameters(for layout: Layout, namePrefix: String, account: String, to t: inout TemplateBuilder) {
        t.parameter(.namePrefix, NamePrefixRule.parameter(namePrefix, default: layout.namePrefix, explained: true))
        t.parameter(
            .managementAccountId,
            .string(account, default: layout.managementAccountId, pattern: "^[0-9]{12}$", constraint: "a 12-digit AWS account id"))
    }

    /// How the member StackSet rolls out when deploy adds or updates instances: every region at once, a
    /// quarter of the accounts at a time, and up to a tenth may fail (a suspended or locked-down account
    /// must not hold back the rest). Auto-deployment to accounts that join an OU later ignores these
    /// preferences (RegionOrder included): AWS deploys those accounts on its own schedule.
    public static let maxConcurrentPercentage = 25
    public static let failureTolerancePercentage = 10

    /// The rollout of a service-managed StackSet over `regions` (these shares, every region at once).
    public static func rollout(regions: [String]) -> StackSetRollout {
        StackSetRollout(
            regionOrder: regions,
            pace: .accountShares(maxConcurrentPercentage: maxConcurrentPercentage, failureTolerancePercentage: failureTolerancePercentage))
    }

    /// Adds the service-managed StackSet `MemberForwardingStackSet` to `t`, after the alert-stack StackSets
    /// `after` (the central bus must exist before members forward to it).
    @discardableResult
    public static func addStackSet(
        for layout: Layout, memberBody: String, after: [String], to t: inout TemplateBuilder
    ) -> ResourceHandle<CFN.StackSet> {
        let set = serviceManagedStackSet(
            .memberForwarding(layout), organizationalUnits: .list(layout.organizationalUnits.map(CFNValue.string)), body: memberBody)
        return t.resource(stackSetLogicalName, set, dependsOn: after)
    }

    /// The service-managed StackSet of `plan` (the member forwarding or the reader StackSet) in
    /// `organizationalUnits`: auto-deployment on (accounts that join later get it, accounts that leave lose
    /// it), called as the management account, managed execution, and the plan's rollout.
    static func serviceManagedStackSet(_ plan: ServiceManagedStackSetPlan, organizationalUnits: CFNValue, body: String) -> CFN.StackSet {
        var set = CFN.StackSet(permissionModel: "SERVICE_MANAGED", stackSetName: .string(plan.name))
        set.autoDeployment = CFN.StackSet.AutoDeployment(enabled: true, retainStacksOnAccountRemoval: false)
        set.callAs = "SELF"
        set.capabilities = .list(plan.capabilities.map(CFNValue.string))
        set.description = .string(plan.description)
        set.managedExecution = CFN.StackSet.ManagedExecution(active: true)
        set.operationPreferences = plan.rollout.cloudFormation
        set.parameters = plan.parameters.map { CFN.StackSet.Parameter(parameterKey: .string($0.name.name), parameterValue: $0.value.cfnValue) }
        set.stackInstancesGroup = [
            CFN.StackSet.StackInstances(
                deploymentTargets: CFN.StackSet.DeploymentTargets().with { $0.organizationalUnitIds = organizationalUnits },
                regions: .list(plan.regions.map(CFNValue.string)))
        ]
        set.templateBody = .string(body)
        return set
    }
}
