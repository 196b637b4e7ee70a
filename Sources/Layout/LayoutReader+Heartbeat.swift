import YAML

extension Checker {
    /// `heartbeat`: `off`, or how often each region's canary runs (`30m`, `1h`, within
    /// `Layout.heartbeatMinutesRange`). `.some(nil)` is off; nil (with an error) for anything else.
    mutating func checkHeartbeat(_ node: YAMLNode, source: Layout.Source) -> Int?? {
        guard case .scalar(let s) = node, s.tag == nil, s.isPlain else {
            error(node, "heartbeat", "must be off or an interval such as 30m or 1h, found \(node.preview)")
            return nil
        }
        if ["off", "false"].contains(s.value) { return .some(nil) }
        let range = Layout.heartbeatMinutesRange
        guard let minutes = Self.duration(node, units: ["m": 1, "h": 60]), range.contains(minutes) else {
            error(node, "heartbeat", "must be off or an interval from \(range.lowerBound)m to \(range.upperBound / 60)h (as 30m or 1h), found \(node.preview)")
            return nil
        }
        if !source.usesNotifications {
            error(node, "heartbeat", "needs receive topics: source eventbridge has none (the central rule takes only events that aws.cloudformation sends); use source both or notification-constraint")
            return nil
        }
        return .some(minutes)
    }
}
