/// The stack statuses the filter alerts on by default (`ALERT_STATUSES` unset): CloudFormation's terminal
/// failures. The EventBridge pattern matches exactly these, and a route's `match.status` may name only these;
/// FilterCore's `StackStatus.terminalFailures` is built from this list.
package enum TerminalFailures {
    package static let statuses = [
        "CREATE_FAILED", "DELETE_FAILED", "IMPORT_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_FAILED", "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED", "UPDATE_FAILED", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED",
    ]
}
