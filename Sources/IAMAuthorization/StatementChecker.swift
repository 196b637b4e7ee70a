/// One statement of an IAM policy, reduced to the strings `StatementChecker` reads.
package struct PolicyStatementText: Sendable, Equatable {
    /// The statement's Action entries (`sns:Publish`, `kms:GenerateDataKey*`), or its NotAction entries when
    /// `isNotAction`.
    package var actions: [String]
    /// Whether `actions` is a NotAction list: then only the names are checked (the statement allows every
    /// other action, so resources and condition keys are not tied to these).
    package var isNotAction: Bool
    /// The statement's resources, or nil when they are not checked: a resource-based policy (its Resource is
    /// the resource the policy is attached to) or a NotResource statement.
    package var resources: [PolicyResource]?
    /// The condition keys of its Condition block (`aws:SourceAccount`), without the operators.
    package var conditionKeys: [String]

    package init(actions: [String], isNotAction: Bool = false, resources: [PolicyResource]?, conditionKeys: [String] = []) {
        self.actions = actions
        self.isNotAction = isNotAction
        self.resources = resources
        self.conditionKeys = conditionKeys
    }
}

/// A Resource entry of a statement.
package enum PolicyResource: Sendable, Equatable {
    /// Written out: `*`, an ARN pattern, or an `Fn::Sub` text whose `${...}` variables stand for some value.
    case text(String)
    /// Some ARN the checks cannot read (`!GetAtt Queue.Arn`, `!Ref Topic`), with how to describe it: it may be
    /// an ARN of any type, but it is not `"*"`.
    case opaque(String)

    var description: String {
        switch self {
        case .text(let t): "\"\(t)\""
        case .opaque(let d): d
        }
    }
}

/// What `StatementChecker` can report.
package enum AuthorizationRule: String, Sendable, CaseIterable {
    /// An action's service prefix is no service of the reference.
    case unknownService = "iam-unknown-service"
    /// An action (pattern) names no action of its tabled service.
    case unknownAction = "iam-unknown-action"
    /// The statement's resources cannot be what an action acts on.
    case resourceMismatch = "iam-resource-mismatch"
    /// A condition key no action of the pattern, its service or the global keys define.
    case unknownConditionKey = "iam-unknown-condition-key"

    /// One line on what the rule finds (SARIF's rule description).
    package var summary: String {
        switch self {
        case .unknownService: "A policy action names a service prefix the service authorization reference does not have"
        case .unknownAction: "A policy action matches no action of its service in the service authorization reference"
        case .resourceMismatch: "A policy action cannot apply to any Resource of its statement (or needs Resource \"*\")"
        case .unknownConditionKey: "A policy condition key is neither global nor defined for the statement's action or its service"
        }
    }
}

/// One problem of a statement, for one of its actions.
package struct AuthorizationFinding: Sendable, Equatable {
    package let rule: AuthorizationRule
    /// The action entry as the statement writes it.
    package let action: String
    /// The statement's resources, for `resourceMismatch`; the condition key, for `unknownConditionKey`.
    package let resource: String?
    /// One line naming what to fix.
    package let message: String
}

/// Checks statements against the service authorization reference (`ServiceAuthorization`): actions exist,
/// resources can be what each action acts on, condition keys are defined for it.
///
/// Action patterns (`*`, `?`) expand to the actions they match, case-insensitively. A pattern is reported as a
/// resource mismatch only when none of its actions can apply to the statement's resources, and a condition key
/// only when none of its actions (nor the service, nor the global keys) defines it, so a wildcard that also
/// covers actions the statement is not meant for is not noise. Actions of services the reference has but the
/// table leaves out, and patterns over the service prefix (`*`, `s*:Get*`), are not checked.
package enum StatementChecker {
    /// The findings of `statement`, in the order of its actions, then resources, then condition keys.
    package static func check(_ statement: PolicyStatementText) -> [AuthorizationFinding] {
        var findings: [AuthorizationFinding] = []
        for written in statement.actions {
            switch resolve(written) {
            case .unchecked:
                continue
            case .finding(let f):
                findings.append(f)
            case .actions(let service, let actions):
                if statement.isNotAction { continue }
                if let resources = statement.resources, let f = resourceFinding(written, service, actions, resources) {
                    findings.append(f)
                }
                findings += conditionFindings(written, service, actions, statement.conditionKeys)
            }
        }
        return findings
    }

    enum Resolution {
        case unchecked
        case finding(AuthorizationFinding)
        case actions(IAMService, [IAMAction])
    }

    /// The tabled actions `written` matches, or why there are none.
    static func resolve(_ written: String) -> Resolution {
        if written == "*" { return .unchecked }
        guard let colon = written.firstIndex(of: ":") else {
            return .finding(.init(rule: .unknownAction, action: written, resource: nil,
                message: "'\(written)' is not service:action; write the service prefix and the action (sns:Publish)"))
        }
        let prefix = String(written[..<colon])
        if WildcardPattern(policyText: prefix).hasWildcard { return .unchecked }
        guard let service = ServiceAuthorization.service(prefix) else {
            if ServiceAuthorization.isKnownPrefix(prefix) { return .unchecked }
            return .finding(.init(rule: .unknownService, action: written, resource: nil,
                message: "no service has the prefix '\(prefix)' in the service authorization reference; fix the prefix of \(written)"))
        }
        let pattern = WildcardPattern(policyText: String(written[written.index(after: colon)...]), foldCase: true)
        let actions = service.actions.filter { pattern.intersects(WildcardPattern(tokens: $0.name.lowercased().map { .character($0) })) }
        if actions.isEmpty {
            return .finding(.init(rule: .unknownAction, action: written, resource: nil,
                message: "\(written) matches no \(service.prefix) action of the service authorization reference; fix the action name"))
        }
        return .actions(service, actions)
    }

    /// A finding when no action of `actions` can apply to any of `resources`; `"*"` fits every action.
    static func resourceFinding(_ written: String, _ service: IAMService, _ actions: [IAMAction], _ resources: [PolicyResource]) -> AuthorizationFinding? {
        if resources.isEmpty || resources.contains(.text("*")) { return nil }
        if actions.contains(where: { fits($0, service, resources) }) { return nil }
        let listed = resources.map(\.description).joined(separator: ", ")
        let message: String
        if actions.count > 1 {
            message = "\(written) matches \(actions.count) \(service.prefix) actions and none can apply to Resource \(listed); name resources of their types or use \"*\""
        } else if actions[0].resourceTypes.isEmpty {
            message = "\(service.prefix):\(actions[0].name) supports no resource types, so it is allowed only with Resource \"*\" (not \(listed)); move it to a statement with Resource \"*\""
        } else {
            let types = actions[0].resourceTypes.map(\.name)
            let formats = types.compactMap { service.resourceType($0)?.arnFormats.first }
            message = "\(service.prefix):\(actions[0].name) acts on \(types.joined(separator: ", ")) (\(formats.joined(separator: ", "))); no Resource of \(listed) is one: name such an ARN"
        }
        return .init(rule: .resourceMismatch, action: written, resource: resources.map(\.description).joined(separator: ", "), message: message)
    }

    /// Whether `action` can apply to one of `resources` (none of them `"*"`).
    static func fits(_ action: IAMAction, _ service: IAMService, _ resources: [PolicyResource]) -> Bool {
        if action.resourceTypes.isEmpty { return false }
        return resources.contains { resource in
            guard case .text(let text) = resource else { return true }
            return action.resourceTypes.contains { use in
                guard let type = service.resourceType(use.name) else { return true }
                return type.arnFormats.contains { ARNMatch.canMatch(policyResource: text, format: $0) }
            }
        }
    }

    static let globalKeys = ServiceAuthorization.globalConditionKeys.map { WildcardPattern(referenceText: $0, foldCase: true) }

    /// A finding for each key that neither the global keys, nor `service`, nor one of `actions` defines.
    static func conditionFindings(_ written: String, _ service: IAMService, _ actions: [IAMAction], _ keys: [String]) -> [AuthorizationFinding] {
        var findings: [AuthorizationFinding] = []
        var seen = Set<String>()
        for key in keys where seen.insert(key.lowercased()).inserted {
            let pattern = WildcardPattern(policyText: key, foldCase: true)
            func defines(_ defined: [String]) -> Bool {
                defined.contains { pattern.intersects(WildcardPattern(referenceText: $0, foldCase: true)) }
            }
            if globalKeys.contains(where: pattern.intersects) || defines(service.conditionKeys)
                || actions.contains(where: { defines($0.conditionKeys) })
            {
                continue
            }
            let whose = actions.count == 1 ? "\(service.prefix):\(actions[0].name)" : "any action \(written) matches"
            findings.append(.init(rule: .unknownConditionKey, action: written, resource: key,
                message: "condition key \(key) is not global and neither \(whose) nor the \(service.prefix) service defines it, so it is never in the request context; fix the key or move it to a statement whose actions define it"))
        }
        return findings
    }
}

/// Whether a policy's Resource can name a resource of an ARN format, after parliament's `is_arn_match`.
enum ARNMatch {
    /// Both are cut into `arn:partition:service:region:account:resource` (the resource part keeps its colons)
    /// and compared part by part: a format's `${...}` matches anything, a policy's `*`, `?` and `${...}`
    /// (`Fn::Sub` variables such as `${AWS::Partition}`) are wildcards. The service part is the format's literal
    /// service, so it must be equal unless the policy writes a wildcard there. A policy text with fewer parts
    /// matches when it ends in a wildcard (that may span the rest) or starts with one (a variable holding an ARN).
    static func canMatch(policyResource: String, format: String) -> Bool {
        let policy = WildcardPattern(policyText: policyResource)
        var parts = policy.split(":", maxParts: 6)
        let formatParts = WildcardPattern(referenceText: format).split(":", maxParts: 6)
        guard formatParts.count == 6 else { return false }
        if parts.count < 6 {
            if policy.tokens.first == .anyRun { return true }
            guard policy.tokens.last == .anyRun else { return false }
            parts += Array(repeating: WildcardPattern(tokens: [.anyRun]), count: 6 - parts.count)
        }
        return zip(parts, formatParts).allSatisfy { $0.intersects($1) }
    }
}
