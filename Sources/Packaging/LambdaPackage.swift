import FilterContract
import SHA2

/// A deployable Lambda zip for `provided.al2023` and the manifest that describes it.
public struct LambdaPackage: Sendable {
    public var zip: [UInt8]
    /// What `generate` and `validate` read to keep the template's code, runtime and architecture in step with
    /// the zip (written as `manifest.json`).
    package var manifest: FilterManifest

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
        let manifest = FilterManifest(
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
