extension AWSClient {
    /// SQS `SendMessage` (query protocol): puts `body` on the queue at `queueURL`, delivered after `delaySeconds`
    /// (0–900); returns the message id.
    @discardableResult
    public func sendMessage(queueURL: String, body: String, delaySeconds: Int = 0, deadline: ContinuousClock.Instant? = nil) async throws -> String {
        let parameters = [("QueueUrl", queueURL), ("MessageBody", body), ("DelaySeconds", String(min(max(delaySeconds, 0), 900)))]
        let root = try await query(.sqs, action: "SendMessage", parameters: parameters, deadline: deadline)
        guard let messageId = root.text(at: "SendMessageResult/MessageId"), !messageId.isEmpty else {
            throw Self.missing("SendMessageResult/MessageId", .sqs, "SendMessage")
        }
        return messageId
    }
}
