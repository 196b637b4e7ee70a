import YAML

/// `chat: {slack: {workspaceId, channelId}}` or `chat: {teams: {tenantId, teamId, channelId}}`: the filter
/// itself delivers these (Amazon Q Developer custom notifications on a topic of the route's own, listed in
/// `CHAT_ROUTES`), so the send topic has no subscription; the alert stack's `Routes` part adds the topic and
/// the channel configuration, and the roles stack the channel's role.
package struct ChatDestination: DestinationKind {
    package static let key = "chat"
    let channel: Route.ChatChannel

    package static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination? {
        guard let pairs = node.pairs, pairs.count == 1, let kind = pairs[0].key.scalarValue, ["slack", "teams"].contains(kind) else {
            checker.error(node, key, "needs its channel: slack: {workspaceId, channelId} or teams: {tenantId, teamId, channelId}")
            return nil
        }
        let fields = kind == "slack" ? ["workspaceId", "channelId"] : ["tenantId", "teamId", "channelId"]
        guard let inner = pairs[0].value.pairs else {
            checker.error(pairs[0].value, "\(key).\(kind)", "must be a mapping of \(fields.joined(separator: ", "))")
            return nil
        }
        var found: [String: String] = [:]
        for pair in inner {
            let field = pair.key.scalarValue ?? ""
            guard fields.contains(field) else {
                checker.error(pair.key, "\(key).\(kind).\(field)", "unknown key '\(field)'", suggestion: Suggest.closest(to: field, among: fields).first)
                continue
            }
            if let text = checker.string(pair.value, "\(key).\(kind).\(field)") {
                if RouteRules.isChatId(text) { found[field] = text } else {
                    checker.error(pair.value, "\(key).\(kind).\(field)", "'\(text)' is not a \(kind == "slack" ? "Slack" : "Teams") id (letters, digits, '-', ':', '@', '.', '_')")
                }
            }
        }
        for field in fields where found[field] == nil && !inner.contains(where: { $0.key.scalarValue == field }) {
            checker.error(pairs[0].value, "\(key).\(kind).\(field)", "is required")
        }
        guard fields.allSatisfy({ found[$0] != nil }) else { return nil }
        return .chat(kind == "slack"
            ? .slack(workspaceId: found["workspaceId"]!, channelId: found["channelId"]!)
            : .teams(tenantId: found["tenantId"]!, teamId: found["teamId"]!, channelId: found["channelId"]!))
    }

    package func planText(route: Route, layout: Layout) -> String {
        let place: String
        switch channel {
        case .slack(let workspace, let channelId): place = "Slack \(workspace)/\(channelId)"
        case .teams(_, let team, let channelId): place = "Teams \(team)/\(channelId)"
        }
        return "chat (\(place), topic \(PhysicalName.chatTopic(route.name).name(prefix: layout.namePrefix)), Amazon Q Developer custom notifications)"
    }

    package var delivery: Delivery { .chatTopic }
}
