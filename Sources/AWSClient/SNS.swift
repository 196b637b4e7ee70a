/// A message attribute of an SNS `Publish` (`String`, `Number` or `String.Array` data types).
public struct SNSMessageAttribute: Sendable, Equatable {
    public var name: String
    public var dataType: String
    public var stringValue: String

    public init(name: String, stringValue: String, dataType: String = "String") {
        self.name = name
        self.dataType = dataType
        self.stringValue = stringValue
    }
}

extension AWSClient {
    /// SNS `Publish`; returns the message id.
    public func publish(
        topicArn: String,
        message: String,
        subject: String? = nil,
        messageStructure: String? = nil,
        messageAttributes: [SNSMessageAttribute] = [],
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> String {
        let parameters = Self.publishParameters(topicArn: topicArn, message: message, subject: subject,
                                                messageStructure: messageStructure, messageAttributes: messageAttributes)
        let root = try await query(.sns, action: "Publish", parameters: parameters, deadline: deadline)
        guard let messageId = root.text(at: "PublishResult/MessageId"), !messageId.isEmpty else {
            throw Self.missing("PublishResult/MessageId", .sns, "Publish")
        }
        return messageId
    }

    static func publishParameters(
        topicArn: String, message: String, subject: String?, messageStructure: String?,
        messageAttributes: [SNSMessageAttribute]
    ) -> [(String, String)] {
        var parameters = [("TopicArn", topicArn), ("Message", message)]
        if let subject { parameters.append(("Subject", subject)) }
        if let messageStructure { parameters.append(("MessageStructure", messageStructure)) }
        for (index, attribute) in messageAttributes.enumerated() {
            let prefix = "MessageAttributes.entry.\(index + 1)."
            parameters.append((prefix + "Name", attribute.name))
            parameters.append((prefix + "Value.DataType", attribute.dataType))
            parameters.append((prefix + "Value.StringValue", attribute.stringValue))
        }
        return parameters
    }
}
