import AlertStack
import Layout
import DeployAPI
import JSONText

/// What `status` found of the reader role's StackSet (`deployMemberRole`): its status and its instances
/// (one per member account, main region) by status.
package struct ReaderStatus: Sendable, Equatable {
    package var stackSet: String
    /// `ACTIVE`, or `MISSING`.
    package var status: String
    package var instances: [StatusCount]
    package var failed: [String]

    /// How many instances have one status.
    package struct StatusCount: Sendable, Equatable {
        package var status: String
        package var count: Int
    }

    package var problems: [String] {
        (status != "ACTIVE" ? ["StackSet \(stackSet) is \(status)"] : []) + failed.map { "\(stackSet) \($0)" }
    }

    package var line: String {
        "StackSet \(stackSet) (reader role, member accounts): \(status)"
            + (instances.isEmpty ? ", no instances" : ", " + instances.map { "\($0.count) \($0.status)" }.joined(separator: ", "))
    }

    package var json: String {
        let counts = instances.map { "\(JSONText.quoted($0.status)): \($0.count)" }.joined(separator: ", ")
        return "{\"stackSet\": \(JSONText.quoted(stackSet)), \"status\": \(JSONText.quoted(status)), \"instances\": {\(counts)}, "
            + "\"failed\": [\(failed.map(JSONText.quoted).joined(separator: ", "))]}"
    }

    /// Counts `instances` by status (CURRENT, OUTDATED, INOPERABLE, in that order) and describes each that is not CURRENT.
    static func summarize(_ instances: [StackInstanceSummary]) -> (counts: [StatusCount], failed: [String]) {
        let counts = ["CURRENT", "OUTDATED", "INOPERABLE"].compactMap { status -> StatusCount? in
            let n = instances.filter { $0.status == status }.count
            return n == 0 ? nil : StatusCount(status: status, count: n)
        }
        let failed = instances.filter { $0.status != "CURRENT" }.map {
            "account \($0.account), region \($0.region): \($0.status)" + ($0.detailedStatus.map { " (\($0))" } ?? "") + ($0.statusReason.map { ": \($0)" } ?? "")
        }
        return (counts, failed)
    }
}

extension StatusInspector {
    /// Reads the reader StackSet (main region of the management account).
    func inspectReader() async throws -> ReaderStatus {
        let client = client, name = target.layout.readerStackSetName
        let set = try await guardrail.run("DescribeStackSet \(name)") { try await client.describeStackSet(name) }
        let instances = set == nil ? [] : try await guardrail.run("ListStackInstances \(name)") { try await client.listStackInstances(name) }
        let (counts, failed) = ReaderStatus.summarize(instances)
        return ReaderStatus(stackSet: name, status: set?.status ?? "MISSING", instances: counts, failed: failed)
    }
}
