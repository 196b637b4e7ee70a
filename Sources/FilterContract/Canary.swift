/// The end-to-end canary, written once for the CLI that sends it (`catalogwatch test-alert`) and the
/// filter that recognises it: a synthetic terminal failure of a stack named `catalogwatch-canary-<id>`,
/// published into a receive topic as CloudFormation would publish a notification. The filter alerts on
/// it like any failure but looks nothing up, reaches no destination unless the reason asks for delivery,
/// and logs `handledMessage` with the canary's id, which the CLI waits for in the filter's log group.
package enum Canary {
    /// The stack name of every canary: the prefix, then the id.
    package static let stackNamePrefix = "catalogwatch-canary-"
    /// The status a canary reports (a terminal failure, so it takes the whole path).
    package static let status = "UPDATE_ROLLBACK_FAILED"
    /// The reason's start; `deliverMarker` follows when the alert should reach the destinations.
    package static let reasonPrefix = "CatalogWatch test alert (synthetic)"
    package static let deliverMarker = "; deliver to the destinations"
    /// The metric the filter counts each canary in (`Heartbeats` by `Region`, namespace `CatalogWatch`), which
    /// the alert stack's heartbeat alarms watch.
    package static let metricNamespace = "CatalogWatch"
    package static let heartbeatMetric = "Heartbeats"
    package static let heartbeatDimension = "Region"
    /// The filter's log line for a canary it handled (fields `canary`, `region`, `sentAtMs`, `handledAtMs`, `delivered`).
    package static let handledMessage = "canary handled"

    /// A canary id: 8 to 40 lowercase letters, digits and hyphens (`test-alert`'s are 16 hex digits, a
    /// heartbeat's is its EventBridge event id, a UUID).
    package static func isValidId(_ id: String) -> Bool {
        (8...40).contains(id.utf8.count) && id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// The canary id of a stack name, or nil when it is not a canary's.
    package static func id(stackName: String) -> String? {
        guard stackName.hasPrefix(stackNamePrefix) else { return nil }
        let id = String(stackName.dropFirst(stackNamePrefix.count))
        return isValidId(id) ? id : nil
    }

    /// Whether a canary's reason asks for the alert to reach the destinations.
    package static func asksForDelivery(reason: String?) -> Bool {
        reason?.hasPrefix(reasonPrefix + deliverMarker) == true
    }

    /// The reason of a heartbeat's canary (never delivered).
    package static let heartbeatReason = reasonPrefix + "; heartbeat"

    /// The input template of a region's heartbeat rule: an EventBridge `CloudFormation Stack Status Change`
    /// of the canary stack, as JSON, with EventBridge's placeholders `<id>` and `<time>` (the scheduled
    /// event's) and CloudFormation's `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` (for `Fn::Sub`).
    package static let heartbeatInputTemplate: String = {
        let stack = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/\(stackNamePrefix)<id>/<id>"
        return #"{"version":"0","id":"<id>","detail-type":"CloudFormation Stack Status Change","source":"aws.cloudformation","#
            + #""account":"${AWS::AccountId}","time":"<time>","region":"${AWS::Region}","resources":[""# + stack + #""],"#
            + #""detail":{"stack-id":""# + stack + #"","status-details":{"status":""# + status + #"","status-reason":""# + heartbeatReason + #""}}}"#
    }()

    /// The CloudFormation notification text of canary `id` in `account` and `region` (`partition`), sent at
    /// `timestamp` (ISO 8601 with milliseconds).
    package static func notification(id: String, account: String, region: String, partition: String, timestamp: String, deliver: Bool) -> String {
        let stackName = stackNamePrefix + id
        let stackId = "arn:\(partition):cloudformation:\(region):\(account):stack/\(stackName)/\(id)"
        let reason = reasonPrefix + (deliver ? deliverMarker : "; not delivered")
        return """
            StackId='\(stackId)'
            Timestamp='\(timestamp)'
            EventId='\(stackName)-\(status)'
            LogicalResourceId='\(stackName)'
            Namespace='\(account)'
            PhysicalResourceId='\(stackId)'
            PrincipalId='catalogwatch-test-alert'
            ResourceProperties='null'
            ResourceStatus='\(status)'
            ResourceStatusReason='\(reason)'
            ResourceType='AWS::CloudFormation::Stack'
            StackName='\(stackName)'
            ClientRequestToken='null'

            """
    }
}
