import Diagnostics

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

extension DiagnosticRule {
    static let conditionScope = DiagnosticRule("condition-scope", "A resource or output references a resource that may not exist where it does")
}

extension TemplateCheck {
    /// A resource or output never references a resource that may be absent where it exists, in any scenario.
    static let conditionScopes = TemplateCheck(rules: [.conditionScope]) { $0.checkConditionScopes(scenarios: $0.checks.scenarios) }
}

/// Condition scopes: a resource or output never references a resource that may be absent where it exists.
extension CheckContext {
    /// References from `value` to resources, with the conditions that guard them (from `!If`).
    func guardedReferences(_ value: CFNValue, guards: [(String, Bool)], into out: inout [(String, [(String, Bool)])]) {
        switch value {
        case .function("Ref", .string(let name)) where resourceNames.contains(name):
            out.append((name, guards))
        case .function("Fn::GetAtt", .list(let parts)):
            if case .string(let name)? = parts.first, resourceNames.contains(name) { out.append((name, guards)) }
        case .function("Fn::Sub", let arg):
            let (text, bindings) = SubTemplate.parts(of: arg)
            let vars = Set(bindings.map(\.key))
            for f in bindings { guardedReferences(f.value, guards: guards, into: &out) }
            for v in SubTemplate.variables(in: text ?? "") where !vars.contains(v) {
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
            guardedReferences(r.value.propertiesValue, guards: [], into: &refs)
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
                        add(.conditionScope, "Resources.\(r.name)",
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
                        add(.conditionScope, "Outputs.\(o.name)", "references \(target), which does not exist in \(scenario.region)")
                    }
                }
            }
        }
    }
}
