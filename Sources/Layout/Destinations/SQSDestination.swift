import YAML

/// `sqs: <queue ARN>`: an SQS subscription of the send topic. The queue's own policy must let the topic send
/// (`aws:SourceArn`); the alert stack does not own the queue, so it grants nothing.
package struct SQSDestination: DestinationKind {
    package static let key = "sqs"
    let arn: String

    package static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination? {
        guard let text = checker.string(node, key) else { return nil }
        if RouteRules.isARN(text, service: "sqs", resource: { !$0.contains(":") && !$0.isEmpty }) { return .sqs(text) }
        checker.error(node, key, "'\(text)' is not an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<name>)")
        return nil
    }

    package func planText(route: Route, layout: Layout) -> String {
        let elsewhere = RouteRules.account(ofARN: arn) != layout.managementAccountId
        return "SQS \(arn) (its queue policy must let the send topic send"
            + (elsewhere ? "; in another account, its owner must confirm the subscription or subscribe the queue itself)" : ")")
    }

    package var delivery: Delivery { .subscription(.sqs, endpoint: arn) }
    package var externalArn: String? { arn }
}
