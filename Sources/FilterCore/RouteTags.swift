import FilterContract

/// The stack tags that route alerts to the team that owns the product (`ROUTE_TAGS`): the value of each named
/// tag that the failed stack carries becomes the String message attribute `tag.<key>`, which subscription
/// filter policies and chat routes (`RouteFilterPolicy`) match on. A stack without the tag gets no attribute,
/// so its alert stays on the default route.
package enum RouteTags {
    /// What the attribute name of a tag starts with.
    package static let attributePrefix = AlertAttribute.tagPrefix
    /// SQS takes at most 10 message attributes per message (raw message delivery passes the alert's on),
    /// and the alert has 4 of its own (account, region, status, product).
    package static let maxKeys = 6
    /// A tag key is 1 to 128 characters (CloudFormation, like the other AWS services).
    package static let maxKeyLength = 128

    /// `tag.<key>`.
    package static func attributeName(_ key: String) -> String { attributePrefix + key }

    /// Why `key` cannot route alerts, or nil when `tag.<key>` is a valid SNS message attribute name.
    package static func problem(key: String) -> String? {
        if key.isEmpty || key.unicodeScalars.count > maxKeyLength {
            return "is not a tag key (1 to \(maxKeyLength) characters)"
        }
        if !isValidAttributeName(attributeName(key)) {
            return "would make the message attribute name \(Text.excerpt(attributeName(key), limit: 140)), which SNS rejects"
                + " (names are letters, digits, '_', '-' and '.', with no '..' and no '.' at the end)"
        }
        return nil
    }

    /// An SNS message attribute name: 1 to 256 of `A-Z a-z 0-9 _ - .`, neither starting nor ending with a
    /// period, without successive periods, and not starting with `AWS.` or `Amazon.` in any case.
    package static func isValidAttributeName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...256).contains(bytes.count), bytes.first != 0x2E, bytes.last != 0x2E else { return false }
        for (index, c) in bytes.enumerated() {
            let allowed = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
            guard allowed else { return false }
            if c == 0x2E, index > 0, bytes[index - 1] == 0x2E { return false }
        }
        let lower = name.lowercased()
        return !lower.hasPrefix("aws.") && !lower.hasPrefix("amazon.")
    }

    /// The `tag.<key>` attributes of `tags`, ordered by key; keys that make no valid name, and values that are
    /// empty once on one line, are left out (SNS rejects both).
    static func attributes(_ tags: [String: String]) -> [MessageAttribute] {
        tags.keys.sorted().compactMap { key in
            guard problem(key: key) == nil, let raw = tags[key] else { return nil }
            let value = Text.singleLine(raw, limit: 1_000)
            return value.isEmpty ? nil : MessageAttribute(name: attributeName(key), value: value)
        }
    }
}
