import AWSClient
import DeployAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A stack deployed through a change set: planned (the change set is made and read), then executed,
/// or deleted again when it changes nothing or in a dry run.
package struct ChangeSetDeployment: Sendable {
    /// What the change set would do.
    package enum Plan: Sendable, Equatable {
        case unchanged
        /// A new stack; in a dry run no change set is made, so the resources are counted from the template.
        case create(changeSetId: String?)
        case update(changeSetId: String, changes: [ChangeSetDescription.ResourceChange])
    }

    package var client: AWSClient
    package var stackName: String
    package var templateBody: String
    package var parameters: [(String, String)]
    package var capabilities: [String]
    package var waiting: Waiting
    package var reporter: any ProgressReporter
    package var guardrail: Guard

    /// Makes and reads the change set (none in a dry run for a stack that does not exist yet).
    package func plan(dryRun: Bool) async throws -> Plan {
        var existing = try await guardrail.run("DescribeStacks \(stackName)") { try await client.describeStack(stackName) }
        if let stack = existing, !stack.isSettled {
            existing = try await settle(stack)
        }
        if let stack = existing, stack.status == "ROLLBACK_COMPLETE" {
            // A stack whose creation failed cannot be updated: it is deleted and made again.
            if dryRun { return .create(changeSetId: nil) }
            reporter.report(.step("delete stack \(stackName), left in ROLLBACK_COMPLETE by a failed creation"))
            try await guardrail.run("DeleteStack \(stackName)") { try await client.deleteStack(stackName) }
            let deleting = try await guardrail.run("DescribeStacks \(stackName)") { try await client.describeStack(stack.stackId) }
            existing = try await deleting.asyncFlatMap(settle)
        }
        let creating = existing == nil || existing?.status == "REVIEW_IN_PROGRESS" || existing?.status == "DELETE_COMPLETE"
        if creating && dryRun { return .create(changeSetId: nil) }
        let name = "catalogwatch-" + UUID().uuidString.lowercased().prefix(8)
        let made = try await guardrail.run("CreateChangeSet \(stackName)") { () -> String? in
            do {
                return try await client.createChangeSet(
                    stackName: stackName, changeSetName: String(name), type: creating ? "CREATE" : "UPDATE",
                    templateBody: templateBody, parameters: parameters, capabilities: capabilities)
            } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("No updates are to be performed") {
                return nil  // some endpoints refuse an empty change set at once instead of failing it
            }
        }
        guard let id = made else { return .unchanged }
        let description = try await describeWhenReady(id)
        if description.hasNoChanges {
            try await guardrail.run("DeleteChangeSet \(stackName)") { try await client.deleteChangeSet(id) }
            return .unchanged
        }
        guard description.status == "CREATE_COMPLETE" else {
            throw DeploymentError.stackFailed(stack: stackName, account: guardrail.account, region: guardrail.region,
                                              status: "change set \(description.status)", reason: description.statusReason ?? "no reason given")
        }
        if dryRun {
            try await guardrail.run("DeleteChangeSet \(stackName)") { try await client.deleteChangeSet(id) }
        }
        return creating ? .create(changeSetId: id) : .update(changeSetId: id, changes: description.changes)
    }

    /// Executes the planned change set and waits for the stack to settle; a failed stack is an error.
    package func apply(_ plan: Plan) async throws {
        let id: String
        switch plan {
        case .unchanged, .create(nil): return
        case .create(let changeSetId?): id = changeSetId
        case .update(let changeSetId, _): id = changeSetId
        }
        reporter.report(.step("execute change set of stack \(stackName)"))
        let token = "catalogwatch-" + UUID().uuidString.lowercased()
        try await guardrail.run("ExecuteChangeSet \(stackName)") { try await client.executeChangeSet(id, clientRequestToken: token) }
        // Until the change set reports its execution, DescribeStacks may still show the status before it.
        var executed = try await guardrail.run("DescribeChangeSet \(stackName)") { try await client.describeChangeSet(id) }
        while ["AVAILABLE", "EXECUTE_IN_PROGRESS"].contains(executed.executionStatus ?? "") {
            try await waiting.poll("change set of \(stackName) (\(executed.executionStatus ?? ""))")
            executed = try await guardrail.run("DescribeChangeSet \(stackName)") { try await client.describeChangeSet(id) }
        }
        let stackId = executed.stackId ?? stackName
        guard let stack = try await guardrail.run("DescribeStacks \(stackName)", { try await client.describeStack(stackId) }) else {
            throw DeploymentError.stackFailed(stack: stackName, account: guardrail.account, region: guardrail.region,
                                              status: "missing", reason: "the stack disappeared while its change set ran")
        }
        let settled = try await settle(stack)
        guard let settled, ["CREATE_COMPLETE", "UPDATE_COMPLETE"].contains(settled.status) else {
            throw DeploymentError.stackFailed(stack: stackName, account: guardrail.account, region: guardrail.region,
                                              status: settled?.status ?? "DELETE_COMPLETE", reason: settled?.statusReason ?? "no reason given")
        }
        reporter.report(.region(stackSet: stackName, region: guardrail.region, status: settled.status, reason: nil))
    }

    /// Deletes the stack and waits until it is gone; a stack that was never there is fine.
    package func delete() async throws {
        guard let stack = try await guardrail.run("DescribeStacks \(stackName)", { try await client.describeStack(stackName) }) else { return }
        reporter.report(.step("delete stack \(stackName)"))
        try await guardrail.run("DeleteStack \(stackName)") { try await client.deleteStack(stackName) }
        var seenDeleting = false
        while let left = try await guardrail.run("DescribeStacks \(stackName)", { try await client.describeStack(stack.stackId) }),
              left.status != "DELETE_COMPLETE" {
            seenDeleting = seenDeleting || left.status == "DELETE_IN_PROGRESS"
            // DELETE_FAILED, or a delete that went back to a settled status (an export still in use).
            if left.isSettled && (left.status.hasPrefix("DELETE") || seenDeleting) {
                throw DeploymentError.stackFailed(stack: stackName, account: guardrail.account, region: guardrail.region,
                                                  status: left.status, reason: left.statusReason ?? "no reason given")
            }
            try await waiting.poll("deletion of stack \(stackName) (\(left.status))")
        }
    }

    /// Polls the stack (by id, so a deleted stack is still seen) until no operation runs on it.
    func settle(_ stack: StackDescription) async throws -> StackDescription? {
        var current: StackDescription? = stack
        while let s = current, !s.isSettled {
            try await waiting.poll("stack \(stackName) (\(s.status))")
            current = try await guardrail.run("DescribeStacks \(stackName)") { try await client.describeStack(stack.stackId) }
        }
        return current
    }

    func describeWhenReady(_ id: String) async throws -> ChangeSetDescription {
        while true {
            let d = try await guardrail.run("DescribeChangeSet \(stackName)") { try await client.describeChangeSet(id) }
            if !["CREATE_PENDING", "CREATE_IN_PROGRESS"].contains(d.status) { return d }
            try await waiting.poll("change set of \(stackName)")
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
