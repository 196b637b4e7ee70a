import AWSClient
import AlertStack
import Layout
import DeployAPI

extension Deployer {
    /// Carries out `plan` in order: artifact, roles, the reader StackSet, retired StackSets, StackSets (main
    /// region first), the member StackSet, retired member and reader StackSets, constraints.
    func apply(_ plan: DeployPlan) async throws {
        let code = options.code
        if plan.createBucket {
            reporter.report(.step("create bucket \(code.bucket) in \(client.region) (public access blocked, SSE-S3, owner-enforced)"))
            try await guardrail.run("CreateBucket \(code.bucket)") { try await client.createPrivateBucket(code.bucket) }
        }
        if plan.uploadZip {
            reporter.report(.step("upload s3://\(code.bucket)/\(code.key) (\(options.zip.count) bytes)"))
            try await guardrail.run("PutObject \(code.key)") { try await client.putObject(bucket: code.bucket, key: code.key, body: options.zip) }
        }
        try await roles.apply(plan.roles)
        // The reader goes into member accounts before the filter can run: it trusts the roles stack's filter role.
        if let reader = target.readerStackSet, let readers = plan.readers {
            try await memberDeployment(reader).apply(readers)
        }
        // A former rollout's StackSet goes first: its stacks hold the same named topics and function.
        for retired in plan.retired { try await retire(name: retired.name) }
        for (set, instancePlan) in plan.stackSets {
            try await apply(instancePlan, to: set)
            reportInoperable(instancePlan, set)
        }
        // Members forward to the central bus, which the main region's alert stack holds: they come after it.
        if let member = target.memberStackSet, let members = plan.members {
            try await memberDeployment(member).apply(members)
        }
        if let name = plan.retiredMembers {
            try await memberDeployment(.removal(name, regions: target.layout.orderedRegions)).remove()
        }
        if let name = plan.retiredReaders {
            try await memberDeployment(.removal(name, regions: [target.layout.mainRegion])).remove()
        }
        try await constraints.add(plan.constraintsToAdd)
    }

    /// Creates or updates one StackSet and brings its instances to the layout's regions.
    func apply(_ plan: InstancePlan, to set: DeploymentTarget.StackSetTarget) async throws {
        let client = client, account = target.account, definition = set.definition
        if plan.createStackSet {
            reporter.report(.step("create StackSet \(set.name)"))
            try await guardrail.run("CreateStackSet \(set.name)") {
                do {
                    try await client.createStackSet(definition)
                } catch let error as AWSError where error.code == "NameAlreadyExistsException" {
                    return  // made by an earlier, interrupted run
                }
            }
        }
        let order = { (regions: [String]) in set.rollout.over(regions).operationPreferences }
        if plan.updateStackSet {
            // Only the layout's regions that have an instance: not those about to go, nor INOPERABLE ones.
            let prefs = order(set.regions.filter { !plan.add.contains($0) && !plan.inoperable.contains($0) })
            try await operations.run("UpdateStackSet", stackSet: set.name, regions: prefs.regionOrder) { id in
                try await client.updateStackSet(definition, account: account, regions: prefs.regionOrder, preferences: prefs, operationId: id)
            }
        }
        // The main region goes first: when its instance is stale, it is updated before new regions are added.
        let mainFirst = plan.update.contains(target.layout.mainRegion)
        let steps: [(StackInstancesAction, [String])] = (mainFirst ? [(.update, plan.update), (.create, plan.add)] : [(.create, plan.add), (.update, plan.update)])
            + [(.delete(retainStacks: false), plan.remove), (.delete(retainStacks: true), plan.inoperable)]
        for (action, regions) in steps where !regions.isEmpty {
            let prefs = order(regions)
            try await operations.run(action.name, stackSet: set.name, regions: regions) { id in
                try await client.stackInstances(action, stackSet: set.name, account: account, regions: regions, preferences: prefs, operationId: id)
            }
        }
    }

    /// Says which layout regions lost their instance to an INOPERABLE clean-up (their stacks are kept).
    func reportInoperable(_ plan: InstancePlan, _ set: DeploymentTarget.StackSetTarget) {
        for region in plan.inoperable where set.regions.contains(region) {
            reporter.report(.warning("\(set.name) in \(region): the INOPERABLE instance was removed with its stack kept; delete the StackSet-\(set.name)-* stack in account \(target.account), region \(region) by hand, then run deploy again to add the region back"))
        }
    }

    /// Removes a StackSet the layout no longer uses, as `destroy` would: instances in reverse rollout order, then the set.
    func retire(name: String) async throws {
        let destroyer = Destroyer(client: client, target: target, reporter: reporter, waiting: waiting)
        let kept = try await destroyer.remove(stackSet: name)
        guard kept.isEmpty else {
            throw DeploymentError.operationFailed(stackSet: name, action: "DeleteStackInstances", failed: kept, cancelled: [],
                                                  reason: "stacks kept; delete them by hand")
        }
    }

    /// What is left to a human: the e-mail confirmation and the launch roles that need the policy.
    func reportTodos(_ plan: DeployPlan) async throws {
        let topic = target.alertTopicArn
        if try await guardrail.run("GetTopicAttributes \(topic)", { try await client.topicExists(topic) }) {
            let subscriptions = try await guardrail.run("ListSubscriptionsByTopic \(topic)") { try await client.subscriptions(topicArn: topic) }
            for s in subscriptions where s.protocolName == "email" && s.isPendingConfirmation {
                reporter.report(.todo("confirm the subscription: open the \"AWS Notification - Subscription Confirmation\" e-mail sent to \(s.endpoint)"))
            }
        }
        guard target.layout.source.usesNotifications else { return }
        let policy = "\(PhysicalName.launchRolePolicy.name(prefix: target.layout.namePrefix)) (launch-role-iam-policy.json from catalogwatch generate)"
        let roles = Array(Set(plan.products.flatMap(\.launchRoles))).sorted()
        if roles.isEmpty {
            reporter.report(.todo("give every launch role of the shared products sns:Publish on the receive topics: attach \(policy)"))
        } else {
            reporter.report(.todo("attach \(policy) to these launch roles: \(roles.joined(separator: ", "))"))
        }
        for w in plan.products where w.otherNotificationConstraintId != nil {
            reporter.report(.warning("\(w.productName) (\(w.productId)) in \(w.portfolioId), \(w.region) has a notification constraint to other topics (\(w.otherNotificationConstraintId!)); CatalogWatch did not change it, so it is not watched"))
        }
    }
}
