#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL

/// Extra trust roots from `AWS_CA_BUNDLE`: a PEM file of CA certificates, for endpoints behind a private
/// CA, trusted in addition to the system's roots (as the AWS SDKs and CLI do).
public struct CABundle: Sendable {
    /// The file named by `AWS_CA_BUNDLE`.
    public let path: String
    /// Its certificates (empty when it cannot be used).
    let certificates: [NIOSSLCertificate]
    /// Why the file cannot be used (unreadable, no certificate in it), or nil.
    public let problem: String?

    /// The bundle `AWS_CA_BUNDLE` names in `environment`, read now; nil when the variable is unset or empty.
    public init?(environment: [String: String]) {
        guard let path = environment["AWS_CA_BUNDLE"], !path.isEmpty else { return nil }
        self.init(path: path)
    }

    /// Reads the PEM file at `path`.
    public init(path: String) {
        self.path = path
        var certificates: [NIOSSLCertificate] = []
        var problem: String?
        if let file = fopen(path, "rb") {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 16384)
            while bytes.count <= 16 * 1024 * 1024 {
                let n = fread(&chunk, 1, chunk.count, file)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            let failed = ferror(file) != 0
            fclose(file)
            if failed {
                problem = "cannot read the file"
            } else {
                certificates = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
                if certificates.isEmpty { problem = "no PEM certificate in the file" }
            }
        } else {
            problem = "cannot open the file: \(String(cString: strerror(errno)))"
        }
        self.certificates = certificates
        self.problem = problem
    }
}
