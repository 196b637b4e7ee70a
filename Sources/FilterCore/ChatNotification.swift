import JSONText

/// The chat notification of an alert: a custom notification of Amazon Q Developer in chat applications
/// (formerly AWS Chatbot), which shows only this JSON form and drops any other SNS message. The filter
/// publishes it as a plain message (no `MessageStructure`) to every chat route whose policy matches.
///
/// Every field stays within the limits of the documented schema (transcribed in
/// Tests/Fixtures/chat/custom-notification.schema.json) however long the reason or names are: lengths are
/// counted in UTF-16 units, never fewer than the characters a validator counts. Repeated failures of one
/// provisioned product share `metadata.threadId` (the provisioned product id, else the stack ARN), so that
/// chat shows them in one thread.
package enum ChatNotification {
    package static let maxTitle = 250
    package static let maxDescription = 8_000
    package static let maxNextStep = 350
    package static let maxKeyword = 75
    /// `metadata.eventType`, which custom actions can be attached to (a notification type is letters, digits and '-').
    package static let eventType = "CatalogWatchStackFailure"

    /// Characters per free-text field of the description, tried in turn until the description fits.
    static let fieldLimits = [1_500, 400, 100]
    /// Record errors and failed lookups listed at most.
    static let maxItems = 5

    /// The notification as compact JSON; `links` defaults as in `AlertComposer.compose`.
    package static func compose(_ failure: StackFailure, _ enrichment: Enrichment = Enrichment(), links: ConsoleLinks? = nil) -> String {
        let links = links ?? ConsoleLinks(failure: failure, productId: enrichment.productId, provisioningArtifactId: enrichment.provisioningArtifactId)
        return document(failure, enrichment, links).serialized()
    }

    static func document(_ failure: StackFailure, _ enrichment: Enrichment, _ links: ConsoleLinks) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("version", .string("1.0")), ("source", .string("custom"))]
        if let id = line(failure.eventId, 200) { members.append(("id", .string(id))) }
        members.append(("content", .object([
            ("textType", .string("client-markdown")),
            ("title", .string(title(failure, enrichment))),
            ("description", .string(description(failure, enrichment, links))),
            ("nextSteps", .array(nextSteps(failure, links).map { .string($0) })),
            ("keywords", .array(keywords(failure, enrichment).map { .string($0) })),
        ])))
        members.append(("metadata", metadata(failure, enrichment)))
        return .object(members)
    }

    // MARK: Content

    /// `<status>: <product> in <account>`.
    static func title(_ failure: StackFailure, _ enrichment: Enrichment) -> String {
        let status = line(failure.status, 60) ?? "FAILED"
        let name = line(productName(failure, enrichment), 100) ?? "unknown stack"
        let account = line(failure.account, 20) ?? "unknown account"
        return Text.truncated("\(status): \(name) in \(account)", maxUTF16: maxTitle)
    }

    /// The product name, else the provisioned product name, else the stack name.
    static func productName(_ failure: StackFailure, _ enrichment: Enrichment) -> String {
        line(enrichment.productName, 1_000) ?? AlertComposer.displayName(failure, enrichment)
    }

    /// Markdown: one `*Label:* value` line per known field, reasons as quotes, the links last.
    static func description(_ failure: StackFailure, _ enrichment: Enrichment, _ links: ConsoleLinks) -> String {
        var text = ""
        for limit in fieldLimits {
            text = descriptionLines(failure, enrichment, links, field: limit).joined(separator: "\n")
            if text.utf16.count <= maxDescription { return text }
        }
        return Text.truncated(text, maxUTF16: maxDescription)
    }

    static func descriptionLines(_ failure: StackFailure, _ enrichment: Enrichment, _ links: ConsoleLinks, field limit: Int) -> [String] {
        func one(_ s: String?) -> String? { line(s, limit) }
        var lines: [String] = []
        func field(_ label: String, _ value: String?) {
            if let value { lines.append("*\(label):* \(value)") }
        }
        func quoted(_ label: String, _ head: String?, _ text: String?) {
            let body = text.flatMap { AlertComposer.nonEmpty(Text.multiline($0, limit: limit)) }.map(safe)
            guard head != nil || body != nil else { return }
            let parts = body?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
            if let head {
                lines.append("*\(label):* \(head)")
                lines += parts.map { "> " + $0 }
            } else if parts.count == 1 {
                lines.append("*\(label):* \(parts[0])")
            } else {
                lines.append("*\(label):*")
                lines += parts.map { "> " + $0 }
            }
        }
        field("Account", code(one(failure.account)))
        field("Region", code(one(failure.region)))
        field("Stack", code(one(failure.stackName)))
        field("Status", code(one(failure.status)))
        field("Product", joined(one(enrichment.productName), code(one(enrichment.productId))))
        field("Version", joined(one(enrichment.provisioningArtifactName), nil, one(enrichment.provisioningArtifactDescription)))
        field("Provisioned product", joined(one(enrichment.provisionedProductName), code(one(failure.provisionedProductId))))
        field("Time", one(failure.timestamp))
        quoted("Reason", nil, failure.reason)
        if let root = enrichment.rootCause {
            var head = code(one(root.logicalResourceId)) ?? "unknown resource"
            if let type = one(root.resourceType) { head += " (\(type))" }
            if let status = one(root.status) { head += " \(status)" }
            quoted("Root cause", head, root.reason)
        }
        lines += listed("Record errors", enrichment.recordErrors.compactMap(one))
        lines += listed("Could not look up", enrichment.lookupFailures.compactMap(one))
        for (label, url) in links.labelled { field(label, url) }
        return lines
    }

    /// `*Label:*` and a bullet per item (at most `maxItems`), nothing without items.
    static func listed(_ label: String, _ items: [String]) -> [String] {
        guard !items.isEmpty else { return [] }
        var lines = ["*\(label):*"] + items.prefix(maxItems).map { "• " + $0 }
        if items.count > maxItems { lines.append("• (\(items.count - maxItems) more)") }
        return lines
    }

    /// What to do next: the runbook, the stack events, then the usual remedy for the status.
    static func nextSteps(_ failure: StackFailure, _ links: ConsoleLinks) -> [String] {
        var steps: [String] = []
        if let url = links.runbook { steps.append("Follow the runbook: \(url)") }
        if let url = links.stackEvents { steps.append("Open the stack events: \(url)") }
        switch failure.status {
        case "UPDATE_ROLLBACK_FAILED":
            steps.append("Fix what stopped the rollback, then continue the update rollback of the stack")
        case "DELETE_FAILED":
            steps.append("Delete or retain the resources that could not be deleted, then terminate the provisioned product again")
        case "ROLLBACK_FAILED", "ROLLBACK_COMPLETE", "CREATE_FAILED":
            steps.append("Fix the cause, then terminate the provisioned product and provision it again")
        default:
            steps.append("Fix the cause, then update the provisioned product again")
        }
        return steps.map { Text.truncated($0, maxUTF16: maxNextStep) }
    }

    /// Status, account, region and product: each on one line within `maxKeyword`, without repeats.
    static func keywords(_ failure: StackFailure, _ enrichment: Enrichment) -> [String] {
        var keywords: [String] = []
        for raw in [failure.status, failure.account, failure.region, productName(failure, enrichment)] {
            guard let word = line(raw, maxKeyword) else { continue }
            let cut = Text.truncated(word, maxUTF16: maxKeyword)
            if !keywords.contains(cut) { keywords.append(cut) }
        }
        return keywords
    }

    // MARK: Metadata

    static func metadata(_ failure: StackFailure, _ enrichment: Enrichment) -> JSONValue {
        let place = "\(line(failure.account, 20) ?? "?")/\(line(failure.region, 30) ?? "?")"
        let summary = "\(line(failure.status, 60) ?? "FAILED"): \(line(productName(failure, enrichment), 100) ?? "unknown stack") in \(place)"
        var context: [(key: String, value: JSONValue)] = []
        for (key, raw) in [
            ("account", failure.account), ("region", failure.region), ("status", failure.status), ("stackName", failure.stackName),
            ("provisionedProductId", failure.provisionedProductId), ("productName", enrichment.productName),
        ] {
            if let value = line(raw, 1_000) { context.append((key, .string(value))) }
        }
        return .object([
            ("threadId", .string(threadId(failure))),
            ("summary", .string(Text.truncated(summary, maxUTF16: maxTitle))),
            ("eventType", .string(eventType)),
            ("relatedResources", .array(line(failure.stackId, 2_048).map { [.string($0)] } ?? [])),
            ("additionalContext", .object(context)),
            ("enableCustomActions", .bool(true)),
        ])
    }

    /// The provisioned product id, else the stack ARN, else `<account>/<region>/<stack name>`.
    static func threadId(_ failure: StackFailure) -> String {
        line(failure.provisionedProductId, 200) ?? line(failure.stackId, 2_048)
            ?? "\(line(failure.account, 20) ?? "?")/\(line(failure.region, 30) ?? "?")/\(line(failure.stackName, 255) ?? "?")"
    }

    // MARK: Text

    /// `s` on one line within `limit` Characters, markdown-safe, or nil when blank.
    static func line(_ s: String?, _ limit: Int) -> String? {
        s.flatMap { AlertComposer.nonEmpty(Text.singleLine($0, limit: limit)) }.map(safe)
    }

    /// Angle brackets become ‹ and ›, so that text from a stack cannot form a chat link or mention (`<!here>`).
    static func safe(_ s: String) -> String {
        String(s.map { $0 == "<" ? "‹" : $0 == ">" ? "›" : $0 })
    }

    /// Inline code, with backticks (which would end it) made quotes.
    static func code(_ s: String?) -> String? {
        guard let s else { return nil }
        return "`" + String(s.map { $0 == "`" ? "'" : $0 }) + "`"
    }

    /// `name (id)`, or `name - detail`, or whichever of them there is.
    static func joined(_ name: String?, _ id: String?, _ detail: String? = nil) -> String? {
        var text = name
        if let id { text = text.map { "\($0) (\(id))" } ?? id }
        if let detail { text = text.map { "\($0) - \(detail)" } ?? detail }
        return text
    }
}
