import CloudFormation
import Layout
import YAML

/// StackSet artifacts that roll the alert stack out to every layout region, main region first: the
/// StackSet template, the self-managed StackSet roles, and the AWS CLI inputs.
public enum StackSetArtifacts {
    public static let administrationRoleName = "CatalogWatchStackSetAdministration"
    public static let executionRoleName = "CatalogWatchStackSetExecution"
    /// Logical names of the two roles in the roles template.
    public static let administrationRoleLogicalName = "AdministrationRole"
    public static let executionRoleLogicalName = "ExecutionRole"

    /// The administration role's ARN: it carries the layout's role path (the execution role does not).
    public static func administrationRoleArn(layout: Layout, account: String) -> String {
        "arn:\(layout.partition):iam::\(account):role\(layout.rolePathAndName(administrationRoleName))"
    }

    /// Parameters of the alert stack that the StackSet passes through, in order.
    static let passedParameters = AlertStackParts.Parameters.names

    /// One self-managed StackSet of the alert stack's rollout, planned once for a layout: its names,
    /// description, capabilities and rollout. `addStackSets` renders it as the StackSet resource,
    /// `createStackSetInput`/`createStackInstancesInput` as the AWS CLI inputs, Deployment as the API calls;
    /// `validate` compares templates against the layout's plans.
    public struct StackSetPlan: Hashable, Sendable {
        public var logicalName: String
        public var stackSetName: String
        public var rollout: StackSetRollout

        public var regions: [String] { rollout.regionOrder }
        public var sequential: Bool { rollout.isSequential }
        /// The StackSet's description, the same in the template, the CLI input and the API. It names no
        /// region: `deploy` adds a region without updating the StackSet, so a list would go stale.
        public var description: String {
            sequential
                ? "CatalogWatch alert stack: one region at a time, main region first"
                : "CatalogWatch alert stack: the other regions in parallel, after the main region"
        }
        /// What the StackSet acknowledges for its stacks. The alert stack holds no IAM resource since the roles
        /// moved to the roles stack; the capability stays as earlier versions set it (CloudFormation accepts an
        /// unneeded one), so an upgrade does not change it.
        public static let capabilities = ["CAPABILITY_IAM"]
    }

    /// The plans for `layout`: one sequential StackSet (main region first), or the main region alone then the
    /// rest in parallel.
    public static func plans(for layout: Layout) -> [StackSetPlan] {
        switch layout.rollout {
        case .sequential:
            return [StackSetPlan(
                logicalName: "ReceiveTopicsStackSet", stackSetName: layout.stackSetName,
                rollout: StackSetRollout(regionOrder: layout.orderedRegions, pace: .oneRegionAtATime))]
        case .mainThenParallel:
            var plans = [StackSetPlan(
                logicalName: "MainRegionStackSet", stackSetName: StackSetName.name(layout.stackSetName, .main),
                rollout: StackSetRollout(regionOrder: [layout.mainRegion], pace: .oneRegionAtATime))]
            let others = layout.orderedRegions.dropFirst()
            if !others.isEmpty {
                plans.append(StackSetPlan(
                    logicalName: "OtherRegionsStackSet", stackSetName: StackSetName.name(layout.stackSetName, .regions),
                    rollout: StackSetRollout(regionOrder: Array(others), pace: .allRegionsAtOnce)))
            }
            return plans
        }
    }

    /// The StackSet template's description.
    public static let stackSetTemplateDescription =
        "CatalogWatch: rolls the alert stack out to every layout region of the management account, main region first."

    /// The template holding the StackSet(s); `alertStackBody` is the alert stack template text, inlined,
    /// `memberBody` the member forwarding template's (EventBridge sources), whose StackSet comes last, and
    /// `readerBody` the reader role's (`deployMemberRole`), whose StackSet depends on nothing here (until
    /// it has reached the member accounts, alerts go out without product details).
    public static func stackSetTemplate(
        for layout: Layout, alertStack: Template, alertStackBody: String, memberBody: String? = nil, readerBody: String? = nil
    ) -> Template {
        var t = TemplateBuilder(description: stackSetTemplateDescription)
        Guardrails.register(layout, on: &t)
        let sets = addStackSets(for: layout, alertStack: alertStack, alertStackBody: alertStackBody, to: &t)
        if let readerBody, layout.deployMemberRole {
            MemberReader.addStackSet(for: layout, readerBody: readerBody, to: &t)
        }
        if let memberBody, layout.source.usesEventBridge {
            MemberForwarding.addStackSet(for: layout, memberBody: memberBody, after: sets.map(\.name), to: &t)
        }
        return t.template
    }

    /// Adds the passed-through parameters and one StackSet per wave (each later wave depends on the one
    /// before) to `t`; customizations registered on `t` beforehand apply to the StackSets.
    @discardableResult
    public static func addStackSets(
        for layout: Layout, alertStack: Template, alertStackBody: String, to t: inout TemplateBuilder
    ) -> [ResourceHandle<CFN.StackSet>] {
        var handles: [ResourceHandle<CFN.StackSet>] = []
        for name in passedParameters {
            guard var p = alertStack.parameter(name) else { continue }
            p.description = p.description.map { "Passed to the alert stack: \($0)" }
            t.parameter(name, p)
        }
        var previous: String?
        for wave in plans(for: layout) {
            var set = CFN.StackSet(permissionModel: "SELF_MANAGED", stackSetName: .string(wave.stackSetName))
            set.administrationRoleARN = .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role\(layout.rolePathAndName(administrationRoleName))")
            set.capabilities = .list(StackSetPlan.capabilities.map(CFNValue.string))
            set.description = .string(wave.description)
            set.executionRoleName = .string(executionRoleName)
            set.managedExecution = CFN.StackSet.ManagedExecution(active: false)
            set.operationPreferences = wave.rollout.cloudFormation
            set.parameters = passedParameters.filter { alertStack.parameter($0) != nil }.map {
                CFN.StackSet.Parameter(parameterKey: .string($0), parameterValue: .ref($0))
            }
            set.stackInstancesGroup = [
                CFN.StackSet.StackInstances(
                    deploymentTargets: CFN.StackSet.DeploymentTargets().with { $0.accounts = [.accountId] },
                    regions: .list(wave.regions.map(CFNValue.string)))
            ]
            set.templateBody = .string(alertStackBody)
            handles.append(t.resource(wave.logicalName, set, dependsOn: previous.map { [$0] } ?? []))
            previous = wave.logicalName
        }
        return handles
    }

    /// The values the StackSet passes to the alert stack: the passed parameters that have a default, in order.
    public static func parameterValues(alertStack: Template) -> [(String, String)] {
        passedParameters.compactMap { name in
            guard let p = alertStack.parameter(name) else { return nil }
            if let d = p.default, case .string(let s) = d { return (name, s) }
            if let d = p.default, case .number(let n) = d { return (name, n) }
            return nil
        }
    }

    /// Input for `aws cloudformation create-stack-set --cli-input-json`, one per plan.
    public static func createStackSetInput(for layout: Layout, wave: StackSetPlan, alertStack: Template, alertStackBody: String) -> CFNValue {
        let parameters: [CFNValue] = parameterValues(alertStack: alertStack).map { name, value in
            ["ParameterKey": .string(name), "ParameterValue": .string(value)]
        }
        let account = layout.managementAccountId ?? ""
        var fields = [
            CFNField("StackSetName", .string(wave.stackSetName)),
            CFNField("Description", .string(wave.description)),
            CFNField("TemplateBody", .string(alertStackBody)),
            CFNField("Parameters", .list(parameters)),
            CFNField("Capabilities", .list(StackSetPlan.capabilities.map(CFNValue.string))),
            CFNField("AdministrationRoleARN", .string(administrationRoleArn(layout: layout, account: account))),
            CFNField("ExecutionRoleName", .string(executionRoleName)),
            CFNField("PermissionModel", "SELF_MANAGED"),
            CFNField("ManagedExecution", ["Active": false]),
        ]
        if !layout.tags.isEmpty {
            fields.append(CFNField("Tags", .list(layout.tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })))
        }
        return .object(fields)
    }

    /// Input for `aws cloudformation create-stack-instances --cli-input-json` for one plan.
    public static func createStackInstancesInput(for layout: Layout, wave: StackSetPlan) -> CFNValue {
        let account = layout.managementAccountId ?? ""
        return .object([
            CFNField("StackSetName", .string(wave.stackSetName)),
            CFNField("Accounts", [.string(account)]),
            CFNField("Regions", .list(wave.regions.map(CFNValue.string))),
            CFNField("OperationPreferences", wave.rollout.cliPreferences),
        ])
    }
}
