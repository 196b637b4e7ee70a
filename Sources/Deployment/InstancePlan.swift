import DeployAPI

/// What one StackSet needs so that its instances match the layout: pure, from what is there and what is wanted.
package struct InstancePlan: Sendable, Equatable {
    /// The StackSet does not exist yet.
    package var createStackSet: Bool
    /// The template, parameters or settings differ: `UpdateStackSet` rolls them to every existing instance.
    package var updateStackSet: Bool
    /// Regions without an instance, in rollout order.
    package var add: [String]
    /// Regions whose instance is not current (`OUTDATED`, or a failed or cancelled last operation),
    /// in rollout order; empty when `updateStackSet` already covers them.
    package var update: [String]
    /// Regions the layout no longer lists, in reverse rollout order (the main region would go last).
    package var remove: [String]
    /// Regions whose instance is `INOPERABLE` (a failed delete): removed keeping their stacks, and reported.
    package var inoperable: [String]
    /// What an update changes: `template` and the names of changed parameters, in order.
    package var changes: [String] = []

    package var changesNothing: Bool {
        !createStackSet && !updateStackSet && add.isEmpty && update.isEmpty && remove.isEmpty && inoperable.isEmpty
    }

    /// The plan for `target` given the StackSet found (`nil`: none) and its instances in `account`.
    package static func make(
        target: DeploymentTarget.StackSetTarget, existing: StackSetDescription?, instances: [StackInstanceSummary], account: String
    ) -> InstancePlan {
        guard let existing else {
            return InstancePlan(createStackSet: true, updateStackSet: false, add: target.regions, update: [], remove: [], inoperable: [])
        }
        let mine = instances.filter { $0.account == account }
        let byRegion = Dictionary(mine.map { ($0.region, $0) }, uniquingKeysWith: { first, _ in first })
        let definitionChanged = differs(existing, target.definition)
        let wanted = Set(target.regions)
        let add = target.regions.filter { byRegion[$0] == nil }
        let stale = target.regions.filter { region in
            guard let instance = byRegion[region] else { return false }
            return instance.status == "OUTDATED" || ["FAILED", "CANCELLED"].contains(instance.detailedStatus ?? "")
        }
        let inoperable = mine.filter { $0.status == "INOPERABLE" }.map(\.region)
        let remove = mine.map(\.region).filter { !wanted.contains($0) && !inoperable.contains($0) }
        return InstancePlan(
            createStackSet: false,
            updateStackSet: definitionChanged,
            add: add,
            update: definitionChanged ? [] : stale.filter { !inoperable.contains($0) },
            remove: removalOrder(remove, rollout: target.regions),
            inoperable: inoperable,
            changes: definitionChanged ? changes(existing, target.definition) : [])
    }

    /// `template`, each parameter whose value differs, and `settings` for capabilities and roles.
    static func changes(_ existing: StackSetDescription, _ definition: StackSetDefinition) -> [String] {
        var changes = existing.templateBody == definition.templateBody ? [] : ["template"]
        let wanted = Dictionary(definition.parameters, uniquingKeysWith: { _, last in last })
        let names = definition.parameters.map(\.0) + existing.parameters.keys.sorted().filter { wanted[$0] == nil }
        changes += names.filter { existing.parameters[$0] != wanted[$0] }.map { "parameter \($0)" }
        if changes.isEmpty { changes.append("settings") }
        return changes
    }

    /// Whether what is deployed differs from `definition` in anything `UpdateStackSet` sets.
    static func differs(_ existing: StackSetDescription, _ definition: StackSetDefinition) -> Bool {
        existing.templateBody != definition.templateBody
            || existing.parameters != Dictionary(definition.parameters, uniquingKeysWith: { _, last in last })
            // An empty list reads as "not reported" (moto never returns it); a set made without the
            // capability could not have created the alert stack's role anyway.
            || (!existing.capabilities.isEmpty && Set(existing.capabilities) != Set(definition.capabilities))
            || (existing.administrationRoleARN.map { $0 != definition.administrationRoleARN } ?? false)
            || (existing.executionRoleName.map { $0 != definition.executionRoleName } ?? false)
            || existing.tags != Dictionary(definition.tags, uniquingKeysWith: { _, last in last })
    }

    /// Regions to remove, last-deployed first; regions the rollout does not know keep their listed order.
    static func removalOrder(_ regions: [String], rollout: [String]) -> [String] {
        regions.sorted { a, b in
            (rollout.firstIndex(of: a) ?? Int.max) > (rollout.firstIndex(of: b) ?? Int.max)
        }
    }
}
