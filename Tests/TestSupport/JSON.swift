import Foundation

/// A failed expectation outside an assertion: a fixture that did not start, a tool that failed.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Parses JSON text into Foundation objects (fragments allowed).
public func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

/// Parses JSON text that must be an object.
public func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try parseJSON(text) as? [String: Any] else { throw TestFailure("not a JSON object: \(text.prefix(200))") }
    return object
}

/// JSON text of Foundation objects, keys sorted.
public func jsonText(_ value: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
}

/// `jsonText(value)` as UTF-8 bytes.
public func jsonBytes(_ value: Any) throws -> [UInt8] { Array(try jsonText(value).utf8) }
