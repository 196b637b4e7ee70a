import FilterContract
import JSONText
import SHA2

/// A deployable Lambda zip for `provided.al2023` and the manifest that describes it.
public struct LambdaPackage: Sendable {
    public var zip: [UInt8]
    public var manifest: Manifest

    /// What `generate` and `validate` read to keep the template's code, runtime and architecture in step with the zip.
    public struct Manifest: Hashable, Sendable {
        public var runtime: String
        public var handler: String
        public var architecture: LambdaArchitecture
        public var binarySize: Int
        public var binarySHA256: String
        public var isStatic: Bool
        public var interpreter: String?
        public var neededLibraries: [String]
        public var versionNeeds: [String]
        public var zipSize: Int
        public var zipSHA256: String
        /// Base64 SHA-256 of the zip, as Lambda reports it in `CodeSha256`.
        public var codeSHA256: String
        /// An S3 key that changes whenever the code does.
        public var s3Key: String
        /// Where the runtime table comes from.
        public var runtimeSource: String

        /// The manifest as deterministic JSON text.
        public var json: String {
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

    /// Why a binary cannot be packaged.
    public struct PackagingError: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String {
            "the filter binary would not start on provided.al2023:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// Checks `binary` against the runtime and zips it as `bootstrap` (mode 0755).
    public static func make(
        binary: [UInt8], architecture: LambdaArchitecture, profile: RuntimeProfile = .providedAL2023, keyPrefix: String = "catalogwatch"
    ) throws -> LambdaPackage {
        let info = try ELFReader.read(binary)
        let problems = profile.problems(with: info, architecture: architecture)
        guard problems.isEmpty else { throw PackagingError(problems: problems) }
        let zip = try DeterministicZip.archive([.init(name: "bootstrap", bytes: binary, mode: 0o755)])
        let digest = SHA256.hash(zip)
        let hex = Hex.encode(digest)
        let manifest = Manifest(
            runtime: profile.runtime, handler: "bootstrap", architecture: architecture, binarySize: binary.count,
            binarySHA256: Hex.encode(SHA256.hash(binary)), isStatic: info.isStatic, interpreter: info.interpreter,
            neededLibraries: info.neededLibraries, versionNeeds: info.versionNeeds.map(\.version), zipSize: zip.count,
            zipSHA256: hex, codeSHA256: Base64.encode(digest),
            s3Key: s3Key(zipSHA256: hex, architecture: architecture, keyPrefix: keyPrefix), runtimeSource: profile.source)
        return LambdaPackage(zip: zip, manifest: manifest)
    }

    /// The content-addressed S3 key of a zip: a new build is a new key, so CloudFormation updates the function.
    public static func s3Key(zipSHA256 hex: String, architecture: LambdaArchitecture, keyPrefix: String = "catalogwatch") -> String {
        "\(keyPrefix)/filter-\(architecture.rawValue)-\(hex.prefix(16)).zip"
    }
}
