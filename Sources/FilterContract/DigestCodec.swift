import JSONText

/// How a storm of failures is told: within a window, the first `threshold` failures of one product version
/// (and set of routes) are alerted one by one as usual; the rest are held and sent as one digest when the
/// window ends.
package struct DigestSetting: Sendable, Equatable, Hashable {
    /// The window, in seconds (the digest goes out when it ends).
    package var windowSeconds: Int
    /// Failures alerted one by one in a window before the rest are held.
    package var threshold: Int

    /// SQS delays a message at most 15 minutes: the flush of a window is one delayed message.
    package static let windowRange = 60...900
    package static let thresholdRange = 1...1_000

    package init(windowSeconds: Int, threshold: Int) {
        self.windowSeconds = windowSeconds
        self.threshold = threshold
    }

    /// The window as people read it: `5 min` for whole minutes, else `90 s`.
    package var windowText: String {
        windowSeconds % 60 == 0 ? "\(windowSeconds / 60) min" : "\(windowSeconds) s"
    }

    /// The setting that holds least when several routes share an alert: the longest threshold, the shortest window.
    package static func combined(_ settings: [DigestSetting]) -> DigestSetting? {
        guard let first = settings.first else { return nil }
        return settings.dropFirst().reduce(first) {
            DigestSetting(windowSeconds: min($0.windowSeconds, $1.windowSeconds), threshold: max($0.threshold, $1.threshold))
        }
    }
}

/// A route as `DIGEST` carries it: its name, its SNS filter policy (the alert stack's, on `AlertAttribute`s)
/// and its digest setting (nil: every alert one by one).
package struct DigestRouteEntry: Sendable, Equatable {
    package var name: String
    package var filterPolicy: [(attribute: String, values: [String])]
    package var digest: DigestSetting?

    package init(name: String, filterPolicy: [(attribute: String, values: [String])], digest: DigestSetting?) {
        self.name = name
        self.filterPolicy = filterPolicy
        self.digest = digest
    }

    package static func == (lhs: DigestRouteEntry, rhs: DigestRouteEntry) -> Bool {
        lhs.name == rhs.name && lhs.digest == rhs.digest
            && lhs.filterPolicy.elementsEqual(rhs.filterPolicy) { $0.attribute == $1.attribute && $0.values == $1.values }
    }
}

/// The digest rules of a deployment: the default route's setting (when the layout has the default route)
/// and every named route's. An alert's routes decide whether it can be held: all of them must digest.
package struct DigestRules: Sendable, Equatable {
    /// Nil: no default route. `.some(nil)`: the default route gets every alert one by one.
    package var defaultRoute: DigestSetting??
    package var routes: [DigestRouteEntry]

    package init(defaultRoute: DigestSetting??, routes: [DigestRouteEntry]) {
        self.defaultRoute = defaultRoute
        self.routes = routes
    }

    /// Whether any route digests (else the filter needs no `DIGEST`).
    package var isActive: Bool {
        (defaultRoute ?? nil) != nil || routes.contains { $0.digest != nil }
    }
}

/// `DIGEST`: `{"default": <setting>|false, "routes": [{"name", "filterPolicy", "digest": <setting>|false}]}`
/// as compact JSON, a setting being `{"window": <seconds>, "threshold": <n>}`; `default` is absent without the
/// default route. The alert stack writes it (`encode`), the filter reads it (`decode`).
package enum DigestCodec {
    static let variable = FilterVariable.digest.name

    /// The variable's value (deterministic: the routes' and the policies' order).
    package static func encode(_ rules: DigestRules) -> String {
        func setting(_ s: DigestSetting?) -> String {
            s.map { "{\"window\":\($0.windowSeconds),\"threshold\":\($0.threshold)}" } ?? "false"
        }
        var members: [String] = []
        if let defaultRoute = rules.defaultRoute { members.append("\"default\":" + setting(defaultRoute)) }
        let routes = rules.routes.map { route in
            let policy = route.filterPolicy.map { JSONText.quoted($0.attribute) + ":[" + $0.values.map(JSONText.quoted).joined(separator: ",") + "]" }
            return "{\"name\":\(JSONText.quoted(route.name)),\"filterPolicy\":{\(policy.joined(separator: ","))},\"digest\":\(setting(route.digest))}"
        }
        members.append("\"routes\":[" + routes.joined(separator: ",") + "]")
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The rules of a value, or the problems found (each naming the variable). Unset or blank: no digests.
    package static func decode(_ text: String?) -> (rules: DigestRules?, problems: [String]) {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return (nil, []) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            return (nil, ["\(variable) is not valid JSON (\(ContractText.oneLine(error.description, limit: 200)))"])
        }
        guard case .object = json, case .array(let items)? = json["routes"] else {
            return (nil, ["\(variable) is not an object with a routes array"])
        }
        var problems: [String] = []
        var defaultRoute: DigestSetting??
        if let value = json["default"] {
            switch setting(value) {
            case .success(let s): defaultRoute = .some(s)
            case .failure(let problem): problems.append("\(variable) default \(problem.text)")
            }
        }
        var routes: [DigestRouteEntry] = []
        for (index, item) in items.enumerated() {
            let at = "\(variable) routes[\(index)]"
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                problems.append("\(at) has no name")
                continue
            }
            guard let policyValue = item["filterPolicy"], let policy = try? ChatRoutesCodec.filterPolicy(policyValue) else {
                problems.append("\(at) (\(ContractText.oneLine(name, limit: 100))) has no filterPolicy object of string lists")
                continue
            }
            switch setting(item["digest"] ?? .bool(false)) {
            case .success(let s): routes.append(DigestRouteEntry(name: name, filterPolicy: policy, digest: s))
            case .failure(let problem): problems.append("\(at) (\(ContractText.oneLine(name, limit: 100))) digest \(problem.text)")
            }
        }
        return problems.isEmpty ? (DigestRules(defaultRoute: defaultRoute, routes: routes), []) : (nil, problems)
    }

    struct Problem: Error {
        let text: String
    }

    /// `false`, or `{"window", "threshold"}` within the ranges of `DigestSetting`.
    static func setting(_ value: JSONValue) -> Result<DigestSetting?, Problem> {
        if case .bool(false) = value { return .success(nil) }
        guard case .object = value, let window = integer(value["window"]), let threshold = integer(value["threshold"]) else {
            return .failure(Problem(text: "is neither false nor {\"window\": <seconds>, \"threshold\": <count>}"))
        }
        guard DigestSetting.windowRange.contains(window), DigestSetting.thresholdRange.contains(threshold) else {
            return .failure(Problem(
                text: "window must be \(DigestSetting.windowRange.lowerBound)–\(DigestSetting.windowRange.upperBound) seconds and threshold "
                    + "\(DigestSetting.thresholdRange.lowerBound)–\(DigestSetting.thresholdRange.upperBound)"))
        }
        return .success(DigestSetting(windowSeconds: window, threshold: threshold))
    }

    static func integer(_ value: JSONValue?) -> Int? {
        guard case .number(let n)? = value, n.rounded(.towardZero) == n, abs(n) < 1e9 else { return nil }
        return Int(n)
    }
}
