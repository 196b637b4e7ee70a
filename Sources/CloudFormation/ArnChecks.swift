import Diagnostics

extension DiagnosticRule {
    static let hardCodedPartition = DiagnosticRule("hard-coded-partition", "An ARN names a partition instead of ${AWS::Partition}")
    static let hardCodedRegion = DiagnosticRule("hard-coded-region", "An ARN names a region instead of ${AWS::Region} or a parameter")
}

extension TemplateCheck {
    /// No ARN names a partition or a known region, except the external ARNs of the run.
    static let arns = TemplateCheck(rules: [.hardCodedPartition, .hardCodedRegion]) { context in
        context.checkHardCodedArns(knownRegions: context.checks.knownRegions, severity: context.provenance == .catalogWatch ? .error : .warning)
    }
}

/// Hard-coded partitions and regions in ARNs (an error in our templates, a warning in hand-written ones).
extension CheckContext {
    mutating func checkHardCodedArns(knownRegions: Set<String>, severity: Severity) {
        for (path, value) in roots { scanArns(value, path: path, knownRegions: knownRegions, severity: severity) }
    }

    mutating func scanArns(_ value: CFNValue, path: String, knownRegions: Set<String>, severity: Severity) {
        switch value {
        case .string(let s):
            checkArnText(s, path: path, knownRegions: knownRegions, severity: severity)
        case .function("Fn::Sub", let arg):
            if case .string(let s) = arg { checkArnText(s, path: path, knownRegions: knownRegions, severity: severity) }
            if case .list(let items) = arg {
                if case .string(let s)? = items.first { checkArnText(s, path: path, knownRegions: knownRegions, severity: severity) }
                for i in items.dropFirst() { scanArns(i, path: path, knownRegions: knownRegions, severity: severity) }
            }
        case .function(_, let arg):
            scanArns(arg, path: path, knownRegions: knownRegions, severity: severity)
        case .list(let items):
            for (i, item) in items.enumerated() { scanArns(item, path: "\(path)[\(i)]", knownRegions: knownRegions, severity: severity) }
        case .object(let fields):
            for f in fields { scanArns(f.value, path: "\(path).\(f.key)", knownRegions: knownRegions, severity: severity) }
        default:
            break
        }
    }

    mutating func checkArnText(_ text: String, path: String, knownRegions: Set<String>, severity: Severity) {
        // `${AWS::Partition}` and other variables hold colons: mask them so ARN fields split where they should.
        let masked = Self.maskSubVariables(text)
        var searchFrom = masked.startIndex
        while let range = masked[searchFrom...].firstRange(of: "arn:") {
            searchFrom = range.upperBound
            let token = masked[range.lowerBound...].prefix { !" \t\n\"',[]{}".contains($0) }
            if checks.externalArns.contains(String(token)) { continue }
            let rest = masked[range.upperBound...]
            let parts = rest.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count >= 3 else { continue }
            let partition = String(parts[0])
            if ["aws", "aws-cn", "aws-us-gov"].contains(partition) {
                add(.hardCodedPartition, path, "ARN '\(text.prefix(80))' names partition \(partition); use ${AWS::Partition}", severity)
            }
            let region = String(parts[2])
            if knownRegions.contains(region) {
                add(.hardCodedRegion, path, "ARN '\(text.prefix(80))' names region \(region); use ${AWS::Region} or a parameter", severity)
            }
        }
    }
}

extension CheckContext {
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
    /// `text` as a literal inside an `Fn::Sub` template: every `${` becomes `${!`, which Sub writes back as `${`.
    public static func escaped(_ text: String) -> String {
        var out = ""
        var previous: Character?
        for c in text {
            out.append(c)
            if previous == "$", c == "{" { out.append("!") }
            previous = c
        }
        return out
    }

    /// The template text of an `Fn::Sub` argument (a string, or `[text, {Name: value}]`) and its own
    /// variable bindings; nil text when the argument has neither form.
    package static func parts(of argument: CFNValue) -> (text: String?, bindings: [CFNField]) {
        if case .string(let s) = argument { return (s, []) }
        if case .list(let items) = argument, items.count == 2, case .string(let s) = items[0] {
            if case .object(let fields) = items[1] { return (s, fields) }
            return (s, [])
        }
        return (nil, [])
    }

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
