import AWSClient
import FilterCore
import JSONText

/// A chat route of `CHAT_ROUTES`: a topic that Amazon Q Developer in chat applications subscribes to, and
/// the filter policy that picks the alerts whose chat notification it gets.
package struct ChatRoute: Sendable, Equatable {
    /// Names the route in logs and errors.
    package var name: String
    /// The chat topic.
    package var topicArn: String
    package var filterPolicy: RouteFilterPolicy

    package init(name: String, topicArn: String, filterPolicy: RouteFilterPolicy) {
        self.name = name
        self.topicArn = topicArn
        self.filterPolicy = filterPolicy
    }
}

/// Publishes the chat notification of an alert (`ChatNotification`) to every chat route whose filter policy
/// matches the alert's message attributes: a plain message (no `MessageStructure`) with the alert's attributes.
/// Every matching route is tried; when any fails the alert counts as not delivered, so the handler removes
/// its ledger claim and the event is retried (which publishes the alert and its chat notifications again:
/// a duplicate rather than a lost alert).
public struct ChatPublisher: Sendable {
    /// Signs with the function's credentials; each publish goes to its topic's region.
    let client: AWSClient
    package let routes: [ChatRoute]

    package init(client: AWSClient, routes: [ChatRoute]) {
        self.client = client
        self.routes = routes
    }

    /// The routes whose policy matches `alert`, in `CHAT_ROUTES` order.
    package func matchingRoutes(_ alert: Alert) -> [ChatRoute] {
        routes.filter { $0.filterPolicy.matches(alert.messageAttributes) }
    }

    /// Publishes the chat notification of `alert` to every matching route at once, logging each outcome;
    /// returns the message id of each route by name. Throws a `ChatDeliveryError` naming every route that
    /// could not be published to.
    @discardableResult
    package func publish(
        _ alert: Alert, failure: StackFailure, enrichment: Enrichment, links: ConsoleLinks? = nil, deadline: ContinuousClock.Instant,
        log: StructuredLogger
    ) async throws(ChatDeliveryError) -> [String: String] {
        guard !matchingRoutes(alert).isEmpty else { return [:] }
        let message = ChatNotification.compose(failure, enrichment, links: links)
        return try await publish(message: message, of: alert, about: [("stack", .string(failure.stackName))], eventId: failure.eventId, deadline: deadline, log: log)
    }

    /// Publishes `message` (a chat notification) to every route matching `alert`, with the alert's attributes;
    /// `about` names what it is in the log lines.
    @discardableResult
    package func publish(
        message: String, of alert: Alert, about: [(String, JSONValue)], eventId: String? = nil, deadline: ContinuousClock.Instant,
        log: StructuredLogger
    ) async throws(ChatDeliveryError) -> [String: String] {
        let matching = matchingRoutes(alert)
        guard !matching.isEmpty else { return [:] }
        let attributes = alert.messageAttributes.map { SNSMessageAttribute(name: $0.name, stringValue: $0.value) }
        let client = self.client
        let outcomes = await withTaskGroup(of: (Int, Result<String, any Error>).self) { group in
            for (index, route) in matching.enumerated() {
                group.addTask {
                    let topicClient = SNSAlertSink.client(client, forTopic: route.topicArn)
                    do {
                        let id = try await topicClient.publish(
                            topicArn: route.topicArn, message: message, messageAttributes: attributes, deadline: deadline)
                        return (index, .success(id))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<String, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var ids: [String: String] = [:]
        var failures: [ChatDeliveryError.Failure] = []
        for (index, outcome) in outcomes {
            let route = matching[index]
            let fields: [(String, JSONValue)] = [("route", .string(route.name))] + about
            switch outcome {
            case .success(let id):
                ids[route.name] = id
                log.info("chat notification published", fields + [("messageId", .string(id))])
            case .failure(let error):
                let description = AWSEnricher.describe(error)
                failures.append(ChatDeliveryError.Failure(route: route.name, description: description))
                log.error("chat notification not delivered", fields + [("eventId", .string(eventId ?? "")), ("error", .string(description))])
            }
        }
        guard failures.isEmpty else { throw ChatDeliveryError(failures: failures) }
        return ids
    }
}

/// Chat routes whose notification could not be published.
package struct ChatDeliveryError: Error, Sendable, CustomStringConvertible {
    /// One route that failed, and why (secret-free).
    package struct Failure: Sendable, Equatable {
        package let route: String
        package let description: String
    }

    package let failures: [Failure]

    package var description: String {
        failures.map { "chat route \($0.route): \($0.description)" }.joined(separator: "; ")
    }
}
