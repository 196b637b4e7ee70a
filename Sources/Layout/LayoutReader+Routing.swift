import AWSIdentifiers
import Diagnostics
import FilterContract
import YAML

/// The routing keys of a layout, as checked.
struct RoutingKeys {
    var routes: [Route] = []
    var defaultRoute = true
    var routeTags: [String] = []
    /// The size of the filter's `CHAT_ROUTES` variable at most (2 without chat routes).
    var chatRoutesBytes = 0
}

extension Checker {
    /// `routes`, `defaultRoute` and `routeTags`.
    mutating func checkRouting(_ values: [String: YAMLNode], root: YAMLNode) -> RoutingKeys {
        var keys = RoutingKeys()
        if let node = values["routeTags"] { keys.routeTags = checkRouteTags(node) }
        if let node = values["defaultRoute"] {
            if case .scalar(let s) = node, s.tag == nil, s.isPlain, ["true", "false"].contains(s.value) {
                keys.defaultRoute = s.value == "true"
            } else {
                error(node, "defaultRoute", "must be true or false, found \(node.preview)")
            }
        }
        if let node = values["routes"] { keys.routes = checkRoutes(node, routeTags: keys.routeTags) }
        // The variable as the filter will read it, with the longest topic ARN a route can get (the longest
        // partition and region, the longest name prefix).
        let longestPrefix = String(repeating: "p", count: NamePrefixRule.maxLength)
        let chatBytes = ChatRoutesCodec.encode(keys.routes.compactMap { route in
            guard case .chat = route.destination else { return nil }
            let topic = "arn:aws-us-gov:sns:ap-southeast-5:123456789012:\(PhysicalName.chatTopic(route.name).name(prefix: longestPrefix))"
            return ChatRouteEntry(name: route.name, topicArn: topic, filterPolicy: route.match.filterPolicy)
        }).utf8.count
        keys.chatRoutesBytes = chatBytes
        if chatBytes > RouteRules.maxChatRoutesBytes {
            error(values["routes"], "routes", "the chat routes need about \(chatBytes) bytes in the filter's CHAT_ROUTES variable; Lambda's environment holds 4 KB in all: use fewer chat routes or shorter matches")
        }
        if !keys.defaultRoute, keys.routes.isEmpty, values["defaultRoute"] != nil {
            error(values["defaultRoute"], "defaultRoute", "is false but no route is listed: alerts would reach nobody")
        }
        return keys
    }

    /// `routeTags`: distinct stack tag keys usable in an SNS message attribute name (`tag.<key>`).
    mutating func checkRouteTags(_ node: YAMLNode) -> [String] {
        guard let items = node.items else {
            error(node, "routeTags", "must be a list of stack tag keys, found a \(node.kindName) \(node.preview)")
            return []
        }
        var keys: [String] = []
        for (i, item) in items.enumerated() {
            guard let key = string(item, "routeTags[\(i)]") else { continue }
            if !RouteRules.isAttributeTagKey(key) {
                error(item, "routeTags[\(i)]", "'\(key)' cannot name a message attribute (tag.\(key)): use 1 to 120 letters, digits, '_', '-' or '.'")
            } else if keys.contains(key) {
                error(item, "routeTags[\(i)]", "duplicate tag key '\(key)'")
            } else if keys.count == RouteRules.maxRouteTags {
                error(item, "routeTags[\(i)]", "more than \(RouteRules.maxRouteTags) route tags: an alert carries 4 attributes and SQS subscribers take at most 10")
            } else {
                keys.append(key)
            }
        }
        return keys
    }

    mutating func checkRoutes(_ node: YAMLNode, routeTags: [String]) -> [Route] {
        guard let items = node.items else {
            error(node, "routes", "must be a list of routes (name, one destination, match), found a \(node.kindName) \(node.preview)")
            return []
        }
        var routes: [Route] = []
        var seen: [String: YAMLNode] = [:]
        for (i, item) in items.enumerated() {
            guard let route = checkRoute(item, key: "routes[\(i)]", routeTags: routeTags) else { continue }
            if let first = seen[route.logicalName] {
                let at = first.mark.map { " (first at line \($0.line))" } ?? ""
                error(item, "routes[\(i)].name", "duplicate route name '\(route.name)'\(at)")
                continue
            }
            seen[route.logicalName] = item
            routes.append(route)
        }
        return routes
    }

    /// One route: `name`, exactly one of the destinations, and a non-empty `match`.
    mutating func checkRoute(_ node: YAMLNode, key: String, routeTags: [String]) -> Route? {
        guard let pairs = node.pairs else {
            error(node, key, "must be a mapping with name, a destination and match, found a \(node.kindName) \(node.preview)")
            return nil
        }
        var name: String?, destinations: [(String, YAMLNode)] = [], match: Route.Match?, digest = Route.DigestOverride.inherit
        for pair in pairs {
            let field = pair.key.scalarValue ?? ""
            switch field {
            case "name":
                if let text = string(pair.value, "\(key).name") {
                    if RouteRules.isRouteName(text) { name = text } else {
                        error(pair.value, "\(key).name", "'\(text)' must start with a letter and have 1 to 40 letters, digits or hyphens")
                    }
                }
            case _ where Route.destinationKinds.contains(where: { $0.key == field }): destinations.append((field, pair.value))
            case "match": match = checkMatch(pair.value, key: "\(key).match", routeTags: routeTags)
            case "digest": digest = checkDigest(pair.value, "\(key).digest") ?? .inherit
            default:
                error(pair.key, "\(key).\(field)", "unknown key '\(field)'", suggestion: Suggest.closest(to: field, among: RouteRules.routeKeys).first)
            }
        }
        if name == nil, !pairs.contains(where: { $0.key.scalarValue == "name" }) { error(node, "\(key).name", "is required") }
        if destinations.count != 1 {
            error(destinations.dropFirst().first?.1 ?? node, key, destinations.isEmpty
                ? "needs one destination: \(RouteRules.destinationKeys.dropLast().joined(separator: ", ")) or \(RouteRules.destinationKeys.last ?? "")"
                : "has \(destinations.count) destinations (\(destinations.map(\.0).joined(separator: ", "))); a route has one")
        }
        if match == nil, !pairs.contains(where: { $0.key.scalarValue == "match" }) {
            error(node, "\(key).match", "is required: a route without a match would get every alert (that is the default route)")
        }
        guard let name, destinations.count == 1, let match,
            let destination = checkDestination(destinations[0].0, destinations[0].1, key: "\(key).\(destinations[0].0)")
        else { return nil }
        return Route(name: name, destination: destination, match: match, digest: digest)
    }

    /// The destination under `kind` (a key of `Route.destinationKinds`), read by its kind.
    mutating func checkDestination(_ kind: String, _ node: YAMLNode, key: String) -> Route.Destination? {
        guard let reader = Route.destinationKinds.first(where: { $0.key == kind }) else { return nil }
        return reader.read(node, key: key, checker: &self)
    }
}
