import CloudFormation
import FilterContract
import YAML

/// Everything one kind of route destination contributes, in one file per kind (`Destinations/`): the layout
/// key and how it is read, the plan line, how alerts reach it, what the alert stack adds beside it and what
/// the StackSet execution role needs for that. `Route.Destination.kind` (Route.swift) is the one switch over
/// the kinds and `Route.destinationKinds` the one table. A kind that SNS delivers over a protocol the filter
/// already writes a body for (`SubscriptionProtocol`) is its file plus a case and a row there.
package protocol DestinationKind: Sendable {
    /// The route's key that names this kind (`email:`).
    static var key: String { get }
    /// Reads the value under `key` (`routes[i].email`); errors go to `checker`, and nil means there was one.
    static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination?

    /// What `plan` says after `<route>: ` and before `gets alerts with …`.
    func planText(route: Route, layout: Layout) -> String
    /// How alerts reach the destination.
    var delivery: Delivery { get }
    /// An ARN outside the templates that the layout names on purpose (the hard-coded ARN checks leave it).
    var externalArn: String? { get }
    /// Resources the alert stack adds beside the subscription (names start with `name`, e.g. `RoutePaymentsX`).
    func addResources(name: String, sendTopic: ResourceHandle<SNS.Topic>, managementAccountId: String?, condition: ConditionHandle?, to t: inout TemplateBuilder)
    /// What the StackSet execution role needs for those resources (statements with the same sid are merged).
    func executionGrant(layout: Layout) -> PolicyStatement?
}

/// How alerts reach a route's destination.
package enum Delivery: Equatable, Sendable {
    /// A subscription of the send topic (SNS delivers; its filter policy is the route's match).
    case subscription(SubscriptionProtocol, endpoint: String)
    /// A chat topic of the route's own, which the filter feeds in Amazon Q Developer's format (`CHAT_ROUTES`),
    /// and the route's channel configuration (`AlertStackParts.Routes`).
    case chatTopic
}

extension DestinationKind {
    package var externalArn: String? { nil }
    package func addResources(name: String, sendTopic: ResourceHandle<SNS.Topic>, managementAccountId: String?, condition: ConditionHandle?, to t: inout TemplateBuilder) {}
    package func executionGrant(layout: Layout) -> PolicyStatement? { nil }
}
