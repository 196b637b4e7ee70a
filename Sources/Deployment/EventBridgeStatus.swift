import AWSClient
import DeployAPI
import JSONText

/// The EventBridge part of `status`: the central bus (and whether its policy admits the organization),
/// the central rule, trusted access, and the member StackSet's instances by status.
package struct EventBridgeStatus: Sendable, Equatable {
    package var busName: String
    /// `present`, `MISSING`, or `present, policy does not admit <org>`.
    package var bus: String
    package var busAdmitsOrganization: Bool
    /// The central rule's state and targets; `MISSING` when absent.
    package var rule: String
    package var ruleTargets: Int
    /// `ENABLED`, `DISABLED`, `DISABLED_PERMANENTLY`, or nil when unknown.
    package var organizationsAccess: String?
    package var memberStackSet: String
    /// `ACTIVE` or `MISSING`.
    package var memberStackSetStatus: String
    /// Member instances by status (`CURRENT`, `OUTDATED`, `INOPERABLE`), in that order, and the failed ones.
    package var memberInstances: [(status: String, count: Int)]
    package var failedMembers: [String]

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.busName == rhs.busName && lhs.bus == rhs.bus && lhs.busAdmitsOrganization == rhs.busAdmitsOrganization
            && lhs.rule == rhs.rule && lhs.ruleTargets == rhs.ruleTargets && lhs.organizationsAccess == rhs.organizationsAccess
            && lhs.memberStackSet == rhs.memberStackSet && lhs.memberStackSetStatus == rhs.memberStackSetStatus
            && lhs.memberInstances.elementsEqual(rhs.memberInstances, by: ==) && lhs.failedMembers == rhs.failedMembers
    }

    package var problems: [String] {
        var problems: [String] = []
        if bus == "MISSING" { problems.append("central bus \(busName) missing") }
        if bus != "MISSING" && !busAdmitsOrganization { problems.append("central bus \(busName): its policy does not let the organization put events") }
        if rule != "ENABLED" { problems.append("central rule: \(rule)") }
        if rule == "ENABLED" && ruleTargets == 0 { problems.append("central rule has no target") }
        if let access = organizationsAccess, access != "ENABLED" { problems.append("trusted access for StackSets: \(access)") }
        if memberStackSetStatus != "ACTIVE" { problems.append("StackSet \(memberStackSet) is \(memberStackSetStatus)") }
        problems += failedMembers.map { "\(memberStackSet) \($0)" }
        return problems
    }

    var lines: [String] {
        [
            "central bus \(busName): \(bus)" + (bus != "MISSING" ? (busAdmitsOrganization ? ", open to the organization" : ", policy does not admit the organization") : ""),
            "central rule: \(rule), \(ruleTargets) target(s)",
            "trusted access for StackSets: \(organizationsAccess ?? "unknown")",
            "StackSet \(memberStackSet) (member accounts): \(memberStackSetStatus)"
                + (memberInstances.isEmpty ? ", no instances" : ", " + memberInstances.map { "\($0.count) \($0.status)" }.joined(separator: ", ")),
        ] + failedMembers.map { "  \($0)" }
    }

    var json: String {
        func q(_ s: String?) -> String { s.map(JSONText.quoted) ?? "null" }
        let counts = memberInstances.map { "\(q($0.status)): \($0.count)" }.joined(separator: ", ")
        return "{\"bus\": \(q(busName)), \"busStatus\": \(q(bus)), \"busAdmitsOrganization\": \(busAdmitsOrganization), "
            + "\"rule\": \(q(rule)), \"ruleTargets\": \(ruleTargets), \"organizationsAccess\": \(q(organizationsAccess)), "
            + "\"memberStackSet\": \(q(memberStackSet)), \"memberStackSetStatus\": \(q(memberStackSetStatus)), "
            + "\"memberInstances\": {\(counts)}, \"failedMembers\": [\(failedMembers.map(JSONText.quoted).joined(separator: ", "))]}"
    }
}

extension StatusInspector {
    /// Reads the central bus, its rule, trusted access and the member StackSet (main region).
    func inspectEventBridge() async throws -> EventBridgeStatus {
        let client = client, busName = target.centralBusName, ruleName = target.centralRuleName, members = target.layout.memberStackSetName
        let bus = try await guardrail.run("DescribeEventBus \(busName)") { try await client.describeEventBus(busName) }
        let rule = try await guardrail.run("DescribeRule \(ruleName)") { try await client.describeRule(ruleName, bus: busName) }
        let access = try await guardrail.run("DescribeOrganizationsAccess") { try await client.organizationsAccess() }
        let set = try await guardrail.run("DescribeStackSet \(members)") { try await client.describeStackSet(members) }
        let instances = set == nil ? [] : try await guardrail.run("ListStackInstances \(members)") { try await client.listStackInstances(members) }
        let organization = target.layout.organizationId
        let admits = bus?.policy.map { policy in policy.contains("aws:PrincipalOrgID") && organization.map { policy.contains($0) } ?? true } ?? false
        let counts = ["CURRENT", "OUTDATED", "INOPERABLE"].compactMap { status -> (String, Int)? in
            let n = instances.filter { $0.status == status }.count
            return n == 0 ? nil : (status, n)
        }
        let failed = instances.filter { $0.status != "CURRENT" }.map {
            "account \($0.account), region \($0.region): \($0.status)" + ($0.detailedStatus.map { " (\($0))" } ?? "") + ($0.statusReason.map { ": \($0)" } ?? "")
        }
        return EventBridgeStatus(
            busName: busName, bus: bus == nil ? "MISSING" : "present", busAdmitsOrganization: admits,
            rule: rule?.state ?? "MISSING", ruleTargets: rule?.targetArns.count ?? 0, organizationsAccess: access?.rawValue,
            memberStackSet: members, memberStackSetStatus: set?.status ?? "MISSING", memberInstances: counts, failedMembers: failed)
    }
}
