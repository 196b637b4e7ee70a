import AWSClient
import AlertStack
import Layout
import DeployAPI

/// A service-managed StackSet of the member accounts (the EventBridge forwarding rule, or the reader
/// role), resolved for one deployment: its definition, the OUs and regions it covers, and how its
/// operations roll out.
package struct MemberStackSetTarget: Sendable {
    package var definition: ServiceManagedStackSetDefinition
    package var organizationalUnits: [String]
    package var rollout: StackSetRollout
    package var regions: [String] { rollout.regionOrder }
    package var name: String { definition.name }

    /// A member StackSet known only by name, to remove it (its OUs and regions come from `DescribeStackSet`).
    package static func removal(_ name: String, regions: [String]) -> MemberStackSetTarget {
        MemberStackSetTarget(
            definition: ServiceManagedStackSetDefinition(name: name, description: "", templateBody: "", parameters: [], capabilities: []),
            organizationalUnits: [], rollout: StackSetRollout(regionOrder: regions, pace: .allRegionsAtOnce))
    }
}

/// What the member StackSet needs so that it matches the layout: pure, from what is there and what is wanted.
package struct MemberPlan: Sendable, Equatable {
    /// Trusted access for StackSets is off in the organization: turned on first.
    package var activateAccess = false
    package var createStackSet = false
    /// Template, parameters or tags differ: the instances of the kept OUs and regions are updated (the
    /// StackSet alone when none is kept, so that instances added next get the new template).
    package var updateStackSet = false
    /// Auto-deployment is off: turned on (an update of the StackSet and every instance; AWS takes
    /// AutoDeployment only without targets).
    package var enableAutoDeployment = false
    /// OUs without instances (every layout region), and regions missing for the OUs that stay.
    package var addOrganizationalUnits: [String] = []
    package var addRegions: [String] = []
    /// OUs and regions the layout dropped (need `--yes`).
    package var removeOrganizationalUnits: [String] = []
    package var removeRegions: [String] = []
    /// The OUs and regions that stay (what an update covers).
    package var keptOrganizationalUnits: [String] = []
    package var keptRegions: [String] = []

    package var changesNothing: Bool {
        !activateAccess && !createStackSet && !updateStackSet && !enableAutoDeployment && addOrganizationalUnits.isEmpty && addRegions.isEmpty
            && removeOrganizationalUnits.isEmpty && removeRegions.isEmpty
    }

    /// The plan for `target` given the StackSet found (nil: none) and the organization's access status.
    package static func make(target: MemberStackSetTarget, existing: StackSetDescription?, access: OrganizationsAccess?) -> MemberPlan {
        var plan = MemberPlan(activateAccess: access != .enabled)
        guard let existing else {
            plan.createStackSet = true
            plan.addOrganizationalUnits = target.organizationalUnits
            return plan
        }
        let ous = existing.organizationalUnitIds, regions = existing.regions
        plan.updateStackSet = !target.definition.matches(existing)
        plan.enableAutoDeployment = existing.autoDeploymentEnabled == false
        plan.keptOrganizationalUnits = target.organizationalUnits.filter { ous.contains($0) }
        plan.keptRegions = target.regions.filter { regions.contains($0) }
        plan.addOrganizationalUnits = target.organizationalUnits.filter { !ous.contains($0) }
        plan.addRegions = plan.keptOrganizationalUnits.isEmpty ? [] : target.regions.filter { !regions.contains($0) }
        plan.removeOrganizationalUnits = ous.filter { !target.organizationalUnits.contains($0) }
        plan.removeRegions = regions.filter { !target.regions.contains($0) }
        return plan
    }

    /// What needs `--yes`.
    package func removals(_ name: String) -> [String] {
        var lines: [String] = []
        if !removeOrganizationalUnits.isEmpty { lines.append("remove \(name) instances of \(removeOrganizationalUnits.joined(separator: ", "))") }
        if !removeRegions.isEmpty { lines.append("remove \(name) instances in \(removeRegions.joined(separator: ", "))") }
        return lines
    }

    /// The plan as one line.
    package func line(_ target: MemberStackSetTarget) -> String {
        let scope = "\(target.organizationalUnits.joined(separator: ", ")) × \(target.regions.joined(separator: ", "))"
        if changesNothing { return "member StackSet \(target.name) (service-managed, auto-deployment): unchanged (\(scope))" }
        var parts: [String] = []
        if activateAccess { parts.append("turn on trusted access for StackSets in the organization") }
        if createStackSet { parts.append("create") }
        if enableAutoDeployment { parts.append("turn auto-deployment on (updates every instance)") }
        if updateStackSet {
            parts.append(keptOrganizationalUnits.isEmpty || keptRegions.isEmpty
                ? "update the StackSet's template" : "update the instances of \(keptOrganizationalUnits.joined(separator: ", ")) in \(keptRegions.joined(separator: ", "))")
        }
        if !addOrganizationalUnits.isEmpty { parts.append("add \(addOrganizationalUnits.joined(separator: ", ")) in \(target.regions.joined(separator: ", "))") }
        if !addRegions.isEmpty { parts.append("add \(addRegions.joined(separator: ", ")) for \(keptOrganizationalUnits.joined(separator: ", "))") }
        if !removeOrganizationalUnits.isEmpty { parts.append("remove \(removeOrganizationalUnits.joined(separator: ", "))") }
        if !removeRegions.isEmpty { parts.append("remove \(removeRegions.joined(separator: ", "))") }
        return "member StackSet \(target.name) (service-managed, auto-deployment, \(scope)): " + parts.joined(separator: "; ")
    }
}

/// Carries out a `MemberPlan`: trusted access, the StackSet, then its instances by OU and region.
package struct MemberForwardingDeployment: Sendable {
    package var client: AWSClient
    package var target: MemberStackSetTarget
    package var account: String
    package var waiting: Waiting
    package var reporter: any ProgressReporter

    var guardrail: Guard { Guard(account: account, region: client.region, waiting: waiting, reporter: reporter) }
    var operations: StackSetOperations { StackSetOperations(client: client, account: account, waiting: waiting, reporter: reporter) }

    /// Looks at the organization's access and the StackSet.
    package func plan() async throws -> MemberPlan {
        let client = client, name = target.name
        let access = try await guardrail.run("DescribeOrganizationsAccess") { try await client.organizationsAccess() }
        if access == .disabledPermanently {
            throw DeploymentError.call(step: "DescribeOrganizationsAccess", account: account, region: client.region,
                                       reason: "trusted access for StackSets is permanently disabled in this organization; the service-managed StackSet \(name) needs it (set deployMemberRole: false and use source notification-constraint)")
        }
        let existing = try await guardrail.run("DescribeStackSet \(name)") { try await client.describeStackSet(name) }
        return MemberPlan.make(target: target, existing: existing, access: access)
    }

    package func apply(_ plan: MemberPlan) async throws {
        let client = client, definition = target.definition, name = target.name, rollout = target.rollout
        if plan.activateAccess {
            reporter.report(.step("turn on trusted access for StackSets in the organization"))
            try await guardrail.run("ActivateOrganizationsAccess") { try await client.activateOrganizationsAccess() }
        }
        if plan.createStackSet {
            reporter.report(.step("create StackSet \(name) (service-managed)"))
            try await guardrail.run("CreateStackSet \(name)") {
                do {
                    try await client.createStackSet(definition)
                } catch let error as AWSError where error.code == "NameAlreadyExistsException" {
                    return  // made by an earlier, interrupted run
                }
            }
        }
        if plan.updateStackSet || plan.enableAutoDeployment {
            let enable = plan.enableAutoDeployment
            let (ous, regions) = enable ? ([], []) : (plan.keptOrganizationalUnits, plan.keptRegions)
            try await operations.run("UpdateStackSet", stackSet: name, regions: regions) { id in
                try await client.updateStackSet(
                    definition, organizationalUnits: ous, regions: regions, enableAutoDeployment: enable, preferences: rollout.ordered(regions).operationPreferences,
                    operationId: id)
            }
        }
        let steps: [(StackInstancesAction, [String], [String])] = [
            (.create, plan.addOrganizationalUnits, target.regions),
            (.create, plan.keptOrganizationalUnits, plan.addRegions),
            (.delete(retainStacks: false), plan.removeOrganizationalUnits, plan.keptRegions + plan.removeRegions),
            (.delete(retainStacks: false), plan.keptOrganizationalUnits, plan.removeRegions),
        ]
        for (action, ous, regions) in steps where !ous.isEmpty && !regions.isEmpty {
            try await operations.run("\(action.name) (\(ous.joined(separator: ", ")))", stackSet: name, regions: regions) { id in
                try await client.stackInstances(action, stackSet: name, organizationalUnits: ous, regions: regions, preferences: rollout.ordered(regions).operationPreferences, operationId: id)
            }
        }
    }

    /// Deletes every instance (the OUs and regions the StackSet reports, else the layout's), then the StackSet.
    package func remove() async throws {
        let client = client, name = target.name
        guard let existing = try await guardrail.run("DescribeStackSet \(name)", { try await client.describeStackSet(name) }) else { return }
        let ous = existing.organizationalUnitIds.isEmpty ? target.organizationalUnits : existing.organizationalUnitIds
        let regions = existing.regions.isEmpty ? target.regions : existing.regions
        let instances = try await guardrail.run("ListStackInstances \(name)") { try await client.listStackInstances(name) }
        if !instances.isEmpty {
            let prefs = target.rollout.ordered(regions).operationPreferences
            try await operations.run("DeleteStackInstances (\(ous.joined(separator: ", ")))", stackSet: name, regions: regions) { id in
                try await client.stackInstances(.delete(retainStacks: false), stackSet: name, organizationalUnits: ous, regions: regions, preferences: prefs, operationId: id)
            }
        }
        try await operations.deleteStackSet(name)
    }
}
