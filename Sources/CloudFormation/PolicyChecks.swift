import Diagnostics
import IAMAuthorization

extension DiagnosticRule {
    static let wildcardResource = DiagnosticRule("wildcard-resource", "A policy allows sns:Publish or sts:AssumeRole on every resource")

    /// The rule of a service authorization reference finding: its id and summary are the `AuthorizationRule`'s.
    init(_ rule: AuthorizationRule) {
        self.init(rule.rawValue, rule.summary)
    }
}

extension TemplateCheck {
    /// IAM policies: no `sns:Publish` or `sts:AssumeRole` on every resource, and every Allow statement against
    /// the service authorization reference; one walk over the statements reports both.
    static let policies = TemplateCheck(rules: [.wildcardResource] + TemplateChecks.authorizationRules) { $0.checkPolicies() }
}

/// IAM: no `sns:Publish` or `sts:AssumeRole` allowed on every resource, and every Allow statement checked
/// against AWS's service authorization reference (`checkAuthorization`).
extension CheckContext {
    static let guardedActions = ["sns:publish", "sts:assumerole"]

    mutating func checkPolicies() {
        for (path, value) in roots { findPolicies(value, path: path) }
    }

    mutating func findPolicies(_ value: CFNValue, path: String) {
        switch value {
        case .object(let fields):
            if let statements = value["Statement"] {
                let list: [CFNValue]
                if case .list(let items) = statements { list = items } else { list = [statements] }
                for (i, s) in list.enumerated() { checkStatement(s, path: "\(path).Statement[\(i)]") }
            }
            for f in fields where f.key != "Statement" { findPolicies(f.value, path: "\(path).\(f.key)") }
        case .list(let items):
            for (i, item) in items.enumerated() { findPolicies(item, path: "\(path)[\(i)]") }
        case .function(_, let arg):
            findPolicies(arg, path: path)
        default:
            break
        }
    }

    mutating func checkStatement(_ statement: CFNValue, path: String) {
        if case .function("Fn::If", .list(let branches)) = statement, branches.count == 3 {
            return branches[1...].forEach { checkStatement($0, path: path) }
        }
        guard statement["Effect"] == .string("Allow") else { return }
        checkAuthorization(statement, path: path)
        func strings(_ v: CFNValue?) -> [CFNValue] {
            guard let v else { return [] }
            if case .list(let items) = v { return items }
            return [v]
        }
        let actions = strings(statement["Action"]).compactMap(\.stringValue).map { $0.lowercased() }
        let notActions = statement["NotAction"].map { strings($0).compactMap(\.stringValue).map { $0.lowercased() } }
        let resourceTexts = strings(statement["Resource"]).compactMap { r -> String? in
            if case .function("Fn::Sub", .string(let text)) = r { return text }
            return r.stringValue
        }
        guard let wildcard = resourceTexts.first(where: Self.isWildcardResource) else { return }
        for guarded in Self.guardedActions {
            // Action patterns may use * and ?; NotAction allows every action its patterns do not match.
            let allowed = notActions.map { patterns in !patterns.contains { Self.glob($0, matches: guarded) } }
                ?? actions.contains { Self.glob($0, matches: guarded) }
            if allowed {
                add(.wildcardResource, path, "allows \(guarded == "sns:publish" ? "sns:Publish" : "sts:AssumeRole") on Resource \"\(wildcard)\"; name the topic or role ARNs")
            }
        }
    }

    /// `*`, or an ARN whose resource part is `*` (`arn:aws:sns:*:*:*`, `arn:aws:iam::*:role/*`): any topic or role.
    static func isWildcardResource(_ text: String) -> Bool {
        if text == "*" { return true }
        let masked = maskSubVariables(text)
        guard masked.hasPrefix("arn:") else { return false }
        let parts = masked.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return false }
        let resource = parts[5]
        if resource == "*" { return true }
        guard let slash = resource.firstIndex(where: { $0 == "/" || $0 == ":" }) else { return false }
        return resource[resource.index(after: slash)...] == "*"
    }

    /// Wildcard match: `*` is any run of characters, `anyOneCharacter` (IAM's `?`) any one character;
    /// IAM action patterns use it with the case already folded.
    static func glob(_ pattern: String, matches text: String, anyOneCharacter: Character? = "?") -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != "*", p[pi] == anyOneCharacter || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

extension TemplateChecks {
    /// The rules of the service authorization reference checks (`iam-unknown-service`, `iam-unknown-action`,
    /// `iam-resource-mismatch`, `iam-unknown-condition-key`).
    public static let authorizationRules: [DiagnosticRule] = AuthorizationRule.allCases.map { DiagnosticRule($0) }
}

/// An Allow statement against AWS's service authorization reference (IAMAuthorization's `StatementChecker`):
/// action names exist, each action can apply to the statement's resources, condition keys are defined for it.
/// Every finding is an error at the action, the Resource or the condition key.
///
/// Identity policies (statements without Principal: IAM::Role Policies, ManagedPolicy, Policy documents) get
/// all three checks. A statement with Principal or NotPrincipal belongs to a resource-based policy (a key,
/// topic, queue, bus or bucket policy, a role's trust policy): its Resource is the resource the policy is
/// attached to, not what the actions need, so only action names and condition keys are checked there; so are
/// NotResource statements. Resources: strings and `Fn::Sub` texts, as `checkStatement` reads them (their `${...}`
/// stand for some value), and `Fn::Join` with the non-literal parts as such variables; a `Ref` or
/// `Fn::GetAtt` is some ARN of that resource (never `"*"`, otherwise not matched). Each branch of an `Fn::If`
/// in Resource is checked as its own variant of the statement; in Action and Condition both branches are read
/// together, and a statement that is itself an `Fn::If` is checked branch by branch (`checkStatement`).
extension CheckContext {
    mutating func checkAuthorization(_ statement: CFNValue, path: String) {
        let isNotAction = statement["Action"] == nil && statement["NotAction"] != nil
        let actions = Self.policyStrings(statement[isNotAction ? "NotAction" : "Action"], path: "\(path).\(isNotAction ? "NotAction" : "Action")")
        guard !actions.isEmpty else { return }
        let resourceBased = statement["Principal"] != nil || statement["NotPrincipal"] != nil
        let variants: [[PolicyResource]?] = resourceBased ? [nil] : statement["Resource"].map(Self.resourceVariants) ?? [nil]
        let keys = Self.conditionKeys(statement["Condition"], path: "\(path).Condition")
        var reported: [AuthorizationFinding] = []
        for resources in variants {
            let text = PolicyStatementText(actions: actions.map(\.text), isNotAction: isNotAction, resources: resources, conditionKeys: keys.map(\.key))
            for f in StatementChecker.check(text) where !reported.contains(f) {
                reported.append(f)
                let at: String
                switch f.rule {
                case .resourceMismatch: at = "\(path).Resource"
                case .unknownConditionKey: at = keys.first { $0.key == f.resource }?.path ?? "\(path).Condition"
                case .unknownService, .unknownAction: at = actions.first { $0.text == f.action }?.path ?? path
                }
                add(DiagnosticRule(f.rule), at, f.message)
            }
        }
    }

    /// The strings of an Action list (or one string), with their paths; both branches of an `Fn::If`.
    static func policyStrings(_ value: CFNValue?, path: String) -> [(text: String, path: String)] {
        switch value {
        case .string(let s)?: [(s, path)]
        case .list(let items)?: items.enumerated().flatMap { policyStrings($0.element, path: "\(path)[\($0.offset)]") }
        case .function("Fn::If", .list(let items))? where items.count == 3: policyStrings(items[1], path: path) + policyStrings(items[2], path: path)
        default: []
        }
    }

    /// The Resource lists a statement can have: one per combination of `Fn::If` branches (at most 16).
    static func resourceVariants(_ value: CFNValue) -> [[PolicyResource]] {
        switch value {
        case .list(let items):
            var variants: [[PolicyResource]] = [[]]
            for item in items {
                let options = resourceVariants(item)
                variants = Array(variants.flatMap { v in options.map { v + $0 } }.prefix(16))
            }
            return variants
        case .function("Fn::If", .list(let items)) where items.count == 3:
            return resourceVariants(items[1]) + resourceVariants(items[2])
        case .function("Ref", .string("AWS::NoValue")):
            return [[]]
        default:
            return [[policyResource(value)]]
        }
    }

    /// One Resource entry: text where the template writes it out, otherwise an ARN the checks cannot read.
    static func policyResource(_ value: CFNValue) -> PolicyResource {
        switch value {
        case .string(let s): return .text(s)
        case .function("Fn::Sub", .string(let s)): return .text(s)
        case .function("Fn::Sub", .list(let items)) where items.first?.stringValue != nil: return .text(items[0].stringValue ?? "")
        case .function("Fn::Join", .list(let items)) where items.count == 2:
            if case .string(let delimiter) = items[0], case .list(let parts) = items[1] {
                return .text(parts.map { $0.stringValue ?? "${}" }.joined(separator: delimiter))
            }
        case .function("Ref", .string(let name)): return .opaque("!Ref \(name)")
        case .function("Fn::GetAtt", .string(let name)): return .opaque("!GetAtt \(name)")
        case .function("Fn::GetAtt", .list(let parts)):
            return .opaque("!GetAtt " + parts.map { $0.stringValue ?? "?" }.joined(separator: "."))
        default: break
        }
        return .opaque("a computed value")
    }

    /// The keys of a Condition block (`{StringEquals: {aws:SourceAccount: ...}}`), with their paths.
    static func conditionKeys(_ value: CFNValue?, path: String) -> [(key: String, path: String)] {
        switch value {
        case .object(let operators)?:
            return operators.flatMap { op -> [(key: String, path: String)] in
                guard case .object(let keys) = op.value else { return [] }
                return keys.map { ($0.key, "\(path).\(op.key).\($0.key)") }
            }
        case .function("Fn::If", .list(let items))? where items.count == 3:
            return conditionKeys(items[1], path: path) + conditionKeys(items[2], path: path)
        default:
            return []
        }
    }
}
