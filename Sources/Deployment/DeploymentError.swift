import AWSClient

/// Why a deployment command stopped: each case names the account, region and reason where there is one.
package enum DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The credentials belong to another account or partition than the layout's.
    case wrongIdentity(String)
    /// The artifact bucket does not exist; `fix` is the exact command that creates it.
    case missingBucket(bucket: String, region: String, fix: String)
    /// An AWS call failed: what was being done, where, and the service's answer.
    case call(step: String, account: String, region: String, reason: String)
    /// A stack ended in a failed state.
    case stackFailed(stack: String, account: String, region: String, status: String, reason: String)
    /// A StackSet operation failed: the failed instances and the regions cancelled after them.
    case operationFailed(stackSet: String, action: String, failed: [StackSetFailure], cancelled: [String], reason: String?)
    /// Removing regions or StackSets needs `--yes` or a confirmation.
    case notConfirmed(String)
    /// The deadline (`--timeout`) passed.
    case timedOut(String)
    /// Notification constraints still point at receive topics this deploy would delete (source eventbridge).
    case constraintsInUse(account: String, products: [String])
    /// The digest queue a layout without digests would delete still holds flush messages of held failures.
    case digestsPending(account: String, region: String, queue: String, messages: Int)

    package var description: String {
        switch self {
        case .wrongIdentity(let message): message
        case .missingBucket(let bucket, let region, let fix):
            "artifact bucket \(bucket) does not exist in \(region); create it with --create-bucket, or run: \(fix)"
        case .call(let step, let account, let region, let reason): "\(step) failed in account \(account), region \(region): \(reason)"
        case .stackFailed(let stack, let account, let region, let status, let reason):
            "stack \(stack) in account \(account), region \(region) is \(status): \(reason)"
        case .operationFailed(let set, let action, let failed, let cancelled, let reason):
            Self.describeFailure(set: set, action: action, failed: failed, cancelled: cancelled, reason: reason)
        case .notConfirmed(let what): "not confirmed: \(what); re-run with --yes to allow it"
        case .timedOut(let what): "timed out: \(what) (raise --timeout)"
        case .digestsPending(let account, let region, let queue, let messages):
            "account \(account), region \(region): the digest queue \(queue) still holds \(messages) flush message(s) of held failures; a layout without digests deletes the queue with them, and those failures would never be alerted. Deploy again once the last window has flushed (at most 15 minutes after its last failure), or keep digest on"
        case .constraintsInUse(let account, let products):
            "account \(account): notification constraints of \(products.joined(separator: ", ")) still point at the receive topics that source eventbridge removes, and a launch whose notification topic is gone fails; with source both deployed, run `catalogwatch constraints remove`, then deploy source eventbridge"
        }
    }

    static func describeFailure(set: String, action: String, failed: [StackSetFailure], cancelled: [String], reason: String?) -> String {
        var text = "StackSet \(set): \(action) failed"
        if let reason, !reason.isEmpty { text += " (\(reason))" }
        for f in failed { text += "\n  account \(f.account), region \(f.region): \(f.status): \(f.reason)" }
        if !cancelled.isEmpty { text += "\n  cancelled after the failure, not attempted: \(cancelled.joined(separator: ", "))" }
        return text
    }
}

/// One failed instance of a StackSet operation.
package struct StackSetFailure: Sendable, Equatable {
    package var account: String
    package var region: String
    package var status: String
    package var reason: String
}
