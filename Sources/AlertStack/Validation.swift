import CloudFormation
import Layout
import Diagnostics
import YAML

/// The checks behind `catalogwatch validate`, free of I/O: layout rules, template checks and layout/template agreement.
package enum Validation {
    /// Every rule `validate` can report (SARIF's `tool.driver.rules`): the layout reader's, the file reader's,
    /// the layout agreement rules in the order they run, the package manifest's, and the template checks'.
    package static let rules: [DiagnosticRule] =
        [.layout, .read] + AgreementRule.all.map(\.diagnosticRule) + [.manifest] + TemplateChecks.rules

    /// Whether CatalogWatch wrote `template`: every template `catalogwatch generate` writes has a Description
    /// that starts with `CatalogWatch`. Such templates are deployed to every region of a layout, so the portability
    /// rules are errors there; any other template is hand-written and gets cfn-lint's severities (warnings).
    package static func provenance(of template: Template) -> TemplateChecks.Provenance {
        template.description?.hasPrefix("CatalogWatch") == true ? .catalogWatch : .handWritten
    }

    /// Checks one template file's text: it parses, its references resolve, its policies and ARNs are sound.
    /// Positions come from the parse: the template keeps the mark of every key path.
    package static func checkTemplate(text: String, file: String, layout: Layout?) -> (template: Template?, diagnostics: [Diagnostic]) {
        let template: Template
        do {
            template = try TemplateParser.parse(text, file: file)
        } catch {
            return (nil, [Diagnostic(error, rule: .parse, file: file, keyPath: "(template)")])
        }
        let regions = layout?.orderedRegions ?? RegionTable.all.filter { $0.partition == "aws" }.map(\.name)
        let scenarios = regions.map { ConditionEvaluator.Scenario(region: $0, partition: RegionTable.region($0)?.partition ?? "aws") }
        let checks = TemplateChecks(scenarios: scenarios, knownRegions: Set(RegionTable.all.map(\.name)), externalArns: layout.map(externalArns) ?? [])
        return (template, checks.run(template, provenance: provenance(of: template)))
    }

    /// The ARNs a layout names on purpose, outside the templates: queues and functions that routes send to.
    package static func externalArns(_ layout: Layout) -> Set<String> {
        Set(layout.routes.compactMap(\.destination.kind.externalArn))
    }

    /// Checks that the StackSet and alert stack templates in a folder agree with the layout: the rules of
    /// `AgreementRule.all` in their order, those of each template on one template before the next, then those of
    /// the StackSets. The templates are parsed ones (`TemplateParser`), so diagnostics name their files and positions.
    package static func checkAgainstLayout(_ templates: [Template], layout: Layout) -> [Diagnostic] {
        var check = AgreementCheck(layout: layout)
        for t in templates {
            for rule in AgreementRule.all {
                if case .eachTemplate(let run) = rule.check { run(&check, t) }
            }
        }
        let stackSets = StackSetInventory(templates, layout: layout)
        for rule in AgreementRule.all {
            if case .stackSets(let run) = rule.check { run(&check, stackSets) }
        }
        return check.findings
    }

    static func dependsTransitively(_ name: String, on target: String, in sets: [(String, Resource)]) -> Bool {
        var seen: Set<String> = []
        var queue = [name]
        while let n = queue.popLast() {
            guard seen.insert(n).inserted, let r = sets.first(where: { $0.0 == n })?.1 else { continue }
            if r.dependsOn.contains(target) { return true }
            queue += r.dependsOn
        }
        return false
    }
}

/// One StackSet resource and the template that holds it.
struct StackSetEntry {
    var template: Template
    var name: String
    var resource: Resource
    var file: String { template.source.file ?? "(template)" }
    var isServiceManaged: Bool { resource.property("PermissionModel") == "SERVICE_MANAGED" }
    var stackSetName: String? { resource.property("StackSetName")?.stringValue }

    /// Regions of every StackInstancesGroup entry, in order.
    var instanceRegions: [String] {
        guard case .list(let groups)? = resource.property("StackInstancesGroup") else { return [] }
        return groups.flatMap { g -> [String] in
            if case .list(let r)? = g["Regions"] { return r.compactMap(\.stringValue) } else { return [] }
        }
    }
}

/// The StackSet resources of all templates, by what they deploy.
struct StackSetInventory {
    var templates: [Template]
    /// The alert stack's StackSets (self-managed), deployed to the layout's regions.
    var alertStackSets: [StackSetEntry]
    /// The member StackSets of EventBridge sources (service-managed): they target OUs, not the management
    /// account's regions.
    var members: [StackSetEntry]
    /// The reader role's StackSets (service-managed, named `layout.readerStackSetName`).
    var readers: [StackSetEntry]

    init(_ templates: [Template], layout: Layout) {
        let all = templates.flatMap { t in
            t.resources.filter { $0.value.type == "AWS::CloudFormation::StackSet" }.map { StackSetEntry(template: t, name: $0.name, resource: $0.value) }
        }
        self.templates = templates
        readers = all.filter { $0.isServiceManaged && $0.stackSetName == layout.readerStackSetName }
        members = all.filter { $0.isServiceManaged && $0.stackSetName != layout.readerStackSetName }
        alertStackSets = all.filter { !$0.isServiceManaged }
    }
}

extension DiagnosticRule {
    package static let read = DiagnosticRule("read", "A file cannot be read as UTF-8 text")
    /// Reported by `PackageManifest.check`.
    package static let manifest = DiagnosticRule("manifest", "A template does not match the packaged filter (runtime, architecture, code key)")
}

/// A layout agreement rule: its id and summary, and the check that reports it (cfn-lint's one class per rule).
struct AgreementRule: Sendable {
    /// What a rule's check looks at.
    enum Check: Sendable {
        /// One template; `checkAgainstLayout` runs every such rule on a template before the next template.
        case eachTemplate(@Sendable (inout AgreementCheck, Template) -> Void)
        /// The StackSets of all templates, once, after the rules of each template.
        case stackSets(@Sendable (inout AgreementCheck, StackSetInventory) -> Void)
    }

    let diagnosticRule: DiagnosticRule
    let check: Check

    init(_ id: String, _ summary: String, _ check: Check) {
        diagnosticRule = DiagnosticRule(id, summary)
        self.check = check
    }

    /// Every agreement rule, in the order `checkAgainstLayout` runs them.
    static let all: [AgreementRule] = [
        .layoutMismatch, .buffer, .guardrails, .memberForwarding, .memberReader, .stackSetMissing, .regionCoverage, .rolloutOrder,
    ]
}

/// The layout agreement checks, collecting diagnostics.
struct AgreementCheck {
    let layout: Layout
    var findings: [Diagnostic] = []

    /// An error of `rule` about `keyPath` of `template`, positioned at `positionPath` (default: the key path itself).
    mutating func add(_ template: Template?, _ rule: AgreementRule, _ keyPath: String, at positionPath: String? = nil, _ message: String) {
        let source = template?.source ?? TemplateSource()
        findings.append(Diagnostic(rule.diagnosticRule, file: source.file ?? "(templates)", mark: source.mark(for: positionPath ?? keyPath), keyPath: keyPath, message: message))
    }
}

extension AgreementRule {
    static let layoutMismatch = AgreementRule(
        "layout-mismatch", "A template parameter default disagrees with the layout", .eachTemplate { $0.parameterDefaults($1) })
}

extension AgreementCheck {
    /// Parameter defaults that encode the layout must match it.
    mutating func parameterDefaults(_ t: Template) {
        let expected: [(String, String?)] = [
            (ParameterName.mainRegion.name, layout.mainRegion), (ParameterName.organizationId.name, layout.organizationId),
            (ParameterName.notificationEmail.name, layout.notificationEmail), (ParameterName.memberRoleName.name, layout.memberRoleName),
            (ParameterName.namePrefix.name, layout.namePrefix), (ParameterName.lambdaArchitecture.name, layout.architecture.rawValue),
            (ParameterName.lambdaCodeBucket.name, layout.lambdaCode?.bucket), (ParameterName.lambdaCodeKey.name, layout.lambdaCode?.key),
        ]
        for (name, value) in expected {
            guard let p = t.parameter(name) else { continue }
            let actual = p.default?.stringValue
            if actual != value {
                add(t, .layoutMismatch, "Parameters.\(name).Default",
                    "default is \(actual.map { "'\($0)'" } ?? "unset") but the layout says \(value.map { "'\($0)'" } ?? "nothing")")
            }
        }
    }
}

extension AgreementRule {
    static let buffer = AgreementRule(
        "buffer", "The delivery path of the templates does not match the layout's buffer setting", .eachTemplate { $0.deliveryPath($1) })
}

extension AgreementCheck {
    /// The delivery path must match the layout's buffer setting.
    mutating func deliveryPath(_ t: Template) {
        guard t.resources.contains(where: { $0.value.type == "AWS::Lambda::Function" }) else { return }
        let types = t.resources.map(\.value.type)
        switch layout.buffer {
        case .sqs:
            let mapping = t.resources.first { $0.value.type == "AWS::Lambda::EventSourceMapping" }?.value
            if mapping == nil {
                add(t, .buffer, "Resources", "layout buffer is sqs but the template has no AWS::Lambda::EventSourceMapping")
            } else if mapping?.property("FunctionResponseTypes") != ["ReportBatchItemFailures"] {
                add(t, .buffer, "Resources", "the event source mapping must report batch item failures (FunctionResponseTypes: [ReportBatchItemFailures]), or one bad event retries the whole batch")
            }
            if !types.contains("AWS::SQS::QueuePolicy") {
                add(t, .buffer, "Resources", "layout buffer is sqs but no AWS::SQS::QueuePolicy lets the receive topics deliver")
            }
        case .none:
            if !types.contains("AWS::Lambda::Permission") {
                add(t, .buffer, "Resources", "layout buffer is none but no AWS::Lambda::Permission lets SNS invoke the filter")
            }
        }
    }
}

extension AgreementRule {
    static let stackSetMissing = AgreementRule("stackset-missing", "No StackSet deploys the alert stack", .stackSets { $0.stackSetPresence($1) })
}

extension AgreementCheck {
    /// At least one StackSet deploys the alert stack.
    mutating func stackSetPresence(_ s: StackSetInventory) {
        if s.alertStackSets.isEmpty {
            add(s.templates.first, .stackSetMissing, "Resources", "no AWS::CloudFormation::StackSet in the templates; the receive topics would reach no region")
        }
    }
}

extension AgreementRule {
    /// Checked when the templates hold alert stack StackSets (otherwise `stackset-missing` is reported).
    static let regionCoverage = AgreementRule(
        "region-coverage", "The StackSets do not deploy every layout region exactly once",
        .stackSets { check, s in if !s.alertStackSets.isEmpty { check.regionCoverage(s.alertStackSets) } })
}

extension AgreementCheck {
    /// Every layout region is deployed by exactly one StackSet, and no other region is.
    mutating func regionCoverage(_ sets: [StackSetEntry]) {
        var covered: [String: [String]] = [:]
        for s in sets {
            for region in s.instanceRegions { covered[region, default: []].append("\(s.file):\(s.name)") }
        }
        let first = sets[0]
        let at = "Resources.\(first.name)"
        for region in layout.orderedRegions {
            let places = covered[region] ?? []
            if places.isEmpty { add(first.template, .regionCoverage, "StackInstancesGroup", at: at, "layout region \(region) is not deployed by any StackSet") }
            if places.count > 1 {
                add(first.template, .regionCoverage, "StackInstancesGroup", at: at, "layout region \(region) is deployed \(places.count) times (\(places.joined(separator: ", ")))")
            }
        }
        for region in covered.keys.sorted() where !layout.orderedRegions.contains(region) {
            add(first.template, .regionCoverage, "StackInstancesGroup", at: at, "region \(region) is deployed but not in the layout")
        }
    }
}

extension AgreementRule {
    /// Checked when the templates hold alert stack StackSets (otherwise `stackset-missing` is reported).
    static let rolloutOrder = AgreementRule(
        "rollout-order", "The StackSet rollout does not finish the main region first",
        .stackSets { check, s in if !s.alertStackSets.isEmpty { check.rolloutOrder(s.alertStackSets) } })
}

extension AgreementCheck {
    /// The first StackSet (by dependency) starts with the main region and fails fast; later waves wait for it.
    mutating func rolloutOrder(_ sets: [StackSetEntry]) {
        let first = sets.first { $0.resource.dependsOn.isEmpty } ?? sets[0]
        let firstKey = "Resources.\(first.name).Properties.OperationPreferences.RegionOrder"
        if case .list(let order)? = first.resource.property("OperationPreferences")?["RegionOrder"], order.first?.stringValue == layout.mainRegion {
        } else {
            add(first.template, .rolloutOrder, firstKey,
                "must start with the main region \(layout.mainRegion): the filter Lambda must exist before other regions subscribe to it")
        }
        for s in sets { preferences(s, first: first, sets: sets) }
        if layout.rollout == .sequential, sets.count > 1 {
            add(sets[0].template, .rolloutOrder, "Resources", at: "Resources.\(sets[0].name)", "layout rollout is sequential but the templates hold \(sets.count) StackSets")
        }
    }

    /// One StackSet's OperationPreferences and, for a parallel wave, its dependency on the first.
    mutating func preferences(_ s: StackSetEntry, first: StackSetEntry, sets: [StackSetEntry]) {
        let prefs = s.resource.property("OperationPreferences")
        let key = "Resources.\(s.name).Properties.OperationPreferences"
        // A StackSet the layout plans (by name) must roll out as planned; any other is judged by its place:
        // the first wave, and every wave of a sequential rollout, one region at a time. Any wave must stop
        // on a failure; a parallel one may take its time.
        let plan = StackSetArtifacts.plans(for: layout).first { $0.stackSetName == s.resource.property("StackSetName")?.stringValue }
        let sequentialWave = plan?.sequential ?? ((s.name == first.name && s.file == first.file) || layout.rollout == .sequential)
        let planned = plan?.rollout ?? StackSetRollout(regionOrder: [], pace: sequentialWave ? .oneRegionAtATime : .allRegionsAtOnce)
        for (setting, value) in planned.settings where sequentialWave || setting == .failureToleranceCount {
            if prefs?[setting.key] != value.cfnValue {
                add(s.template, .rolloutOrder, key + "." + setting.key, "must be \(value.text) \(StackSetRollout.reason(setting))")
            }
        }
        if case .list(let order)? = prefs?["RegionOrder"] {
            let names = order.compactMap(\.stringValue)
            var seen: Set<String> = []
            for region in names where !seen.insert(region).inserted {
                add(s.template, .rolloutOrder, key + ".RegionOrder", "lists \(region) more than once")
            }
            let regions = s.instanceRegions
            if case .list? = s.resource.property("StackInstancesGroup"), Set(names) != Set(regions) {
                add(s.template, .rolloutOrder, key + ".RegionOrder", "lists \(names) but the instances are in \(regions)")
            }
        }
        guard !sequentialWave else { return }
        let dependsOn = "Resources.\(s.name).DependsOn"
        if s.file != first.file {
            // DependsOn cannot cross templates: nothing would make this wave wait for the main region.
            add(s.template, .rolloutOrder, dependsOn,
                "must be in the same template as \(first.name) (\(first.file)) and depend on it, so the other regions deploy strictly after the main region")
        } else if !Validation.dependsTransitively(s.name, on: first.name, in: sets.filter { $0.file == first.file }.map { ($0.name, $0.resource) }) {
            add(s.template, .rolloutOrder, dependsOn, "must depend on \(first.name) so the other regions deploy strictly after the main region")
        }
    }
}

extension AgreementRule {
    static let memberForwarding = AgreementRule(
        "member-forwarding", "The member-account StackSet of an EventBridge source is missing or does not match the layout",
        .stackSets { $0.memberForwarding($1.members, alertStackSets: $1.alertStackSets) })
}

extension AgreementCheck {
    /// EventBridge sources: exactly one service-managed StackSet, targeting the layout's OUs in every layout
    /// region with auto-deployment on, after the alert-stack StackSets; none without an EventBridge source.
    mutating func memberForwarding(_ members: [StackSetEntry], alertStackSets: [StackSetEntry]) {
        guard layout.source.usesEventBridge else {
            for m in members {
                add(m.template, .memberForwarding, "Resources.\(m.name)", "layout source is \(layout.source.rawValue) but the templates deploy a service-managed StackSet")
            }
            return
        }
        guard let m = members.first else {
            add(alertStackSets.first?.template, .memberForwarding, "Resources",
                "layout source is \(layout.source.rawValue) but no service-managed StackSet puts the forwarding rule into the member accounts of \(layout.organizationalUnits.joined(separator: ", "))")
            return
        }
        let key = "Resources.\(m.name).Properties"
        if members.count > 1 { add(m.template, .memberForwarding, "Resources", "\(members.count) service-managed StackSets; one forwards for every OU") }
        if m.resource.property("AutoDeployment")?["Enabled"] != true {
            add(m.template, .memberForwarding, key + ".AutoDeployment.Enabled", "must be true, or accounts that join the OUs later are not watched")
        }
        guard case .list(let groups)? = m.resource.property("StackInstancesGroup") else { return }
        let ous = groups.flatMap { g -> [String] in
            if case .list(let ids)? = g["DeploymentTargets"]?["OrganizationalUnitIds"] { return ids.compactMap(\.stringValue) } else { return [] }
        }
        if Set(ous) != Set(layout.organizationalUnits) {
            add(m.template, .memberForwarding, key + ".StackInstancesGroup", "targets OUs \(ous) but the layout lists \(layout.organizationalUnits)")
        }
        if Set(m.instanceRegions) != Set(layout.orderedRegions) {
            add(m.template, .memberForwarding, key + ".StackInstancesGroup", "deploys to \(m.instanceRegions) but the layout regions are \(layout.orderedRegions)")
        }
        for s in alertStackSets where s.file == m.file && !Validation.dependsTransitively(m.name, on: s.name, in: (alertStackSets + [m]).map { ($0.name, $0.resource) }) {
            add(m.template, .memberForwarding, "Resources.\(m.name).DependsOn", "must depend on \(s.name): the central bus must exist before member accounts forward to it")
        }
    }
}

extension AgreementRule {
    static let memberReader = AgreementRule(
        "member-reader", "The reader role's StackSet is missing, or does not match the layout's member role and OUs",
        .stackSets { $0.memberReader($1.readers, in: $1.templates) })
}

extension AgreementCheck {
    /// `deployMemberRole`: exactly one reader StackSet, auto-deployed to the layout's OUs (or to the OUs
    /// its template takes as a parameter), in the main region only; none otherwise.
    mutating func memberReader(_ readers: [StackSetEntry], in templates: [Template]) {
        guard layout.deployMemberRole else {
            for r in readers {
                add(r.template, .memberReader, "Resources.\(r.name)", "the layout's member role \(layout.memberRoleName) is not deployed by CatalogWatch (deployMemberRole false) but the templates deploy the reader StackSet")
            }
            return
        }
        guard let r = readers.first else {
            let stackSets = templates.first { t in t.resources.contains { $0.value.type == "AWS::CloudFormation::StackSet" } }
            if let stackSets {
                add(stackSets, .memberReader, "Resources", "no StackSet \(layout.readerStackSetName) puts the reader role \(layout.memberRoleName) into the member accounts")
            }
            return
        }
        let key = "Resources.\(r.name).Properties"
        if readers.count > 1 { add(r.template, .memberReader, "Resources", "\(readers.count) reader StackSets; one puts the role into every OU") }
        if r.resource.property("AutoDeployment")?["Enabled"] != true {
            add(r.template, .memberReader, key + ".AutoDeployment.Enabled", "must be true, or accounts that join the OUs later cannot be read")
        }
        if r.instanceRegions != [layout.mainRegion] {
            add(r.template, .memberReader, key + ".StackInstancesGroup", "deploys to \(r.instanceRegions) but an IAM role is global: only the main region \(layout.mainRegion)")
        }
    }
}

extension AgreementRule {
    static let guardrails = AgreementRule(
        "guardrails", "A role lacks the layout's permissions boundary or path", .eachTemplate { $0.roleGuardrails($1) })
}

extension AgreementCheck {
    /// With a boundary or path in the layout, every role of our templates carries them (the StackSet
    /// execution role's path excepted: StackSets find it by name at `/`).
    mutating func roleGuardrails(_ t: Template) {
        guard Validation.provenance(of: t) == .catalogWatch else { return }
        let boundary = Guardrails.boundaryValue(layout)
        for r in t.resources where r.value.type == "AWS::IAM::Role" {
            let key = "Resources.\(r.name).Properties"
            if let boundary, r.value.property("PermissionsBoundary") != boundary {
                add(t, .guardrails, key + ".PermissionsBoundary", at: "Resources.\(r.name)", "role \(r.name) lacks the permissions boundary \(layout.permissionsBoundary ?? "")")
            }
            if let path = layout.rolePath, !Guardrails.pathExempt.contains(r.name), r.value.property("Path") != .string(path) {
                add(t, .guardrails, key + ".Path", at: "Resources.\(r.name)", "role \(r.name) is not at the path \(path)")
            }
        }
    }
}
