import FilterContract
import AWSIdentifiers

/// A terminal stack failure worth an alert.
public struct StackFailure: Sendable, Equatable {
    /// The stack's account: from the stack ARN, else Namespace / the SC stack name / the event, else "unknown".
    public let account: String
    /// The stack's region: from the stack ARN, else the event, else "unknown".
    public let region: String
    /// The partition: from the stack ARN, else derived from the region.
    public let partition: String
    /// The stack ARN as received (nil when the notification had none).
    public let stackId: String?
    /// The parsed stack ARN, nil when `stackId` is missing or malformed.
    public let stackARN: StackARN?
    public let stackName: String
    /// The stack status, e.g. `UPDATE_ROLLBACK_COMPLETE`.
    public let status: String
    /// The ResourceStatusReason / status-reason, nil when absent or empty.
    public let reason: String?
    /// The notification EventId, or the EventBridge event id.
    public let eventId: String?
    /// The event timestamp as received (ISO 8601).
    public let timestamp: String?
    /// The provisioned product id (`pp-…`) for Service Catalog stacks, else nil.
    public let provisionedProductId: String?

    /// The console page with the stack's events, nil without a parsable stack ARN in a known partition.
    public var consoleURL: String? { stackARN?.consoleEventsURL }

    /// Builds a failure directly (tests, replays); `Classifier` is the usual source.
    public init(
        account: String, region: String, partition: String, stackId: String?, stackARN: StackARN?,
        stackName: String, status: String, reason: String?, eventId: String?, timestamp: String?,
        provisionedProductId: String?
    ) {
        self.account = account
        self.region = region
        self.partition = partition
        self.stackId = stackId
        self.stackARN = stackARN
        self.stackName = stackName
        self.status = status
        self.reason = reason
        self.eventId = eventId
        self.timestamp = timestamp
        self.provisionedProductId = provisionedProductId
    }
}

/// A stack-level event (any status), as counted in stack-operation metrics.
public struct StackLevelEvent: Sendable, Equatable {
    public let stackName: String
    public let status: String
    /// nil for a status CloudFormation does not document.
    public let outcome: StackOutcome?
    public let provisionedProductId: String?
    public let account: String
    public let region: String
}

/// Why a record raised no alert (raw values are short, machine-friendly strings).
public enum IgnoreReason: String, Sendable, Equatable, CaseIterable {
    /// The record is not a CloudFormation notification or stack status change.
    case unrecognized
    /// No ResourceStatus (missing or `null`).
    case missingStatus = "missing-status"
    /// A resource event, including a nested stack as a resource of its parent.
    case notStackLevel = "not-stack-level"
    /// A stack-level event whose status is not in the alert set.
    case statusNotTerminalFailure = "status-not-terminal-failure"
    /// An EventBridge stack status change of a stack that Service Catalog did not provision (its name is not
    /// `SC-<account>-pp-<id>`, or there is no parsable stack ARN to tell): the organization-wide sink may
    /// deliver any stack, CatalogWatch watches provisioned products.
    case notServiceCatalog = "not-service-catalog"
    /// The filter's own message that a digest window ended: no stack event (the handler flushes the digest).
    case digestFlush = "digest-flush"
}

/// The classifier's verdict on one record.
public enum Decision: Sendable, Equatable {
    case alert(StackFailure)
    case ignore(IgnoreReason)

    /// The failure when this is an alert.
    public var failure: StackFailure? {
        if case .alert(let failure) = self { return failure }
        return nil
    }
}

/// Decides which records are terminal stack failures.
///
/// A notification is stack-level when ResourceType is `AWS::CloudFormation::Stack` and LogicalResourceId equals
/// StackName (StackName falls back to the name in StackId). Its ResourceStatus must then match one of
/// `alertStatuses` exactly (case-sensitive). EventBridge stack status changes are stack-level by definition.
///
/// The two sources differ on stacks that Service Catalog did not provision (name not `SC-<account>-pp-<id>`):
/// an EventBridge status change of such a stack is ignored (`notServiceCatalog`, also for metrics), as the
/// organization-wide sink delivers every stack of every account; a CloudFormation notification of one still
/// alerts, since someone deliberately pointed that stack's notifications at the receive topic.
public struct Classifier: Sendable {
    public static let stackResourceType = "AWS::CloudFormation::Stack"

    public let alertStatuses: Set<StackStatus>

    public init(alertStatuses: Set<StackStatus> = AlertStatuses.default) {
        self.alertStatuses = alertStatuses
    }

    /// Classifies one decoded record.
    public func classify(_ record: InboundRecord) -> Decision {
        switch payload(record) {
        case .ignored(let reason): return .ignore(reason)
        case .stackLevel(let event):
            guard let status = StackStatus(rawValue: event.status), alertStatuses.contains(status) else {
                return .ignore(.statusNotTerminalFailure)
            }
            return .alert(event)
        }
    }

    /// Classifies every record of an event, in order.
    public func classify(_ event: DecodedEvent) -> [Decision] {
        event.records.map { classify($0) }
    }

    /// The stack-level event carried by `record`, whatever its status; nil for resource events, unrecognized
    /// records and EventBridge status changes of stacks that are not Service Catalog's (`notServiceCatalog`).
    public func stackLevelEvent(_ record: InboundRecord) -> StackLevelEvent? {
        guard case .stackLevel(let event) = payload(record) else { return nil }
        return StackLevelEvent(
            stackName: event.stackName, status: event.status, outcome: StackStatus(rawValue: event.status)?.outcome,
            provisionedProductId: event.provisionedProductId, account: event.account, region: event.region)
    }

    private enum Extraction {
        case stackLevel(StackFailure)
        case ignored(IgnoreReason)
    }

    /// The stack-level event as a (would-be) failure, or why it is not stack-level.
    private func payload(_ record: InboundRecord) -> Extraction {
        switch record.payload {
        case .unrecognized: return .ignored(.unrecognized)
        case .digestFlush: return .ignored(.digestFlush)
        case .notification(let n): return extract(n)
        case .statusChange(let c): return extract(c)
        }
    }

    private func extract(_ n: StackNotification) -> Extraction {
        guard let status = n.resourceStatus, !status.isEmpty else { return .ignored(.missingStatus) }
        let arn = n.stackId.flatMap { StackARN(parsing: $0) }
        guard let stackName = n.stackName ?? arn?.stackName,
            n.resourceType == Classifier.stackResourceType,
            n.logicalResourceId == stackName
        else { return .ignored(.notStackLevel) }
        let sc = ServiceCatalogStack(stackName: stackName)
        let namespace = n.namespace.flatMap { AccountID.isValid($0) ? $0 : nil }
        return .stackLevel(
            Classifier.failure(
                arn: arn, stackId: n.stackId, stackName: stackName, status: status, reason: n.resourceStatusReason,
                eventId: n.eventId, timestamp: n.timestamp, account: namespace ?? sc?.account, region: nil,
                serviceCatalog: sc))
    }

    private func extract(_ c: StackStatusChange) -> Extraction {
        guard !c.status.isEmpty else { return .ignored(.missingStatus) }
        let arn = c.stackId.flatMap { StackARN(parsing: $0) }
        guard let arn else { return .ignored(.notServiceCatalog) }
        // A heartbeat's canary (`Canary`) comes as a status change of a stack no one provisioned.
        let sc = ServiceCatalogStack(stackName: arn.stackName)
        guard sc != nil || Canary.id(stackName: arn.stackName) != nil else { return .ignored(.notServiceCatalog) }
        let stackName = arn.stackName
        let account = c.account.flatMap { AccountID.isValid($0) ? $0 : nil }
        let region = c.region.flatMap { StackARN.isRegion($0) ? $0 : nil }
        return .stackLevel(
            Classifier.failure(
                arn: arn, stackId: c.stackId, stackName: stackName, status: c.status, reason: c.statusReason,
                eventId: c.eventId, timestamp: c.time, account: account ?? sc?.account, region: region,
                serviceCatalog: sc))
    }

    private static func failure(
        arn: StackARN?, stackId: String?, stackName: String, status: String, reason: String?, eventId: String?,
        timestamp: String?, account: String?, region: String?, serviceCatalog: ServiceCatalogStack?
    ) -> StackFailure {
        let region = arn?.region ?? region ?? "unknown"
        return StackFailure(
            account: arn?.account ?? account ?? "unknown",
            region: region,
            partition: arn?.partition ?? AWSPartition.of(region: region).name,
            stackId: stackId.flatMap { $0.isEmpty ? nil : $0 },
            stackARN: arn,
            stackName: stackName,
            status: status,
            reason: reason.flatMap { $0.isEmpty ? nil : $0 },
            eventId: eventId.flatMap { $0.isEmpty ? nil : $0 },
            timestamp: timestamp.flatMap { $0.isEmpty ? nil : $0 },
            provisionedProductId: serviceCatalog?.provisionedProductId)
    }
}
