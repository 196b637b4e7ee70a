import FilterContract
import JSONText

/// The filter policy of a chat route (`CHAT_ROUTES`): decides which alerts the route's chat topic gets.
///
/// It is the subset of SNS subscription filter policies (scope `MessageAttributes`) that the alert stack
/// generates: an object whose keys are message attribute names and whose values are lists of exact strings.
/// An alert matches when every key's attribute is present and equals one of the key's strings (AND across
/// keys, OR within a list); the empty policy matches every alert. Like SNS, a policy has at most 5 keys and
/// at most 150 combinations of values (the product of the list lengths). The filter evaluates the policy
/// itself and publishes to the topic of each matching route; RouteFilterPolicyMotoTests holds its verdicts
/// against moto's SNS filter-policy evaluation.
package struct RouteFilterPolicy: Sendable, Equatable {
    /// One key of the policy: an attribute name and the strings that match it.
    package struct Condition: Sendable, Equatable {
        package let attribute: String
        package let values: [String]

        package init(attribute: String, values: [String]) {
            self.attribute = attribute
            self.values = values
        }
    }

    /// SNS: "a filter policy can have a maximum of five attribute names".
    package static let maxKeys = 5
    /// SNS: the total combination of values must not exceed 150.
    package static let maxCombinations = 150

    /// One condition per key.
    package let conditions: [Condition]

    /// The policy of `conditions` as given (`init(json:)` checks what SNS would accept).
    package init(conditions: [Condition]) {
        self.conditions = conditions
    }

    /// Why a JSON value is not a policy of this subset (a fragment of a sentence, without the variable's name).
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// Reads a policy: an object of non-empty lists of strings (the shape `CHAT_ROUTES` carries,
    /// `ChatRoutesCodec.filterPolicy`), within the SNS limits on keys and combinations.
    package init(json: JSONValue) throws(Problem) {
        let policy: [(attribute: String, values: [String])]
        do {
            policy = try ChatRoutesCodec.filterPolicy(json)
        } catch {
            throw Problem(description: error.description)
        }
        try self.init(checking: policy)
    }

    /// The policy of `policy` (well-formed, as `ChatRoutesCodec` decodes it) within the SNS limits: at most
    /// `maxKeys` keys, at most `maxCombinations` combinations of values.
    package init(checking policy: [(attribute: String, values: [String])]) throws(Problem) {
        guard policy.count <= Self.maxKeys else {
            throw Problem(description: "has \(policy.count) keys; SNS allows at most \(Self.maxKeys)")
        }
        let combinations = policy.reduce(1) { product, condition in
            let (next, overflow) = product.multipliedReportingOverflow(by: condition.values.count)
            return overflow ? Int.max : next
        }
        guard combinations <= Self.maxCombinations else {
            throw Problem(description: "has \(combinations) combinations of values; SNS allows at most \(Self.maxCombinations)")
        }
        self.conditions = policy.map { Condition(attribute: $0.attribute, values: $0.values) }
    }

    /// Whether an alert with these (String) message attributes matches. Names and values compare as SNS
    /// compares them, scalar by scalar (Swift's `==` would also equate canonically equivalent strings such
    /// as a precomposed "é" and "e" + U+0301). An attribute named twice counts with its first value.
    package func matches(_ attributes: [MessageAttribute]) -> Bool {
        conditions.allSatisfy { condition in
            guard let value = attributes.first(where: { Self.same($0.name, condition.attribute) })?.value else { return false }
            return condition.values.contains { Self.same($0, value) }
        }
    }

    private static func same(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }
}
