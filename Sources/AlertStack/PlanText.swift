/// What `catalogwatch plan` prints for a layout: rollout order, event paths, member rollout and the
/// region × resource matrix. Pure, so tests read it without running the CLI.
package enum PlanText {
    package static func lines(for layout: Layout) -> [String] {
        var lines = [
            "Layout: main region \(layout.mainRegion), \(layout.orderedRegions.count) region\(layout.orderedRegions.count == 1 ? "" : "s"), source \(layout.source.rawValue), buffer \(layout.buffer.rawValue), rollout \(layout.rollout.rawValue)",
            "", "Rollout order:",
        ]
        var step = 1
        for wave in StackSetArtifacts.waves(for: layout) {
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
        return lines + [""] + eventPaths(layout)
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
            lines.append("Duplicates (EventBridge delivers at least once\(layout.source == .both ? "; with source both a failure arrives by SNS and by EventBridge" : "")): the filter records each alert in the \(layout.namePrefix)-alerts-sent table and sends a failure once")
        }
        return lines + [failures]
    }
}
