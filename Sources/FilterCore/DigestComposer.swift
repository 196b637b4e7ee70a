import AWSIdentifiers
import FilterContract
import JSONText

/// Builds the digest of a window's held failures: one alert (e-mail text, structured JSON for sqs, lambda
/// and https subscribers with `"type": "CatalogWatchDigest"`, the same message attributes as the group's
/// first alert, so it takes the same routes) and its chat notification. Counts by reason, account and region come first, then one line per
/// held failure, as many as fit SNS's message size.
package enum DigestComposer {
    /// The digest alert of `content`; `links` are the product version's page and its runbook, when known.
    package static func compose(_ content: DigestContent, links: ConsoleLinks = ConsoleLinks()) -> Alert {
        let held = content.held
        var listed = held.count
        var alert = compose(content, held, listed: listed, links: links)
        while alert.snsMessage.utf8.count > AlertComposer.maxMessageBytes, listed > 0 {
            listed /= 2
            alert = compose(content, held, listed: listed, links: links)
        }
        return alert
    }

    static func compose(_ content: DigestContent, _ held: [DigestEntry], listed: Int, links: ConsoleLinks) -> Alert {
        let text = body(content, held, listed: listed) + AlertComposer.linkLines(links)
        let structured = structuredJSON(content, held, listed: listed, links: links).serialized()
        let message = AlertComposer.snsMessage(text: text, structured: structured)
        // The group's first alert's attributes, unchanged: the digest takes the same routes, and no attribute is
        // added (SQS subscribers take at most 10, which an alert with 6 route tags already uses).
        return Alert(
            subject: subject(content, count: held.count), text: text, structured: structured, snsMessage: message,
            messageAttributes: content.subject.attributes)
    }

    /// `CatalogWatch: 57 more failures of <product> <version> (5 min digest)`, within SNS's subject length.
    static func subject(_ content: DigestContent, count: Int) -> String {
        let head = "\(AlertComposer.subjectPrefix) \(count) more failure\(count == 1 ? "" : "s") of "
        let tail = " (\(content.subject.setting.windowText) digest)"
        let budget = AlertComposer.maxSubjectLength - head.utf16.count - tail.utf16.count
        return head + Text.truncated(productLine(content.subject), maxUTF16: budget) + tail
    }

    /// The product name (else id) and the version name, when known.
    static func productLine(_ s: DigestContent.Subject) -> String {
        let product = Text.singleLine(s.productName ?? s.productId, limit: 100)
        guard let version = s.provisioningArtifactName.map({ Text.singleLine($0, limit: 60) }) else { return product }
        return "\(product) \(version)"
    }

    /// Values and how often they occur, most frequent first (ties by first appearance).
    static func counts(_ values: [String]) -> [(value: String, count: Int)] {
        var order: [String] = []
        var count: [String: Int] = [:]
        for value in values {
            if count[value] == nil { order.append(value) }
            count[value, default: 0] += 1
        }
        return order.enumerated().sorted { a, b in
            let (ca, cb) = (count[a.element]!, count[b.element]!)
            return ca != cb ? ca > cb : a.offset < b.offset
        }.map { ($0.element, count[$0.element]!) }
    }

    static func reason(_ entry: DigestEntry) -> String { Text.singleLine(entry.reason ?? "no reason given", limit: 160) }

    static func body(_ content: DigestContent, _ held: [DigestEntry], listed: Int) -> String {
        let s = content.subject
        var lines = ["\(held.count) more CloudFormation stack failures of \(productLine(s)) within \(s.setting.windowText).", ""]
        lines.append("Product:             \(Text.singleLine(s.productName ?? "", limit: 100)) (\(s.productId))")
        if let id = s.provisioningArtifactId { lines.append("Version:             \(Text.singleLine(s.provisioningArtifactName ?? "", limit: 60)) (\(id))") }
        lines.append("Window:              \(CivilTime.iso8601(epochSeconds: Int(content.windowStart))) to \(CivilTime.iso8601(epochSeconds: Int(content.windowEnd)))")
        lines.append("Alerted one by one:  the first \(s.setting.threshold) of the window (their own alerts), then this digest")
        for (title, values) in [("By reason", held.map(reason)), ("By account", held.map(\.account)), ("By region", held.map(\.region))] {
            lines.append("")
            lines.append("\(title):")
            lines += counts(values).prefix(20).map { "  \($0.count) × \($0.value)" }
        }
        lines.append("")
        lines.append("Failures:")
        for entry in held.prefix(listed) {
            lines.append("  - \(entry.account)/\(entry.region) \(entry.status) \(entry.stackName)\(entry.provisionedProductId.map { " (\($0))" } ?? ""): \(reason(entry))")
        }
        if listed < held.count { lines.append("  (\(held.count - listed) more, in the counts above)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func structuredJSON(_ content: DigestContent, _ held: [DigestEntry], listed: Int, links: ConsoleLinks) -> JSONValue {
        let s = content.subject
        func str(_ v: String?) -> JSONValue { v.map { .string($0) } ?? .null }
        func countList(_ values: [String]) -> JSONValue {
            .array(counts(values).map { .object([("value", .string($0.value)), ("count", .number(Double($0.count)))]) })
        }
        let failures: [JSONValue] = held.prefix(listed).map { e in
            .object([
                ("account", .string(e.account)), ("region", .string(e.region)), ("status", .string(e.status)), ("stackName", .string(e.stackName)),
                ("stackId", str(e.stackId)), ("provisionedProductId", str(e.provisionedProductId)), ("reason", str(e.reason)),
                ("timestamp", str(e.timestamp)),
            ])
        }
        return .object([
            ("type", .string("CatalogWatchDigest")), ("version", .number(1)),
            ("productId", .string(s.productId)), ("productName", str(s.productName)),
            ("provisioningArtifactId", str(s.provisioningArtifactId)), ("provisioningArtifactName", str(s.provisioningArtifactName)),
            ("windowStart", .string(CivilTime.iso8601(epochSeconds: Int(content.windowStart)))), ("windowEnd", .string(CivilTime.iso8601(epochSeconds: Int(content.windowEnd)))),
            ("alertedOneByOne", .number(Double(s.setting.threshold))), ("count", .number(Double(held.count))),
            ("byReason", countList(held.map(reason))), ("byAccount", countList(held.map(\.account))), ("byRegion", countList(held.map(\.region))),
            ("failures", .array(failures)), ("unlisted", .number(Double(held.count - min(listed, held.count)))),
            ("links", .object([("productVersion", str(links.productVersion)), ("runbook", str(links.runbook))])),
        ])
    }

    /// What the single alert of a held failure knows: the group's product and version, and its stack tags as
    /// the group's first alert carried them (the entry keeps no tags of its own).
    package static func enrichment(_ subject: DigestContent.Subject) -> Enrichment {
        var tags: [String: String] = [:]
        for attribute in subject.attributes where attribute.name.hasPrefix(AlertAttribute.tagPrefix) {
            tags[String(attribute.name.dropFirst(AlertAttribute.tagPrefix.count))] = attribute.value
        }
        return Enrichment(
            productId: subject.productId, productName: subject.productName, provisioningArtifactId: subject.provisioningArtifactId,
            provisioningArtifactName: subject.provisioningArtifactName, stackTags: tags)
    }

    /// The digest's Amazon Q Developer custom notification, within the schema's limits.
    package static func chatNotification(_ content: DigestContent, links: ConsoleLinks = ConsoleLinks()) -> String {
        let held = content.held
        let title = Text.truncated("\(held.count) more failures: \(productLine(content.subject))", maxUTF16: ChatNotification.maxTitle)
        var lines = ["*Window:* \(content.subject.setting.windowText) after the first \(content.subject.setting.threshold) alerts"]
        for (label, values) in [("Reasons", held.map(reason)), ("Accounts", held.map(\.account)), ("Regions", held.map(\.region))] {
            lines.append("*\(label):* " + counts(values).prefix(10).map { "\($0.value) (\($0.count))" }.joined(separator: ", "))
        }
        lines += links.labelled.map { "*\($0.label):* \($0.url)" }
        let description = Text.truncated(lines.joined(separator: "\n"), maxUTF16: ChatNotification.maxDescription)
        let nextSteps: [JSONValue] = links.runbook.map { [.string(Text.truncated("Follow the runbook: \($0)", maxUTF16: ChatNotification.maxNextStep))] } ?? []
        return JSONValue.object([
            ("version", .string("1.0")), ("source", .string("custom")),
            ("content", .object([
                ("textType", .string("client-markdown")), ("title", .string(title)), ("description", .string(description)),
                ("nextSteps", .array(nextSteps)),
            ])),
            ("metadata", .object([
                ("threadId", .string(Text.truncated(content.subject.productId + "/" + (content.subject.provisioningArtifactId ?? ""), maxUTF16: 100))),
                ("eventType", .string("CatalogWatchDigest")),
            ])),
        ]).serialized()
    }
}
