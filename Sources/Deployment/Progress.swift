import JSONText

/// One thing a deployment command tells its user, as it happens.
package enum ProgressEvent: Sendable, Equatable {
    /// A line of the plan: what will change, said before anything changes.
    case plan(String)
    /// A step starts (an AWS call that changes the account, or a wait).
    case step(String)
    /// An instance of a StackSet operation reached `status` in `region`.
    case region(stackSet: String, region: String, status: String, reason: String?)
    /// A collision or throttling is being waited out.
    case waiting(String)
    /// Something the operator should know that does not stop the run.
    case warning(String)
    /// Something left to a human after the run.
    case todo(String)
    /// The end: what was done, or that nothing changed.
    case done(String)
    /// The end: why the command stopped (also printed to standard error).
    case failed(String)

    /// The event as one plain line.
    package var text: String {
        switch self {
        case .plan(let line): "plan: \(line)"
        case .step(let line): "... \(line)"
        case .region(let set, let region, let status, let reason):
            "[\(region)] \(set): \(status)" + (reason.map { ": \($0)" } ?? "")
        case .waiting(let line): "wait: \(line)"
        case .warning(let line): "warning: \(line)"
        case .todo(let line): "to do: \(line)"
        case .done(let line): "done: \(line)"
        case .failed(let line): "failed: \(line)"
        }
    }

    /// The event as one JSON object on one line (keys in a fixed order).
    package var jsonLine: String {
        var fields: [(String, String)]
        switch self {
        case .plan(let line): fields = [("event", "plan"), ("message", line)]
        case .step(let line): fields = [("event", "step"), ("message", line)]
        case .region(let set, let region, let status, let reason):
            fields = [("event", "region"), ("stackSet", set), ("region", region), ("status", status)]
            if let reason { fields.append(("reason", reason)) }
        case .waiting(let line): fields = [("event", "waiting"), ("message", line)]
        case .warning(let line): fields = [("event", "warning"), ("message", line)]
        case .todo(let line): fields = [("event", "todo"), ("message", line)]
        case .done(let line): fields = [("event", "done"), ("message", line)]
        case .failed(let line): fields = [("event", "failed"), ("message", line)]
        }
        return "{" + fields.map { "\(JSONText.quoted($0.0)): \(JSONText.quoted($0.1))" }.joined(separator: ", ") + "}"
    }
}

/// Where progress goes: the CLI prints it (plain, live or JSON lines); tests record it.
package protocol ProgressReporter: Sendable {
    func report(_ event: ProgressEvent)
}
