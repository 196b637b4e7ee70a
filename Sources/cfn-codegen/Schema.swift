import Foundation

/// A JSON value with object keys sorted, so every walk over it is deterministic.
enum JSON {
    case object([JSONMember])
    case array([JSON])
    case string(String)
    /// Numbers (and, on some platforms, booleans) as their textual form.
    case number(String)
    case null

    init(foundation value: Any) throws {
        switch value {
        case let s as String:
            self = .string(s)
        case let n as NSNumber:
            self = .number(n.stringValue)
        case let a as [Any]:
            self = .array(try a.map { try JSON(foundation: $0) })
        case let d as [String: Any]:
            self = .object(try d.keys.sorted().map { key in JSONMember(key: key, value: try JSON(foundation: d[key]!)) })
        case is NSNull:
            self = .null
        default:
            throw CodegenError("unsupported JSON value \(type(of: value))")
        }
    }

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members.first(where: { $0.key == key })?.value }
        return nil
    }

    /// Object members in key order.
    var fields: [(key: String, value: JSON)] {
        if case .object(let members) = self { return members.map { ($0.key, $0.value) } }
        return []
    }

    var items: [JSON] {
        if case .array(let items) = self { return items }
        return []
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The text of a string or number (enum values can be either).
    var scalarText: String? {
        switch self {
        case .string(let s), .number(let s): return s
        default: return nil
        }
    }

    /// `type` as a list (a schema may give one name or several).
    var typeNames: [String] {
        switch self["type"] {
        case .string(let s)?: return [s]
        case .array(let names)?: return names.compactMap(\.string)
        default: return []
        }
    }

    var strings: [String] { items.compactMap(\.string) }
}

struct JSONMember {
    let key: String
    let value: JSON
}

struct CodegenError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// cfn-lint's bundled resource provider schemas.
struct SchemaStore {
    /// The `data/schemas` directory.
    let directory: URL
    /// Type name → content hash (file name under `resources/`).
    let hashes: [String: String]
    /// The installed cfn-lint version, read from its `version.py`.
    let cfnLintVersion: String
    static let provider = "us_east_1"

    init(path: String) throws {
        var dir = URL(fileURLWithPath: path)
        let fm = FileManager.default
        if !fm.fileExists(atPath: dir.appendingPathComponent("providers/\(Self.provider).py").path) {
            let nested = dir.appendingPathComponent("data/schemas")
            guard fm.fileExists(atPath: nested.appendingPathComponent("providers/\(Self.provider).py").path) else {
                throw CodegenError("\(path): no providers/\(Self.provider).py (pass cfn-lint's data/schemas directory)")
            }
            dir = nested
        }
        directory = dir
        let providers = try String(
            contentsOf: dir.appendingPathComponent("providers/\(Self.provider).py"), encoding: .utf8)
        var hashes: [String: String] = [:]
        for line in providers.split(separator: "\n") {
            // `    "AWS::SNS::Topic": "196a80da4b3593fa",`
            let parts = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard parts.count >= 5, parts[0].allSatisfy(\.isWhitespace),
                parts[2].trimmingCharacters(in: .whitespaces) == ":"
            else { continue }
            hashes[String(parts[1])] = String(parts[3])
        }
        guard !hashes.isEmpty else { throw CodegenError("no type hashes in providers/\(Self.provider).py") }
        self.hashes = hashes

        let versionFile = dir.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("version.py")
        let versionText = (try? String(contentsOf: versionFile, encoding: .utf8)) ?? ""
        var version = "unknown"
        for line in versionText.split(separator: "\n") where line.hasPrefix("__version__") {
            let parts = line.split(separator: "\"")
            if parts.count >= 2 { version = String(parts[1]) }
        }
        cfnLintVersion = version
    }

    func schema(for typeName: String) throws -> (hash: String, json: JSON) {
        guard let hash = hashes[typeName] else {
            throw CodegenError("\(typeName): not in providers/\(Self.provider).py")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("resources/\(hash).json"))
        return (hash, try JSON(foundation: try JSONSerialization.jsonObject(with: data)))
    }
}

/// Reads `types.txt`: one `AWS::X::Y` per line, `#` comments, blank lines ignored; sorted, deduplicated.
func readTypeList(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var names = Set<String>()
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .trimmingCharacters(in: .whitespaces)
        if line.isEmpty { continue }
        let parts = line.split(separator: ":", omittingEmptySubsequences: true)
        guard line.hasPrefix("AWS::"), parts.count == 3, !line.contains(" ") else {
            throw CodegenError("\(path): not a type name: \(line)")
        }
        names.insert(line)
    }
    return names.sorted()
}
