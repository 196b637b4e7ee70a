import AWSIdentifiers
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AWSClient

/// Who the credentials belong to (`GetCallerIdentity`).
package struct CallerIdentity: Sendable, Equatable {
    package var account: String
    package var arn: String

    /// The partition field of the ARN (`aws`, `aws-cn`, `aws-us-gov`).
    package var partition: String {
        let fields = arn.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return fields.count > 1 ? String(fields[1]) : ""
    }
}

/// One SNS subscription of a topic.
package struct TopicSubscription: Sendable, Equatable {
    package var protocolName: String
    package var endpoint: String
    /// The subscription ARN, or `PendingConfirmation` until the endpoint confirms.
    package var subscriptionArn: String

    package var isPendingConfirmation: Bool { subscriptionArn == "PendingConfirmation" }
}

extension AWSClient {
    /// STS `GetCallerIdentity`.
    package func callerIdentity(deadline: ContinuousClock.Instant? = nil) async throws -> CallerIdentity {
        let root = try await query(.sts, action: "GetCallerIdentity", parameters: [], deadline: deadline)
        guard let account = root.value("GetCallerIdentityResult/Account"), let arn = root.value("GetCallerIdentityResult/Arn") else {
            throw Self.missing("GetCallerIdentityResult/Account", .sts, "GetCallerIdentity")
        }
        return CallerIdentity(account: account, arn: arn)
    }

    /// SNS `GetTopicAttributes`: whether the topic exists.
    package func topicExists(_ arn: String, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        do {
            _ = try await query(.sns, action: "GetTopicAttributes", parameters: [("TopicArn", arn)], deadline: deadline)
            return true
        } catch let error as AWSError where error.isNotFound {
            return false
        }
    }

    /// SNS `ListSubscriptionsByTopic`, every page.
    package func subscriptions(topicArn: String, deadline: ContinuousClock.Instant? = nil) async throws -> [TopicSubscription] {
        var token: String?
        var subscriptions: [TopicSubscription] = []
        repeat {
            var p = QueryParameters()
            p.add("TopicArn", topicArn)
            p.add("NextToken", token)
            let root = try await query(.sns, action: "ListSubscriptionsByTopic", parameters: p.pairs, deadline: deadline)
            for m in root.members("ListSubscriptionsByTopicResult/Subscriptions") {
                subscriptions.append(TopicSubscription(
                    protocolName: m.value("Protocol") ?? "", endpoint: m.value("Endpoint") ?? "",
                    subscriptionArn: m.value("SubscriptionArn") ?? ""))
            }
            token = root.value("ListSubscriptionsByTopicResult/NextToken")
        } while token != nil
        return subscriptions
    }

    /// SQS `GetQueueUrl` then `GetQueueAttributes`: the approximate number of visible messages; nil when there is no such queue.
    package func queueDepth(queueName: String, deadline: ContinuousClock.Instant? = nil) async throws -> Int? {
        try await queueCounts(queueName: queueName, ["ApproximateNumberOfMessages"], deadline: deadline)
    }

    /// SQS: the messages `queueName` holds, waiting, delayed or being handled (the three `Approximate…`
    /// counts together); nil when there is no such queue.
    package func queuedMessages(queueName: String, deadline: ContinuousClock.Instant? = nil) async throws -> Int? {
        let names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible"]
        return try await queueCounts(queueName: queueName, names, deadline: deadline)
    }

    /// SQS `GetQueueUrl` then `GetQueueAttributes`: the sum of the count attributes `names` of `queueName`
    /// (0 when none is returned); nil when there is no such queue.
    func queueCounts(queueName: String, _ names: [String], deadline: ContinuousClock.Instant?) async throws -> Int? {
        let urlRoot: XML.Element
        do {
            urlRoot = try await query(.sqs, action: "GetQueueUrl", parameters: [("QueueName", queueName)], deadline: deadline)
        } catch let error as AWSError where error.isNotFound {
            return nil
        }
        guard let url = urlRoot.value("GetQueueUrlResult/QueueUrl") else {
            throw Self.missing("GetQueueUrlResult/QueueUrl", .sqs, "GetQueueUrl")
        }
        let parameters = [("QueueUrl", url)] + names.enumerated().map { ("AttributeName.\($0.offset + 1)", $0.element) }
        let root = try await query(.sqs, action: "GetQueueAttributes", parameters: parameters, deadline: deadline)
        return root.children("GetQueueAttributesResult").flatMap { $0.children("Attribute") }
            .filter { names.contains($0.value("Name") ?? "") }
            .compactMap { Int($0.value("Value") ?? "") }
            .reduce(0, +)
    }

    /// CloudWatch `GetMetricStatistics`: the time of the latest datapoint of `metric` (namespace, one dimension)
    /// whose Sum is above zero within `hours` before `end`, or nil without one.
    package func latestDatapoint(
        namespace: String, metric: String, dimension: (name: String, value: String), end: UnixTime, hours: Int = 24,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> UnixTime? {
        var p = QueryParameters()
        p.add("Namespace", namespace)
        p.add("MetricName", metric)
        p.add("Dimensions", structures: [[("Name", dimension.name), ("Value", dimension.value)]])
        p.add("StartTime", AWSTimestamp.iso8601(end.adding(seconds: Double(-hours * 3600))))
        p.add("EndTime", AWSTimestamp.iso8601(end))
        p.add("Period", "300")
        p.add("Statistics", list: ["Sum"])
        let root = try await query(.cloudWatch, action: "GetMetricStatistics", parameters: p.pairs, deadline: deadline)
        return root.members("GetMetricStatisticsResult/Datapoints")
            .filter { (Double($0.value("Sum") ?? "") ?? 0) > 0 }
            .compactMap { $0.value("Timestamp").flatMap(AWSTimestamp.parseISO8601) }
            .max()
    }

    /// CloudWatch `GetMetricStatistics`: the sum of `AWS/Lambda` `metric` for `functionName` over the
    /// `hours` before `end` (one datapoint per hour, added up).
    package func lambdaMetricSum(
        functionName: String, metric: String, end: UnixTime, hours: Int = 24, deadline: ContinuousClock.Instant? = nil
    ) async throws -> Double {
        var p = QueryParameters()
        p.add("Namespace", "AWS/Lambda")
        p.add("MetricName", metric)
        p.add("Dimensions", structures: [[("Name", "FunctionName"), ("Value", functionName)]])
        p.add("StartTime", AWSTimestamp.iso8601(end.adding(seconds: Double(-hours * 3600))))
        p.add("EndTime", AWSTimestamp.iso8601(end))
        p.add("Period", "3600")
        p.add("Statistics", list: ["Sum"])
        let root = try await query(.cloudWatch, action: "GetMetricStatistics", parameters: p.pairs, deadline: deadline)
        return root.members("GetMetricStatisticsResult/Datapoints").compactMap { Double($0.value("Sum") ?? "") }.reduce(0, +)
    }
}
