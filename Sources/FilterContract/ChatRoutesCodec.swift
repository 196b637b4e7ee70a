import JSONText

/// One chat route as `CHAT_ROUTES` carries it: the route's name, its chat topic, and the SNS filter policy
/// (`MessageAttributes` scope, on `AlertAttribute`s) that picks the alerts the topic gets.
package struct ChatRouteEntry: Sendable, Equatable {
    /// Names the route in logs and problems (trimmed, not empty).
    package var name: String
    /// The chat topic's ARN (in the template: the `Fn::Sub` placeholder `${<topic's logical ID>}`).
    package var topicArn: String
    /// Attribute name → the exact strings that match it, in order (AND across attributes, OR within a list).
    package var filterPolicy: [(attribute: String, values: [String])]

    package init(name: String, topicArn: String, filterPolicy: [(attribute: String, values: [String])]) {
        self.name = name
        self.topicArn = topicArn
        self.filterPolicy = filterPolicy
    }

    package static func == (lhs: ChatRouteEntry, rhs: ChatRouteEntry) -> Bool {
        lhs.name == rhs.name && lhs.topicArn == rhs.topicArn
            && lhs.filterPolicy.elementsEqual(rhs.filterPolicy) { $0.attribute == $1.attribute && $0.values == $1.values }
    }
}

/// `CHAT_ROUTES`: `[{"name", "topicArn", "filterPolicy"}]` as compact JSON. The alert stack writes it
/// (`encode`, inside an `Fn::Sub`), the filter reads it (`decode`). The codec owns the JSON shape, the keys
/// and every problem sentence (each naming `CHAT_ROUTES[<index>]`); what needs the filter's own rules (SNS
/// topic ARN syntax, SNS policy limits, tags that `ROUTE_TAGS` names) the reader passes in as `Checks`.
package enum ChatRoutesCodec {
    static let variable = FilterVariable.chatRoutes.name
    static let keys = ChatRouteField.allCases.map(\.key)
    /// `{"name", "topicArn", "filterPolicy"}`, for problems.
    static let shape = "{" + keys.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
    /// `name, topicArn and filterPolicy`, for problems.
    static let keyList = keys.dropLast().joined(separator: ", ") + " and " + keys[keys.count - 1]

    // MARK: Encoding

    /// The variable's value: deterministic compact JSON, entries and policy attributes in the given order.
    /// `literal` writes every JSON string except the topic ARNs (the template escapes `${` in them as `${!`);
    /// a topic ARN is written as a plain JSON string, so that a `${Topic}` placeholder stays one.
    package static func encode(_ entries: [ChatRouteEntry], literal: (String) -> String = JSONText.quoted) -> String {
        let (name, topic, filter) = (ChatRouteField.name.key, ChatRouteField.topicArn.key, ChatRouteField.filterPolicy.key)
        let items = entries.map { entry in
            let policy = entry.filterPolicy.map { "\(literal($0.attribute)):[" + $0.values.map(literal).joined(separator: ",") + "]" }
            return "{\"\(name)\":\(literal(entry.name)),\"\(topic)\":\(JSONText.quoted(entry.topicArn)),\"\(filter)\":{\(policy.joined(separator: ","))}}"
        }
        return "[" + items.joined(separator: ",") + "]"
    }

    // MARK: Decoding

    /// What the reader judges that the JSON shape cannot tell.
    package struct Checks {
        /// Whether a topicArn string is an SNS topic ARN.
        package var isTopicArn: (String) -> Bool
        /// The problems of a well-formed policy (limits, attributes alerts do not carry), each a sentence
        /// fragment that follows "CHAT_ROUTES[<index>] (<name>) filterPolicy ".
        package var policyProblems: ([(attribute: String, values: [String])]) -> [String]

        package init(
            isTopicArn: @escaping (String) -> Bool,
            policyProblems: @escaping ([(attribute: String, values: [String])]) -> [String]
        ) {
            self.isTopicArn = isTopicArn
            self.policyProblems = policyProblems
        }
    }

    /// The routes of a value, or the problems that keep routes out (the good routes are still returned):
    /// not JSON, not an array, an entry not an object, unknown keys, no name, no topic ARN, no or a malformed
    /// policy, a repeated name, and whatever `checks` finds. Unset or blank is no routes.
    package static func decode(_ text: String?, checks: Checks) -> (entries: [ChatRouteEntry], problems: [String]) {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return ([], []) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            return ([], ["\(variable) is not valid JSON (\(ContractText.oneLine(error.description, limit: 200)))"])
        }
        guard let items = json.arrayValue else {
            return ([], ["\(variable) is a JSON \(json.kindName), not an array of routes (\(shape))"])
        }
        var entries: [ChatRouteEntry] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            switch entry(item, index: index, checks: checks) {
            case .success(let entry):
                if let first = entries.firstIndex(where: { $0.name == entry.name }) {
                    problems.append("\(variable)[\(index)] repeats the name '\(ContractText.oneLine(entry.name, limit: 80))' of \(variable)[\(first)]")
                } else {
                    entries.append(entry)
                }
            case .failure(let problem):
                problems += problem.lines
            }
        }
        return (entries, problems)
    }

    /// The problems of one entry, each a whole sentence naming `CHAT_ROUTES[<index>]`.
    package struct EntryProblems: Error {
        package var lines: [String]
    }

    /// One entry of the array, checked whole: every problem it has, in the order of its fields.
    package static func entry(_ item: JSONValue, index: Int, checks: Checks) -> Result<ChatRouteEntry, EntryProblems> {
        var label = "\(variable)[\(index)]"
        guard case .object(let members) = item else {
            return .failure(EntryProblems(lines: ["\(label) is a \(item.kindName), not an object with \(keyList)"]))
        }
        var problems: [String] = []
        for member in members where !keys.contains(member.key) {
            problems.append("\(label) has the unknown key '\(ContractText.oneLine(member.key, limit: 80))' (known: \(keys.joined(separator: ", ")))")
        }
        let name = item[ChatRouteField.name.key]?.stringValue?.trimmingWhitespace() ?? ""
        if name.isEmpty {
            problems.append("\(label) has no name (a non-empty string)")
        } else {
            label += " (\(ContractText.oneLine(name, limit: 80)))"
        }
        let topicValue = item[ChatRouteField.topicArn.key]
        let topic = topicValue?.stringValue ?? ""
        if topicValue?.stringValue == nil || !checks.isTopicArn(topic) {
            let shown = topicValue.map { $0.stringValue.map { "'\(ContractText.oneLine($0, limit: 300))'" } ?? "a \($0.kindName)" } ?? "missing"
            problems.append("\(label) topicArn \(shown) is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
        }
        var policy: [(attribute: String, values: [String])] = []
        if let json = item[ChatRouteField.filterPolicy.key] {
            do {
                policy = try filterPolicy(json)
                problems += checks.policyProblems(policy).map { "\(label) filterPolicy \($0)" }
            } catch {
                problems.append("\(label) filterPolicy \(error.description)")
            }
        } else {
            problems.append("\(label) has no filterPolicy (use {} to match every alert)")
        }
        guard problems.isEmpty else { return .failure(EntryProblems(lines: problems)) }
        return .success(ChatRouteEntry(name: name, topicArn: topic, filterPolicy: policy))
    }

    /// Why a JSON value is not a filter policy of the routes' subset (a sentence fragment, without the
    /// variable's name).
    package struct PolicyProblem: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// A filter policy: an object whose keys are attribute names and whose values are non-empty lists of
    /// exact strings. The first problem found, in key order, is thrown.
    package static func filterPolicy(_ json: JSONValue) throws(PolicyProblem) -> [(attribute: String, values: [String])] {
        guard case .object(let members) = json else {
            throw PolicyProblem(description: "is \(kind(json)), not an object of string lists")
        }
        var policy: [(attribute: String, values: [String])] = []
        for member in members {
            let key = ContractText.excerpt(member.key, limit: 80)
            guard let items = member.value.arrayValue else {
                throw PolicyProblem(description: "key \(key) is \(kind(member.value)), not a list of strings")
            }
            guard !items.isEmpty else { throw PolicyProblem(description: "key \(key) has an empty list, which matches no alert") }
            var values: [String] = []
            for item in items {
                guard let value = item.stringValue else {
                    throw PolicyProblem(description: "key \(key) lists \(kind(item)); only exact strings are supported")
                }
                values.append(value)
            }
            policy.append((member.key, values))
        }
        return policy
    }

    /// The kind of `value` with its article: "an object", "a string".
    static func kind(_ value: JSONValue) -> String {
        (value.kindName == "object" || value.kindName == "array" ? "an " : "a ") + value.kindName
    }
}
