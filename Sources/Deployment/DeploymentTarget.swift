import AlertStack
import Layout
import CloudFormation
import DeployAPI
import YAML

/// What a layout deploys into the management account, resolved for one account and one uploaded zip:
/// the roles stack, the StackSet(s) with their rollout, and the names `status` and `destroy` look for.
package struct DeploymentTarget: Sendable {
    /// One StackSet: its definition, the regions it covers in rollout order, and how operations roll.
    package struct StackSetTarget: Sendable {
        package var definition: StackSetDefinition
        package var rollout: StackSetRollout
        package var regions: [String] { rollout.regionOrder }
        package var name: String { definition.name }
    }

    package var layout: Layout
    package var account: String
    package var rolesStackName: String
    package var rolesTemplateBody: String
    package var rolesParameters: [(String, String)]
    /// In deployment order: the main-region StackSet first.
    package var stackSets: [StackSetTarget]
    /// StackSet names of the other rollout mode: a layout that switched mode leaves these behind.
    package var formerStackSetNames: [String]
    /// The service-managed StackSet of the member accounts (EventBridge sources); nil otherwise.
    package var memberStackSet: MemberStackSetTarget?
    /// The service-managed StackSet of the reader role (`deployMemberRole`); nil otherwise.
    package var readerStackSet: MemberStackSetTarget?

    /// Builds the templates for `layout` with the filter code at `code`, for management account `account`.
    package init(layout: Layout, account: String, code: Layout.LambdaCode) throws(YAMLError) {
        var layout = layout
        layout.lambdaCode = code
        layout.managementAccountId = account
        self.layout = layout
        self.account = account
        rolesStackName = PhysicalName.rolesStack.name(prefix: layout.namePrefix)
        rolesTemplateBody = try StackSetArtifacts.rolesTemplate(for: layout).rendered(.yaml)
        rolesParameters = [(ParameterName.namePrefix.name, layout.namePrefix), (ParameterName.lambdaCodeBucket.name, code.bucket)]
            + (layout.organizationId.map { [(ParameterName.organizationId.name, $0)] } ?? []) + [(ParameterName.memberRoleName.name, layout.memberRoleName)]
        let alert = AlertStack.template(for: layout)
        let body = try alert.rendered(.yaml)
        let parameters = StackSetArtifacts.parameterValues(alertStack: alert)
        let adminRole = StackSetArtifacts.administrationRoleArn(layout: layout, account: account)
        stackSets = StackSetArtifacts.plans(for: layout).map { plan in
            StackSetTarget(
                definition: StackSetDefinition(
                    name: plan.stackSetName, description: plan.description, templateBody: body,
                    parameters: parameters, capabilities: StackSetArtifacts.StackSetPlan.capabilities, administrationRoleARN: adminRole,
                    executionRoleName: StackSetArtifacts.executionRoleName, tags: layout.tags.map { ($0.key, $0.value) }),
                rollout: plan.rollout)
        }
        var other = layout
        other.rollout = layout.rollout == .sequential ? .mainThenParallel : .sequential
        let current = Set(stackSets.map(\.name))
        formerStackSetNames = StackSetArtifacts.plans(for: other).map(\.stackSetName).filter { !current.contains($0) }
        memberStackSet = try Self.memberTarget(layout)
        readerStackSet = try Self.readerTarget(layout)
    }

    /// The reader role's StackSet (`ServiceManagedStackSetPlan.memberReader`): the reader template, passed
    /// the name prefix, this account (the filter's) and the role name, in the layout's OUs.
    static func readerTarget(_ layout: Layout) throws(YAMLError) -> MemberStackSetTarget? {
        guard layout.deployMemberRole, let account = layout.managementAccountId else { return nil }
        return serviceManaged(layout, .memberReader(layout), account: account, templateBody: try MemberReader.template(for: layout).rendered(.yaml))
    }

    /// The member StackSet of an EventBridge source (`ServiceManagedStackSetPlan.memberForwarding`): the member
    /// template, passed the main region, name prefix and this account (the central bus's), in the layout's OUs.
    static func memberTarget(_ layout: Layout) throws(YAMLError) -> MemberStackSetTarget? {
        guard layout.source.usesEventBridge, let account = layout.managementAccountId else { return nil }
        return serviceManaged(layout, .memberForwarding(layout), account: account, templateBody: try MemberForwarding.template(for: layout).rendered(.yaml))
    }

    /// `plan` for management account `account`, in the layout's OUs, with the layout's tags.
    static func serviceManaged(_ layout: Layout, _ plan: ServiceManagedStackSetPlan, account: String, templateBody: String) -> MemberStackSetTarget {
        var definition = ServiceManagedStackSetDefinition(
            name: plan.name, description: plan.description, templateBody: templateBody,
            parameters: plan.parameters.map { .init($0.name.name, $0.value.text(account: account)) }, capabilities: plan.capabilities)
        definition.tags = layout.tags.map { .init($0.key, $0.value) }
        return MemberStackSetTarget(definition: definition, organizationalUnits: layout.organizationalUnits, rollout: plan.rollout)
    }

    /// The central bus and its rule (EventBridge sources, main region).
    package var centralBusName: String { layout.centralBusName }
    package var centralRuleName: String { PhysicalName.centralRule.name(prefix: layout.namePrefix) }
    /// The forwarding rule on the default bus of every region (EventBridge sources).
    package var forwardRuleName: String { PhysicalName.forwardRule.name(prefix: layout.namePrefix) }

    /// The SNS topic that receives Service Catalog notifications in `region`.
    package func receiveTopicArn(_ region: String) -> String { layout.receiveTopicArn(region: region, account: account) }

    /// The alert topic in the main region.
    package var alertTopicArn: String { "arn:\(layout.partition):sns:\(layout.mainRegion):\(account):\(PhysicalName.alertTopic.name(prefix: layout.namePrefix))" }

    /// The filter function's name (main region).
    package var functionName: String { PhysicalName.filter.name(prefix: layout.namePrefix) }

    /// The dead-letter queues of the main region whose depth `status` reports.
    package var deadLetterQueues: [String] {
        [PhysicalName.filterDeadLetterQueue.name(prefix: layout.namePrefix)] + (layout.buffer == .sqs ? [PhysicalName.eventDeadLetterQueue.name(prefix: layout.namePrefix)] : [])
            + (layout.source.usesEventBridge ? [PhysicalName.ruleDeadLetterQueue.name(prefix: layout.namePrefix)] : [])
            + (layout.usesDigests ? [PhysicalName.digestDeadLetterQueue.name(prefix: layout.namePrefix)] : [])
    }
}
