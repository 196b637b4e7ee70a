import CloudFormation
import Layout
import Diagnostics
import FilterContract

/// The part of `catalogwatch package`'s manifest.json (`FilterManifest`) that templates must agree with.
package struct PackageManifest: Hashable, Sendable {
    package var runtime: String
    package var architecture: Layout.Architecture
    package var s3Key: String

    /// The part of `manifest` that templates must agree with.
    package init(_ manifest: FilterManifest) {
        runtime = manifest.runtime
        architecture = manifest.architecture
        s3Key = manifest.s3Key
    }

    /// Reads manifest JSON (`FilterManifest.read`); errors name the file, the line and the key.
    package static func read(_ text: String, file: String) throws(FilterManifest.ReadError) -> PackageManifest {
        PackageManifest(try FilterManifest.read(text, file: file))
    }

    /// `layout` with the manifest's architecture and code key (the bucket stays the layout's).
    package func applied(to layout: Layout) throws(LayoutMismatch) -> Layout {
        guard runtime == AlertStack.runtime else {
            throw LayoutMismatch(message: "the package is for runtime \(runtime), the alert stack uses \(AlertStack.runtime)")
        }
        guard let bucket = layout.lambdaCode?.bucket else {
            throw LayoutMismatch(message: "the layout names no lambdaCode.bucket to upload \(s3Key) to")
        }
        var l = layout
        l.architecture = architecture
        l.lambdaCode = Layout.LambdaCode(bucket: bucket, key: s3Key)
        return l
    }

    /// Why a manifest cannot be applied to a layout.
    package struct LayoutMismatch: Error, CustomStringConvertible, Sendable {
        package var message: String
        package var description: String { message }
    }

    /// Findings where a template's function does not match the package (architecture, runtime, code key).
    /// With `parameters: false` only the runtime is checked (the caller compares parameters through the layout).
    package func check(_ template: Template, file: String, parameters: Bool = true) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        func add(_ key: String, _ message: String) {
            findings.append(Diagnostic(.error, rule: DiagnosticRule.manifest.id, file: file, mark: template.source.mark(for: key), keyPath: key, message: message))
        }
        for r in template.resources where r.value.type == "AWS::Lambda::Function" {
            if let runtime = r.value.property("Runtime"), runtime != .string(self.runtime) {
                add("Resources.\(r.name).Properties.Runtime", "is \(describe(runtime)) but the package is built for \(self.runtime)")
            }
        }
        guard parameters else { return findings }
        if let p = template.parameter(.lambdaArchitecture), p.default?.stringValue != architecture.rawValue {
            add("Parameters.\(ParameterName.lambdaArchitecture.name).Default", "is \(p.default.map(describe) ?? "unset") but the package is \(architecture.rawValue)")
        }
        if let p = template.parameter(.lambdaCodeKey), p.default?.stringValue != s3Key {
            add("Parameters.\(ParameterName.lambdaCodeKey.name).Default", "is \(p.default.map(describe) ?? "unset") but the package's key is \(s3Key)")
        }
        return findings
    }

    private func describe(_ v: CFNValue) -> String { v.stringValue.map { "'\($0)'" } ?? "an expression" }
}
