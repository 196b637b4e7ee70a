import FilterCore
import FilterContract
import JSONText

/// Reading the routing settings: `ROUTE_TAGS` (stack tags that become `tag.<key>` message attributes) and
/// `CHAT_ROUTES` (chat topics and the policies that pick their alerts). Each problem names the variable.
extension FilterConfiguration {
    /// The message attributes every alert has (`AlertComposer`); with `tag.<key>` of `ROUTE_TAGS`, what a
    /// chat route's policy can match.
    static let alertAttributes = AlertAttribute.allCases.map(\.name)
    static let chatRouteKeys = ChatRouteField.allCases.map(\.key)

    /// `ROUTE_TAGS`: comma-separated tag keys (blanks around them ignored, repeats dropped), each of which
    /// must make a valid message attribute name `tag.<key>`; at most `RouteTags.maxKeys`.
    static func routeTags(_ raw: String?) -> (keys: [String], problems: [String]) {
        guard let raw, !raw.allSatisfy(\.isWhitespace) else { return ([], []) }
        var keys: [String] = []
        var problems: [String] = []
        for item in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let key = item.trimmingWhitespace()
            if key.isEmpty || keys.contains(where: { $0.unicodeScalars.elementsEqual(key.unicodeScalars) }) { continue }
            if let problem = RouteTags.problem(key: key) {
                problems.append("ROUTE_TAGS key '\(oneLine(key, limit: 140))' \(problem)")
            } else {
                keys.append(key)
            }
        }
        if keys.isEmpty && problems.isEmpty { problems.append("ROUTE_TAGS lists no tag key") }
        if keys.count > RouteTags.maxKeys {
            problems.append(
                "ROUTE_TAGS lists \(keys.count) tag keys; at most \(RouteTags.maxKeys) fit (SQS takes 10 message attributes per message, "
                    + "and alerts have \(alertAttributes.count) of their own)")
        }
        return (keys, problems)
    }

    /// `CHAT_ROUTES`: a JSON array of `{"name", "topicArn", "filterPolicy"}` objects with distinct names, SNS
    /// topic ARNs, and policies (`RouteFilterPolicy`) on the alerts' attributes (`routeTags` for `tag.<key>`).
    static func chatRoutes(_ raw: String?, routeTags: [String]) -> (routes: [ChatRoute], problems: [String]) {
        guard let raw, !raw.allSatisfy(\.isWhitespace) else { return ([], []) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(raw)
        } catch {
            return ([], ["CHAT_ROUTES is not valid JSON (\(oneLine(error.description, limit: 200)))"])
        }
        guard let items = json.arrayValue else {
            return ([], ["CHAT_ROUTES is a JSON \(json.kindName), not an array of routes ({\"name\", \"topicArn\", \"filterPolicy\"})"])
        }
        var routes: [ChatRoute] = []
        var problems: [String] = []
        for (index, item) in items.enumerated() {
            switch chatRoute(item, index: index, routeTags: routeTags) {
            case .success(let route):
                if let first = routes.firstIndex(where: { $0.name == route.name }) {
                    problems.append("CHAT_ROUTES[\(index)] repeats the name '\(oneLine(route.name, limit: 80))' of CHAT_ROUTES[\(first)]")
                } else {
                    routes.append(route)
                }
            case .failure(let problem):
                problems += problem.lines
            }
        }
        return (routes, problems)
    }

    /// The problems of one route, each a whole sentence naming `CHAT_ROUTES[<index>]`.
    struct RouteProblems: Error {
        var lines: [String]
    }

    static func chatRoute(_ item: JSONValue, index: Int, routeTags: [String]) -> Result<ChatRoute, RouteProblems> {
        var label = "CHAT_ROUTES[\(index)]"
        guard case .object(let members) = item else {
            return .failure(RouteProblems(lines: ["\(label) is a \(item.kindName), not an object with name, topicArn and filterPolicy"]))
        }
        var problems: [String] = []
        for member in members where !chatRouteKeys.contains(member.key) {
            problems.append("\(label) has the unknown key '\(oneLine(member.key, limit: 80))' (known: \(chatRouteKeys.joined(separator: ", ")))")
        }
        let name = item[ChatRouteField.name.key]?.stringValue?.trimmingWhitespace() ?? ""
        if name.isEmpty {
            problems.append("\(label) has no name (a non-empty string)")
        } else {
            label += " (\(oneLine(name, limit: 80)))"
        }
        let topic = item[ChatRouteField.topicArn.key]?.stringValue ?? ""
        if !isTopicARN(topic) {
            let shown = item[ChatRouteField.topicArn.key].map { $0.stringValue.map { "'\(oneLine($0, limit: 300))'" } ?? "a \($0.kindName)" } ?? "missing"
            problems.append("\(label) topicArn \(shown) is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
        }
        var policy = RouteFilterPolicy(conditions: [])
        if let json = item[ChatRouteField.filterPolicy.key] {
            do {
                policy = try RouteFilterPolicy(json: json)
                problems += policyProblems(policy, routeTags: routeTags).map { "\(label) filterPolicy \($0)" }
            } catch {
                problems.append("\(label) filterPolicy \(error.description)")
            }
        } else {
            problems.append("\(label) has no filterPolicy (use {} to match every alert)")
        }
        guard problems.isEmpty else { return .failure(RouteProblems(lines: problems)) }
        return .success(ChatRoute(name: name, topicArn: topic, filterPolicy: policy))
    }

    /// Keys no alert has: a `tag.<key>` that `ROUTE_TAGS` does not name, or an attribute alerts never carry.
    static func policyProblems(_ policy: RouteFilterPolicy, routeTags: [String]) -> [String] {
        policy.conditions.compactMap { condition in
            let name = condition.attribute
            if alertAttributes.contains(name) { return nil }
            if name.hasPrefix(RouteTags.attributePrefix) {
                let key = String(name.dropFirst(RouteTags.attributePrefix.count))
                if routeTags.contains(where: { $0.unicodeScalars.elementsEqual(key.unicodeScalars) }) { return nil }
                return "uses '\(oneLine(name, limit: 140))', but ROUTE_TAGS does not name the tag '\(oneLine(key, limit: 128))'"
            }
            return "uses '\(oneLine(name, limit: 140))', which alerts do not carry (they have \(alertAttributes.joined(separator: ", ")) and tag.<key>)"
        }
    }
}
