import JSONText

/// Where a Lambda event came from.
public enum EventSource: String, Sendable, Equatable {
    case sns
    case sqs
    case eventBridge = "eventbridge"
}

/// A decoded Lambda event: its source and one record per SNS/SQS record (one for EventBridge).
public struct DecodedEvent: Sendable, Equatable {
    public let source: EventSource
    public let records: [InboundRecord]
}

/// One record of an event, with what it carried.
public struct InboundRecord: Sendable, Equatable {
    /// What a record carried.
    public enum Payload: Sendable, Equatable {
        /// A CloudFormation plain-text notification.
        case notification(StackNotification)
        /// An EventBridge `CloudFormation Stack Status Change` event.
        case statusChange(StackStatusChange)
        /// The filter's own delayed message: the digest window with this ledger key has ended (`DigestLedger`).
        case digestFlush(key: String)
        /// Anything else, with a short explanation.
        case unrecognized(reason: String)
    }

    /// Position in the event's record list.
    public let index: Int
    /// The SQS `messageId`, to report in `batchItemFailures`; nil for SNS and EventBridge.
    public let itemIdentifier: String?
    /// The SNS MessageId (or EventBridge `id`) when present.
    public let messageId: String?
    /// The SNS Subject when present.
    public let subject: String?
    public let payload: Payload
}

/// An EventBridge `CloudFormation Stack Status Change` event.
public struct StackStatusChange: Sendable, Equatable {
    /// The event `id`.
    public let eventId: String
    /// The event `account` (the stack's account).
    public let account: String?
    /// The event `region`.
    public let region: String?
    /// The event `time` (ISO 8601).
    public let time: String?
    /// `detail.stack-id`, else the first of `resources`.
    public let stackId: String?
    /// `detail.status-details.status`.
    public let status: String
    /// `detail.status-details.status-reason`.
    public let statusReason: String?
}

/// Why a whole Lambda event could not be decoded.
public enum EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not JSON.
    case invalidJSON(String)
    /// JSON, but not an SNS, SQS or EventBridge event.
    case unknownShape(String)
    /// A `Records` array with no record.
    case noRecords

    public var description: String {
        switch self {
        case .invalidJSON(let message): return "event is not valid JSON: \(message)"
        case .unknownShape(let message): return "event has an unknown shape: \(message)"
        case .noRecords: return "event has an empty Records array"
        }
    }
}

/// Decodes Lambda event bytes (SNS, SQS or EventBridge) into records.
public enum EventDecoder {
    public static let stackStatusChangeDetailType = "CloudFormation Stack Status Change"

    /// Decodes an event. Bad records become `.unrecognized`; only an undecodable event as a whole throws.
    public static func decode(_ bytes: [UInt8]) throws(EventDecodingError) -> DecodedEvent {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .invalidJSON(error.message)
        }
        guard json.isObject else {
            throw .unknownShape("top level is a JSON \(json.kindName), expected an object")
        }
        if let records = json["Records"] {
            guard let items = records.arrayValue else {
                throw .unknownShape("Records is a JSON \(records.kindName), expected an array")
            }
            guard !items.isEmpty else { throw .noRecords }
            return try decodeRecords(items)
        }
        if isEventBridge(json) {
            return DecodedEvent(source: .eventBridge, records: [eventBridgeRecord(json, index: 0)])
        }
        let keys: [String]
        if case .object(let members) = json { keys = members.prefix(8).map(\.key) } else { keys = [] }
        throw .unknownShape(
            "no Records array and not an EventBridge event (keys: \(keys.map { Text.excerpt($0, limit: 40) }.joined(separator: ", ")))")
    }

    private static func decodeRecords(_ items: [JSONValue]) throws(EventDecodingError) -> DecodedEvent {
        var source: EventSource?
        var records: [InboundRecord] = []
        var sources: [String] = []
        for (index, item) in items.enumerated() {
            let eventSource = item["EventSource"]?.stringValue ?? item["eventSource"]?.stringValue
            if eventSource == "aws:sns" || (eventSource == nil && item["Sns"]?.isObject == true) {
                source = source ?? .sns
                records.append(snsRecord(item, index: index))
            } else if eventSource == "aws:sqs" {
                source = source ?? .sqs
                records.append(sqsRecord(item, index: index))
            } else {
                let what = eventSource.map { "event source \(Text.excerpt($0, limit: 40))" } ?? "a record without an event source"
                sources.append(what)
                records.append(
                    InboundRecord(
                        index: index, itemIdentifier: item["messageId"]?.stringValue, messageId: nil, subject: nil,
                        payload: .unrecognized(reason: "record \(index) has \(what), expected aws:sns or aws:sqs")))
            }
        }
        guard let source else {
            throw .unknownShape("Records hold no SNS or SQS record (\(sources.first ?? "no record"))")
        }
        return DecodedEvent(source: source, records: records)
    }

    private static func snsRecord(_ item: JSONValue, index: Int) -> InboundRecord {
        let sns = item["Sns"]
        let messageId = sns?["MessageId"]?.stringValue
        let subject = sns?["Subject"]?.stringValue
        let payload: InboundRecord.Payload
        if let message = sns?["Message"]?.stringValue {
            payload = payloadFromMessage(message, what: "SNS message")
        } else if sns == nil || sns?.isObject != true {
            payload = .unrecognized(reason: "SNS record has no Sns object")
        } else {
            payload = .unrecognized(reason: "SNS record has no string Message")
        }
        return InboundRecord(index: index, itemIdentifier: nil, messageId: messageId, subject: subject, payload: payload)
    }

    private static func sqsRecord(_ item: JSONValue, index: Int) -> InboundRecord {
        let itemIdentifier = item["messageId"]?.stringValue
        guard let body = item["body"]?.stringValue else {
            return InboundRecord(
                index: index, itemIdentifier: itemIdentifier, messageId: nil, subject: nil,
                payload: .unrecognized(reason: "SQS record has no string body"))
        }
        // The body is normally the SNS envelope; with raw message delivery it is the message itself.
        if looksLikeJSON(body), let envelope = try? JSONValue.parse(body), envelope.isObject {
            if let message = envelope["Message"]?.stringValue, envelope["Type"]?.stringValue == "Notification"
                || envelope["TopicArn"] != nil
            {
                return InboundRecord(
                    index: index, itemIdentifier: itemIdentifier, messageId: envelope["MessageId"]?.stringValue,
                    subject: envelope["Subject"]?.stringValue, payload: payloadFromMessage(message, what: "SNS message in SQS body"))
            }
            if let key = envelope[DigestFlushMessage.key]?.stringValue, case .object(let members) = envelope, members.count == 1 {
                return InboundRecord(index: index, itemIdentifier: itemIdentifier, messageId: nil, subject: nil, payload: .digestFlush(key: key))
            }
            if isEventBridge(envelope) {
                let record = eventBridgeRecord(envelope, index: index)
                return InboundRecord(
                    index: index, itemIdentifier: itemIdentifier, messageId: record.messageId, subject: nil,
                    payload: record.payload)
            }
            return InboundRecord(
                index: index, itemIdentifier: itemIdentifier, messageId: nil, subject: nil,
                payload: .unrecognized(reason: "SQS body is JSON but neither an SNS notification envelope nor an EventBridge event"))
        }
        return InboundRecord(
            index: index, itemIdentifier: itemIdentifier, messageId: nil, subject: nil,
            payload: payloadFromMessage(body, what: "SQS body"))
    }

    /// A CloudFormation text notification, or an EventBridge event forwarded as JSON text.
    private static func payloadFromMessage(_ text: String, what: String) -> InboundRecord.Payload {
        if looksLikeJSON(text) {
            if let json = try? JSONValue.parse(text), isEventBridge(json) {
                return eventBridgeRecord(json, index: 0).payload
            }
            return .unrecognized(reason: "\(what) is JSON but not an EventBridge CloudFormation event")
        }
        let notification = StackNotification.parse(text)
        guard notification.isCloudFormationNotification else {
            return .unrecognized(
                reason: "\(what) is not a CloudFormation notification (needs ResourceStatus and StackId or StackName keys); starts with \(Text.excerpt(text))")
        }
        return .notification(notification)
    }

    private static func looksLikeJSON(_ text: String) -> Bool {
        text.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) == UInt8(ascii: "{")
    }

    private static func isEventBridge(_ json: JSONValue) -> Bool {
        json["detail-type"]?.stringValue != nil && json["source"]?.stringValue != nil && json["detail"] != nil
    }

    private static func eventBridgeRecord(_ json: JSONValue, index: Int) -> InboundRecord {
        let id = json["id"]?.stringValue
        let detailType = json["detail-type"]?.stringValue ?? ""
        let source = json["source"]?.stringValue ?? ""
        func unrecognized(_ reason: String) -> InboundRecord {
            InboundRecord(index: index, itemIdentifier: nil, messageId: id, subject: nil, payload: .unrecognized(reason: reason))
        }
        guard source == "aws.cloudformation", detailType == stackStatusChangeDetailType else {
            return unrecognized(
                "EventBridge event \(Text.excerpt(source, limit: 40))/\(Text.excerpt(detailType, limit: 60)) is not a \(stackStatusChangeDetailType)")
        }
        guard let id, !id.isEmpty else { return unrecognized("EventBridge event has no id") }
        let detail = json["detail"]
        let statusDetails = detail?["status-details"]
        guard let status = statusDetails?["status"]?.stringValue else {
            return unrecognized("EventBridge stack status change has no detail.status-details.status")
        }
        let stackId = detail?["stack-id"]?.stringValue ?? json["resources"]?.arrayValue?.first?.stringValue
        let change = StackStatusChange(
            eventId: id, account: json["account"]?.stringValue, region: json["region"]?.stringValue,
            time: json["time"]?.stringValue, stackId: stackId, status: status,
            statusReason: statusDetails?["status-reason"]?.stringValue)
        return InboundRecord(index: index, itemIdentifier: nil, messageId: id, subject: nil, payload: .statusChange(change))
    }
}

/// The body of the delayed SQS message that flushes a digest window: `{"catalogWatchDigest": "<ledger key>"}`.
package enum DigestFlushMessage {
    package static let key = "catalogWatchDigest"

    package static func body(ledgerKey: String) -> String {
        JSONValue.object([(key, .string(ledgerKey))]).serialized()
    }
}
