import FilterContract
import JSONText

/// Which failures may be held for a digest, and in which group: the pure half of storm digests (the ledger
/// calls are FilterLambda's `DigestLedger`). An alert goes to the routes whose filter policy its message
/// attributes meet (and to the default route, when there is one); it can be held only when every one of
/// those routes digests, with the combined setting (`DigestSetting.combined`). Failures share a group when
/// they share the product version (else the product) and the set of routes, within one window.
package struct DigestPolicy: Sendable {
    struct Route: Sendable {
        var name: String
        var policy: RouteFilterPolicy
        var digest: DigestSetting?
    }

    /// The name the default route has in group keys and texts.
    package static let defaultRouteName = "(default)"

    let defaultRoute: DigestSetting??
    let routes: [Route]

    package init(_ rules: DigestRules) {
        defaultRoute = rules.defaultRoute
        routes = rules.routes.map { Route(name: $0.name, policy: RouteFilterPolicy(conditions: $0.filterPolicy.map {
            RouteFilterPolicy.Condition(attribute: $0.attribute, values: $0.values)
        }), digest: $0.digest) }
    }

    /// Where an alert may be held: the combined setting and the routes it goes to, or nil when one of its
    /// routes takes every alert one by one (or it goes nowhere).
    package func scope(_ attributes: [MessageAttribute]) -> DigestScope? {
        var names: [String] = []
        var settings: [DigestSetting] = []
        if let defaultRoute {
            guard let setting = defaultRoute else { return nil }
            names.append(Self.defaultRouteName)
            settings.append(setting)
        }
        for route in routes where route.policy.matches(attributes) {
            guard let setting = route.digest else { return nil }
            names.append(route.name)
            settings.append(setting)
        }
        guard let setting = DigestSetting.combined(settings) else { return nil }
        return DigestScope(setting: setting, routes: names)
    }
}

/// The setting and routes of one alert that may be held (`DigestPolicy.scope`).
package struct DigestScope: Sendable, Equatable {
    package var setting: DigestSetting
    /// Route names in `DIGEST` order, the default route first.
    package var routes: [String]

    package init(setting: DigestSetting, routes: [String]) {
        self.setting = setting
        self.routes = routes
    }

    /// The window that `now` (epoch seconds) falls in: windows are fixed, aligned to multiples of their length.
    package func window(at now: Int64) -> (start: Int64, end: Int64) {
        let length = Int64(setting.windowSeconds)
        let start = now - ((now % length) + length) % length
        return (start, start + length)
    }

    /// The ledger key of the group: product version (else product), routes and window; nil without a product id.
    package func groupKey(productId: String?, provisioningArtifactId: String?, at now: Int64) -> String? {
        guard let productId, !productId.isEmpty else { return nil }
        let version = provisioningArtifactId.map { "\(productId)/\($0)" } ?? productId
        return "digest|\(version)|\(routes.joined(separator: ","))|\(window(at: now).start)"
    }
}

/// What a digest says of one failure: the facts of its alert without the lookups, small enough that a window
/// of a storm fits one ledger item. Stored as compact JSON.
package struct DigestEntry: Sendable, Equatable {
    package var account: String
    package var region: String
    package var partition: String
    package var status: String
    package var stackName: String
    package var stackId: String?
    package var reason: String?
    package var timestamp: String?
    package var eventId: String?
    package var provisionedProductId: String?

    /// The longest reason kept (Characters).
    static let reasonLimit = 300

    package init(_ failure: StackFailure) {
        account = failure.account
        region = failure.region
        partition = failure.partition
        status = failure.status
        stackName = Text.singleLine(failure.stackName, limit: 128)
        stackId = failure.stackId.map { Text.singleLine($0, limit: 256) }
        reason = failure.reason.map { Text.singleLine($0, limit: Self.reasonLimit) }
        timestamp = failure.timestamp.map { Text.singleLine($0, limit: 40) }
        eventId = failure.eventId.map { Text.singleLine($0, limit: 128) }
        provisionedProductId = failure.provisionedProductId.map { Text.singleLine($0, limit: 64) }
    }

    /// The failure again, for a single alert when the digest cannot be sent.
    package var failure: StackFailure {
        StackFailure(
            account: account, region: region, partition: partition, stackId: stackId, stackARN: stackId.flatMap { StackARN(parsing: $0) },
            stackName: stackName, status: status, reason: reason, eventId: eventId, timestamp: timestamp,
            provisionedProductId: provisionedProductId)
    }

    /// The same failure as another entry (one delivered twice is listed once).
    var identity: String { (stackId ?? "\(account)/\(region)/\(stackName)") + "|" + status + "|" + (timestamp ?? eventId ?? "") }

    static let keys = ["account", "region", "partition", "status", "stackName", "stackId", "reason", "timestamp", "eventId", "provisionedProductId"]

    package var json: String {
        let values: [String?] = [account, region, partition, status, stackName, stackId, reason, timestamp, eventId, provisionedProductId]
        return JSONValue.object(zip(Self.keys, values).compactMap { key, value in value.map { (key, .string($0)) } }).serialized()
    }

    package init?(json text: String) {
        guard let json = try? JSONValue.parse(text), json.isObject else { return nil }
        func s(_ key: String) -> String? { json[key]?.stringValue }
        guard let account = s("account"), let region = s("region"), let status = s("status"), let stackName = s("stackName") else { return nil }
        self.account = account
        self.region = region
        self.partition = s("partition") ?? "aws"
        self.status = status
        self.stackName = stackName
        stackId = s("stackId")
        reason = s("reason")
        timestamp = s("timestamp")
        eventId = s("eventId")
        provisionedProductId = s("provisionedProductId")
    }
}

/// What a group held, as the flush reads it from the ledger.
package struct DigestContent: Sendable, Equatable {
    /// The product (and version) the failures share, with the first alert's message attributes (so the
    /// digest takes the same routes).
    package struct Subject: Sendable, Equatable {
        package var productId: String
        package var productName: String?
        package var provisioningArtifactId: String?
        package var provisioningArtifactName: String?
        package var attributes: [MessageAttribute]
        package var setting: DigestSetting

        package init(
            productId: String, productName: String?, provisioningArtifactId: String?, provisioningArtifactName: String?,
            attributes: [MessageAttribute], setting: DigestSetting
        ) {
            self.productId = productId
            self.productName = productName
            self.provisioningArtifactId = provisioningArtifactId
            self.provisioningArtifactName = provisioningArtifactName
            self.attributes = attributes
            self.setting = setting
        }

        static let keys = ["productId", "productName", "provisioningArtifactId", "provisioningArtifactName", "window", "threshold", "attributes"]

        package var json: String {
            let optional: [(String, String?)] = [
                ("productId", productId), ("productName", productName), ("provisioningArtifactId", provisioningArtifactId),
                ("provisioningArtifactName", provisioningArtifactName),
            ]
            let members: [(key: String, value: JSONValue)] = optional.compactMap { key, value in value.map { (key, .string($0)) } } + [
                ("window", .number(Double(setting.windowSeconds))), ("threshold", .number(Double(setting.threshold))),
                ("attributes", .array(attributes.map { .array([.string($0.name), .string($0.value)]) })),
            ]
            return JSONValue.object(members).serialized()
        }

        package init?(json text: String) {
            guard let json = try? JSONValue.parse(text), let productId = json["productId"]?.stringValue,
                case .number(let window)? = json["window"], case .number(let threshold)? = json["threshold"],
                let pairs = json["attributes"]?.arrayValue,
                Double(DigestSetting.windowRange.lowerBound)...Double(DigestSetting.windowRange.upperBound) ~= window,
                Double(DigestSetting.thresholdRange.lowerBound)...Double(DigestSetting.thresholdRange.upperBound) ~= threshold
            else { return nil }
            self.productId = productId
            productName = json["productName"]?.stringValue
            provisioningArtifactId = json["provisioningArtifactId"]?.stringValue
            provisioningArtifactName = json["provisioningArtifactName"]?.stringValue
            setting = DigestSetting(windowSeconds: Int(window), threshold: Int(threshold))
            attributes = pairs.compactMap { pair in
                guard let items = pair.arrayValue, items.count == 2, let name = items[0].stringValue, let value = items[1].stringValue else { return nil }
                return MessageAttribute(name: name, value: value)
            }
        }
    }

    package var subject: Subject
    /// Every failure of the window in arrival order: the first `threshold` were alerted one by one.
    package var entries: [DigestEntry]
    /// Failures past the threshold that were alerted one by one anyway (their flush was not yet scheduled), by `DigestEntry.json`.
    package var alertedSingly: Set<String>
    /// The window (epoch seconds).
    package var windowStart: Int64
    package var windowEnd: Int64

    package init(subject: Subject, entries: [DigestEntry], alertedSingly: Set<String>, windowStart: Int64, windowEnd: Int64) {
        self.subject = subject
        self.entries = entries
        self.alertedSingly = alertedSingly
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// The failures this digest alerts: past the threshold, not alerted singly, each once.
    package var held: [DigestEntry] {
        var seen = Set<String>()
        var out: [DigestEntry] = []
        for (index, entry) in entries.enumerated() where index >= subject.setting.threshold && !alertedSingly.contains(entry.json) {
            if seen.insert(entry.identity).inserted { out.append(entry) }
        }
        return out
    }
}
