import AWSClient

/// A stack as `DescribeStacks` reports it: enough to wait on it and read its outputs.
package struct StackDescription: Sendable, Equatable {
    package var stackId: String
    package var name: String
    package var status: String
    package var statusReason: String?
    package var outputs: [String: String]

    /// A status no operation is still working towards: `*_COMPLETE`, `*_FAILED`, or `REVIEW_IN_PROGRESS`
    /// (a stack made by a CREATE change set that nobody executed: it stays so until someone does).
    package var isSettled: Bool { !status.hasSuffix("_IN_PROGRESS") || status == "REVIEW_IN_PROGRESS" }
}

/// A change set's state and the resource changes it holds.
package struct ChangeSetDescription: Sendable, Equatable {
    /// One resource change: `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    package struct ResourceChange: Sendable, Equatable {
        package var action: String
        package var logicalId: String
        package var resourceType: String
        package var replacement: String?
    }

    package var id: String
    /// The stack the change set belongs to (by id: a name can be reused).
    package var stackId: String?
    package var status: String
    package var statusReason: String?
    package var executionStatus: String?
    package var changes: [ResourceChange]

    /// CloudFormation's way of saying an update would change nothing: the change set fails with this reason.
    package var hasNoChanges: Bool {
        status == "FAILED" && ((statusReason ?? "").contains("didn't contain changes")
            || (statusReason ?? "").contains("No updates are to be performed"))
    }
}

extension AWSClient {
    /// `DescribeStacks` for one stack; nil when it does not exist (or is deleted, when looked up by name).
    package func describeStack(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws -> StackDescription? {
        let root: XML.Element
        do {
            root = try await query(.cloudFormation, action: "DescribeStacks", parameters: [("StackName", name)], deadline: deadline)
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return nil
        }
        guard let member = root.members("DescribeStacksResult/Stacks").first else { return nil }
        guard let id = member.value("StackId"), let status = member.value("StackStatus") else {
            throw Self.missing("DescribeStacksResult/Stacks/member/StackStatus", .cloudFormation, "DescribeStacks")
        }
        var outputs: [String: String] = [:]
        for output in member.members("Outputs") {
            if let key = output.value("OutputKey") { outputs[key] = output.value("OutputValue") ?? "" }
        }
        return StackDescription(
            stackId: id, name: member.value("StackName") ?? name, status: status,
            statusReason: member.value("StackStatusReason"), outputs: outputs)
    }

    /// `CreateChangeSet`: `type` is `CREATE` for a new stack, `UPDATE` for an existing one; returns the change set id.
    package func createChangeSet(
        stackName: String, changeSetName: String, type: String, templateBody: String,
        parameters: [(String, String)], capabilities: [String], deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = QueryParameters()
        p.add("StackName", stackName)
        p.add("ChangeSetName", changeSetName)
        p.add("ChangeSetType", type)
        p.add("TemplateBody", templateBody)
        p.add("Parameters", structures: parameters.map { [("ParameterKey", $0.0), ("ParameterValue", $0.1)] })
        p.add("Capabilities", list: capabilities)
        p.add("Description", "catalogwatch deploy")
        // Retries of this request (the client's, after a lost answer) carry the same token.
        p.add("ClientToken", changeSetName)
        let root = try await query(.cloudFormation, action: "CreateChangeSet", parameters: p.pairs, deadline: deadline)
        guard let id = root.value("CreateChangeSetResult/Id") else {
            throw Self.missing("CreateChangeSetResult/Id", .cloudFormation, "CreateChangeSet")
        }
        return id
    }

    /// `DescribeChangeSet` (every page of changes).
    package func describeChangeSet(_ id: String, deadline: ContinuousClock.Instant? = nil) async throws -> ChangeSetDescription {
        var token: String?
        var description: ChangeSetDescription?
        repeat {
            var p = QueryParameters()
            p.add("ChangeSetName", id)
            p.add("NextToken", token)
            let root = try await query(.cloudFormation, action: "DescribeChangeSet", parameters: p.pairs, deadline: deadline)
            guard let result = root.child("DescribeChangeSetResult"), let status = result.value("Status") else {
                throw Self.missing("DescribeChangeSetResult/Status", .cloudFormation, "DescribeChangeSet")
            }
            let changes = result.members("Changes").compactMap { change -> ChangeSetDescription.ResourceChange? in
                guard let rc = change.child("ResourceChange") else { return nil }
                return .init(action: rc.value("Action") ?? "", logicalId: rc.value("LogicalResourceId") ?? "",
                             resourceType: rc.value("ResourceType") ?? "", replacement: rc.value("Replacement"))
            }
            if description == nil {
                description = ChangeSetDescription(
                    id: result.value("ChangeSetId") ?? id, stackId: result.value("StackId"), status: status,
                    statusReason: result.value("StatusReason"),
                    executionStatus: result.value("ExecutionStatus"), changes: [])
            }
            description?.changes += changes
            token = result.value("NextToken")
        } while token != nil
        return description!
    }

    /// `ExecuteChangeSet`; `clientRequestToken` makes a retried request after a lost answer the same request.
    package func executeChangeSet(_ id: String, clientRequestToken: String, deadline: ContinuousClock.Instant? = nil) async throws {
        let parameters = [("ChangeSetName", id), ("ClientRequestToken", clientRequestToken)]
        _ = try await query(.cloudFormation, action: "ExecuteChangeSet", parameters: parameters, deadline: deadline)
    }

    /// `DeleteChangeSet`.
    package func deleteChangeSet(_ id: String, deadline: ContinuousClock.Instant? = nil) async throws {
        _ = try await query(.cloudFormation, action: "DeleteChangeSet", parameters: [("ChangeSetName", id)], deadline: deadline)
    }

    /// `DeleteStack`.
    package func deleteStack(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws {
        _ = try await query(.cloudFormation, action: "DeleteStack", parameters: [("StackName", name)], deadline: deadline)
    }
}
