import JSONText
import URLText

/// The runbooks of a layout: an https URL per product (by product id `prod-…` or product name) and an
/// optional `default`, in the layout's order. The filter puts the one that fits a failure in its alert.
package struct Runbooks: Sendable, Equatable {
    /// The key of the runbook for products the table does not name.
    package static let defaultKey = "default"

    /// Key (`default`, a product id or a product name) and URL, in order, keys distinct.
    package var entries: [(key: String, url: String)]

    package init(_ entries: [(key: String, url: String)]) { self.entries = entries }

    package var isEmpty: Bool { entries.isEmpty }

    /// The product id's runbook, else the product name's, else the default.
    package func runbook(productId: String?, productName: String?) -> String? {
        func url(_ key: String?) -> String? { key.flatMap { key in entries.first { $0.key == key }?.url } }
        return url(productId) ?? url(productName) ?? url(Self.defaultKey)
    }

    package static func == (lhs: Runbooks, rhs: Runbooks) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.url == $1.url }
    }
}

/// `RUNBOOKS`: `{"<key>": "<url>", …}` as compact JSON, in the layout's order. The alert stack writes it
/// (`encode`), the filter reads it (`decode`): an object of https URLs; every problem names the variable.
package enum RunbooksCodec {
    static let variable = FilterVariable.runbooks.name

    /// The variable's value (deterministic: the entries' order).
    package static func encode(_ runbooks: Runbooks) -> String {
        "{" + runbooks.entries.map { JSONText.quoted($0.key) + ":" + JSONText.quoted($0.url) }.joined(separator: ",") + "}"
    }

    /// The runbooks of a value; unset or blank is none.
    package static func decode(_ text: String?) -> (runbooks: Runbooks, problems: [String]) {
        guard let text, !text.allSatisfy(\.isWhitespace) else { return (Runbooks([]), []) }
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            return (Runbooks([]), ["\(variable) is not valid JSON (\(ContractText.oneLine(error.description, limit: 200)))"])
        }
        guard case .object(let members) = json else {
            return (Runbooks([]), ["\(variable) is a JSON \(json.kindName), not an object of runbook URLs by product"])
        }
        var entries: [(key: String, url: String)] = []
        var problems: [String] = []
        for (key, value) in members {
            let shown = ContractText.oneLine(key, limit: 100)
            guard case .string(let url) = value, HTTPSURL.isValid(url) else {
                problems.append("\(variable) '\(shown)' is not an https:// URL")
                continue
            }
            entries.append((key, url))
        }
        return (Runbooks(entries), problems)
    }
}
