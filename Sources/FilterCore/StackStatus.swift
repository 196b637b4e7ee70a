import FilterContract

/// A CloudFormation stack status (the `StackStatus` enumeration of the CloudFormation API).
public enum StackStatus: String, CaseIterable, Sendable, Hashable {
    case createInProgress = "CREATE_IN_PROGRESS"
    case createFailed = "CREATE_FAILED"
    case createComplete = "CREATE_COMPLETE"
    case rollbackInProgress = "ROLLBACK_IN_PROGRESS"
    case rollbackFailed = "ROLLBACK_FAILED"
    case rollbackComplete = "ROLLBACK_COMPLETE"
    case deleteInProgress = "DELETE_IN_PROGRESS"
    case deleteFailed = "DELETE_FAILED"
    case deleteComplete = "DELETE_COMPLETE"
    case updateInProgress = "UPDATE_IN_PROGRESS"
    case updateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateComplete = "UPDATE_COMPLETE"
    case updateFailed = "UPDATE_FAILED"
    case updateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS"
    case updateRollbackFailed = "UPDATE_ROLLBACK_FAILED"
    case updateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE"
    case reviewInProgress = "REVIEW_IN_PROGRESS"
    case importInProgress = "IMPORT_IN_PROGRESS"
    case importComplete = "IMPORT_COMPLETE"
    case importRollbackInProgress = "IMPORT_ROLLBACK_IN_PROGRESS"
    case importRollbackFailed = "IMPORT_ROLLBACK_FAILED"
    case importRollbackComplete = "IMPORT_ROLLBACK_COMPLETE"

    /// The terminal failure statuses: the default alert set (`TerminalFailures.statuses`, which the
    /// EventBridge pattern and the layout's `match.status` also use).
    public static let terminalFailures = Set(TerminalFailures.statuses.compactMap(StackStatus.init(rawValue:)))

    /// How an operation in this status is counted in metrics.
    public var outcome: StackOutcome {
        if StackStatus.terminalFailures.contains(self) { return .failed }
        if rawValue.hasSuffix("_IN_PROGRESS") { return .inProgress }
        return .succeeded
    }
}

/// The metric outcome of a stack-level event: failed, succeeded or still in progress.
public enum StackOutcome: String, Sendable, CaseIterable {
    case failed
    case succeeded
    case inProgress = "in-progress"
}

/// Parses the `ALERT_STATUSES` setting: which stack statuses raise an alert.
public enum AlertStatuses {
    /// The statuses alerted on when nothing is configured.
    public static let `default`: Set<StackStatus> = StackStatus.terminalFailures

    /// Parses a comma-separated list (case-insensitive, blanks around items ignored).
    /// nil or a blank string yields `default`; unknown words or an empty list throw.
    public static func parse(_ raw: String?) throws(AlertStatusesError) -> Set<StackStatus> {
        guard let raw, !raw.allSatisfy({ $0.isWhitespace }) else { return `default` }
        var result: Set<StackStatus> = []
        var unknown: [String] = []
        for item in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let word = item.trimmingWhitespace()
            if word.isEmpty { continue }
            if let status = StackStatus(rawValue: word.uppercased()) {
                result.insert(status)
            } else if !unknown.contains(word) {
                unknown.append(word)
            }
        }
        if !unknown.isEmpty { throw .unknownStatuses(unknown) }
        if result.isEmpty { throw .empty }
        return result
    }
}

/// Why an `ALERT_STATUSES` value was rejected.
public enum AlertStatusesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value had only separators.
    case empty
    /// Words that are not CloudFormation stack statuses.
    case unknownStatuses([String])

    public var description: String {
        let valid = StackStatus.allCases.map(\.rawValue).joined(separator: ", ")
        switch self {
        case .empty:
            return "\(FilterVariable.alertStatuses.name) lists no status. Valid statuses: \(valid)"
        case .unknownStatuses(let words):
            let list = words.map { "'\(Text.singleLine($0, limit: 60))'" }.joined(separator: ", ")
            let noun = words.count == 1 ? "status" : "statuses"
            return "\(FilterVariable.alertStatuses.name) has unknown \(noun) \(list). Valid statuses: \(valid)"
        }
    }
}
