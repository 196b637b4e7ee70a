import AWSClient

/// Query-protocol request parameters, flattened as botocore serializes them
/// (`Regions.member.1`, `OperationPreferences.RegionOrder.member.1`, `Parameters.member.1.ParameterKey`).
package struct QueryParameters: Sendable {
    package private(set) var pairs: [(String, String)] = []

    package init() {}

    /// Adds `name=value`; a nil value adds nothing.
    package mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        pairs.append((name, value))
    }

    /// Adds `name.member.N` for each value (1-based), nothing for an empty list.
    package mutating func add(_ name: String, list: [String]) {
        for (index, value) in list.enumerated() { pairs.append(("\(name).member.\(index + 1)", value)) }
    }

    /// Adds a list of structures: `name.member.N.Field` for each field of each element.
    package mutating func add(_ name: String, structures: [[(String, String)]]) {
        for (index, fields) in structures.enumerated() {
            for (field, value) in fields { pairs.append(("\(name).member.\(index + 1).\(field)", value)) }
        }
    }

    /// Adds the members of a nested structure under `name.`.
    package mutating func add(_ name: String, structure: QueryParameters) {
        for (field, value) in structure.pairs { pairs.append(("\(name).\(field)", value)) }
    }
}

extension XML.Element {
    /// The text of the child `name` when present and non-empty.
    func value(_ path: String) -> String? {
        guard let text = text(at: path), !text.isEmpty else { return nil }
        return text
    }

    /// The `member` elements of the list at `path` (empty when absent).
    func members(_ path: String) -> [XML.Element] {
        element(at: path)?.children("member") ?? []
    }
}

/// A key and its text value as a request carries them (a template parameter, a tag, a preference).
package struct KeyValue: Sendable, Equatable {
    package var key: String
    package var value: String

    package init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
