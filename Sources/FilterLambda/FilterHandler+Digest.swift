import FilterCore
import JSONText

extension FilterHandler {
    /// Publishes the digest of the window `key` (its flush message came): the alert to the send topic and its
    /// chat notification, then marks it sent. When the digest cannot be published, every held failure goes
    /// out as its own alert instead; when that fails too, the flush message is retried.
    func flushOne(_ key: String, _ d: Delivery) async -> ItemResult {
        let log = d.log
        guard let digests = d.digests, let sink = d.sink else {
            log.warn("digest flush message without DIGEST settings; ignored", [("group", .string(key))])
            return .alertedAlready
        }
        let content: DigestContent?
        do {
            content = try await digests.flush(key: key, now: clockMs() / 1000, deadline: d.lookupDeadline)
        } catch {
            return .undelivered("digest ledger: \(AWSEnricher.describe(error))")
        }
        guard let content else {
            log.info("digest sent already", [("group", .string(key))])
            return .alertedAlready
        }
        let held = content.held
        guard !held.isEmpty else {
            await digests.markSent(key: key, now: clockMs() / 1000, deadline: d.deadline, log: log)
            return .alertedAlready
        }
        let links = configuration.digestLinks(content)
        let digest = DigestComposer.compose(content, links: links)
        do {
            let messageId = try await sink.publish(digest, deadline: d.deadline)
            log.info("digest published", [("group", .string(key)), ("failures", .number(Double(held.count))), ("messageId", .string(messageId))])
            try await d.chat?.publish(
                message: DigestComposer.chatNotification(content, links: links), of: digest, about: [("group", .string(key))], deadline: d.deadline, log: log)
            await digests.markSent(key: key, now: clockMs() / 1000, deadline: d.deadline, log: log)
            return .delivered(digest)
        } catch {
            log.error("digest not delivered; its failures go out one by one", [("group", .string(key)), ("error", .string(AWSEnricher.describe(error)))])
        }
        return await publishSingly(content, key: key, sink: sink, d)
    }

    /// The fallback of a digest that could not be published: one alert per held failure.
    private func publishSingly(_ content: DigestContent, key: String, sink: any AlertSink, _ d: Delivery) async -> ItemResult {
        let enrichment = DigestComposer.enrichment(content.subject)
        var failed: [String] = []
        for entry in content.held {
            let failure = entry.failure
            let links = configuration.links(failure, enrichment)
            let alert = AlertComposer.compose(failure, enrichment, links: links)
            do {
                _ = try await sink.publish(alert, deadline: d.deadline)
                try await d.chat?.publish(alert, failure: failure, enrichment: enrichment, links: links, deadline: d.deadline, log: d.log)
            } catch {
                failed.append("\(failure.stackName): \(AWSEnricher.describe(error))")
            }
        }
        guard failed.isEmpty else {
            return .undelivered("digest and \(failed.count) of its \(content.held.count) single alerts not delivered (\(failed.prefix(3).joined(separator: "; ")))")
        }
        d.log.info("digest's failures published one by one", [("group", .string(key)), ("failures", .number(Double(content.held.count)))])
        await d.digests?.markSent(key: key, now: clockMs() / 1000, deadline: d.deadline, log: d.log)
        return .delivered(DigestComposer.compose(content, links: configuration.digestLinks(content)))
    }
}
