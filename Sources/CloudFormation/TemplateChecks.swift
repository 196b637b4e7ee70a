import Diagnostics

/// Checks any template (ours or hand-written): references resolve, resources never depend on
/// resources that may be absent, no wildcard `sns:Publish`/`sts:AssumeRole`, no hard-coded partition or region,
/// and the generated types' schemas. Diagnostics carry the positions of the parse (`Template.source`).
public struct TemplateChecks: Sendable {
    /// Who wrote a template, which sets the severity of portability rules.
    public enum Provenance: String, Sendable {
        /// Written by CatalogWatch (`generate`): deployed by StackSets to every region and partition of a
        /// layout, so a hard-coded partition or region is an error.
        case catalogWatch
        /// Anything else: cfn-lint's conventions (a hard-coded partition is informational there, region checks
        /// are off by default), so both are warnings.
        case handWritten
    }

    /// Region and parameter scenarios under which conditions are evaluated.
    public var scenarios: [ConditionEvaluator.Scenario]
    /// Region names recognised as hard-coded when found in ARNs.
    public var knownRegions: Set<String>
    /// ARNs of resources outside the template that it names on purpose (a queue or function in one region
    /// that alerts are sent to): their partition and region are what they are, so they are not flagged.
    public var externalArns: Set<String>

    public init(scenarios: [ConditionEvaluator.Scenario], knownRegions: Set<String>, externalArns: Set<String> = []) {
        self.scenarios = scenarios
        self.knownRegions = knownRegions
        self.externalArns = externalArns
    }

    /// The families of checks in the order `run` runs them, and reports their findings in: what the reader
    /// noted, then references, condition scopes, policies, ARNs and schemas.
    static let families: [TemplateCheck] = [.reader, .references, .conditionScopes, .policies, .arns, .schema]

    /// Every rule these checks, the template reader and schema validation can report, each once, in the order
    /// of `families`.
    public static let rules: [DiagnosticRule] = {
        var seen: Set<String> = []
        return families.flatMap(\.rules).filter { seen.insert($0.id).inserted }
    }()

    /// Runs every family of checks on `template`, in the order of `families`.
    public func run(_ template: Template, provenance: Provenance = .handWritten) -> [Diagnostic] {
        var context = CheckContext(template: template, checks: self, provenance: provenance)
        for family in Self.families { family.run(&context) }
        return context.findings
    }
}

/// One family of template checks: the rules it can report and the code that reports them, declared together.
///
/// cfn-lint keeps one class per rule; here a rule's id, summary and severity are a `DiagnosticRule` value,
/// and the rules that one walk over the template finds share that walk, so that findings keep the order of
/// the template. The code reports through the rule values (`add(.unresolvedRef, ...)`), never their ids.
struct TemplateCheck: Sendable {
    /// Every rule `run` can report.
    let rules: [DiagnosticRule]
    /// Adds the family's findings to the context.
    let run: @Sendable (inout CheckContext) -> Void
}

/// One template being checked: its names, the settings of the run, and the findings so far.
struct CheckContext {
    let template: Template
    var findings: [Diagnostic] = []
    let resourceNames: Set<String>
    let parameterNames: Set<String>
    let conditionNames: Set<String>
    /// Names of `AWS::Serverless::*` resources, when the SAM transform is declared.
    let serverlessNames: [String]
    /// The settings of the run: scenarios, known regions, external ARNs.
    let checks: TemplateChecks
    /// Who wrote the template, which sets the severity of the portability rules.
    let provenance: TemplateChecks.Provenance

    init(template: Template, checks: TemplateChecks, provenance: TemplateChecks.Provenance) {
        self.template = template
        self.checks = checks
        self.provenance = provenance
        resourceNames = Set(template.resources.map(\.name))
        parameterNames = Set(template.parameters.map(\.name))
        conditionNames = Set(template.conditions.map(\.name))
        serverlessNames = template.transforms.contains(Template.serverlessTransform)
            ? template.resources.filter { $0.value.type.hasPrefix("AWS::Serverless::") }.map(\.name) : []
    }

    /// A finding of `rule` at `path`, with the rule's severity unless `severity` is given.
    mutating func add(_ rule: DiagnosticRule, _ path: String, _ message: String, _ severity: Severity? = nil) {
        findings.append(template.source.diagnostic(rule, path, message, severity: severity))
    }

    /// Every place a value of the template sits, with its path.
    var roots: [(path: String, value: CFNValue)] {
        var out: [(String, CFNValue)] = []
        if let rules = template.rules { out.append(("Rules", rules)) }
        if let globals = template.globals { out.append(("Globals", globals)) }
        for r in template.resources {
            out.append(("Resources.\(r.name).Properties", r.value.propertiesValue))
            if let m = r.value.metadata { out.append(("Resources.\(r.name).Metadata", m)) }
            if let p = r.value.deletionPolicy { out.append(("Resources.\(r.name).DeletionPolicy", p)) }
            if let p = r.value.updateReplacePolicy { out.append(("Resources.\(r.name).UpdateReplacePolicy", p)) }
            for f in r.value.extra { out.append(("Resources.\(r.name).\(f.key)", f.value)) }
        }
        if let hooks = template.hooks { out.append(("Hooks", hooks)) }
        for o in template.outputs {
            out.append(("Outputs.\(o.name).Value", o.value.value))
            if let e = o.value.exportName { out.append(("Outputs.\(o.name).Export", e)) }
        }
        for c in template.conditions { out.append(("Conditions.\(c.name)", c.value)) }
        return out
    }
}

// MARK: references

extension DiagnosticRule {
    static let unresolvedRef = DiagnosticRule("unresolved-ref", "A Ref names no parameter, resource or pseudo parameter")
    static let unresolvedGetAtt = DiagnosticRule("unresolved-getatt", "A GetAtt names no resource, or an attribute its type lacks")
    static let unresolvedSub = DiagnosticRule("unresolved-sub", "A Sub variable names nothing the template declares")
    static let unresolvedCondition = DiagnosticRule("unresolved-condition", "A condition used by a resource, output or If is not declared")
    static let unresolvedDependsOn = DiagnosticRule("unresolved-dependson", "DependsOn names no resource of the template")
    static let unresolvedMapping = DiagnosticRule("unresolved-mapping", "A FindInMap names a mapping or key the template lacks")
}

extension TemplateCheck {
    /// Every Ref, GetAtt, Sub variable, condition, DependsOn and FindInMap names something the template
    /// declares; a name the transforms may still declare is a note.
    static let references = TemplateCheck(
        rules: [.unresolvedRef, .unresolvedGetAtt, .unresolvedSub, .unresolvedCondition, .unresolvedDependsOn, .unresolvedMapping, .notEvaluated]
    ) { $0.checkReferences() }
}

extension CheckContext {
    mutating func checkReferences() {
        for (path, value) in roots { checkValue(value, path: path) }
        for r in template.resources {
            if let c = r.value.condition { checkCondition(c, "Resources.\(r.name).Condition", "condition '\(c)' is not declared") }
            for d in r.value.dependsOn where !resourceNames.contains(d) {
                unresolved(.unresolvedDependsOn, d, "Resources.\(r.name).DependsOn", "'\(d)' is not a resource of this template")
            }
        }
        for o in template.outputs {
            if let c = o.value.condition { checkCondition(c, "Outputs.\(o.name).Condition", "condition '\(c)' is not declared") }
        }
    }

    func isReferable(_ name: String) -> Bool {
        parameterNames.contains(name) || resourceNames.contains(name) || CFNValue.pseudoParameters.contains(name)
    }

    /// Why a name that is not declared may still exist when CloudFormation processes the template: the SAM
    /// transform generates it, or an `Fn::ForEach` the reader could not expand declares it.
    func undeclaredButPossible(_ name: String, section: String = "Resources") -> String? {
        let base = String(name.split(separator: ".", maxSplits: 1).first ?? "")
        if !serverlessNames.isEmpty {
            if base.hasPrefix("ServerlessRestApi") || base.hasPrefix("ServerlessHttpApi") { return "the SAM transform generates it" }
            if serverlessNames.contains(where: { base.hasPrefix($0) }) { return "the SAM transform generates it" }
        }
        if template.source.mayBeDeclaredByForEach(base, in: section) { return "an Fn::ForEach the checks could not expand may declare it" }
        return nil
    }

    /// An error for a name that does not resolve, or a note when it may exist after the transforms.
    mutating func unresolved(_ rule: DiagnosticRule, _ name: String, _ path: String, _ message: String, section: String = "Resources") {
        if let why = undeclaredButPossible(name, section: section) {
            add(.notEvaluated, path, "\(name): \(why); not checked")
        } else {
            add(rule, path, message)
        }
    }

    mutating func checkCondition(_ name: String, _ path: String, _ message: String) {
        if !conditionNames.contains(name) { unresolved(.unresolvedCondition, name, path, message, section: "Conditions") }
    }

    mutating func checkValue(_ value: CFNValue, path: String) {
        switch value {
        case .function("Ref", let arg):
            guard case .string(let name) = arg else { return add(.unresolvedRef, path, "!Ref takes a name") }
            if !isReferable(name) {
                unresolved(.unresolvedRef, name, path, "!Ref \(name): no parameter, resource or pseudo parameter has that name")
            }
        case .function("Fn::GetAtt", let arg):
            checkGetAtt(arg, path: path)
            if case .list(let parts) = arg { for p in parts { checkValue(p, path: path) } }
        case .function("Fn::Sub", let arg):
            checkSub(arg, path: path)
        case .function("Fn::If", let arg):
            guard case .list(let items) = arg, items.count == 3, case .string(let c) = items[0] else {
                return add(.unresolvedCondition, path, "!If takes [condition, value if true, value if false]")
            }
            checkCondition(c, path, "!If \(c): condition is not declared")
            checkValue(items[1], path: path)
            checkValue(items[2], path: path)
        case .function("Condition", let arg):
            if case .string(let c) = arg { checkCondition(c, path, "!Condition \(c): condition is not declared") }
        case .function("Fn::FindInMap", let arg):
            checkFindInMap(arg, path: path)
            checkValue(arg, path: path)
        case .function(_, let arg):
            checkValue(arg, path: path)
        case .list(let items):
            for (i, item) in items.enumerated() { checkValue(item, path: "\(path)[\(i)]") }
        case .object(let fields):
            for f in fields { checkValue(f.value, path: "\(path).\(f.key)") }
        case .string, .number, .bool, .null:
            break
        }
    }

    /// Generated types whose properties `!GetAtt` returns too (`!GetAtt Queue.QueueName`), as cfn-lint lists them.
    static let propertiesAreAttributes: Set<String> = ["AWS::SNS::Topic", "AWS::SQS::Queue"]

    mutating func checkGetAtt(_ arg: CFNValue, path: String) {
        guard case .list(let parts) = arg, parts.count == 2 else {
            return add(.unresolvedGetAtt, path, "!GetAtt takes a resource and an attribute")
        }
        guard case .string(let res) = parts[0] else {
            return add(.notEvaluated, path, "!GetAtt with a computed resource name; not checked")
        }
        if !resourceNames.contains(res) {
            unresolved(.unresolvedGetAtt, res, path, "!GetAtt \(res): no resource has that name")
        } else if case .string(let attr) = parts[1], let type = template.resource(res)?.type,
            let known = ResourceSchemaRegistry.attributes[type], !known.contains(attr),
            !(Self.propertiesAreAttributes.contains(type) && ResourceSchemaRegistry.properties[type]?.contains(attr) == true)
        {
            add(.unresolvedGetAtt, path, "!GetAtt \(res).\(attr): \(type) has no attribute \(attr) (it has \(known.sorted().joined(separator: ", ")))")
        }
    }

    mutating func checkSub(_ arg: CFNValue, path: String) {
        let (text, bindings) = SubTemplate.parts(of: arg)
        let vars = Set(bindings.map(\.key))
        for f in bindings { checkValue(f.value, path: path) }
        for variable in SubTemplate.variables(in: text ?? "") where !vars.contains(variable) {
            let base = variable.split(separator: ".", maxSplits: 1).first.map(String.init) ?? variable
            if variable.contains(".") {
                if !resourceNames.contains(base) { unresolved(.unresolvedSub, variable, path, "${\(variable)}: no resource named \(base)") }
            } else if !isReferable(variable) {
                unresolved(.unresolvedSub, variable, path, "${\(variable)}: no parameter, resource or variable has that name")
            }
        }
    }

    /// `!FindInMap [Map, TopKey, SecondKey]` (and `{DefaultValue: x}`): the map exists, and literal keys exist
    /// in it unless a default is given.
    mutating func checkFindInMap(_ arg: CFNValue, path: String) {
        guard case .list(let items) = arg, items.count == 3 || items.count == 4 else {
            return add(.unresolvedMapping, path, "!FindInMap takes [map, top-level key, second-level key] and optionally {DefaultValue: value}")
        }
        guard case .string(let map) = items[0] else { return }
        guard let mapping = template.mappings?[map] else {
            return add(.unresolvedMapping, path, "!FindInMap \(map): no mapping has that name")
        }
        guard items.count == 3, case .string(let top) = items[1] else { return }
        guard let entry = mapping[top] else { return add(.unresolvedMapping, path, "!FindInMap \(map): no top-level key '\(top)'") }
        if case .string(let second) = items[2], entry[second] == nil {
            add(.unresolvedMapping, path, "!FindInMap \(map): '\(top)' has no key '\(second)'")
        }
    }
}
