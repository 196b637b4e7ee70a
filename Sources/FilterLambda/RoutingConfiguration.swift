import FilterCore
import FilterContract

/// Reading the routing settings: `ROUTE_TAGS` (stack tags that become `tag.<key>` message attributes) and
/// `CHAT_ROUTES` (chat topics and the policies that pick their alerts). The contract's codecs read the values
/// and word the problems (`RouteTagsCodec`, `ChatRoutesCodec`); the rules here are the filter's: SNS names,
/// ARNs and limits, and what alerts carry. Each problem names the variable.
extension FilterConfiguration {
    /// The message attributes every alert has (`AlertComposer`); with `tag.<key>` of `ROUTE_TAGS`, what a
    /// chat route's policy can match.
    static let alertAttributes = AlertAttribute.allCases.map(\.name)

    /// `ROUTE_TAGS`: comma-separated tag keys (blanks around them ignored, repeats dropped), each of which
    /// must make a valid message attribute name `tag.<key>`; at most `RouteTags.maxKeys`.
    static func routeTags(_ raw: String?) -> (keys: [String], problems: [String]) {
        let listed = RouteTagsCodec.decode(raw)
        var keys: [String] = []
        var problems = listed.problems
        for key in listed.keys {
            if let problem = RouteTags.problem(key: key) {
                problems.append("\(FilterVariable.routeTags.name) key '\(ContractText.oneLine(key, limit: 140))' \(problem)")
            } else {
                keys.append(key)
            }
        }
        if keys.count > RouteTags.maxKeys {
            problems.append(
                "\(FilterVariable.routeTags.name) lists \(keys.count) tag keys; at most \(RouteTags.maxKeys) fit (SQS takes 10 message attributes per message, "
                    + "and alerts have \(alertAttributes.count) of their own)")
        }
        return (keys, problems)
    }

    /// `CHAT_ROUTES`: a JSON array of `{"name", "topicArn", "filterPolicy"}` objects with distinct names, SNS
    /// topic ARNs, and policies (`RouteFilterPolicy`) on the alerts' attributes (`routeTags` for `tag.<key>`).
    static func chatRoutes(_ raw: String?, routeTags: [String]) -> (routes: [ChatRoute], problems: [String]) {
        let checks = ChatRoutesCodec.Checks(isTopicArn: isTopicARN) { policy in
            do throws(RouteFilterPolicy.Problem) {
                return policyProblems(try RouteFilterPolicy(checking: policy), routeTags: routeTags)
            } catch {
                return [error.description]
            }
        }
        let decoded = ChatRoutesCodec.decode(raw, checks: checks)
        let routes = decoded.entries.map { entry in
            ChatRoute(
                name: entry.name, topicArn: entry.topicArn,
                filterPolicy: RouteFilterPolicy(conditions: entry.filterPolicy.map { RouteFilterPolicy.Condition(attribute: $0.attribute, values: $0.values) }))
        }
        return (routes, decoded.problems)
    }

    /// Keys no alert has: a `tag.<key>` that `ROUTE_TAGS` does not name, or an attribute alerts never carry.
    static func policyProblems(_ policy: RouteFilterPolicy, routeTags: [String]) -> [String] {
        policy.conditions.compactMap { condition in
            let name = condition.attribute
            if alertAttributes.contains(name) { return nil }
            if name.hasPrefix(RouteTags.attributePrefix) {
                let key = String(name.dropFirst(RouteTags.attributePrefix.count))
                if routeTags.contains(where: { $0.unicodeScalars.elementsEqual(key.unicodeScalars) }) { return nil }
                return "uses '\(ContractText.oneLine(name, limit: 140))', but \(FilterVariable.routeTags.name) does not name the tag '\(ContractText.oneLine(key, limit: 128))'"
            }
            return "uses '\(ContractText.oneLine(name, limit: 140))', which alerts do not carry (they have \(alertAttributes.joined(separator: ", ")) and tag.<key>)"
        }
    }
}
