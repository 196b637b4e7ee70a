import AWSClient
import DeployAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Starts StackSet operations (waiting out collisions, with one operation id across retries) and waits
/// for them, reporting each region as it completes.
package struct StackSetOperations: Sendable {
    package var client: AWSClient
    package var account: String
    package var waiting: Waiting
    package var reporter: any ProgressReporter
    /// Makes operation ids (injectable so tests can predict them).
    package var makeId: @Sendable () -> String

    package init(
        client: AWSClient, account: String, waiting: Waiting, reporter: any ProgressReporter,
        makeId: @escaping @Sendable () -> String = { "catalogwatch-" + UUID().uuidString.lowercased() }
    ) {
        self.client = client
        self.account = account
        self.waiting = waiting
        self.reporter = reporter
        self.makeId = makeId
    }

    /// Starts an operation with `start(operationId)` and waits for it to succeed; throws
    /// `DeploymentError.operationFailed` naming every failed and cancelled region otherwise.
    package func run(
        _ action: String, stackSet: String, regions: [String], start: @Sendable (String) async throws -> String
    ) async throws {
        let id = makeId()
        reporter.report(.step("\(action) \(stackSet): \(regions.joined(separator: ", "))"))
        let operationId = try await guarded("\(action) \(stackSet)") {
            do {
                return try await start(id)
            } catch let error as AWSError where error.code == "OperationIdAlreadyExistsException" {
                return id  // an earlier attempt of this call was accepted; its answer was lost
            }
        }
        try await wait(action, stackSet: stackSet, operationId: operationId)
    }

    /// Polls the operation until it ends, reporting each region once per status it reaches.
    package func wait(_ action: String, stackSet: String, operationId: String) async throws {
        var seen: [String: String] = [:]
        while true {
            let state = try await guarded("DescribeStackSetOperation \(stackSet)") {
                try await client.describeStackSetOperation(stackSet: stackSet, operationId: operationId)
            }
            let results = try await guarded("ListStackSetOperationResults \(stackSet)") {
                try await client.listStackSetOperationResults(stackSet: stackSet, operationId: operationId)
            }
            for result in results where seen[result.region] != result.status {
                seen[result.region] = result.status
                reporter.report(.region(stackSet: stackSet, region: result.region, status: result.status, reason: result.statusReason))
            }
            if state.isFinished {
                guard state.status == "SUCCEEDED" else { throw failure(action, stackSet, state, results) }
                // Within the failure tolerance (member StackSets): the operation succeeded, these did not.
                for r in results where r.status == "FAILED" {
                    reporter.report(.warning("\(stackSet): account \(r.account), region \(r.region) failed within the tolerance: \(r.statusReason ?? "no reason given")"))
                }
                return
            }
            try await waiting.poll("\(action) \(stackSet) (operation \(operationId))")
        }
    }

    func failure(_ action: String, _ stackSet: String, _ state: StackSetOperationState, _ results: [StackSetOperationResult]) -> DeploymentError {
        let failed = results.filter { $0.status == "FAILED" }.map {
            StackSetFailure(account: $0.account, region: $0.region, status: $0.status, reason: $0.statusReason ?? "no reason given")
        }
        let cancelled = results.filter { ["CANCELLED", "PENDING"].contains($0.status) }.map(\.region)
        return .operationFailed(stackSet: stackSet, action: action, failed: failed, cancelled: cancelled,
                                reason: state.statusReason ?? (state.status == "SUCCEEDED" ? nil : state.status))
    }

    /// `DeleteStackSet` (its instances gone), said first; a StackSet already gone is fine (a re-run).
    package func deleteStackSet(_ name: String) async throws {
        let client = client
        reporter.report(.step("delete StackSet \(name)"))
        try await guarded("DeleteStackSet \(name)") {
            do {
                try await client.deleteStackSet(name)
            } catch let error as AWSError where error.code == "StackSetNotFoundException" {
                return
            }
        }
    }

    /// Runs an AWS call of the main region, turning its failure into a `DeploymentError.call` that names
    /// the account, region and the service's answer.
    package func guarded<T: Sendable>(_ step: String, _ body: () async throws -> T) async throws -> T {
        try await Guard(account: account, region: client.region, waiting: waiting, reporter: reporter).run(step, body)
    }
}

/// Runs the AWS calls of one account and region: collisions and throttling are waited out (when it has
/// a `Waiting`), and a failure becomes a `DeploymentError.call` naming account, region and the answer.
package struct Guard: Sendable {
    package var account: String
    package var region: String
    package var waiting: Waiting?
    package var reporter: (any ProgressReporter)?

    package init(account: String, region: String, waiting: Waiting? = nil, reporter: (any ProgressReporter)? = nil) {
        self.account = account
        self.region = region
        self.waiting = waiting
        self.reporter = reporter
    }

    @discardableResult
    package func run<T: Sendable>(_ step: String, _ body: () async throws -> T) async throws -> T {
        do {
            guard let waiting, let reporter else { return try await body() }
            return try await waiting.untilAccepted(step, reporter: reporter, body)
        } catch let error as DeploymentError {
            throw error
        } catch let error as AWSError {
            throw DeploymentError.call(step: step, account: account, region: region, reason: Self.reason(error))
        } catch {
            throw DeploymentError.call(step: step, account: account, region: region, reason: "\(error)")
        }
    }

    /// The service's code and message, with a hint for access denied.
    static func reason(_ error: AWSError) -> String {
        var text = error.code + (error.message.isEmpty ? "" : ": \(error.message)")
        if error.isAccessDenied { text += " (the caller lacks \(error.service):\(error.operation))" }
        return text
    }
}
