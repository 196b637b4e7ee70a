import AWSClient

/// An event bus as `DescribeEventBus` reports it.
package struct EventBusDescription: Sendable, Equatable {
    package var name: String
    package var arn: String
    /// The resource policy document (JSON text), nil when the bus has none.
    package var policy: String?
}

/// A rule as `DescribeRule` reports it, with its target count from `ListTargetsByRule`.
package struct EventRuleDescription: Sendable, Equatable {
    package var name: String
    /// `ENABLED`, `DISABLED`, `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    package var state: String
    package var eventPattern: String?
    package var targetArns: [String]
}

/// The wire shapes of the EventBridge calls (JSON 1.1, field names as in the service model).
enum EventBridgeWire {
    struct NameInput: Encodable { var Name: String }
    struct DescribeEventBusOutput: Decodable { var Name: String?; var Arn: String?; var Policy: String? }
    struct DescribeRuleInput: Encodable { var Name: String; var EventBusName: String? }
    struct DescribeRuleOutput: Decodable { var Name: String?; var State: String?; var EventPattern: String? }
    struct ListTargetsInput: Encodable { var Rule: String; var EventBusName: String?; var NextToken: String? }
    struct ListTargetsOutput: Decodable {
        struct Target: Decodable { var Arn: String? }
        var Targets: [Target]?
        var NextToken: String?
    }
}

extension AWSClient {
    /// `DescribeEventBus`; nil when there is no such bus.
    package func describeEventBus(_ name: String, deadline: ContinuousClock.Instant? = nil) async throws -> EventBusDescription? {
        do {
            let out = try await json(.events, operation: "DescribeEventBus", input: EventBridgeWire.NameInput(Name: name),
                                     output: EventBridgeWire.DescribeEventBusOutput.self, deadline: deadline)
            return EventBusDescription(name: out.Name ?? name, arn: out.Arn ?? "", policy: out.Policy)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    /// `DescribeRule` and `ListTargetsByRule` (every page) for `name` on `bus` (nil: the default bus); nil when there is no such rule.
    package func describeRule(_ name: String, bus: String?, deadline: ContinuousClock.Instant? = nil) async throws -> EventRuleDescription? {
        let rule: EventBridgeWire.DescribeRuleOutput
        do {
            rule = try await json(.events, operation: "DescribeRule", input: EventBridgeWire.DescribeRuleInput(Name: name, EventBusName: bus),
                                  output: EventBridgeWire.DescribeRuleOutput.self, deadline: deadline)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return nil
        }
        var targets: [String] = []
        var token: String?
        repeat {
            let page = try await json(.events, operation: "ListTargetsByRule", input: EventBridgeWire.ListTargetsInput(Rule: name, EventBusName: bus, NextToken: token),
                                      output: EventBridgeWire.ListTargetsOutput.self, deadline: deadline)
            targets += (page.Targets ?? []).compactMap(\.Arn)
            token = page.NextToken
        } while token != nil
        return EventRuleDescription(name: rule.Name ?? name, state: rule.State ?? "", eventPattern: rule.EventPattern, targetArns: targets)
    }
}
