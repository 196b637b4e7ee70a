import JSONText

/// The filter package's manifest (`manifest.json`), which `catalogwatch package` writes next to the zip
/// (Packaging) and which `generate` and `validate` read (AlertStack's `PackageManifest`) to keep the
/// templates' code key, runtime and architecture in step with the zip.
package struct FilterManifest: Hashable, Sendable {
    package var runtime: String
    package var handler: String
    package var architecture: LambdaArchitecture
    package var binarySize: Int
    package var binarySHA256: String
    package var isStatic: Bool
    /// The ELF interpreter of a dynamic binary; nil for a static one.
    package var interpreter: String?
    package var neededLibraries: [String]
    package var versionNeeds: [String]
    package var zipSize: Int
    package var zipSHA256: String
    /// Base64 SHA-256 of the zip, as Lambda reports it in `CodeSha256`.
    package var codeSHA256: String
    /// An S3 key that changes whenever the code does.
    package var s3Key: String
    /// Where the runtime table comes from.
    package var runtimeSource: String

    package init(
        runtime: String, handler: String, architecture: LambdaArchitecture, binarySize: Int, binarySHA256: String, isStatic: Bool,
        interpreter: String?, neededLibraries: [String], versionNeeds: [String], zipSize: Int, zipSHA256: String, codeSHA256: String,
        s3Key: String, runtimeSource: String
    ) {
        self.runtime = runtime
        self.handler = handler
        self.architecture = architecture
        self.binarySize = binarySize
        self.binarySHA256 = binarySHA256
        self.isStatic = isStatic
        self.interpreter = interpreter
        self.neededLibraries = neededLibraries
        self.versionNeeds = versionNeeds
        self.zipSize = zipSize
        self.zipSHA256 = zipSHA256
        self.codeSHA256 = codeSHA256
        self.s3Key = s3Key
        self.runtimeSource = runtimeSource
    }

    /// The manifest as deterministic JSON text (two-space indents, a final newline).
    package var json: String {
        func q(_ s: String) -> String { JSONText.quoted(s) }
        func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }
        return """
            {
              "runtime": \(q(runtime)),
              "handler": \(q(handler)),
              "architecture": \(q(architecture.rawValue)),
              "binary": {
                "size": \(binarySize),
                "sha256": \(q(binarySHA256)),
                "static": \(isStatic),
                "interpreter": \(interpreter.map(q) ?? "null"),
                "neededLibraries": \(list(neededLibraries)),
                "versionNeeds": \(list(versionNeeds))
              },
              "zip": {
                "size": \(zipSize),
                "sha256": \(q(zipSHA256)),
                "codeSha256": \(q(codeSHA256))
              },
              "s3Key": \(q(s3Key)),
              "runtimeSource": \(q(runtimeSource))
            }

            """
    }
}

extension FilterManifest {
    /// Why a manifest cannot be read: the file, the line and column when known, and what is wrong (naming the
    /// key), as `file:line:column: message`.
    package struct ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        package var message: String
        package var file: String
        package var line: Int?
        package var column: Int?

        package var description: String {
            guard let line, let column else { return "\(file): \(message)" }
            return "\(file):\(line):\(column): \(message)"
        }
    }

    /// Reads a manifest that `json` wrote: every key it writes must be there with its type (other keys are
    /// ignored); runtime, handler, architecture and s3Key must not be empty.
    package static func read(_ text: String, file: String) throws(ReadError) -> FilterManifest {
        let reader = try ManifestReader(text: text, file: file)
        let arch = try reader.string(["architecture"], nonEmpty: true)
        guard let architecture = LambdaArchitecture(rawValue: arch) else {
            throw reader.error("manifest architecture '\(arch)' is not x86_64 or arm64", at: ["architecture"])
        }
        return FilterManifest(
            runtime: try reader.string(["runtime"], nonEmpty: true), handler: try reader.string(["handler"], nonEmpty: true), architecture: architecture,
            binarySize: try reader.count(["binary", "size"]), binarySHA256: try reader.string(["binary", "sha256"]),
            isStatic: try reader.bool(["binary", "static"]), interpreter: try reader.optionalString(["binary", "interpreter"]),
            neededLibraries: try reader.strings(["binary", "neededLibraries"]), versionNeeds: try reader.strings(["binary", "versionNeeds"]),
            zipSize: try reader.count(["zip", "size"]), zipSHA256: try reader.string(["zip", "sha256"]),
            codeSHA256: try reader.string(["zip", "codeSha256"]), s3Key: try reader.string(["s3Key"], nonEmpty: true),
            runtimeSource: try reader.string(["runtimeSource"]))
    }
}

/// The values of a manifest's JSON by key path, and errors that point at them.
private struct ManifestReader {
    let bytes: [UInt8]
    let root: JSONValue
    let file: String

    init(text: String, file: String) throws(FilterManifest.ReadError) {
        self.bytes = Array(text.utf8)
        self.file = file
        do {
            root = try JSONValue.parse(bytes)
        } catch {
            let (line, column) = JSONValue.lineAndColumn(of: error.offset, in: bytes)
            throw FilterManifest.ReadError(message: "manifest is not JSON: \(error.message)", file: file, line: line, column: column)
        }
        guard root.isObject else { throw self.error("manifest is a JSON \(root.kindName), not an object", at: []) }
    }

    /// An error at the value of `path`, or at the nearest object above it that is there.
    func error(_ message: String, at path: [String]) -> FilterManifest.ReadError {
        var path = path
        var offset = JSONValue.offset(of: path, in: bytes)
        while offset == nil, !path.isEmpty {
            path.removeLast()
            offset = JSONValue.offset(of: path, in: bytes)
        }
        let position = offset.map { JSONValue.lineAndColumn(of: $0, in: bytes) }
        return FilterManifest.ReadError(message: message, file: file, line: position?.line, column: position?.column)
    }

    func value(_ path: [String]) throws(FilterManifest.ReadError) -> JSONValue {
        var value = root
        for (depth, key) in path.enumerated() {
            guard value.isObject else { throw mistyped(Array(path.prefix(depth)), value, "an object") }
            guard let member = value[key] else { throw error("manifest has no '\(path.joined(separator: "."))'", at: path) }
            value = member
        }
        return value
    }

    func mistyped(_ path: [String], _ value: JSONValue, _ expected: String) -> FilterManifest.ReadError {
        error("manifest '\(path.joined(separator: "."))' is \(Self.kind(value)), not \(expected)", at: path)
    }

    /// The kind of `value` with its article: "an object", "a string".
    static func kind(_ value: JSONValue) -> String {
        (value.kindName == "object" || value.kindName == "array" ? "an " : "a ") + value.kindName
    }

    /// A string; an empty one is missing when `nonEmpty` (the values the templates use).
    func string(_ path: [String], nonEmpty: Bool = false) throws(FilterManifest.ReadError) -> String {
        let value = try value(path)
        guard let string = value.stringValue else { throw mistyped(path, value, "a string") }
        if nonEmpty, string.isEmpty { throw error("manifest has no '\(path.joined(separator: "."))'", at: path) }
        return string
    }

    func optionalString(_ path: [String]) throws(FilterManifest.ReadError) -> String? {
        let value = try value(path)
        if value == .null { return nil }
        guard let string = value.stringValue else { throw mistyped(path, value, "a string or null") }
        return string
    }

    func strings(_ path: [String]) throws(FilterManifest.ReadError) -> [String] {
        let value = try value(path)
        guard let items = value.arrayValue else { throw mistyped(path, value, "a list of strings") }
        var strings: [String] = []
        for item in items {
            guard let string = item.stringValue else {
                throw error("manifest '\(path.joined(separator: "."))' lists \(Self.kind(item)), not only strings", at: path)
            }
            strings.append(string)
        }
        return strings
    }

    /// A whole number of bytes.
    func count(_ path: [String]) throws(FilterManifest.ReadError) -> Int {
        let value = try value(path)
        guard case .number(let number) = value, number >= 0, number.rounded() == number, number < 9_007_199_254_740_992 else {
            if case .number(let number) = value {
                throw error("manifest '\(path.joined(separator: "."))' is \(number), not a whole number of bytes", at: path)
            }
            throw mistyped(path, value, "a number")
        }
        return Int(number)
    }

    func bool(_ path: [String]) throws(FilterManifest.ReadError) -> Bool {
        let value = try value(path)
        guard case .bool(let bool) = value else { throw mistyped(path, value, "true or false") }
        return bool
    }
}
