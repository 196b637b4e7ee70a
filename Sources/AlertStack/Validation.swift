import CloudFormation
import YAML

/// One `validate` finding: where, which rule, what is wrong.
public struct Finding: Hashable, Sendable {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    public var file: String
    public var mark: YAMLMark?
    public var rule: String
    public var key: String
    public var message: String

    public init(severity: Severity, file: String, mark: YAMLMark?, rule: String, key: String, message: String) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.rule = rule
        self.key = key
        self.message = message
    }
}

/// The checks behind `catalogwatch validate`, free of I/O: layout rules, template checks and layout/template agreement.
public enum Validation {
    /// Layout diagnostics as findings.
    public static func findings(from diagnostics: [LayoutDiagnostic]) -> [Finding] {
        diagnostics.map {
            Finding(
                severity: $0.severity == .error ? .error : .warning, file: $0.file, mark: $0.mark, rule: "layout",
                key: $0.key, message: $0.message + ($0.suggestion.map { " (did you mean \($0)?)" } ?? ""))
        }
    }

    /// Checks one template file's text: it parses, its references resolve, its policies and ARNs are sound.
    public static func checkTemplate(text: String, file: String, layout: Layout?) -> (template: Template?, findings: [Finding]) {
        let template: Template
        do {
            template = try TemplateParser.parse(text, file: file)
        } catch {
            return (nil, [Finding(severity: .error, file: file, mark: error.mark, rule: "parse", key: "(template)", message: error.message)])
        }
        let marks = pathMarks(text)
        let regions = layout?.orderedRegions ?? RegionTable.all.filter { $0.partition == "aws" }.map(\.name)
        let scenarios = regions.map { ConditionEvaluator.Scenario(region: $0, partition: RegionTable.region($0)?.partition ?? "aws") }
        let checks = TemplateChecks(scenarios: scenarios, knownRegions: Set(RegionTable.all.map(\.name)))
        let findings = checks.run(template).map { f in
            Finding(severity: f.severity == .error ? .error : .warning, file: file, mark: mark(for: f.path, in: marks), rule: f.rule, key: f.path, message: f.message)
        }
        return (template, findings)
    }

    /// Checks that the StackSet and alert stack templates in a folder agree with the layout.
    public static func checkAgainstLayout(_ templates: [(file: String, text: String, template: Template)], layout: Layout) -> [Finding] {
        var findings: [Finding] = []
        func add(_ file: String, _ mark: YAMLMark?, _ rule: String, _ key: String, _ message: String) {
            findings.append(Finding(severity: .error, file: file, mark: mark, rule: rule, key: key, message: message))
        }
        var covered: [String: [String]] = [:]
        var sets: [(file: String, name: String, resource: Resource, marks: [String: YAMLMark])] = []
        for t in templates {
            let marks = pathMarks(t.text)
            for r in t.template.resources where r.value.type == "AWS::CloudFormation::StackSet" {
                sets.append((t.file, r.name, r.value, marks))
                if case .list(let groups)? = r.value.property("StackInstancesGroup") {
                    for g in groups {
                        if case .list(let regions)? = g["Regions"] {
                            for region in regions.compactMap(\.stringValue) { covered[region, default: []].append("\(t.file):\(r.name)") }
                        }
                    }
                }
            }
            // Parameter defaults that encode the layout must match it.
            let expected: [(String, String?)] = [
                ("MainRegion", layout.mainRegion), ("OrganizationId", layout.organizationId),
                ("NotificationEmail", layout.notificationEmail), ("MemberRoleName", layout.memberRoleName),
                ("NamePrefix", layout.namePrefix), ("LambdaArchitecture", layout.architecture.rawValue),
                ("LambdaCodeBucket", layout.lambdaCode?.bucket), ("LambdaCodeKey", layout.lambdaCode?.key),
            ]
            for (name, value) in expected {
                guard let p = t.template.parameter(name) else { continue }
                let actual = p.default?.stringValue
                if actual != value {
                    add(t.file, marks["Parameters.\(name)"], "layout-mismatch", "Parameters.\(name).Default",
                        "default is \(actual.map { "'\($0)'" } ?? "unset") but the layout says \(value.map { "'\($0)'" } ?? "nothing")")
                }
            }
        }
        // The delivery path must match the layout's buffer setting.
        for t in templates where t.template.resources.contains(where: { $0.value.type == "AWS::Lambda::Function" }) {
            let types = t.template.resources.map(\.value.type)
            switch layout.buffer {
            case .sqs:
                let mapping = t.template.resources.first { $0.value.type == "AWS::Lambda::EventSourceMapping" }?.value
                if mapping == nil {
                    add(t.file, nil, "buffer", "Resources", "layout buffer is sqs but the template has no AWS::Lambda::EventSourceMapping")
                } else if mapping?.property("FunctionResponseTypes") != ["ReportBatchItemFailures"] {
                    add(t.file, nil, "buffer", "Resources", "the event source mapping must report batch item failures (FunctionResponseTypes: [ReportBatchItemFailures]), or one bad event retries the whole batch")
                }
                if !types.contains("AWS::SQS::QueuePolicy") {
                    add(t.file, nil, "buffer", "Resources", "layout buffer is sqs but no AWS::SQS::QueuePolicy lets the receive topics deliver")
                }
            case .none:
                if !types.contains("AWS::Lambda::Permission") {
                    add(t.file, nil, "buffer", "Resources", "layout buffer is none but no AWS::Lambda::Permission lets SNS invoke the filter")
                }
            }
        }
        guard !sets.isEmpty else {
            add(templates.first?.file ?? "(templates)", nil, "stackset-missing", "Resources", "no AWS::CloudFormation::StackSet in the templates; the receive topics would reach no region")
            return findings
        }
        let stackSetFile = sets[0].file
        let stackSetMark = sets[0].marks["Resources.\(sets[0].name)"]
        for region in layout.orderedRegions {
            let places = covered[region] ?? []
            if places.isEmpty { add(stackSetFile, stackSetMark, "region-coverage", "StackInstancesGroup", "layout region \(region) is not deployed by any StackSet") }
            if places.count > 1 { add(stackSetFile, stackSetMark, "region-coverage", "StackInstancesGroup", "layout region \(region) is deployed \(places.count) times (\(places.joined(separator: ", ")))") }
        }
        for region in covered.keys.sorted() where !layout.orderedRegions.contains(region) {
            add(stackSetFile, stackSetMark, "region-coverage", "StackInstancesGroup", "region \(region) is deployed but not in the layout")
        }
        // Ordering: the first StackSet (by dependency) starts with the main region; later waves depend on it.
        let first = sets.first { $0.resource.dependsOn.isEmpty } ?? sets[0]
        let firstOrder = first.resource.property("OperationPreferences")?["RegionOrder"]
        if case .list(let order)? = firstOrder, order.first?.stringValue == layout.mainRegion {
        } else {
            add(first.file, mark(for: "Resources.\(first.name).Properties.OperationPreferences.RegionOrder", in: first.marks), "rollout-order", "Resources.\(first.name).Properties.OperationPreferences.RegionOrder",
                "must start with the main region \(layout.mainRegion): the filter Lambda must exist before other regions subscribe to it")
        }
        for s in sets {
            let prefs = s.resource.property("OperationPreferences")
            let key = "Resources.\(s.name).Properties.OperationPreferences"
            func at(_ path: String) -> YAMLMark? { Validation.mark(for: path, in: s.marks) }
            if prefs?["FailureToleranceCount"] != .number("0") {
                add(s.file, at(key + ".FailureToleranceCount"), "rollout-order", key + ".FailureToleranceCount", "must be 0 so a failed region stops the rollout")
            }
            if case .list(let order)? = prefs?["RegionOrder"] {
                let names = order.compactMap(\.stringValue)
                var seen: Set<String> = []
                for region in names where !seen.insert(region).inserted {
                    add(s.file, at(key + ".RegionOrder"), "rollout-order", key + ".RegionOrder", "lists \(region) more than once")
                }
                if case .list(let groups)? = s.resource.property("StackInstancesGroup") {
                    let regions = groups.flatMap { g -> [String] in if case .list(let r)? = g["Regions"] { return r.compactMap(\.stringValue) } else { return [] } }
                    if Set(names) != Set(regions) {
                        add(s.file, at(key + ".RegionOrder"), "rollout-order", key + ".RegionOrder", "lists \(names) but the instances are in \(regions)")
                    }
                }
            }
            let isFirst = s.name == first.name && s.file == first.file
            if isFirst || layout.rollout == .sequential {
                if prefs?["RegionConcurrencyType"] != "SEQUENTIAL" {
                    add(s.file, at(key + ".RegionConcurrencyType"), "rollout-order", key + ".RegionConcurrencyType", "must be SEQUENTIAL so the main region finishes first")
                }
                if prefs?["MaxConcurrentCount"] != .number("1") {
                    add(s.file, at(key + ".MaxConcurrentCount"), "rollout-order", key + ".MaxConcurrentCount", "must be 1 for a sequential rollout")
                }
            } else if s.file != first.file {
                // DependsOn cannot cross templates: nothing would make this wave wait for the main region.
                add(s.file, at("Resources.\(s.name).DependsOn"), "rollout-order", "Resources.\(s.name).DependsOn",
                    "must be in the same template as \(first.name) (\(first.file)) and depend on it, so the other regions deploy strictly after the main region")
            } else if !dependsTransitively(s.name, on: first.name, in: sets.filter { $0.file == first.file }.map { ($0.name, $0.resource) }) {
                add(s.file, at("Resources.\(s.name).DependsOn"), "rollout-order", "Resources.\(s.name).DependsOn", "must depend on \(first.name) so the other regions deploy strictly after the main region")
            }
        }
        if layout.rollout == .sequential, sets.count > 1 {
            add(stackSetFile, stackSetMark, "rollout-order", "Resources", "layout rollout is sequential but the templates hold \(sets.count) StackSets")
        }
        return findings
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

    /// Line and column of every node of a template text, by the path syntax of `TemplateFinding.path`
    /// (`Resources.Name.Properties.Key[0].Sub`); long-form intrinsic functions (`Fn::Sub:`, `Ref:`) add no
    /// path segment, as in the parsed model. Empty when the text does not parse.
    public static func pathMarks(_ text: String) -> [String: YAMLMark] {
        guard let root = try? YAMLParser.parse(text) else { return [:] }
        var marks: [String: YAMLMark] = [:]
        func visit(_ node: YAMLNode, _ path: String) {
            switch node {
            case .mapping(let pairs, _, _):
                if pairs.count == 1, let key = pairs[0].key.scalarValue, key.hasPrefix("Fn::") || key == "Ref" || key == "Condition", !path.isEmpty {
                    visit(pairs[0].value, path)
                    return
                }
                for pair in pairs {
                    guard let key = pair.key.scalarValue else { continue }
                    let child = path.isEmpty ? key : "\(path).\(key)"
                    if let m = pair.key.mark, marks[child] == nil { marks[child] = m }
                    visit(pair.value, child)
                }
            case .sequence(let items, _, _):
                for (i, item) in items.enumerated() {
                    let child = "\(path)[\(i)]"
                    if let m = item.mark, marks[child] == nil { marks[child] = m }
                    visit(item, child)
                }
            case .scalar:
                break
            }
        }
        visit(root, "")
        return marks
    }

    /// The mark of `path`, or of its nearest enclosing node that has one.
    public static func mark(for path: String, in marks: [String: YAMLMark]) -> YAMLMark? {
        var p = Substring(path)
        while !p.isEmpty {
            if let m = marks[String(p)] { return m }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = p[..<cut]
        }
        return nil
    }
}
