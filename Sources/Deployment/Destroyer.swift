import AWSClient
import AlertStack
import Layout
import DeployAPI

/// Takes CatalogWatch out of the account in reverse: constraints first (so no launch publishes to a topic
/// about to go), the member StackSet (so no account forwards to a bus about to go), then stack instances
/// with the main region (the filter) last, StackSets, the reader StackSet, the roles stack.
/// The artifact bucket is never deleted.
package struct Destroyer: Sendable {
    package var client: AWSClient
    package var target: DeploymentTarget
    package var reporter: any ProgressReporter
    package var waiting: Waiting
    package var keepRoles = false
    package var keepConstraints = false

    package init(client: AWSClient, target: DeploymentTarget, reporter: any ProgressReporter, waiting: Waiting,
                 keepRoles: Bool = false, keepConstraints: Bool = false) {
        self.client = client.with(region: target.layout.mainRegion)
        self.target = target
        self.reporter = reporter
        self.waiting = waiting
        self.keepRoles = keepRoles
        self.keepConstraints = keepConstraints
    }

    var guardrail: Guard { Guard(account: target.account, region: target.layout.mainRegion, waiting: waiting, reporter: reporter) }

    /// StackSet names in removal order: the later waves first, then a former rollout's sets.
    var removalOrder: [String] {
        target.stackSets.reversed().map(\.name) + target.formerStackSetNames.reversed()
    }

    /// Runs the teardown; instances left INOPERABLE are removed with their stacks kept and then reported
    /// as an error naming account, region and stack, so the command exits non-zero.
    package func run() async throws {
        let constraints = CatalogConstraints(client: client, target: target, reporter: reporter, waiting: waiting)
        if !keepConstraints { try await constraints.removeOurs(try await constraints.survey()) }
        let member = target.memberStackSet ?? .removal(target.layout.memberStackSetName, regions: target.layout.orderedRegions)
        try await MemberForwardingDeployment(client: client, target: member, account: target.account, waiting: waiting, reporter: reporter).remove()
        var kept: [StackSetFailure] = []
        for name in removalOrder { kept += try await remove(stackSet: name) }
        // The reader role goes after the filter (the main region's alert stack), before the roles it trusts.
        let reader = target.readerStackSet ?? .removal(target.layout.readerStackSetName, regions: [target.layout.mainRegion])
        try await MemberForwardingDeployment(client: client, target: reader, account: target.account, waiting: waiting, reporter: reporter).remove()
        if !keepRoles {
            try await ChangeSetDeployment(
                client: client, stackName: target.rolesStackName, templateBody: "", parameters: [], capabilities: [],
                waiting: waiting, reporter: reporter, guardrail: guardrail
            ).delete()
        }
        reporter.report(.todo("the artifact bucket \(target.layout.lambdaCode?.bucket ?? "") is kept; delete it yourself if nothing else uses it"))
        guard kept.isEmpty else {
            throw DeploymentError.operationFailed(stackSet: kept.map(\.region).joined(separator: ", "), action: "DeleteStackInstances",
                                                  failed: kept, cancelled: [], reason: "stacks kept; delete them by hand")
        }
        reporter.report(.done("removed CatalogWatch from account \(target.account)"))
    }

    /// Deletes the instances of one StackSet in reverse rollout order, then the StackSet; returns the
    /// instances whose stacks had to be kept.
    func remove(stackSet name: String) async throws -> [StackSetFailure] {
        let client = client, account = target.account
        guard try await guardrail.run("DescribeStackSet \(name)", { try await client.describeStackSet(name) }) != nil else { return [] }
        let instances = try await guardrail.run("ListStackInstances \(name)") { try await client.listStackInstances(name) }
            .filter { $0.account == account }
        let regions = InstancePlan.removalOrder(instances.map(\.region), rollout: target.layout.orderedRegions)
        let operations = StackSetOperations(client: client, account: account, waiting: waiting, reporter: reporter)
        var kept: [StackSetFailure] = []
        if !regions.isEmpty {
            let prefs = StackSetRollout(regionOrder: regions, pace: .oneRegionAtATime).operationPreferences
            do {
                try await operations.run("DeleteStackInstances", stackSet: name, regions: regions) { id in
                    try await client.stackInstances(.delete(retainStacks: false), stackSet: name, account: account, regions: regions,
                                                    preferences: prefs, operationId: id)
                }
            } catch let error as DeploymentError {
                guard case .operationFailed(_, _, let failed, _, _) = error else { throw error }
                kept = try await retainInoperable(name, failed: failed, error: error)
            }
        }
        try await operations.deleteStackSet(name)
        return kept
    }

    /// After a failed delete: the instances left INOPERABLE are removed from the StackSet with their stacks
    /// kept (and returned, to be reported); the regions cancelled after the failure are deleted once more,
    /// normally, in reverse rollout order. Without any INOPERABLE instance the failure is thrown again.
    func retainInoperable(_ name: String, failed: [StackSetFailure], error: DeploymentError) async throws -> [StackSetFailure] {
        let client = client, account = target.account
        let left = try await guardrail.run("ListStackInstances \(name)") { try await client.listStackInstances(name) }
            .filter { $0.account == account }
        let inoperable = left.filter { $0.status == "INOPERABLE" }.map(\.region)
        guard !inoperable.isEmpty else {
            if left.isEmpty { return [] }
            throw error
        }
        let operations = StackSetOperations(client: client, account: account, waiting: waiting, reporter: reporter)
        for (retain, regions) in [(true, inoperable), (false, InstancePlan.removalOrder(left.map(\.region).filter { !inoperable.contains($0) }, rollout: target.layout.orderedRegions))]
        where !regions.isEmpty {
            let prefs = StackSetRollout(regionOrder: regions, pace: .oneRegionAtATime).operationPreferences
            try await operations.run(retain ? "DeleteStackInstances (retain stacks)" : "DeleteStackInstances", stackSet: name, regions: regions) { id in
                try await client.stackInstances(.delete(retainStacks: retain), stackSet: name, account: account, regions: regions,
                                                preferences: prefs, operationId: id)
            }
        }
        return inoperable.map { region in
            let reason = failed.first { $0.region == region }?.reason ?? "left INOPERABLE"
            reporter.report(.warning("\(name) in \(region): stack kept (\(reason)); delete the StackSet-\(name)-* stack in account \(account), region \(region) by hand"))
            return StackSetFailure(account: account, region: region, status: "INOPERABLE", reason: reason)
        }
    }
}
