import AWSIdentifiers
import Diagnostics
import FilterContract
import YAML

/// Syntax rules of routes: names, message-attribute tag keys, destination ARNs, chat ids.
package enum RouteRules {
    /// At most this many route tags (the filter's limit: 4 attributes + 6 tags = SQS's 10).
    package static let maxRouteTags = 6
    /// SNS filter policy limits: attributes per policy, and combinations of values.
    package static let maxPolicyAttributes = 5
    package static let maxPolicyCombinations = 150

    /// The room for `CHAT_ROUTES`, `RUNBOOKS`, the console sign-in and `DIGEST` in the filter's environment (4 KB
    /// in all, the other variables need < 600 bytes).
    package static let maxChatRoutesBytes = 3400

    /// The keys of one route.
    static let routeKeys = ["name"] + destinationKeys + ["match", "digest"]
    /// The keys that name a destination (`Route.destinationKinds`).
    static let destinationKeys = Route.destinationKinds.map { $0.key }

    /// A letter, then letters, digits or hyphens, at most 40 (it names a topic and logical ids).
    package static func isRouteName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first), s.count <= 40 else { return false }
        return Validators.all(s) { Validators.isAlnum($0) || $0 == "-" }
    }

    /// A tag key that makes a valid SNS message attribute name `tag.<key>`: letters, digits, `_`, `-`,
    /// `.`, no `..`, no trailing `.`, at most 120 characters.
    package static func isAttributeTagKey(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 120 && !s.hasSuffix(".") && !s.contains("..")
            && Validators.all(s) { Validators.isAlnum($0) || $0 == "_" || $0 == "-" || $0 == "." }
    }

    /// `arn:<partition>:<service>:<region>:<12 digits>:<resource>`.
    static func isARN(_ s: String, service: String, resource: (String) -> Bool) -> Bool {
        guard let arn = ARN(s), arn.service == service, RegionTable.region(arn.region) != nil, arn.hasAccountID else { return false }
        return resource(arn.resource)
    }

    /// The account of an ARN.
    package static func account(ofARN s: String) -> String? { ARN(s)?.account }

    /// Slack workspace/channel ids, Teams tenant/team/channel ids.
    static func isChatId(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 256 && Validators.all(s) { Validators.isAlnum($0) || "-:@._".unicodeScalars.contains($0) }
    }

    /// The statuses an alert can carry (the filter's default alert set).
    static var alertStatuses: [String] { TerminalFailures.statuses }
}

extension Checker {
    /// `match`: at least one of account, region, status, product, tags; each a non-empty list.
    mutating func checkMatch(_ node: YAMLNode, key: String, routeTags: [String]) -> Route.Match? {
        guard let pairs = node.pairs else {
            error(node, key, "must map attributes (\(Route.attributes.joined(separator: ", "))) to lists of values, found a \(node.kindName) \(node.preview)")
            return nil
        }
        if pairs.isEmpty {
            error(node, key, "is empty: list at least one of \(Route.attributes.joined(separator: ", ")) (the default route already gets every alert)")
            return nil
        }
        var match = Route.Match()
        var valid = true
        for pair in pairs {
            let field = pair.key.scalarValue ?? ""
            let fieldKey = "\(key).\(field)"
            switch field {
            case "account": match.account = values(pair.value, fieldKey, &valid) { AccountID.isValid($0) ? nil : "is not an AWS account id (12 digits; quote it)" }
            case "region": match.region = values(pair.value, fieldKey, &valid) { RegionTable.region($0) != nil ? nil : "is not an AWS region" }
            case "status":
                match.status = values(pair.value, fieldKey, &valid) {
                    RouteRules.alertStatuses.contains($0) ? nil : "is not a status an alert carries (\(RouteRules.alertStatuses.joined(separator: ", ")))"
                }
            case "product": match.product = values(pair.value, fieldKey, &valid) { _ in nil }
            case "tags": match.tags = checkTagMatch(pair.value, fieldKey, routeTags: routeTags, &valid)
            default:
                valid = false
                error(pair.key, fieldKey, "unknown attribute '\(field)'; a match uses \(Route.attributes.joined(separator: ", "))",
                      suggestion: Suggest.closest(to: field, among: Route.attributes).first)
            }
        }
        let policy = match.filterPolicy
        if valid, policy.count > RouteRules.maxPolicyAttributes {
            error(node, key, "matches on \(policy.count) attributes; an SNS filter policy takes at most \(RouteRules.maxPolicyAttributes)")
            return nil
        }
        let combinations = policy.reduce(1) { $0 * $1.values.count }
        if valid, combinations > RouteRules.maxPolicyCombinations {
            error(node, key, "has \(combinations) combinations of values; an SNS filter policy takes at most \(RouteRules.maxPolicyCombinations)")
            return nil
        }
        return valid ? match : nil
    }

    /// A non-empty list of distinct strings, each passing `problem` (nil: fine).
    mutating func values(_ node: YAMLNode, _ key: String, _ valid: inout Bool, problem: (String) -> String?) -> [String] {
        guard let items = node.items, !items.isEmpty else {
            valid = false
            error(node, key, "must be a non-empty list of values, found \(node.preview)")
            return []
        }
        var found: [String] = []
        for (i, item) in items.enumerated() {
            guard let text = string(item, "\(key)[\(i)]") else {
                valid = false
                continue
            }
            if let message = problem(text) {
                valid = false
                error(item, "\(key)[\(i)]", "'\(text)' \(message)")
            } else if !found.contains(text) {
                found.append(text)
            }
        }
        return found
    }

    /// `tags: {key: [values]}`: keys among `routeTags` (the filter adds only those attributes).
    mutating func checkTagMatch(_ node: YAMLNode, _ key: String, routeTags: [String], _ valid: inout Bool) -> [Route.TagMatch] {
        guard let pairs = node.pairs, !pairs.isEmpty else {
            valid = false
            error(node, key, "must map stack tag keys to lists of values, found \(node.preview)")
            return []
        }
        var tags: [Route.TagMatch] = []
        for pair in pairs {
            guard let tag = string(pair.key, key) else {
                valid = false
                continue
            }
            if !routeTags.contains(tag) {
                valid = false
                error(pair.key, "\(key).\(tag)", "'\(tag)' is not in routeTags, so no alert carries it; add it to routeTags",
                      suggestion: Suggest.closest(to: tag, among: routeTags).first)
                continue
            }
            tags.append(Route.TagMatch(key: tag, values: values(pair.value, "\(key).\(tag)", &valid) { _ in nil }))
        }
        return tags
    }
}
