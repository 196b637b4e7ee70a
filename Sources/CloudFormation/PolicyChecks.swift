/// IAM: no `sns:Publish` or `sts:AssumeRole` allowed on every resource.
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
        guard statement["Effect"] == .string("Allow") else { return }
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
                add("wildcard-resource", path, "allows \(guarded == "sns:publish" ? "sns:Publish" : "sts:AssumeRole") on Resource \"\(wildcard)\"; name the topic or role ARNs")
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
