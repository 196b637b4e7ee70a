/// One problem found in a template by `TemplateChecks`.
public struct TemplateFinding: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    /// A stable rule id, e.g. `unresolved-ref`, `wildcard-resource`.
    public var rule: String
    public var severity: Severity
    /// Where in the template: `Resources.Name.Properties.Key...`.
    public var path: String
    public var message: String

    public init(rule: String, severity: Severity = .error, path: String, message: String) {
        self.rule = rule
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(severity.rawValue) [\(rule)] \(path): \(message)" }

    /// `Section.Name` of the path, to find a line for it.
    public var entity: String { path.split(separator: ".").prefix(2).joined(separator: ".") }
}

/// Checks any template (ours or hand-written): references resolve, resources never depend on
/// resources that may be absent, no wildcard `sns:Publish`/`sts:AssumeRole`, no hard-coded partition or region.
public struct TemplateChecks: Sendable {
    /// Region and parameter scenarios under which conditions are evaluated.
    public var scenarios: [ConditionEvaluator.Scenario]
    /// Region names recognised as hard-coded when found in ARNs.
    public var knownRegions: Set<String>

    public init(scenarios: [ConditionEvaluator.Scenario], knownRegions: Set<String>) {
        self.scenarios = scenarios
        self.knownRegions = knownRegions
    }

    /// Runs every check on `template`.
    public func run(_ template: Template) -> [TemplateFinding] {
        var context = Context(template: template)
        context.checkReferences()
        context.checkConditionScopes(scenarios: scenarios)
        context.checkPolicies()
        context.checkHardCodedArns(knownRegions: knownRegions)
        for f in SchemaValidation.validate(template: template) {
            context.findings.append(TemplateFinding(rule: "schema", path: "Resources.\(f.resource).Properties.\(f.property)", message: f.message))
        }
        return context.findings
    }
}

/// Evaluates template conditions for a concrete region and parameter values.
public struct ConditionEvaluator: Sendable {
    /// One deployment situation: the stack's region and its parameter values (absent ones are unknown).
    public struct Scenario: Hashable, Sendable {
        public var region: String
        public var parameters: [String: String]
        public var partition: String
        public var accountId: String

        public init(region: String, parameters: [String: String] = [:], partition: String = "aws", accountId: String = "123456789012") {
            self.region = region
            self.parameters = parameters
            self.partition = partition
            self.accountId = accountId
        }
    }

    let template: Template
    let scenario: Scenario

    public init(template: Template, scenario: Scenario) {
        self.template = template
        self.scenario = scenario
    }

    /// The value of every condition: true, false, or nil when it depends on an unknown parameter.
    public func evaluateAll() -> [String: Bool?] {
        var cache: [String: Bool?] = [:]
        for c in template.conditions { cache[c.name] = evaluate(condition: c.name, cache: &cache, depth: 0) }
        return cache
    }

    func evaluate(condition name: String, cache: inout [String: Bool?], depth: Int) -> Bool? {
        if let known = cache[name] { return known }
        guard depth < 64, let expr = template.conditions.first(where: { $0.name == name })?.value else { return nil }
        let result = evaluate(expr, cache: &cache, depth: depth + 1)
        cache[name] = result
        return result
    }

    func evaluate(_ value: CFNValue, cache: inout [String: Bool?], depth: Int) -> Bool? {
        guard case .function(let name, let arg) = value else {
            if case .bool(let b) = value { return b }
            return nil
        }
        switch (name, arg) {
        case ("Condition", .string(let c)): return evaluate(condition: c, cache: &cache, depth: depth)
        case ("Fn::Equals", .list(let items)) where items.count == 2:
            guard let a = resolve(items[0]), let b = resolve(items[1]) else { return nil }
            return a == b
        case ("Fn::Not", .list(let items)) where items.count == 1:
            return evaluate(items[0], cache: &cache, depth: depth).map { !$0 }
        case ("Fn::And", .list(let items)):
            var unknown = false
            for item in items {
                switch evaluate(item, cache: &cache, depth: depth) {
                case .some(false): return false
                case .none: unknown = true
                case .some(true): break
                }
            }
            return unknown ? nil : true
        case ("Fn::Or", .list(let items)):
            var unknown = false
            for item in items {
                switch evaluate(item, cache: &cache, depth: depth) {
                case .some(true): return true
                case .none: unknown = true
                case .some(false): break
                }
            }
            return unknown ? nil : false
        default:
            return nil
        }
    }

    /// The string a value stands for in this scenario, when it can be known.
    func resolve(_ value: CFNValue) -> String? {
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .function("Ref", .string(let name)):
            switch name {
            case "AWS::Region": return scenario.region
            case "AWS::Partition": return scenario.partition
            case "AWS::AccountId": return scenario.accountId
            default:
                if let v = scenario.parameters[name] { return v }
                if let p = template.parameter(name), let d = p.default { return resolve(d) }
                return nil
            }
        default:
            return nil
        }
    }
}

private struct Context {
    let template: Template
    var findings: [TemplateFinding] = []
    let resourceNames: Set<String>
    let parameterNames: Set<String>
    let conditionNames: Set<String>

    init(template: Template) {
        self.template = template
        resourceNames = Set(template.resources.map(\.name))
        parameterNames = Set(template.parameters.map(\.name))
        conditionNames = Set(template.conditions.map(\.name))
    }

    mutating func add(_ rule: String, _ path: String, _ message: String, _ severity: TemplateFinding.Severity = .error) {
        findings.append(TemplateFinding(rule: rule, severity: severity, path: path, message: message))
    }

    /// Every place a value of the template sits, with its path.
    var roots: [(path: String, value: CFNValue)] {
        var out: [(String, CFNValue)] = []
        for r in template.resources {
            out.append(("Resources.\(r.name).Properties", .object(r.value.properties)))
            if let m = r.value.metadata { out.append(("Resources.\(r.name).Metadata", m)) }
        }
        for o in template.outputs {
            out.append(("Outputs.\(o.name).Value", o.value.value))
            if let e = o.value.exportName { out.append(("Outputs.\(o.name).Export", e)) }
        }
        for c in template.conditions { out.append(("Conditions.\(c.name)", c.value)) }
        return out
    }

    // MARK: references

    mutating func checkReferences() {
        for (path, value) in roots { checkValue(value, path: path, subVariables: []) }
        for r in template.resources {
            if let c = r.value.condition, !conditionNames.contains(c) {
                add("unresolved-condition", "Resources.\(r.name).Condition", "condition '\(c)' is not declared")
            }
            for d in r.value.dependsOn where !resourceNames.contains(d) {
                add("unresolved-dependson", "Resources.\(r.name).DependsOn", "'\(d)' is not a resource of this template")
            }
        }
        for o in template.outputs {
            if let c = o.value.condition, !conditionNames.contains(c) {
                add("unresolved-condition", "Outputs.\(o.name).Condition", "condition '\(c)' is not declared")
            }
        }
    }

    func isReferable(_ name: String) -> Bool {
        parameterNames.contains(name) || resourceNames.contains(name) || CFNValue.pseudoParameters.contains(name)
    }

    mutating func checkValue(_ value: CFNValue, path: String, subVariables: Set<String>) {
        switch value {
        case .function("Ref", let arg):
            if case .string(let name) = arg {
                if !isReferable(name) { add("unresolved-ref", path, "!Ref \(name): no parameter, resource or pseudo parameter has that name") }
            } else {
                add("unresolved-ref", path, "!Ref takes a name")
            }
        case .function("Fn::GetAtt", let arg):
            if case .list(let parts) = arg, parts.count == 2, case .string(let res) = parts[0] {
                if !resourceNames.contains(res) {
                    add("unresolved-getatt", path, "!GetAtt \(res): no resource has that name")
                } else if case .string(let attr) = parts[1], let type = template.resource(res)?.type,
                    let known = ResourceSchemaRegistry.attributes[type], !known.contains(attr)
                {
                    add("unresolved-getatt", path, "!GetAtt \(res).\(attr): \(type) has no attribute \(attr) (it has \(known.sorted().joined(separator: ", ")))")
                }
            } else {
                add("unresolved-getatt", path, "!GetAtt takes a resource and an attribute")
            }
            if case .list(let parts) = arg { for p in parts { checkValue(p, path: path, subVariables: subVariables) } }
        case .function("Fn::Sub", let arg):
            var text: String?
            var vars: Set<String> = []
            if case .string(let s) = arg { text = s }
            if case .list(let items) = arg, items.count == 2, case .string(let s) = items[0] {
                text = s
                if case .object(let fields) = items[1] {
                    vars = Set(fields.map(\.key))
                    for f in fields { checkValue(f.value, path: path, subVariables: subVariables) }
                }
            }
            for variable in SubTemplate.variables(in: text ?? "") {
                let base = variable.split(separator: ".", maxSplits: 1).first.map(String.init) ?? variable
                if vars.contains(variable) { continue }
                if variable.contains(".") {
                    if !resourceNames.contains(base) { add("unresolved-sub", path, "${\(variable)}: no resource named \(base)") }
                } else if !isReferable(variable) {
                    add("unresolved-sub", path, "${\(variable)}: no parameter, resource or variable has that name")
                }
            }
        case .function("Fn::If", let arg):
            if case .list(let items) = arg, items.count == 3, case .string(let c) = items[0] {
                if !conditionNames.contains(c) { add("unresolved-condition", path, "!If \(c): condition is not declared") }
                checkValue(items[1], path: path, subVariables: subVariables)
                checkValue(items[2], path: path, subVariables: subVariables)
            } else {
                add("unresolved-condition", path, "!If takes [condition, value if true, value if false]")
            }
        case .function("Condition", let arg):
            if case .string(let c) = arg, !conditionNames.contains(c) {
                add("unresolved-condition", path, "!Condition \(c): condition is not declared")
            }
        case .function(_, let arg):
            checkValue(arg, path: path, subVariables: subVariables)
        case .list(let items):
            for (i, item) in items.enumerated() { checkValue(item, path: "\(path)[\(i)]", subVariables: subVariables) }
        case .object(let fields):
            for f in fields { checkValue(f.value, path: "\(path).\(f.key)", subVariables: subVariables) }
        case .string, .number, .bool, .null:
            break
        }
    }

    // MARK: condition scopes

    /// References from `value` to resources, with the conditions that guard them (from `!If`).
    func guardedReferences(_ value: CFNValue, guards: [(String, Bool)], into out: inout [(String, [(String, Bool)])]) {
        switch value {
        case .function("Ref", .string(let name)) where resourceNames.contains(name):
            out.append((name, guards))
        case .function("Fn::GetAtt", .list(let parts)):
            if case .string(let name)? = parts.first, resourceNames.contains(name) { out.append((name, guards)) }
        case .function("Fn::Sub", let arg):
            var text = ""
            var vars: Set<String> = []
            if case .string(let s) = arg { text = s }
            if case .list(let items) = arg, items.count == 2, case .string(let s) = items[0] {
                text = s
                if case .object(let fields) = items[1] {
                    vars = Set(fields.map(\.key))
                    for f in fields { guardedReferences(f.value, guards: guards, into: &out) }
                }
            }
            for v in SubTemplate.variables(in: text) where !vars.contains(v) {
                let base = String(v.split(separator: ".").first ?? "")
                if resourceNames.contains(base) { out.append((base, guards)) }
            }
        case .function("Fn::If", .list(let items)) where items.count == 3:
            if case .string(let c) = items[0] {
                guardedReferences(items[1], guards: guards + [(c, true)], into: &out)
                guardedReferences(items[2], guards: guards + [(c, false)], into: &out)
            }
        case .function(_, let arg):
            guardedReferences(arg, guards: guards, into: &out)
        case .list(let items):
            for i in items { guardedReferences(i, guards: guards, into: &out) }
        case .object(let fields):
            for f in fields { guardedReferences(f.value, guards: guards, into: &out) }
        default:
            break
        }
    }

    mutating func checkConditionScopes(scenarios: [ConditionEvaluator.Scenario]) {
        guard !scenarios.isEmpty else { return }
        let evaluated = scenarios.map { ($0, ConditionEvaluator(template: template, scenario: $0).evaluateAll()) }
        func exists(_ condition: String?, _ values: [String: Bool?]) -> Bool? {
            guard let condition else { return true }
            return values[condition] ?? nil
        }
        var reported: Set<String> = []
        for r in template.resources {
            var refs: [(String, [(String, Bool)])] = []
            guardedReferences(.object(r.value.properties), guards: [], into: &refs)
            if let m = r.value.metadata { guardedReferences(m, guards: [], into: &refs) }
            refs += r.value.dependsOn.map { ($0, []) }
            for (target, guards) in refs {
                guard let targetResource = template.resource(target) else { continue }
                for (scenario, values) in evaluated {
                    guard exists(r.value.condition, values) == true, exists(targetResource.condition, values) == false else { continue }
                    // Is this reference switched off by an !If in this scenario?
                    let active = guards.allSatisfy { (c, polarity) in (values[c] ?? nil).map { $0 == polarity } ?? true }
                    guard active else { continue }
                    let key = "\(r.name)->\(target)"
                    if reported.insert(key).inserted {
                        add("condition-scope", "Resources.\(r.name)",
                            "references \(target), which does not exist in \(scenario.region) (condition \(targetResource.condition ?? "-")), while \(r.name) does (condition \(r.value.condition ?? "none"))")
                    }
                }
            }
        }
        for o in template.outputs {
            var refs: [(String, [(String, Bool)])] = []
            guardedReferences(o.value.value, guards: [], into: &refs)
            for (target, guards) in refs {
                guard let t = template.resource(target) else { continue }
                for (scenario, values) in evaluated
                where exists(o.value.condition, values) == true && exists(t.condition, values) == false {
                    // As for resources: a reference switched off by an !If in this scenario is fine.
                    guard guards.allSatisfy({ (c, polarity) in (values[c] ?? nil).map { $0 == polarity } ?? true }) else { continue }
                    if reported.insert("output \(o.name)->\(target)").inserted {
                        add("condition-scope", "Outputs.\(o.name)", "references \(target), which does not exist in \(scenario.region)")
                    }
                }
            }
        }
    }

    // MARK: IAM

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

    /// IAM action pattern match: `*` is any run of characters, `?` any one character (case already folded).
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
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

    // MARK: hard-coded ARNs

    mutating func checkHardCodedArns(knownRegions: Set<String>) {
        for (path, value) in roots { scanArns(value, path: path, knownRegions: knownRegions) }
    }

    mutating func scanArns(_ value: CFNValue, path: String, knownRegions: Set<String>) {
        switch value {
        case .string(let s):
            checkArnText(s, path: path, knownRegions: knownRegions)
        case .function("Fn::Sub", let arg):
            if case .string(let s) = arg { checkArnText(s, path: path, knownRegions: knownRegions) }
            if case .list(let items) = arg {
                if case .string(let s)? = items.first { checkArnText(s, path: path, knownRegions: knownRegions) }
                for i in items.dropFirst() { scanArns(i, path: path, knownRegions: knownRegions) }
            }
        case .function(_, let arg):
            scanArns(arg, path: path, knownRegions: knownRegions)
        case .list(let items):
            for (i, item) in items.enumerated() { scanArns(item, path: "\(path)[\(i)]", knownRegions: knownRegions) }
        case .object(let fields):
            for f in fields { scanArns(f.value, path: "\(path).\(f.key)", knownRegions: knownRegions) }
        default:
            break
        }
    }

    mutating func checkArnText(_ text: String, path: String, knownRegions: Set<String>) {
        // `${AWS::Partition}` and other variables hold colons: mask them so ARN fields split where they should.
        let masked = Self.maskSubVariables(text)
        var searchFrom = masked.startIndex
        while let range = masked[searchFrom...].firstRange(of: "arn:") {
            searchFrom = range.upperBound
            let rest = masked[range.upperBound...]
            let parts = rest.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let partition = String(parts[0])
            if ["aws", "aws-cn", "aws-us-gov"].contains(partition) {
                add("hard-coded-partition", path, "ARN '\(text.prefix(80))' names partition \(partition); use ${AWS::Partition}")
            }
            let region = String(parts[2])
            if knownRegions.contains(region) {
                add("hard-coded-region", path, "ARN '\(text.prefix(80))' names region \(region); use ${AWS::Region} or a parameter")
            }
        }
    }
}

extension Context {
    /// `text` with every `${...}` variable replaced by `${}`, so that colons inside names such as
    /// `${AWS::Partition}` do not count as ARN field separators.
    static func maskSubVariables(_ text: String) -> String {
        var out = ""
        var i = text.startIndex
        while let open = text[i...].firstRange(of: "${") {
            guard let close = text[open.upperBound...].firstIndex(of: "}") else { break }
            out += text[i..<open.lowerBound]
            out += text[open.upperBound...].hasPrefix("!") ? text[open.lowerBound...close] : "${}"
            i = text.index(after: close)
        }
        out += text[i...]
        return out
    }
}

/// `${Name}` variables of an `Fn::Sub` string (`${!Literal}` excluded).
public enum SubTemplate {
    /// The variable names in order of appearance.
    public static func variables(in text: String) -> [String] {
        var out: [String] = []
        var i = text.startIndex
        while let open = text[i...].firstRange(of: "${") {
            guard let close = text[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(text[open.upperBound..<close])
            if !name.hasPrefix("!") { out.append(name.trimmingSpaces) }
            i = text.index(after: close)
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
