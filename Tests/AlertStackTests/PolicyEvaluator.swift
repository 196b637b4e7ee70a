import CloudFormation

/// A test-only evaluator of IAM policy documents written as CloudFormation values, following the
/// documented evaluation logic (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html),
/// for what our templates use:
///
/// - `Ref`, `Fn::Sub` (both forms) and `Fn::GetAtt` are resolved from `variables` (`Name`, `Logical.Attribute`);
///   an unknown name or any other intrinsic throws `Unresolved`, so a test never guesses.
/// - A statement applies when the action matches (`Action`/`NotAction`, case-insensitive `*`/`?` glob), the
///   resource matches (`Resource`/`NotResource`; ARNs compared part by part like IAM, the resource part as one
///   glob; no element at all, as in trust policies, matches any), the principal matches (statements with a
///   `Principal` only: `*`, an account or `:root` ARN = any principal of that account, an exact ARN, a
///   service), and every condition holds.
/// - Conditions: `String(Not)Equals`, `String(Not)Like`, `Arn(Not)Equals`, `Arn(Not)Like`, `Bool`, optionally
///   `ForAnyValue:`/`ForAllValues:` and `…IfExists`. Several values are OR'd. A key absent from the context
///   makes a positive operator false, a negated one and `ForAllValues:` true, `…IfExists` true. Keys compare
///   case-insensitively, values case-sensitively (`Bool` aside).
/// - An applicable Deny wins; else an applicable Allow allows; else the request is implicitly denied.
///
/// Not modelled: `NotPrincipal`, policy variables (`${aws:username}`), numeric/date/IP operators (they throw).
struct PolicyEvaluator {
    enum Decision: Equatable { case allow, implicitDeny, explicitDeny }

    /// Who makes the request, for resource-based and trust policies.
    enum Principal: Hashable {
        case aws(String)
        case service(String)
    }

    struct Request {
        var action: String
        var resource: String
        var principal: Principal? = nil
        /// Request context keys (`aws:SourceArn`, `iam:PassedToService`, …); multivalued keys have several values.
        var context: [String: [String]] = [:]
    }

    struct Unresolved: Error, CustomStringConvertible {
        let description: String
    }

    struct Condition {
        var op: String, key: String, values: [String]
    }

    struct Statement {
        var allow: Bool
        var actions: [String]?, notActions: [String]?, resources: [String]?, notResources: [String]?
        /// `["*": ["*"]]` for `Principal: "*"`; nil for identity policies.
        var principal: [String: [String]]?
        var conditions: [Condition]
    }

    let statements: [Statement]

    static let operators: Set<String> = [
        "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool",
    ]

    /// The statements of every document (an identity's policies are evaluated together).
    init(_ documents: [CFNValue], variables: [String: String]) throws {
        var statements: [Statement] = []
        for document in documents {
            let resolved = try Self.resolve(document, variables)
            let list: [CFNValue]
            switch resolved["Statement"] {
            case .list(let items)?: list = items
            case let single?: list = [single]
            case nil: throw Unresolved(description: "no Statement in \(document)")
            }
            for s in list { statements.append(try Self.statement(s)) }
        }
        self.statements = statements
    }

    /// With `namedOnly`, a statement naming an account (`123…`, `…:root`) applies to that account's root alone,
    /// not to its roles: what a resource policy grants without the account's IAM policies (a KMS key policy
    /// naming the account delegates to them).
    func decide(_ request: Request, namedOnly: Bool = false) -> Decision {
        var allowed = false
        for s in statements where Self.applies(s, to: request, namedOnly: namedOnly) {
            if !s.allow { return .explicitDeny }
            allowed = true
        }
        return allowed ? .allow : .implicitDeny
    }

    func allows(_ request: Request) -> Bool { decide(request) == .allow }

    // MARK: - Reading

    static func resolve(_ value: CFNValue, _ variables: [String: String]) throws -> CFNValue {
        func lookup(_ name: String, _ local: [String: String] = [:]) throws -> String {
            guard let v = local[name] ?? variables[name] else { throw Unresolved(description: "no value for \(name)") }
            return v
        }
        func sub(_ text: String, _ local: [String: String]) throws -> String {
            var out = "", rest = Substring(text)
            while let open = rest.range(of: "${") {
                out += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw Unresolved(description: "unclosed ${ in \(text)") }
                let name = rest[open.upperBound..<close]
                out += name.hasPrefix("!") ? "${\(name.dropFirst())}" : try lookup(String(name), local)
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
        switch value {
        case .string, .null: return value
        case .number(let n): return .string(n)
        case .bool(let b): return .string(b ? "true" : "false")
        case .list(let items): return .list(try items.map { try resolve($0, variables) })
        case .object(let fields): return .object(try fields.map { CFNField($0.key, try resolve($0.value, variables)) })
        case .function("Ref", .string(let name)): return .string(try lookup(name))
        case .function("Fn::GetAtt", .list(let parts)) where parts.count == 2:
            return .string(try lookup(parts.map { $0.stringValue ?? "?" }.joined(separator: ".")))
        case .function("Fn::Sub", .string(let text)): return .string(try sub(text, [:]))
        case .function("Fn::Sub", .list(let parts)) where parts.count == 2:
            guard let text = parts[0].stringValue, case .object(let fields) = parts[1] else { break }
            var local: [String: String] = [:]
            for f in fields { local[f.key] = try strings(resolve(f.value, variables)).first }
            return .string(try sub(text, local))
        default: break
        }
        throw Unresolved(description: "cannot resolve \(value)")
    }

    static func strings(_ value: CFNValue?) -> [String] {
        switch value {
        case .string(let s)?: return [s]
        case .list(let items)?: return items.compactMap(\.stringValue)
        default: return []
        }
    }

    static func statement(_ s: CFNValue) throws -> Statement {
        func optional(_ key: String) -> [String]? { s[key].map { strings($0) } }
        var principal: [String: [String]]?
        switch s["Principal"] {
        case .string("*")?: principal = ["*": ["*"]]
        case .object(let fields)?: principal = Dictionary(fields.map { ($0.key, strings($0.value)) }, uniquingKeysWith: +)
        case nil: principal = nil
        case let other?: throw Unresolved(description: "unsupported Principal \(other)")
        }
        if s["NotPrincipal"] != nil { throw Unresolved(description: "NotPrincipal is not modelled") }
        var conditions: [Condition] = []
        if case .object(let byOperator)? = s["Condition"] {
            for op in byOperator {
                let base = op.key.replacingOccurrences(of: "ForAnyValue:", with: "").replacingOccurrences(of: "ForAllValues:", with: "")
                guard operators.contains(base.hasSuffix("IfExists") ? String(base.dropLast(8)) : base), case .object(let keys) = op.value else {
                    throw Unresolved(description: "unsupported condition operator \(op.key)")
                }
                conditions += keys.map { Condition(op: op.key, key: $0.key, values: strings($0.value)) }
            }
        }
        return Statement(
            allow: s["Effect"] == "Allow", actions: optional("Action"), notActions: optional("NotAction"), resources: optional("Resource"),
            notResources: optional("NotResource"), principal: principal, conditions: conditions)
    }

    // MARK: - Matching

    /// `*` (any run, empty included) and `?` (one character).
    static func glob(_ pattern: String, _ text: String, ignoringCase: Bool = false) -> Bool {
        let p = Array(ignoringCase ? pattern.lowercased() : pattern), t = Array(ignoringCase ? text.lowercased() : text)
        var i = 0, j = 0, star = -1, mark = 0
        while j < t.count {
            if i < p.count, p[i] == "?" || p[i] == t[j] { i += 1; j += 1 }
            else if i < p.count, p[i] == "*" { star = i; mark = j; i += 1 }
            else if star >= 0 { i = star + 1; mark += 1; j = mark }
            else { return false }
        }
        while i < p.count, p[i] == "*" { i += 1 }
        return i == p.count
    }

    /// ARNs part by part (`arn:partition:service:region:account:resource`, a wildcard never spans a colon
    /// before the resource part); anything else as one glob.
    static func arnMatches(_ pattern: String, _ arn: String) -> Bool {
        if pattern == "*" { return true }
        let p = pattern.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let a = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard p.count == 6, a.count == 6 else { return glob(pattern, arn) }
        return zip(p, a).allSatisfy { glob(String($0), String($1)) }
    }

    static func principalMatches(_ statement: [String: [String]]?, _ request: Principal?, namedOnly: Bool = false) -> Bool {
        guard let statement else { return true }
        if statement["*"] != nil { return true }
        switch request {
        case nil: return false
        case .service(let name)?: return statement["AWS"]?.contains("*") == true || statement["Service"]?.contains(name) == true
        case .aws(let arn)?:
            func account(_ arn: String) -> Substring? { arn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first }
            return (statement["AWS"] ?? []).contains { p in
                if p == "*" || p == arn { return true }
                let named = p.hasSuffix(":root") ? account(p) : p.count == 12 && p.allSatisfy(\.isNumber) ? Substring(p) : nil
                return !namedOnly && named != nil && named == account(arn)
            }
        }
    }

    static func conditionHolds(_ c: Condition, _ context: [String: [String]]) -> Bool {
        let present = context.first { $0.key.lowercased() == c.key.lowercased() }?.value
        var op = Substring(c.op)
        let anyValue = op.hasPrefix("ForAnyValue:"), allValues = op.hasPrefix("ForAllValues:")
        if anyValue || allValues { op = op.drop { $0 != ":" }.dropFirst() }
        let ifExists = op.hasSuffix("IfExists")
        if ifExists { op = op.dropLast(8) }
        let negated = op.contains("Not")
        let base = op.replacingOccurrences(of: "Not", with: "")
        func one(_ pattern: String, _ value: String) -> Bool {
            switch base {
            case "StringEquals": return pattern == value
            case "StringLike": return glob(pattern, value)
            case "Bool": return pattern.lowercased() == value.lowercased()
            default: return arnMatches(pattern, value)  // ArnEquals, ArnLike
            }
        }
        guard let values = present, !values.isEmpty else { return allValues || negated || ifExists }
        let matches = values.map { v in c.values.contains { one($0, v) } }
        let positive = allValues ? matches.allSatisfy { $0 } : matches.contains(true)
        return negated ? !positive : positive
    }

    static func applies(_ s: Statement, to r: Request, namedOnly: Bool = false) -> Bool {
        let action = s.actions.map { $0.contains { glob($0, r.action, ignoringCase: true) } }
            ?? !(s.notActions ?? []).contains { glob($0, r.action, ignoringCase: true) }
        let resource = s.resources.map { $0.contains { arnMatches($0, r.resource) } }
            ?? s.notResources.map { !$0.contains { arnMatches($0, r.resource) } } ?? true
        return action && resource && principalMatches(s.principal, r.principal, namedOnly: namedOnly) && s.conditions.allSatisfy { conditionHolds($0, r.context) }
    }
}
