/// `ROUTE_TAGS`: the stack tag keys whose values alerts carry as the message attributes `tag.<key>`,
/// comma-separated. The alert stack writes it (`encode`), the filter reads it (`decode`); whether a key makes
/// a valid attribute name, and how many fit, the filter checks itself (FilterCore's `RouteTags`).
package enum RouteTagsCodec {
    /// The variable's value: the keys joined by commas, as given.
    package static func encode(_ keys: [String]) -> String {
        keys.joined(separator: ",")
    }

    /// The keys of a value: split at commas, blanks around each key trimmed, empty items and repeats (compared
    /// scalar by scalar) dropped, in order. Unset or blank is no keys; text that lists no key is a problem.
    package static func decode(_ text: String?) -> (keys: [String], problems: [String]) {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return ([], []) }
        var keys: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let key = item.trimmingWhitespace()
            if key.isEmpty || keys.contains(where: { $0.unicodeScalars.elementsEqual(key.unicodeScalars) }) { continue }
            keys.append(key)
        }
        return (keys, keys.isEmpty ? ["\(FilterVariable.routeTags.name) lists no tag key"] : [])
    }
}
