import AWSIdentifiers
import Diagnostics
import YAML

/// Reads and checks layout files: every problem is reported with file:line:column, key and value.
public enum LayoutReader {
    /// The keys a layout may have, in documentation order.
    package static let knownKeys = [
        "mainRegion", "regions", "organizationId", "notificationEmail", "memberRoleName", "managementAccountId",
        "buffer", "architecture", "rollout", "lambdaCode", "namePrefix", "logRetentionDays", "stackSetName",
        "portfolios", "source", "organizationalUnits", "routes", "defaultRoute", "routeTags", "tags", "permissionsBoundary",
        "rolePath", "encryption", "deployMemberRole", "reservedConcurrency", "runbooks", "consoleSignIn", "digest", "heartbeat",
    ]

    /// The rule id of every layout diagnostic.
    public static let rule = DiagnosticRule.layout.id

    /// The result of reading a layout: the layout when there is no error, and every diagnostic.
    public struct Result: Sendable {
        public var layout: Layout?
        /// Every problem, in file order; rule `layout`.
        public var diagnostics: [Diagnostic]

        public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    /// Parses and checks layout `text` read from `file`.
    public static func read(_ text: String, file: String) -> Result {
        read(bytes: Array(text.utf8), file: file)
    }

    /// Parses and checks the raw bytes of a layout file: bytes that are not UTF-8 are an error with their position.
    public static func read(bytes: [UInt8], file: String) -> Result {
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(bytes: bytes, file: file)
        } catch {
            return Result(layout: nil, diagnostics: [
                Diagnostic(.error, rule: rule, file: file, line: error.mark?.line, column: error.mark?.column, keyPath: "(file)", message: error.message)
            ])
        }
        var checker = Checker(file: file)
        let layout = checker.check(root)
        // Report in file order (the checks run key by key, not line by line); unpositioned ones last.
        let diagnostics = checker.diagnostics.sortedForReport()
        return Result(layout: checker.hasErrors ? nil : layout, diagnostics: diagnostics)
    }
}

extension YAMLNode {
    /// A short flow-style rendering of the node for messages: `'text'`, `!Ref 'X'`, `[a, b]`, `{k: v}`.
    var preview: String {
        func render(_ node: YAMLNode, depth: Int) -> String {
            let tag = node.tag.map { "\($0) " } ?? ""
            switch node {
            case .scalar(let s): return "\(tag)'\(s.value)'"
            case .sequence(let items, _, _):
                if depth > 1 { return tag + "[...]" }
                return tag + "[" + items.map { render($0, depth: depth + 1) }.joined(separator: ", ") + "]"
            case .mapping(let pairs, _, _):
                if depth > 1 { return tag + "{...}" }
                return tag + "{" + pairs.map { "\(render($0.key, depth: depth + 1)): \(render($0.value, depth: depth + 1))" }.joined(separator: ", ") + "}"
            }
        }
        let text = render(self, depth: 0)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}

/// The identity and contact keys of a layout, as checked (defaults where absent or invalid).
struct Identity {
    var organizationId: String?
    var email: String?
    var roleName: String?
    var deployRole: Bool?
    var managementAccountId: String?
}

/// The option keys of a layout, as checked (defaults where absent or invalid).
struct Options {
    var buffer = Layout.defaultBuffer
    var architecture = Layout.defaultArchitecture
    var rollout = Layout.defaultRollout
    var lambdaCode: Layout.LambdaCode?
    var namePrefix = Layout.defaultNamePrefix
    var retention = Layout.defaultLogRetentionDays
    var stackSetName: String?
}

extension DiagnosticRule {
    /// Every finding of the layout reader (errors and warnings alike).
    package static let layout = DiagnosticRule("layout", "A layout file key is missing, unknown or has a bad value")
}

/// Collects the diagnostics of one layout file while its keys are read: each names the file, line, column and key path.
package struct Checker {
    let file: String
    var diagnostics: [Diagnostic] = []
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    init(file: String) { self.file = file }

    mutating func error(_ node: YAMLNode?, _ key: String, _ message: String, suggestion: String? = nil) {
        diagnostics.append(Diagnostic(.layout, file: file, line: node?.mark?.line, column: node?.mark?.column, keyPath: key, message: message, suggestion: suggestion))
    }

    mutating func warning(_ node: YAMLNode?, _ key: String, _ message: String) {
        diagnostics.append(Diagnostic(.layout, severity: .warning, file: file, line: node?.mark?.line, column: node?.mark?.column, keyPath: key, message: message))
    }

    /// A string scalar, or an error naming the key and what was found instead.
    mutating func string(_ node: YAMLNode, _ key: String) -> String? {
        guard case .scalar(let s) = node, s.tag == nil else {
            let kind = node.tag != nil ? "tagged value" : node.kindName
            error(node, key, "must be a string, found a \(kind) \(node.preview)")
            return nil
        }
        if s.isPlain, YAMLResolver.resolvePlain(s.value) == .null {
            error(node, key, "must not be empty")
            return nil
        }
        return s.value
    }

    /// One of `E`'s raw values. `synonyms` maps common other names (`amd64`) to the value they mean, so the
    /// suggestion follows the meaning rather than the spelling (`amd64` is x86_64, not arm64).
    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ key: String, _: E.Type, synonyms: [String: E] = [:]) -> E?
    where E.RawValue == String {
        guard let text = string(node, key) else { return nil }
        if let value = E(rawValue: text) { return value }
        let options = E.allCases.map(\.rawValue)
        error(node, key, "'\(text)' is not one of \(options.joined(separator: ", "))",
              suggestion: synonyms[text.lowercased()]?.rawValue ?? Suggest.closest(to: text, among: options).first)
        return nil
    }

    mutating func check(_ root: YAMLNode) -> Layout? {
        guard let values = topLevelValues(root) else { return nil }
        let (mainRegion, regions) = checkRegions(values, root: root)
        var identity = checkIdentity(values)
        checkMemberRole(values, identity: &identity)
        let options = checkOptions(values)
        let concurrency = values["reservedConcurrency"].flatMap { checkReservedConcurrency($0, buffer: options.buffer) }
        let portfolios = values["portfolios"].map { checkPortfolios($0, regions: regions) } ?? [:]
        let events = checkEventSource(values, mainRegion: mainRegion, regions: regions, stackSetName: options.stackSetName ?? StackSetName.defaultName(namePrefix: options.namePrefix),
            deploysReader: Layout.deploysMemberRole(roleName: identity.roleName, explicit: identity.deployRole))

        let routing = checkRouting(values, root: root)
        let guardrails = checkGuardrails(values, regions: regions)
        let links = checkLinks(values)
        if routing.chatRoutesBytes + links.variableBytes > RouteRules.maxChatRoutesBytes, links.variableBytes > 0 {
            error(values["runbooks"] ?? values["consoleSignIn"], "runbooks", "the runbooks and consoleSignIn need \(links.variableBytes) bytes in the filter's environment and the chat routes \(routing.chatRoutesBytes) in CHAT_ROUTES; Lambda's environment holds 4 KB in all: use fewer or shorter runbook URLs")
        }
        var digest: Layout.Digest?
        if let node = values["digest"], case .on(let d)? = checkDigest(node, "digest") { digest = d }
        let heartbeat = values["heartbeat"].flatMap { checkHeartbeat($0, source: events.source) }
        let digestBytes = Layout.digestVariableBytes(digest: digest, routes: routing.routes, defaultRoute: routing.defaultRoute)
        if digestBytes > 0, routing.chatRoutesBytes + links.variableBytes + digestBytes > RouteRules.maxChatRoutesBytes {
            error(values["digest"] ?? values["routes"], "digest", "the digests need \(digestBytes) bytes in the filter's DIGEST variable (every route's match) beside \(routing.chatRoutesBytes + links.variableBytes) for the chat routes and links; Lambda's environment holds 4 KB in all: use fewer routes or shorter matches")
        }

        guard let mainRegion, !hasErrors else { return nil }
        return Layout(
            mainRegion: mainRegion, regions: regions, organizationId: identity.organizationId, notificationEmail: identity.email,
            memberRoleName: identity.roleName, deployMemberRole: identity.deployRole, managementAccountId: identity.managementAccountId, buffer: options.buffer,
            architecture: options.architecture, rollout: options.rollout, lambdaCode: options.lambdaCode, namePrefix: options.namePrefix,
            logRetentionDays: options.retention, stackSetName: options.stackSetName, portfolios: portfolios,
            source: events.source, organizationalUnits: events.organizationalUnits, routes: routing.routes, defaultRoute: routing.defaultRoute,
            routeTags: routing.routeTags, tags: guardrails.tags, permissionsBoundary: guardrails.permissionsBoundary, rolePath: guardrails.rolePath,
            encryption: guardrails.encryption, reservedConcurrency: concurrency ?? Layout.defaultReservedConcurrency,
            runbooks: links.runbooks, consoleSignIn: links.consoleSignIn, digest: digest, heartbeatMinutes: heartbeat ?? nil)
    }

    /// The value node of every known top-level key; nil (with an error) when the layout is no mapping.
    mutating func topLevelValues(_ root: YAMLNode) -> [String: YAMLNode]? {
        guard let pairs = root.pairs else {
            if case .scalar(let s) = root, s.tag == nil, s.isPlain, s.value.isEmpty {
                error(root, "(file)", "the layout is empty; it needs at least mainRegion and regions")
            } else {
                error(root, "(file)", "a layout must be a mapping of keys, found a \(root.tag != nil ? "tagged value" : root.kindName) \(root.preview)")
            }
            return nil
        }
        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let key = pair.key.scalarValue else {
                error(pair.key, "(key)", "keys must be strings, found a \(pair.key.kindName) \(pair.key.preview)")
                continue
            }
            if LayoutReader.knownKeys.contains(key) {
                values[key] = pair.value
            } else {
                error(pair.key, key, "unknown key '\(key)'",
                      suggestion: Suggest.closest(to: key, among: LayoutReader.knownKeys).first)
            }
        }
        return values
    }

    /// `mainRegion` and `regions`: known region names, the main region among them, one partition; opt-in
    /// regions are a warning. The main region is nil when missing or invalid.
    mutating func checkRegions(_ values: [String: YAMLNode], root: YAMLNode) -> (mainRegion: String?, regions: [String]) {
        var mainRegion: String?
        if let node = values["mainRegion"] {
            if let name = string(node, "mainRegion") { mainRegion = checkRegionName(name, node, "mainRegion") ? name : nil }
        } else {
            error(root, "mainRegion", "is required (the region of the filter Lambda and the send topic)")
        }
        let (regions, regionNodes, regionsValid) = checkRegionList(values["regions"], root: root)
        if let mainRegion, regionsValid, !regions.isEmpty, !regions.contains(mainRegion) {
            error(values["regions"], "regions", "must include the main region '\(mainRegion)'")
        }
        // One partition only: StackSets, SNS and the role ARNs cannot cross partitions.
        let known = ([mainRegion].compactMap { $0 } + regions).compactMap { RegionTable.region($0) }
        if let first = known.first {
            for region in known where region.partition != first.partition {
                let node = regionNodes[region.name] ?? values["mainRegion"]
                error(node, "regions", "'\(region.name)' is in partition \(region.partition), but '\(first.name)' is in \(first.partition); a layout covers one partition")
            }
        }
        for name in regions {
            if let region = RegionTable.region(name), region.optIn {
                warning(regionNodes[name], "regions", "'\(name)' (\(region.location)) is an opt-in region: enable it in every member account, and note that SNS delivery from it to a Lambda in another region is limited")
            }
        }
        return (mainRegion, regions)
    }

    /// `regions`: the distinct names in order, the node of each, and whether every item was a known region.
    mutating func checkRegionList(_ node: YAMLNode?, root: YAMLNode) -> (regions: [String], nodes: [String: YAMLNode], valid: Bool) {
        var regions: [String] = []
        var regionNodes: [String: YAMLNode] = [:]
        var regionsValid = true
        if let node {
            if let items = node.items {
                if items.isEmpty { error(node, "regions", "must list at least one region") }
                for (i, item) in items.enumerated() {
                    let key = "regions[\(i)]"
                    guard let name = string(item, key) else {
                        regionsValid = false
                        continue
                    }
                    if let first = regionNodes[name] {
                        let at = first.mark.map { " (first at line \($0.line))" } ?? ""
                        error(item, key, "duplicate region '\(name)'\(at); each region is listed once")
                        continue
                    }
                    if !checkRegionName(name, item, key) { regionsValid = false }
                    regionNodes[name] = item
                    regions.append(name)
                }
            } else {
                error(node, "regions", "must be a list of region names, found a \(node.tag != nil ? "tagged value" : node.kindName) \(node.preview)")
                regionsValid = false
            }
        } else {
            error(root, "regions", "is required (every region where products are launched)")
            regionsValid = false
        }
        return (regions, regionNodes, regionsValid)
    }

    /// `organizationId`, `notificationEmail`, `memberRoleName` and `managementAccountId`.
    mutating func checkIdentity(_ values: [String: YAMLNode]) -> Identity {
        var identity = Identity()
        if let node = values["organizationId"], let text = string(node, "organizationId") {
            if Validators.isOrganizationId(text) {
                identity.organizationId = text
            } else {
                error(node, "organizationId", "'\(text)' is not an organization id (o- followed by 10 to 32 lowercase letters or digits)")
            }
        }
        if let node = values["notificationEmail"], let text = string(node, "notificationEmail") {
            if Validators.isEmail(text) { identity.email = text } else { error(node, "notificationEmail", "'\(text)' is not an e-mail address") }
        }
        if let node = values["memberRoleName"], let text = string(node, "memberRoleName") {
            if RoleName.isValid(text) {
                identity.roleName = text
            } else {
                error(node, "memberRoleName", "'\(text)' is not a valid IAM role name (1 to 64 of letters, digits and +=,.@_-)")
            }
        }
        if let node = values["managementAccountId"], let text = string(node, "managementAccountId") {
            if AccountID.isValid(text) {
                identity.managementAccountId = text
            } else {
                error(node, "managementAccountId", "'\(text)' is not an AWS account id (exactly \(AccountID.length) digits; quote it to keep leading zeros)")
            }
        }
        return identity
    }

    /// `buffer`, `architecture`, `rollout`, `lambdaCode`, `namePrefix`, `logRetentionDays` and `stackSetName`.
    mutating func checkOptions(_ values: [String: YAMLNode]) -> Options {
        var options = Options()
        if let node = values["buffer"], let v = choice(node, "buffer", Layout.Buffer.self) { options.buffer = v }
        if let node = values["architecture"],
            let v = choice(node, "architecture", Layout.Architecture.self, synonyms: ["amd64": .x86_64, "x86-64": .x86_64, "x64": .x86_64, "aarch64": .arm64])
        {
            options.architecture = v
        }
        if let node = values["rollout"],
            let v = choice(node, "rollout", Layout.Rollout.self, synonyms: ["parallel": .mainThenParallel, "serial": .sequential])
        {
            options.rollout = v
        }

        if let node = values["lambdaCode"] {
            options.lambdaCode = checkLambdaCode(node)
        }
        if let node = values["namePrefix"], let text = string(node, "namePrefix") {
            if NamePrefixRule.isValid(text) {
                options.namePrefix = text
            } else {
                error(node, "namePrefix", "'\(text)' must start with a letter and have 1 to \(NamePrefixRule.maxLength) letters, digits or hyphens")
            }
        }
        if let node = values["logRetentionDays"] {
            if let text = node.scalarValue, node.tag == nil, let days = Int(text), Layout.allowedRetentionDays.contains(days) {
                options.retention = days
            } else {
                error(node, "logRetentionDays", "\(node.preview) is not a CloudWatch Logs retention in days (one of \(Layout.allowedRetentionDays.map(String.init).joined(separator: ", ")))")
            }
        }
        if let node = values["stackSetName"], let text = string(node, "stackSetName") {
            options.stackSetName = checkStackSetName(text, node, rollout: options.rollout)
        }
        return options
    }

    /// A StackSet name, valid also with the `-regions` suffix that rollout main-then-parallel adds.
    mutating func checkStackSetName(_ text: String, _ node: YAMLNode, rollout: Layout.Rollout) -> String? {
        // main-then-parallel deploys two StackSets, `<name>-main` and `<name>-regions`: both must be valid names.
        let longest = rollout == .mainThenParallel ? StackSetName.name(text, .regions) : text
        if Validators.isStackSetName(longest) {
            return text
        } else if Validators.isStackSetName(text) {
            error(node, "stackSetName", "'\(text)' is too long for rollout main-then-parallel: '\(longest)' must have at most 128 characters")
        } else {
            error(node, "stackSetName", "'\(text)' must start with a letter and have at most 128 letters, digits or hyphens")
        }
        return nil
    }

    /// `portfolios`: a mapping of layout regions to lists of portfolio ids (`port-` and lowercase letters or digits).
    mutating func checkPortfolios(_ node: YAMLNode, regions: [String]) -> [String: [String]] {
        guard let pairs = node.pairs else {
            error(node, "portfolios", "must map regions to lists of portfolio ids, found a \(node.tag != nil ? "tagged value" : node.kindName) \(node.preview)")
            return [:]
        }
        var result: [String: [String]] = [:]
        for pair in pairs {
            guard let region = string(pair.key, "portfolios") else { continue }
            let key = "portfolios.\(region)"
            if !regions.contains(region) {
                error(pair.key, key, "'\(region)' is not one of the layout's regions", suggestion: Suggest.closest(to: region, among: regions).first)
                continue
            }
            guard let items = pair.value.items else {
                error(pair.value, key, "must be a list of portfolio ids, found a \(pair.value.kindName) \(pair.value.preview)")
                continue
            }
            var ids: [String] = []
            for (i, item) in items.enumerated() {
                guard let id = string(item, "\(key)[\(i)]") else { continue }
                if !Validators.isPortfolioId(id) {
                    error(item, "\(key)[\(i)]", "'\(id)' is not a portfolio id (port- followed by lowercase letters or digits)")
                } else if ids.contains(id) {
                    error(item, "\(key)[\(i)]", "duplicate portfolio '\(id)'")
                } else {
                    ids.append(id)
                }
            }
            result[region] = ids
        }
        return result
    }

    mutating func checkRegionName(_ name: String, _ node: YAMLNode, _ key: String) -> Bool {
        if RegionTable.region(name) != nil { return true }
        error(node, key, "'\(name)' is not an AWS region (table of \(RegionTable.asOf))",
              suggestion: RegionTable.suggestions(for: name, limit: 1).first)
        return false
    }

    mutating func checkLambdaCode(_ node: YAMLNode) -> Layout.LambdaCode? {
        guard let pairs = node.pairs else {
            error(node, "lambdaCode", "must be a mapping with bucket and key, found a \(node.tag != nil ? "tagged value" : node.kindName) \(node.preview)")
            return nil
        }
        var bucket: String?
        var key: String?
        for pair in pairs {
            let name = pair.key.scalarValue ?? ""
            switch name {
            case "bucket":
                if let text = string(pair.value, "lambdaCode.bucket") {
                    if Validators.isBucketName(text) {
                        bucket = text
                    } else {
                        error(pair.value, "lambdaCode.bucket", "'\(text)' is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)")
                    }
                }
            case "key":
                if let text = string(pair.value, "lambdaCode.key") {
                    if text.utf8.count <= 1024, !text.hasPrefix("/") {
                        key = text
                    } else {
                        error(pair.value, "lambdaCode.key", "'\(text)' is not an S3 object key (no leading /, at most 1024 bytes)")
                    }
                }
            default:
                error(pair.key, "lambdaCode.\(name)", "unknown key '\(name)'", suggestion: Suggest.closest(to: name, among: ["bucket", "key"]).first)
            }
        }
        if bucket == nil, !pairs.contains(where: { $0.key.scalarValue == "bucket" }) { error(node, "lambdaCode.bucket", "is required") }
        if key == nil, !pairs.contains(where: { $0.key.scalarValue == "key" }) { error(node, "lambdaCode.key", "is required") }
        guard let bucket, let key else { return nil }
        return Layout.LambdaCode(bucket: bucket, key: key)
    }
}
