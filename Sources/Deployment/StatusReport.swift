import AWSIdentifiers
import AWSClient
import AlertStack
import Layout
import DeployAPI
import JSONText
import FilterContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `status` found: per StackSet and region, and the alert path's health. Pure data, rendered as text or JSON.
package struct StatusReport: Sendable, Equatable {
    /// One stack instance (or its absence).
    package struct Instance: Sendable, Equatable {
        package var region: String
        /// `CURRENT`, `OUTDATED`, `INOPERABLE`, or `MISSING` when the layout lists the region but no instance exists.
        package var status: String
        package var detailedStatus: String?
        package var reason: String?
        package var drift: String?
        /// Whether the region's receive topic exists; nil when the source has none (eventbridge).
        package var receiveTopic: Bool?
        /// The state of the region's forwarding rule (`ENABLED`, ..., `MISSING`); nil when the source has none.
        package var forwardRule: String? = nil
    }

    /// One StackSet.
    package struct StackSet: Sendable, Equatable {
        package var name: String
        /// `ACTIVE`, or `MISSING`.
        package var status: String
        package var drift: String?
        package var instances: [Instance]
    }

    package var account: String
    package var stackSets: [StackSet] = []
    package var rolesStack: String = "MISSING"
    /// `confirmed`, `pending confirmation`, `none`, or `no topic`.
    package var emailSubscription: String = "no topic"
    package var deadLetters: [(queue: String, depth: Int?)] = []
    package var filterErrors24h: Double?
    package var unwatchedProducts: [ProductWatch] = []
    /// The central bus, its rule and the member StackSet (EventBridge sources).
    package var eventBridge: EventBridgeStatus?
    /// The reader role's StackSet (`deployMemberRole`).
    package var reader: ReaderStatus?
    /// `heartbeat`: the interval (minutes) and, per region, the time of its last heartbeat (nil: none in 24 h).
    package var heartbeat: (minutes: Int, last: [(region: String, at: String?, ageMinutes: Int?)])?

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.account == rhs.account && lhs.stackSets == rhs.stackSets && lhs.rolesStack == rhs.rolesStack
            && lhs.emailSubscription == rhs.emailSubscription && lhs.deadLetters.elementsEqual(rhs.deadLetters, by: ==)
            && lhs.filterErrors24h == rhs.filterErrors24h && lhs.unwatchedProducts == rhs.unwatchedProducts
            && lhs.eventBridge == rhs.eventBridge && lhs.reader == rhs.reader
            && lhs.heartbeat?.minutes == rhs.heartbeat?.minutes
            && (lhs.heartbeat?.last ?? []).elementsEqual(rhs.heartbeat?.last ?? [], by: ==)
    }

    /// A region's heartbeat is late when none came within two intervals (its alarm fires then too).
    var lateHeartbeats: [String] {
        guard let heartbeat else { return [] }
        return heartbeat.last.filter { ($0.ageMinutes ?? Int.max) > 2 * heartbeat.minutes }.map(\.region)
    }

    /// Every reason the deployment is not healthy; empty when it is.
    package var problems: [String] {
        var problems: [String] = []
        if !["CREATE_COMPLETE", "UPDATE_COMPLETE"].contains(rolesStack) { problems.append("roles stack is \(rolesStack)") }
        for set in stackSets {
            if set.status != "ACTIVE" { problems.append("StackSet \(set.name) is \(set.status)") }
            if set.drift == "DRIFTED" { problems.append("StackSet \(set.name) has drifted") }
            for i in set.instances {
                if i.status != "CURRENT" { problems.append("\(set.name) \(i.region): \(i.status)" + (i.reason.map { " (\($0))" } ?? "")) }
                if i.drift == "DRIFTED" { problems.append("\(set.name) \(i.region): drifted") }
                if i.status == "CURRENT" && i.receiveTopic == false { problems.append("\(i.region): receive topic missing") }
                if i.status == "CURRENT", let rule = i.forwardRule, rule != "ENABLED" { problems.append("\(i.region): forwarding rule \(rule)") }
            }
        }
        if emailSubscription != "confirmed" { problems.append("e-mail subscription: \(emailSubscription)") }
        for (queue, depth) in deadLetters where (depth ?? 0) > 0 { problems.append("\(queue) holds \(depth!) message(s)") }
        if let errors = filterErrors24h, errors > 0 { problems.append("filter errors in the last 24 h: \(Int(errors))") }
        for w in unwatchedProducts { problems.append("\(w.region) \(w.portfolioId) \(w.productName) (\(w.productId)) lacks the notification constraint") }
        for region in lateHeartbeats { problems.append("\(region): no heartbeat in the last \(2 * (heartbeat?.minutes ?? 0)) minutes") }
        return problems + (reader?.problems ?? []) + (eventBridge?.problems ?? [])
    }

    package var isHealthy: Bool { problems.isEmpty }

    package var text: String {
        var lines = ["account \(account)", "roles stack: \(rolesStack)"]
        for set in stackSets {
            lines.append("StackSet \(set.name): \(set.status)" + (set.drift.map { ", drift \($0)" } ?? ""))
            for i in set.instances {
                var line = "  \(i.region): \(i.status)"
                if let d = i.detailedStatus { line += " (\(d))" }
                if let drift = i.drift { line += ", drift \(drift)" }
                if let topic = i.receiveTopic { line += topic ? ", receive topic present" : ", receive topic missing" }
                if let rule = i.forwardRule { line += ", forwarding rule \(rule)" }
                if let reason = i.reason { line += ": \(reason)" }
                lines.append(line)
            }
        }
        lines.append("e-mail subscription: \(emailSubscription)")
        for (queue, depth) in deadLetters { lines.append("dead-letter queue \(queue): \(depth.map(String.init) ?? "missing")") }
        lines.append("filter errors in the last 24 h: \(filterErrors24h.map { String(Int($0)) } ?? "unknown")")
        for w in unwatchedProducts { lines.append("unwatched: \(w.region) \(w.portfolioId) \(w.productName) (\(w.productId))") }
        if let reader { lines.append(reader.line) }
        if let eventBridge { lines += eventBridge.lines }
        if let heartbeat {
            for h in heartbeat.last {
                lines.append("heartbeat \(h.region): " + (h.at.map { "last at \($0) (\(h.ageMinutes ?? 0) min ago)" } ?? "none in the last 24 h"))
            }
        }
        lines.append(isHealthy ? "healthy" : "degraded: " + problems.joined(separator: "; "))
        return lines.joined(separator: "\n")
    }

    package var json: String {
        func q(_ s: String?) -> String { s.map(JSONText.quoted) ?? "null" }
        let sets = stackSets.map { set in
            let instances = set.instances.map { i in
                "{\"region\": \(q(i.region)), \"status\": \(q(i.status)), \"detailedStatus\": \(q(i.detailedStatus)), "
                    + "\"reason\": \(q(i.reason)), \"drift\": \(q(i.drift)), \"receiveTopic\": \(i.receiveTopic.map(String.init) ?? "null"), "
                    + "\"forwardRule\": \(q(i.forwardRule))}"
            }
            return "{\"name\": \(q(set.name)), \"status\": \(q(set.status)), \"drift\": \(q(set.drift)), \"instances\": [\(instances.joined(separator: ", "))]}"
        }
        let queues = deadLetters.map { "{\"queue\": \(q($0.queue)), \"depth\": \($0.depth.map(String.init) ?? "null")}" }
        let unwatched = unwatchedProducts.map { "{\"region\": \(q($0.region)), \"portfolioId\": \(q($0.portfolioId)), \"productId\": \(q($0.productId)), \"productName\": \(q($0.productName))}" }
        return "{\"account\": \(q(account)), \"healthy\": \(isHealthy), \"rolesStack\": \(q(rolesStack)), "
            + "\"stackSets\": [\(sets.joined(separator: ", "))], \"emailSubscription\": \(q(emailSubscription)), "
            + "\"deadLetterQueues\": [\(queues.joined(separator: ", "))], "
            + "\"filterErrors24h\": \(filterErrors24h.map { String(Int($0)) } ?? "null"), "
            + "\"unwatchedProducts\": [\(unwatched.joined(separator: ", "))], "
            + "\"reader\": \(reader?.json ?? "null"), \"eventBridge\": \(eventBridge?.json ?? "null"), "
            + "\"heartbeats\": \(heartbeatJSON), "
            + "\"problems\": [\(problems.map(JSONText.quoted).joined(separator: ", "))]}"
    }
}

extension StatusReport {
    var heartbeatJSON: String {
        guard let heartbeat else { return "null" }
        let items = heartbeat.last.map { h in
            "{\"region\": \(JSONText.quoted(h.region)), \"last\": \(h.at.map(JSONText.quoted) ?? "null"), \"ageMinutes\": \(h.ageMinutes.map(String.init) ?? "null")}"
        }
        return "{\"intervalMinutes\": \(heartbeat.minutes), \"regions\": [\(items.joined(separator: ", "))]}"
    }
}

/// Reads the deployment's state from the account (`catalogwatch status`); changes nothing but drift detection runs.
package struct StatusInspector: Sendable {
    package var client: AWSClient
    package var target: DeploymentTarget
    package var reporter: any ProgressReporter
    package var waiting: Waiting
    package var detectDrift = false
    package var now: UnixTime = .now()

    package init(client: AWSClient, target: DeploymentTarget, reporter: any ProgressReporter, waiting: Waiting, detectDrift: Bool = false) {
        self.client = client.with(region: target.layout.mainRegion)
        self.target = target
        self.reporter = reporter
        self.waiting = waiting
        self.detectDrift = detectDrift
    }

    var guardrail: Guard { Guard(account: target.account, region: target.layout.mainRegion, waiting: waiting, reporter: reporter) }

    package func inspect() async throws -> StatusReport {
        var report = StatusReport(account: target.account)
        let roles = try await guardrail.run("DescribeStacks \(target.rolesStackName)") { try await client.describeStack(target.rolesStackName) }
        report.rolesStack = roles?.status ?? "MISSING"
        for set in target.stackSets { report.stackSets.append(try await inspect(set)) }
        let topic = target.alertTopicArn
        if try await guardrail.run("GetTopicAttributes \(topic)", { try await client.topicExists(topic) }) {
            let subs = try await guardrail.run("ListSubscriptionsByTopic \(topic)") { try await client.subscriptions(topicArn: topic) }
            let email = subs.filter { $0.protocolName == "email" }
            report.emailSubscription = email.isEmpty ? "none" : (email.contains { !$0.isPendingConfirmation } ? "confirmed" : "pending confirmation")
        }
        for queue in target.deadLetterQueues {
            let depth = try await guardrail.run("GetQueueAttributes \(queue)") { try await client.queueDepth(queueName: queue) }
            report.deadLetters.append((queue, depth))
        }
        let function = target.functionName, end = now
        report.filterErrors24h = try await guardrail.run("GetMetricStatistics Errors") {
            try await client.lambdaMetricSum(functionName: function, metric: "Errors", end: end)
        }
        if target.layout.source.usesNotifications {
            let products = try await CatalogConstraints(client: client, target: target, reporter: reporter, waiting: waiting).survey()
            report.unwatchedProducts = products.filter { !$0.isWatched }
        }
        if target.layout.deployMemberRole { report.reader = try await inspectReader() }
        if target.layout.source.usesEventBridge { report.eventBridge = try await inspectEventBridge() }
        if let minutes = target.layout.heartbeatMinutes, target.layout.source.usesNotifications {
            report.heartbeat = (minutes, try await lastHeartbeats())
        }
        return report
    }

    /// The last heartbeat of every region (the filter's `Heartbeats` metric by `Region`, main region).
    func lastHeartbeats() async throws -> [(region: String, at: String?, ageMinutes: Int?)] {
        var out: [(region: String, at: String?, ageMinutes: Int?)] = []
        let end = now
        for region in target.layout.regions {
            let last = try await guardrail.run("GetMetricStatistics \(Canary.heartbeatMetric) \(region)") {
                try await client.latestDatapoint(
                    namespace: Canary.metricNamespace, metric: Canary.heartbeatMetric, dimension: (Canary.heartbeatDimension, region), end: end)
            }
            out.append((region, last.map(AWSTimestamp.iso8601), last.map { Int(end.seconds(since: $0) / 60) }))
        }
        return out
    }

    func inspect(_ set: DeploymentTarget.StackSetTarget) async throws -> StatusReport.StackSet {
        guard var described = try await guardrail.run("DescribeStackSet \(set.name)", { try await client.describeStackSet(set.name) }) else {
            return .init(name: set.name, status: "MISSING", drift: nil,
                         instances: set.regions.map { .init(region: $0, status: "MISSING", receiveTopic: target.layout.source.usesNotifications ? false : nil) })
        }
        if detectDrift {
            let client = client, prefs = set.rollout.operationPreferences
            try await StackSetOperations(client: client, account: target.account, waiting: waiting, reporter: reporter)
                .run("DetectStackSetDrift", stackSet: set.name, regions: set.regions) { id in
                    try await client.detectStackSetDrift(set.name, preferences: prefs, operationId: id)
                }
            described = try await guardrail.run("DescribeStackSet \(set.name)") { try await client.describeStackSet(set.name) } ?? described
        }
        let instances = try await guardrail.run("ListStackInstances \(set.name)") { try await client.listStackInstances(set.name) }
            .filter { $0.account == target.account }
        var result = StatusReport.StackSet(name: set.name, status: described.status, drift: described.driftStatus, instances: [])
        for region in set.regions + instances.map(\.region).filter({ !set.regions.contains($0) }) {
            let (topic, rule) = try await entryPoints(region)
            guard let i = instances.first(where: { $0.region == region }) else {
                result.instances.append(.init(region: region, status: "MISSING", receiveTopic: topic, forwardRule: rule))
                continue
            }
            let status = set.regions.contains(region) ? i.status : "NOT IN LAYOUT"
            result.instances.append(.init(region: region, status: status, detailedStatus: i.detailedStatus, reason: i.statusReason,
                                          drift: i.driftStatus, receiveTopic: topic, forwardRule: rule))
        }
        return result
    }

    /// Where failures enter in `region`: whether the receive topic exists, and the forwarding rule's state
    /// (each nil when the layout's source has none).
    func entryPoints(_ region: String) async throws -> (receiveTopic: Bool?, forwardRule: String?) {
        let regional = Guard(account: target.account, region: region, waiting: waiting, reporter: reporter), client = client.with(region: region)
        var topic: Bool?, rule: String?
        if target.layout.source.usesNotifications {
            let arn = target.receiveTopicArn(region)
            topic = try await regional.run("GetTopicAttributes \(arn)") { try await client.topicExists(arn) }
        }
        if target.layout.source.usesEventBridge {
            let name = target.forwardRuleName
            rule = try await regional.run("DescribeRule \(name)") { try await client.describeRule(name, bus: nil) }?.state ?? "MISSING"
        }
        return (topic, rule)
    }
}
