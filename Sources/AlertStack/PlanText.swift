import Layout
import FilterContract

/// What `catalogwatch plan` prints for a layout: rollout order, event paths, member rollout and the
/// region × resource matrix. Pure, so tests read it without running the CLI.
package enum PlanText {
    package static func lines(for layout: Layout) -> [String] {
        var lines = [
            "Layout: main region \(layout.mainRegion), \(layout.orderedRegions.count) region\(layout.orderedRegions.count == 1 ? "" : "s"), source \(layout.source.rawValue), buffer \(layout.buffer.rawValue), rollout \(layout.rollout.rawValue)",
        ] + memberRole(layout) + ["", "Rollout order:"]
        var step = 1
        for wave in StackSetArtifacts.plans(for: layout) {
            if wave.sequential {
                for region in wave.regions {
                    lines.append("  \(step). \(region)\(region == layout.mainRegion ? "  (main: filter Lambda, send topic\(layout.source.usesEventBridge ? ", central bus" : ""))" : "")  [\(wave.stackSetName)]")
                    step += 1
                }
            } else {
                lines.append("  \(step). in parallel, after step \(step - 1) completes: \(wave.regions.joined(separator: ", "))  [\(wave.stackSetName)]")
                step += 1
            }
        }
        if layout.source.usesEventBridge { lines += [""] + memberRollout(layout, after: step) }
        return lines + [""] + eventPaths(layout) + [""] + routes(layout) + guardrails(layout)
    }

    /// Which route gets which alerts: the default route, then each route with its match.
    static func routes(_ layout: Layout) -> [String] {
        var lines = ["Routes (filter policies on the alert's message attributes: SNS applies them to the subscriptions, the filter to a chat route's topic):"]
        lines.append(layout.defaultRoute
            ? "  default: e-mail \(layout.notificationEmail ?? "the \(ParameterName.notificationEmail.name) parameter") gets every alert"
            : "  default: off")
        for route in layout.routes {
            let conditions = route.match.filterPolicy.map { "\($0.attribute) \($0.values.count == 1 ? "= \($0.values[0])" : "in {\($0.values.joined(separator: ", "))}")" }
            lines.append("  \(route.name): \(route.destination.kind.planText(route: route, layout: layout)) gets alerts with \(conditions.joined(separator: " and "))")
        }
        if !layout.routeTags.isEmpty {
            lines.append("  route tags: \(layout.routeTags.map { "\($0) → tag.\($0)" }.joined(separator: ", ")) (from the failed stack's tags; an alert without the tag takes only the routes that do not ask for it)")
        }
        return lines + digests(layout) + heartbeat(layout)
    }

    /// The heartbeat of every region, and its alarms.
    static func heartbeat(_ layout: Layout) -> [String] {
        guard let minutes = layout.heartbeatMinutes, layout.source.usesNotifications else { return [] }
        let every = minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes) min"
        return [
            "Heartbeat: every \(every), rule \(PhysicalName.heartbeatRule.name(prefix: layout.namePrefix)) in each region sends a canary into its receive topic; "
                + "in \(layout.mainRegion), alarm \(PhysicalName.heartbeatAlarm("<region>").name(prefix: layout.namePrefix)) per region when two intervals pass without one"
        ]
    }

    /// Which routes hold storms for digests, and how.
    static func digests(_ layout: Layout) -> [String] {
        guard layout.usesDigests else { return [] }
        func text(_ d: DigestSetting?) -> String {
            d.map { "the first \($0.threshold) failures of a product version within \($0.windowText) one by one, the rest as one digest when the window ends" } ?? "every alert one by one"
        }
        let rules = layout.digestRules
        var lines = ["Storm digests (an alert is held only when every route it takes digests; queue \(PhysicalName.digestQueue.name(prefix: layout.namePrefix)), ledger \(PhysicalName.alertLedger.name(prefix: layout.namePrefix))):"]
        if let defaultRoute = rules.defaultRoute { lines.append("  default: \(text(defaultRoute))") }
        lines += rules.routes.map { "  \($0.name): \(text($0.digest))" }
        return lines
    }

    /// The role the filter assumes in member accounts, and how it gets there (before the alert stacks).
    static func memberRole(_ layout: Layout) -> [String] {
        let roles = "Roles: the roles stack \(PhysicalName.rolesStack.name(prefix: layout.namePrefix)) (management account, \(layout.mainRegion)) holds every role the alert stacks use; the StackSets create none"
        guard layout.deployMemberRole else {
            let admin = Layout.administratorRoleNames.contains(layout.memberRoleName)
            return ["", roles, "Member role: \(layout.memberRoleName), which the landing zone provides in every member account"
                + (admin ? " (administrator access: the read-only reader role is the default)" : "")]
        }
        let targets = layout.organizationalUnits.isEmpty
            ? "the OUs under organizationalUnits (none listed: add the OU ids ou-… or the root id r-… before deploy)"
            : "every account of \(layout.organizationalUnits.joined(separator: ", "))"
        return [
            "", roles,
            "Member role: \(layout.memberRoleName) (read-only, trusts only the filter's role), put by StackSet \(layout.readerStackSetName) (service-managed, auto-deployment) into \(targets) in \(layout.mainRegion) only (IAM is global), before the alert stacks",
        ]
    }

    /// The landing-zone guardrails the templates carry.
    static func guardrails(_ layout: Layout) -> [String] {
        var parts: [String] = []
        if !layout.tags.isEmpty { parts.append("tags \(layout.tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) on every taggable resource and the StackSets") }
        if let boundary = layout.permissionsBoundary { parts.append("permissions boundary \(boundary) on every role") }
        if let path = layout.rolePath { parts.append("role path \(path) (the StackSet execution role stays at /: StackSets find it by name)") }
        switch layout.encryption {
        case .generatedKey?: parts.append("topics, queues and ledger encrypted with a generated KMS key per region (alias/\(PhysicalName.alertKeyAlias.name(prefix: layout.namePrefix)))")
        case .key(let arn)?: parts.append("topics, queues and ledger encrypted with \(arn) (its policy must admit SNS, EventBridge and CloudWatch of this account, and the organization's launch roles through SNS)")
        case nil: break
        }
        return parts.isEmpty ? [] : ["", "Guardrails:"] + parts.map { "  \($0)" }
    }

    /// The service-managed member StackSet and why its auto-deployments ignore RegionOrder.
    static func memberRollout(_ layout: Layout, after step: Int) -> [String] {
        [
            "Member accounts: \(step). after the steps above, StackSet \(layout.memberStackSetName) (service-managed) puts the forwarding rule into every account of \(layout.organizationalUnits.joined(separator: ", ")) in \(layout.orderedRegions.joined(separator: ", "))",
            "  Preferences: regions in parallel (RegionOrder \(layout.orderedRegions.joined(separator: ", "))), \(MemberForwarding.maxConcurrentPercentage)% of the accounts at a time, up to \(MemberForwarding.failureTolerancePercentage)% may fail (one locked-down account does not stop the rest)",
            "  Auto-deployment is on: an account that joins these OUs gets the rule without a deploy, and loses it when it leaves. AWS runs those",
            "  deployments itself; operation preferences, RegionOrder included, do not apply to them, so the order is AWS's. That is safe here:",
            "  the central bus exists before the member StackSet is created, and a forward that fails is retried for 24 hours.",
            "  The management account is never a target of a service-managed StackSet: its own regions forward through \(layout.stackSetName).",
        ]
    }

    /// How an event reaches the filter, and where it goes when it cannot, for each source of the layout.
    static func eventPaths(_ layout: Layout) -> [String] {
        var lines: [String] = []
        let filter: String
        let failures: String
        switch layout.buffer {
        case .none:
            filter = "filter Lambda (\(layout.mainRegion)) → send topic → e-mail"
            failures = "Failed invocations: Lambda retries twice, then the filter dead-letter queue (alarm → send topic)"
        case .sqs:
            filter = "SQS queue (\(layout.mainRegion)) → filter Lambda (batches of \(AlertStack.batchSize), at most \(AlertStack.maximumConcurrency) at once) → send topic → e-mail"
            failures = "Failed events: reported as batch item failures, retried \(AlertStack.maxReceiveCount) times, then the event dead-letter queue (alarm → send topic)"
        }
        if layout.source.usesNotifications {
            lines.append("Event path: CloudFormation (member account) → receive topic (same region, management account) → \(filter)")
        }
        if layout.source.usesEventBridge {
            lines.append("Event path: CloudFormation (member account) → default bus → forwarding rule (Service Catalog stacks, terminal failures only) → \(layout.centralBusName) bus (\(layout.mainRegion), management account) → rule → \(filter)")
            lines.append("Undeliverable events: each rule retries for 24 hours; the central rule then keeps them in its dead-letter queue (alarm → send topic)")
            lines.append("Duplicates (EventBridge delivers at least once\(layout.source == .both ? "; with source both a failure arrives by SNS and by EventBridge" : "")): the filter records each alert in the \(PhysicalName.alertLedger.name(prefix: layout.namePrefix)) table and sends a failure once")
        }
        return lines + [failures]
    }
}
