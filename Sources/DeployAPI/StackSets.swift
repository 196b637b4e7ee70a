import AWSClient

/// A StackSet as `DescribeStackSet` reports it.
package struct StackSetDescription: Sendable, Equatable {
    package var name: String
    package var status: String
    package var templateBody: String
    package var parameters: [String: String]
    package var capabilities: [String]
    package var administrationRoleARN: String?
    package var executionRoleName: String?
    /// `DRIFTED`, `IN_SYNC`, `NOT_CHECKED` from the last drift detection.
    package var driftStatus: String?
    package var driftDetectionStatus: String?
    /// `SELF_MANAGED` or `SERVICE_MANAGED`.
    package var permissionModel: String? = nil
    /// Service-managed: whether accounts that join a target OU get instances.
    package var autoDeploymentEnabled: Bool? = nil
    /// Service-managed: the OU and root ids instances were created for, and the regions they are in.
    package var organizationalUnitIds: [String] = []
    package var regions: [String] = []
    /// The StackSet's tags (which it also puts on its stacks).
    package var tags: [String: String] = [:]
}

/// What a StackSet holds and how it runs: the input of `CreateStackSet` and `UpdateStackSet`.
package struct StackSetDefinition: Sendable, Equatable {
    package var name: String
    package var description: String
    package var templateBody: String
    package var parameters: [(String, String)]
    package var capabilities: [String]
    package var administrationRoleARN: String
    package var executionRoleName: String
    /// Tags of the StackSet and, through it, of its stacks (the layout's `tags`).
    package var tags: [(String, String)] = []

    package init(
        name: String, description: String, templateBody: String, parameters: [(String, String)],
        capabilities: [String], administrationRoleARN: String, executionRoleName: String, tags: [(String, String)] = []
    ) {
        self.tags = tags
        self.name = name
        self.description = description
        self.templateBody = templateBody
        self.parameters = parameters
        self.capabilities = capabilities
        self.administrationRoleARN = administrationRoleARN
        self.executionRoleName = executionRoleName
    }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.description == rhs.description && lhs.templateBody == rhs.templateBody
            && lhs.parameters.elementsEqual(rhs.parameters, by: ==) && lhs.capabilities == rhs.capabilities
            && lhs.administrationRoleARN == rhs.administrationRoleARN && lhs.executionRoleName == rhs.executionRoleName
            && lhs.tags.elementsEqual(rhs.tags, by: ==)
    }

    var commonParameters: QueryParameters {
        var p = QueryParameters()
        p.add("StackSetName", name)
        p.add("Description", description)
        p.add("TemplateBody", templateBody)
        p.add("Parameters", structures: parameters.map { [("ParameterKey", $0.0), ("ParameterValue", $0.1)] })
        p.add("Capabilities", list: capabilities)
        p.add("AdministrationRoleARN", administrationRoleARN)
        p.add("ExecutionRoleName", executionRoleName)
        p.add("Tags", structures: tags.map { [("Key", $0.0), ("Value", $0.1)] })
        return p
    }
}

/// How an operation rolls across regions (`StackSetOperationPreferences`): the region order and the scalar
/// settings as given. Deployment renders AlertStack's `StackSetRollout`, where the rollout rule is written, into it.
package struct OperationPreferences: Sendable, Equatable {
    /// One scalar setting (`RegionConcurrencyType`, `MaxConcurrentCount`, …) as the Query API writes it.
    package typealias Setting = KeyValue

    package var regionOrder: [String]
    package var settings: [Setting]

    package init(regionOrder: [String], settings: [Setting]) {
        self.regionOrder = regionOrder
        self.settings = settings
    }

    var parameters: QueryParameters {
        var p = QueryParameters()
        p.add("RegionOrder", list: regionOrder)
        for setting in settings { p.add(setting.key, setting.value) }
        return p
    }
}

/// One stack instance as `ListStackInstances` reports it.
package struct StackInstanceSummary: Sendable, Equatable {
    package var account: String
    package var region: String
    /// `CURRENT`, `OUTDATED`, `INOPERABLE`.
    package var status: String
    package var statusReason: String?
    /// `PENDING`, `RUNNING`, `SUCCEEDED`, `FAILED`, `CANCELLED`, `INOPERABLE`, `SKIPPED_SUSPENDED_ACCOUNT`.
    package var detailedStatus: String?
    package var driftStatus: String?
}

/// A StackSet operation's overall state.
package struct StackSetOperationState: Sendable, Equatable {
    package var action: String?
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `STOPPING`, `STOPPED`, `QUEUED`.
    package var status: String
    package var statusReason: String?

    package var isFinished: Bool { ["SUCCEEDED", "FAILED", "STOPPED"].contains(status) }
}

/// One account and region of an operation (`ListStackSetOperationResults`).
package struct StackSetOperationResult: Sendable, Equatable {
    package var account: String
    package var region: String
    /// `PENDING`, `RUNNING`, `SUCCEEDED`, `FAILED`, `CANCELLED`.
    package var status: String
    package var statusReason: String?
}

extension AWSClient {
    /// `DescribeStackSet`; nil when there is no such StackSet (or it is deleted).
    package func describeStackSet(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws -> StackSetDescription? {
        let root: XML.Element
        do {
            root = try await query(.cloudFormation, action: "DescribeStackSet", parameters: [("StackSetName", name)], deadline: deadline)
        } catch let error as AWSError where error.code == "StackSetNotFoundException" {
            return nil
        }
        guard let set = root.element(at: "DescribeStackSetResult/StackSet"), let status = set.value("Status") else {
            throw Self.missing("DescribeStackSetResult/StackSet/Status", .cloudFormation, "DescribeStackSet")
        }
        if status == "DELETED" { return nil }
        var parameters: [String: String] = [:]
        for p in set.members("Parameters") {
            if let key = p.value("ParameterKey") { parameters[key] = p.text(at: "ParameterValue") ?? "" }
        }
        return StackSetDescription(
            name: set.value("StackSetName") ?? name, status: status, templateBody: set.text(at: "TemplateBody") ?? "",
            parameters: parameters, capabilities: set.members("Capabilities").map(\.text),
            administrationRoleARN: set.value("AdministrationRoleARN"), executionRoleName: set.value("ExecutionRoleName"),
            driftStatus: set.value("StackSetDriftDetectionDetails/DriftStatus"),
            driftDetectionStatus: set.value("StackSetDriftDetectionDetails/DriftDetectionStatus"),
            permissionModel: set.value("PermissionModel"), autoDeploymentEnabled: set.value("AutoDeployment/Enabled").map { $0 == "true" },
            organizationalUnitIds: set.members("OrganizationalUnitIds").map(\.text), regions: set.members("Regions").map(\.text),
            tags: Dictionary(set.members("Tags").compactMap { t in t.value("Key").map { ($0, t.text(at: "Value") ?? "") } }, uniquingKeysWith: { _, last in last }))
    }

    /// `CreateStackSet` (self-managed).
    package func createStackSet(_ definition: StackSetDefinition, deadline: ContinuousClock.Instant? = nil) async throws {
        var p = definition.commonParameters
        p.add("PermissionModel", "SELF_MANAGED")
        p.add("ManagedExecution.Active", "false")
        _ = try await query(.cloudFormation, action: "CreateStackSet", parameters: p.pairs, deadline: deadline)
    }

    /// `UpdateStackSet`: new template and parameters for the instances of `account` in `regions` (every
    /// instance when `regions` is empty); returns the operation id.
    package func updateStackSet(
        _ definition: StackSetDefinition, account: String, regions: [String], preferences: OperationPreferences,
        operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = definition.commonParameters
        if !regions.isEmpty {
            p.add("Accounts", list: [account])
            p.add("Regions", list: regions)
        }
        p.add("OperationPreferences", structure: preferences.parameters)
        p.add("OperationId", operationId)
        return try await stackSetOperation("UpdateStackSet", p, deadline)
    }

    /// `DeleteStackSet` (its instances must be gone).
    package func deleteStackSet(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws {
        _ = try await query(.cloudFormation, action: "DeleteStackSet", parameters: [("StackSetName", name)], deadline: deadline)
    }

    /// `ListStackInstances`, every page.
    package func listStackInstances(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws -> [StackInstanceSummary] {
        var token: String?
        var instances: [StackInstanceSummary] = []
        repeat {
            var p = QueryParameters()
            p.add("StackSetName", name)
            p.add("NextToken", token)
            let root = try await query(.cloudFormation, action: "ListStackInstances", parameters: p.pairs, deadline: deadline)
            for m in root.members("ListStackInstancesResult/Summaries") {
                guard let account = m.value("Account"), let region = m.value("Region") else { continue }
                instances.append(StackInstanceSummary(
                    account: account, region: region, status: m.value("Status") ?? "", statusReason: m.value("StatusReason"),
                    detailedStatus: m.value("StackInstanceStatus/DetailedStatus"), driftStatus: m.value("DriftStatus")))
            }
            token = root.value("ListStackInstancesResult/NextToken")
        } while token != nil
        return instances
    }

    /// `CreateStackInstances`, `UpdateStackInstances` or `DeleteStackInstances` (`action`) for one account; returns the operation id.
    package func stackInstances(
        _ action: StackInstancesAction, stackSet: String, account: String, regions: [String],
        preferences: OperationPreferences, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = QueryParameters()
        p.add("StackSetName", stackSet)
        p.add("Accounts", list: [account])
        p.add("Regions", list: regions)
        p.add("OperationPreferences", structure: preferences.parameters)
        if case .delete(let retain) = action { p.add("RetainStacks", retain ? "true" : "false") }
        p.add("OperationId", operationId)
        return try await stackSetOperation(action.name, p, deadline)
    }

    /// `DetectStackSetDrift`; returns the operation id.
    package func detectStackSetDrift(
        _ name: String, preferences: OperationPreferences, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        var p = QueryParameters()
        p.add("StackSetName", name)
        p.add("OperationPreferences", structure: preferences.parameters)
        p.add("OperationId", operationId)
        return try await stackSetOperation("DetectStackSetDrift", p, deadline)
    }

    /// `DescribeStackSetOperation`.
    package func describeStackSetOperation(
        stackSet: String, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> StackSetOperationState {
        let parameters = [("StackSetName", stackSet), ("OperationId", operationId)]
        let root = try await query(.cloudFormation, action: "DescribeStackSetOperation", parameters: parameters, deadline: deadline)
        guard let op = root.element(at: "DescribeStackSetOperationResult/StackSetOperation"), let status = op.value("Status") else {
            throw Self.missing("DescribeStackSetOperationResult/StackSetOperation/Status", .cloudFormation, "DescribeStackSetOperation")
        }
        return StackSetOperationState(action: op.value("Action"), status: status, statusReason: op.value("StatusReason"))
    }

    /// `ListStackSetOperationResults`, every page.
    package func listStackSetOperationResults(
        stackSet: String, operationId: String, deadline: ContinuousClock.Instant? = nil
    ) async throws -> [StackSetOperationResult] {
        var token: String?
        var results: [StackSetOperationResult] = []
        repeat {
            var p = QueryParameters()
            p.add("StackSetName", stackSet)
            p.add("OperationId", operationId)
            p.add("NextToken", token)
            let root = try await query(.cloudFormation, action: "ListStackSetOperationResults", parameters: p.pairs, deadline: deadline)
            for m in root.members("ListStackSetOperationResultsResult/Summaries") {
                guard let region = m.value("Region") else { continue }
                results.append(StackSetOperationResult(
                    account: m.value("Account") ?? "", region: region, status: m.value("Status") ?? "",
                    statusReason: m.value("StatusReason")))
            }
            token = root.value("ListStackSetOperationResultsResult/NextToken")
        } while token != nil
        return results
    }

    /// Starts StackSet operation `action`; returns its operation id.
    func stackSetOperation(_ action: String, _ p: QueryParameters, _ deadline: ContinuousClock.Instant?) async throws -> String {
        let root = try await query(.cloudFormation, action: action, parameters: p.pairs, deadline: deadline)
        guard let id = root.value("\(action)Result/OperationId") else {
            throw Self.missing("\(action)Result/OperationId", .cloudFormation, action)
        }
        return id
    }
}

/// The three stack-instance operations.
package enum StackInstancesAction: Sendable, Equatable {
    case create, update
    case delete(retainStacks: Bool)

    package var name: String {
        switch self {
        case .create: "CreateStackInstances"
        case .update: "UpdateStackInstances"
        case .delete: "DeleteStackInstances"
        }
    }
}
