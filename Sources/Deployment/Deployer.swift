import AWSClient
import AlertStack
import Layout
import DeployAPI

/// `deploy` settings the operator chooses.
package struct DeployOptions: Sendable {
    package var dryRun = false
    /// Remove regions and StackSets the layout dropped without asking.
    package var approveRemovals = false
    package var createBucket = false
    /// The packaged filter zip and where it goes (`code.key` is its content-hash key).
    package var zip: [UInt8]
    package var code: Layout.LambdaCode

    package init(zip: [UInt8], code: Layout.LambdaCode, dryRun: Bool = false, approveRemovals: Bool = false, createBucket: Bool = false) {
        self.zip = zip
        self.code = code
        self.dryRun = dryRun
        self.approveRemovals = approveRemovals
        self.createBucket = createBucket
    }
}

/// Everything `deploy` found to do, said before anything changes.
package struct DeployPlan: Sendable {
    package var createBucket = false
    package var uploadZip = false
    package var roles: ChangeSetDeployment.Plan = .unchanged
    package var stackSets: [(target: DeploymentTarget.StackSetTarget, plan: InstancePlan)] = []
    /// StackSets of a former rollout mode, with the regions of their instances: removed.
    package var retired: [(name: String, regions: [String])] = []
    package var products: [ProductWatch] = []
    /// The member StackSet (EventBridge sources).
    package var members: MemberPlan?
    /// A member StackSet the layout no longer uses (its source is notification-constraint again): removed.
    package var retiredMembers: String?
    /// The reader role's StackSet (`deployMemberRole`), and one the layout no longer uses: removed.
    package var readers: MemberPlan?
    package var readerName: String?
    package var retiredReaders: String?

    package var constraintsToAdd: [ProductWatch] {
        products.filter { !$0.isWatched && $0.otherNotificationConstraintId == nil }
    }

    /// What needs `--yes`: removed regions and retired StackSets.
    package var removals: [String] {
        stackSets.filter { !$0.plan.remove.isEmpty }.map { "remove \($0.target.name) instances in \($0.plan.remove.joined(separator: ", "))" }
            + retired.map { "delete StackSet \($0.name)" + ($0.regions.isEmpty ? "" : " and its instances in \($0.regions.joined(separator: ", "))") }
            + (members.map { plan in memberName.map { plan.removals($0) } ?? [] } ?? [])
            + (retiredMembers.map { ["delete StackSet \($0) and its instances in every member account"] } ?? [])
            + (readers.map { plan in readerName.map { plan.removals($0) } ?? [] } ?? [])
            + (retiredReaders.map { ["delete StackSet \($0) and the reader role in every member account"] } ?? [])
    }

    /// The member StackSet's name, for messages.
    package var memberName: String?

    package var changesNothing: Bool {
        !createBucket && !uploadZip && roles == .unchanged && stackSets.allSatisfy(\.plan.changesNothing) && retired.isEmpty
            && constraintsToAdd.isEmpty && (members?.changesNothing ?? true) && retiredMembers == nil
            && (readers?.changesNothing ?? true) && retiredReaders == nil
    }
}

/// Takes a layout to working alerts: artifact, roles stack, StackSets and their instances, constraints.
/// Safe to re-run after any interruption: each step looks at what is there before changing it.
package struct Deployer: Sendable {
    package var client: AWSClient
    package var target: DeploymentTarget
    package var options: DeployOptions
    package var reporter: any ProgressReporter
    package var waiting: Waiting
    /// Asks the operator to allow removals (without `--yes`); false when nobody can answer.
    package var confirm: @Sendable (String) async -> Bool

    package init(
        client: AWSClient, target: DeploymentTarget, options: DeployOptions, reporter: any ProgressReporter, waiting: Waiting,
        confirm: @escaping @Sendable (String) async -> Bool = { _ in false }
    ) {
        self.client = client.with(region: target.layout.mainRegion)
        self.target = target
        self.options = options
        self.reporter = reporter
        self.waiting = waiting
        self.confirm = confirm
    }

    var guardrail: Guard { Guard(account: target.account, region: target.layout.mainRegion, waiting: waiting, reporter: reporter) }

    var roles: ChangeSetDeployment {
        ChangeSetDeployment(
            client: client, stackName: target.rolesStackName, templateBody: target.rolesTemplateBody,
            parameters: target.rolesParameters, capabilities: ["CAPABILITY_NAMED_IAM"], waiting: waiting,
            reporter: reporter, guardrail: guardrail)
    }

    var operations: StackSetOperations {
        StackSetOperations(client: client, account: target.account, waiting: waiting, reporter: reporter)
    }

    func memberDeployment(_ member: MemberStackSetTarget) -> MemberForwardingDeployment {
        MemberForwardingDeployment(client: client, target: member, account: target.account, waiting: waiting, reporter: reporter)
    }

    var constraints: CatalogConstraints {
        CatalogConstraints(client: client, target: target, reporter: reporter, waiting: waiting)
    }

    /// Plans, says the plan, and (unless a dry run) carries it out; returns the plan.
    @discardableResult
    package func run() async throws -> DeployPlan {
        let plan = try await makePlan()
        for line in DeployPlanText.lines(plan, target: target, code: options.code) { reporter.report(.plan(line)) }
        if options.dryRun {
            reporter.report(.done("dry run: nothing was changed"))
            return plan
        }
        if plan.changesNothing {
            reporter.report(.done("nothing to change: account \(target.account) already matches the layout"))
        } else {
            let removals = plan.removals
            if !removals.isEmpty, !options.approveRemovals, !(await confirm(removals.joined(separator: "; "))) {
                throw DeploymentError.notConfirmed(removals.joined(separator: "; "))
            }
            try await apply(plan)
            reporter.report(.done("deployed to account \(target.account): \(target.layout.orderedRegions.joined(separator: ", "))"))
        }
        try await reportTodos(plan)
        return plan
    }

    /// Looks at the account and works out every change; in a dry run, changes nothing.
    package func makePlan() async throws -> DeployPlan {
        var plan = DeployPlan()
        let code = options.code
        if !(try await guardrail.run("HeadBucket \(code.bucket)") { try await client.bucketExists(code.bucket) }) {
            guard options.createBucket || options.dryRun else {
                throw DeploymentError.missingBucket(bucket: code.bucket, region: client.region, fix: Self.createBucketCommand(code.bucket, client.region))
            }
            plan.createBucket = true
            plan.uploadZip = true
        } else {
            plan.uploadZip = !(try await guardrail.run("HeadObject \(code.key)") { try await client.objectExists(bucket: code.bucket, key: code.key) })
        }
        plan.roles = try await roles.plan(dryRun: options.dryRun)
        for set in target.stackSets {
            let existing = try await guardrail.run("DescribeStackSet \(set.name)") { try await client.describeStackSet(set.name) }
            let instances = existing == nil ? [] : try await guardrail.run("ListStackInstances \(set.name)") { try await client.listStackInstances(set.name) }
            plan.stackSets.append((set, InstancePlan.make(target: set, existing: existing, instances: instances, account: target.account)))
        }
        for name in target.formerStackSetNames {
            guard try await guardrail.run("DescribeStackSet \(name)", { try await client.describeStackSet(name) }) != nil else { continue }
            let instances = try await guardrail.run("ListStackInstances \(name)") { try await client.listStackInstances(name) }
            plan.retired.append((name, InstancePlan.removalOrder(instances.map(\.region), rollout: target.layout.orderedRegions)))
        }
        (plan.members, plan.retiredMembers) = try await servicePlan(target.memberStackSet, formerName: target.layout.memberStackSetName)
        plan.memberName = target.memberStackSet?.name
        (plan.readers, plan.retiredReaders) = try await servicePlan(target.readerStackSet, formerName: target.layout.readerStackSetName)
        plan.readerName = target.readerStackSet?.name
        plan.products = try await constraints.survey()
        let stillPointing = plan.products.filter(\.isWatched)
        if !target.layout.source.usesNotifications, !stillPointing.isEmpty {
            throw DeploymentError.constraintsInUse(
                account: target.account, products: stillPointing.map { "\($0.productName) (\($0.productId), \($0.portfolioId), \($0.region))" })
        }
        if !target.layout.source.usesNotifications { plan.products = [] }  // checked only; no constraint is added
        if !target.layout.usesDigests {
            // Turning digests off deletes the digest queue: not while it holds the flush of a held failure.
            let queue = PhysicalName.digestQueue.name(prefix: target.layout.namePrefix)
            let pending = try await guardrail.run("GetQueueAttributes \(queue)") { try await client.queuedMessages(queueName: queue) }
            if let pending, pending > 0 {
                throw DeploymentError.digestsPending(account: target.account, region: target.layout.mainRegion, queue: queue, messages: pending)
            }
        }
        return plan
    }

    /// The plan of a service-managed StackSet the layout has (member forwarding, reader); without one, the
    /// name of such a StackSet an earlier layout left (`formerName`, removed with --yes).
    func servicePlan(_ stackSet: MemberStackSetTarget?, formerName: String) async throws -> (MemberPlan?, retired: String?) {
        if let stackSet { return (try await memberDeployment(stackSet).plan(), nil) }
        let client = client
        let left = try await guardrail.run("DescribeStackSet \(formerName)") { try await client.describeStackSet(formerName) }
        return (nil, left == nil ? nil : formerName)
    }

    /// The exact AWS CLI command that makes a private, encrypted artifact bucket.
    static func createBucketCommand(_ bucket: String, _ region: String) -> String {
        let location = region == "us-east-1" ? "" : " --create-bucket-configuration LocationConstraint=\(region)"
        return "aws s3api create-bucket --bucket \(bucket) --region \(region)\(location)"
            + " && aws s3api put-public-access-block --bucket \(bucket) --public-access-block-configuration"
            + " BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    }
}
