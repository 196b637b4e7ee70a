import FilterContract
import JSONText

/// A ready-to-publish alert: subject, bodies and message attributes.
public struct Alert: Sendable, Equatable {
    /// Single line, at most `AlertComposer.maxSubjectLength` UTF-16 units, starting with ASCII.
    public let subject: String
    /// The readable multi-line body (e-mail and default).
    public let text: String
    /// Deterministic JSON for sqs, lambda and https subscribers.
    public let structured: String
    /// The Publish `Message` for `MessageStructure=json`: keys default, email, sqs, lambda, https.
    public let snsMessage: String
    /// String message attributes in fixed order (empty values omitted).
    public let messageAttributes: [MessageAttribute]
}

/// An SNS String message attribute.
public struct MessageAttribute: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Builds the alert for a stack failure and what could be looked up about it.
public enum AlertComposer {
    /// SNS wants subjects "less than 100 characters"; counted in UTF-16 units (never fewer than scalars or Characters).
    public static let maxSubjectLength = 99
    /// Budget for `snsMessage` in UTF-8 bytes: SNS allows 262,144 bytes including attributes.
    public static let maxMessageBytes = 256_000
    public static let subjectPrefix = "CatalogWatch:"

    struct Limits {
        /// Characters per free-text field.
        var field: Int
        /// Items per list.
        var items: Int
    }

    static let tiers: [Limits] = [
        Limits(field: 4_000, items: 50), Limits(field: 1_000, items: 20),
        Limits(field: 200, items: 5), Limits(field: 60, items: 2),
    ]

    /// Composes the alert; long fields and lists are shortened until `snsMessage` fits `maxMessageBytes`.
    /// `links` defaults to the console pages of the failure and its product version (no runbook, no portal).
    public static func compose(_ failure: StackFailure, _ enrichment: Enrichment = Enrichment(), links: ConsoleLinks? = nil) -> Alert {
        let links = links ?? ConsoleLinks(failure: failure, productId: enrichment.productId, provisioningArtifactId: enrichment.provisioningArtifactId)
        var alert = compose(failure, enrichment, links, limits: tiers[0])
        for limits in tiers.dropFirst() where alert.snsMessage.utf8.count > maxMessageBytes {
            alert = compose(failure, enrichment, links, limits: limits)
        }
        return alert
    }

    private static func compose(_ failure: StackFailure, _ enrichment: Enrichment, _ links: ConsoleLinks, limits: Limits) -> Alert {
        let text = body(failure, enrichment, limits: limits) + linkLines(links)
        let structured = structuredJSON(failure, enrichment, links, limits: limits).serialized()
        let message = snsMessage(text: text, structured: structured)
        return Alert(
            subject: subject(failure, enrichment), text: text, structured: structured, snsMessage: message,
            messageAttributes: attributes(failure, enrichment))
    }

    /// The Publish `Message` for `MessageStructure=json`: `default` and each subscription protocol's body.
    static func snsMessage(text: String, structured: String) -> String {
        let bodies = SubscriptionProtocol.allCases.map { p -> (key: String, value: JSONValue) in
            switch p.body {
            case .text: (p.rawValue, .string(text))
            case .structured: (p.rawValue, .string(structured))
            }
        }
        return JSONValue.object([("default", .string(text))] + bodies).serialized()
    }

    // MARK: Subject

    /// `CatalogWatch: <status> <name> in <account>/<region>`; the name is the provisioned product name, else the
    /// product name, else the stack name, and is what gets shortened.
    static func subject(_ failure: StackFailure, _ enrichment: Enrichment) -> String {
        let status = Text.singleLine(failure.status, limit: 60)
        let head = "\(subjectPrefix) \(status.isEmpty ? "FAILED" : status) "
        let tail = " in \(Text.singleLine(failure.account, limit: 20))/\(Text.singleLine(failure.region, limit: 30))"
        let cleanName = Text.singleLine(displayName(failure, enrichment), limit: 200)
        let name = cleanName.isEmpty ? "unknown stack" : cleanName
        let full = head + name + tail
        if full.utf16.count <= maxSubjectLength { return full }
        let budget = maxSubjectLength - head.utf16.count - tail.utf16.count - 1
        if budget >= 4 {
            var cut = prefix(name, maxUTF16: budget)
            while cut.last == " " { cut.removeLast() }
            return head + cut + "…" + tail
        }
        var cut = prefix(full, maxUTF16: maxSubjectLength - 1)
        while cut.last == " " { cut.removeLast() }
        return cut + "…"
    }

    /// The longest prefix of whole Characters within `maxUTF16` UTF-16 units (so also within as many scalars).
    static func prefix(_ s: String, maxUTF16: Int) -> String {
        var count = 0
        var out = ""
        for character in s {
            let n = character.utf16.count
            if count + n > maxUTF16 { break }
            count += n
            out.append(character)
        }
        return out
    }

    static func displayName(_ failure: StackFailure, _ enrichment: Enrichment) -> String {
        nonEmpty(enrichment.provisionedProductName) ?? nonEmpty(enrichment.productName) ?? failure.stackName
    }

    // MARK: Attributes

    /// account, region, status and product, then one `tag.<key>` per routing tag of the stack (`RouteTags`).
    static func attributes(_ failure: StackFailure, _ enrichment: Enrichment) -> [MessageAttribute] {
        let pairs: [(String, String)] = [
            (AlertAttribute.account.name, failure.account), (AlertAttribute.region.name, failure.region),
            (AlertAttribute.status.name, failure.status), (AlertAttribute.product.name, nonEmpty(enrichment.productName) ?? failure.stackName),
        ]
        let own = pairs.compactMap { name, raw in
            let value = Text.singleLine(raw, limit: 1_000)
            return value.isEmpty ? nil : MessageAttribute(name: name, value: value)
        }
        return own + RouteTags.attributes(enrichment.stackTags)
    }

    // MARK: Text body

    private static let labelWidth = 21

    static func body(_ failure: StackFailure, _ enrichment: Enrichment, limits: Limits) -> String {
        func one(_ s: String?) -> String? {
            nonEmpty(s.map { Text.singleLine($0, limit: limits.field) })
        }
        func multi(_ s: String?) -> String? {
            nonEmpty(s.map { Text.multiline($0, limit: limits.field) })
        }
        var lines: [String] = []
        func field(_ label: String, _ value: String?) {
            guard let value else { return }
            let pad = String(repeating: " ", count: max(1, labelWidth - label.count))
            let indent = String(repeating: " ", count: labelWidth)
            let valueLines = value.split(separator: "\n", omittingEmptySubsequences: false)
            lines.append(label + pad + (valueLines.first.map(String.init) ?? ""))
            for line in valueLines.dropFirst() { lines.append(line.isEmpty ? "" : indent + line) }
        }

        lines.append("CloudFormation stack \(one(failure.status) ?? "FAILED"): \(one(displayName(failure, enrichment)) ?? "unknown")")
        lines.append("")
        field("Account:", one(failure.account))
        field("Region:", one(failure.region))
        field("Status:", one(failure.status))
        field("Reason:", multi(failure.reason))
        field("Stack:", one(failure.stackName))
        field("Provisioned product:", joined(one(enrichment.provisionedProductName), one(failure.provisionedProductId)))
        field("Product:", joined(one(enrichment.productName), one(enrichment.productId)))
        let version = one(enrichment.provisioningArtifactName)
        let versionDescription = multi(enrichment.provisioningArtifactDescription)
        switch (version, versionDescription) {
        case let (name?, description?): field("Version:", "\(name) - \(description)")
        case let (name?, nil): field("Version:", name)
        case let (nil, description?): field("Version:", description)
        case (nil, nil): break
        }
        field("Time:", one(failure.timestamp))
        field("Event ID:", one(failure.eventId))
        field("Stack ID:", one(failure.stackId))

        if let root = enrichment.rootCause {
            lines.append("")
            var head = "Root cause: \(one(root.logicalResourceId) ?? "unknown resource")"
            if let type = one(root.resourceType) { head += " (\(type))" }
            if let status = one(root.status) { head += " \(status)" }
            lines.append(head)
            if let reason = multi(root.reason) {
                lines += reason.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
            }
        }

        let recordErrors = enrichment.recordErrors.filter { nonEmpty($0) != nil }
        if !recordErrors.isEmpty {
            lines.append("")
            lines.append("Record errors:")
            for error in recordErrors.prefix(limits.items).compactMap(multi) {
                let parts = error.split(separator: "\n", omittingEmptySubsequences: false)
                lines.append("  - " + (parts.first.map(String.init) ?? ""))
                for part in parts.dropFirst() { lines.append(part.isEmpty ? "" : "    " + part) }
            }
            if recordErrors.count > limits.items { lines.append("  (\(recordErrors.count - limits.items) more)") }
        }

        let lookupFailures = enrichment.lookupFailures.filter { nonEmpty($0) != nil }
        if !lookupFailures.isEmpty {
            lines.append("")
            for failureLine in lookupFailures.prefix(limits.items).compactMap(one) {
                lines.append(failureLine.hasPrefix("Could not look up") ? failureLine : "Could not look up \(failureLine)")
            }
            if lookupFailures.count > limits.items {
                lines.append("(\(lookupFailures.count - limits.items) more lookups failed)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The links, one per line after a blank line (the lookup failures stay above them); nothing without links.
    static func linkLines(_ links: ConsoleLinks) -> String {
        let labelled = links.labelled
        guard !labelled.isEmpty else { return "" }
        return "\n" + labelled.map { "\($0.label): \($0.url)\n" }.joined()
    }

    private static func joined(_ name: String?, _ id: String?) -> String? {
        switch (name, id) {
        case let (name?, id?): return "\(name) (\(id))"
        case let (name?, nil): return name
        case let (nil, id?): return id
        case (nil, nil): return nil
        }
    }

    // MARK: Structured JSON

    static func structuredJSON(_ failure: StackFailure, _ enrichment: Enrichment, _ links: ConsoleLinks, limits: Limits) -> JSONValue {
        func str(_ s: String?) -> JSONValue {
            guard let s = nonEmpty(s) else { return .null }
            return .string(Text.truncated(s, maxCharacters: limits.field))
        }
        func list(_ items: [String]) -> JSONValue {
            .array(items.prefix(limits.items).map { .string(Text.truncated($0, maxCharacters: limits.field)) })
        }
        let rootCause: JSONValue
        if let root = enrichment.rootCause {
            rootCause = .object([
                ("logicalResourceId", str(root.logicalResourceId)), ("resourceType", str(root.resourceType)),
                ("status", str(root.status)), ("reason", str(root.reason)),
            ])
        } else {
            rootCause = .null
        }
        return .object([
            ("type", .string("CatalogWatchAlert")),
            ("version", .number(1)),
            ("account", str(failure.account)),
            ("region", str(failure.region)),
            ("partition", str(failure.partition)),
            ("status", str(failure.status)),
            ("reason", str(failure.reason)),
            ("stackName", str(failure.stackName)),
            ("stackId", str(failure.stackId)),
            ("eventId", str(failure.eventId)),
            ("timestamp", str(failure.timestamp)),
            ("consoleUrl", str(failure.consoleURL)),
            ("provisionedProductId", str(failure.provisionedProductId)),
            ("provisionedProductName", str(enrichment.provisionedProductName)),
            ("productId", str(enrichment.productId)),
            ("productName", str(enrichment.productName)),
            ("provisioningArtifactId", str(enrichment.provisioningArtifactId)),
            ("provisioningArtifactName", str(enrichment.provisioningArtifactName)),
            ("provisioningArtifactDescription", str(enrichment.provisioningArtifactDescription)),
            ("rootCause", rootCause),
            ("recordErrors", list(enrichment.recordErrors)),
            ("lookupFailures", list(enrichment.lookupFailures)),
            ("links", .object([
                ("stackEvents", str(links.stackEvents)), ("provisionedProducts", str(links.provisionedProducts)),
                ("productVersion", str(links.productVersion)), ("runbook", str(links.runbook)),
            ])),
        ])
    }

    /// `s`, or nil when it is missing or only whitespace.
    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.allSatisfy({ $0.isWhitespace }) else { return nil }
        return s
    }
}
