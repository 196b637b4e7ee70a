import AlertStack
import Layout
import ArgumentParser
import CloudFormation
import Diagnostics
import Foundation

/// How `validate` prints its findings.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case github
    case sarif
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a layout and templates for CI (exit 0 clean, 1 findings, 2 usage).",
        discussion: """
            Checks the layout's rules; with --templates, checks every template in the folder (references resolve, \
            resources never depend on resources that may be absent, no sns:Publish or sts:AssumeRole on "*", every \
            IAM action, resource ARN and condition key agrees with AWS's service authorization reference, no \
            hard-coded partition or region in ARNs) and that the StackSet templates cover every layout region once, \
            main region first, in the layout's rollout. Templates whose Description starts with "CatalogWatch" (the ones \
            `generate` writes) are ours: a hard-coded partition or region is an error there and a warning in any \
            other template. Parts that cannot be evaluated (an Fn::ForEach over an unknown list, names the SAM \
            transform generates) are notes. Warnings and notes do not fail the run.
            """)

    @OptionGroup var layoutOptions: LayoutOptions

    @Option(name: .long, help: ArgumentHelp("Folder of templates (*.yaml, *.yml, *.json, *.template) to check.", valueName: "dir"))
    var templates: String?

    @Option(name: .long, help: "text, json (machine-readable report), github (workflow annotations) or sarif (SARIF 2.1.0 for code scanning).")
    var format: ReportFormat = .text

    @Option(name: .long, help: ArgumentHelp("manifest.json from `catalogwatch package`: templates must use its runtime, architecture and S3 key.", valueName: "file"))
    var manifest: String?

    func run() throws {
        var findings: [Diagnostic] = []
        var layout: Layout = .embeddedDefault
        if let path = layoutOptions.layout {
            // Read bytes, not a String: bytes that are not UTF-8 are a finding with a position, not a usage error.
            guard let data = FileManager.default.contents(atPath: path), !isDirectory(path) else { throw CLIError.usage("cannot read layout \(path)") }
            let result = LayoutReader.read(bytes: Array(data), file: path)
            findings += result.diagnostics
            if let l = result.layout { layout = l }
        }
        let (packageManifest, manifestViaLayout) = try readManifest(&layout)
        let layoutIsValid = !findings.hasErrors
        if let folder = templates {
            var parsed: [Template] = []
            let files = try templateFiles(in: folder)
            if files.isEmpty { throw CLIError.usage("no templates (*.yaml, *.yml, *.json, *.template) in \(folder)") }
            for file in files {
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    findings.append(Diagnostic(.read, file: file, keyPath: "(file)", message: "cannot read as UTF-8"))
                    continue
                }
                let result = Validation.checkTemplate(text: text, file: file, layout: layoutIsValid ? layout : nil)
                findings += result.diagnostics
                if let t = result.template {
                    parsed.append(t)
                    if let packageManifest { findings += packageManifest.check(t, file: file, parameters: !manifestViaLayout) }
                }
            }
            if layoutIsValid, layoutOptions.layout != nil {
                findings += Validation.checkAgainstLayout(parsed, layout: layout)
            }
        }
        print(render(findings.sortedForReport()), terminator: "")
        if findings.hasErrors { throw ExitCode(1) }
    }

    /// The package manifest, applied to the layout when there is one (then its parameters are compared through it).
    func readManifest(_ layout: inout Layout) throws -> (PackageManifest?, Bool) {
        guard let manifest else { return (nil, false) }
        guard let text = try? String(contentsOfFile: manifest, encoding: .utf8) else { throw CLIError.usage("cannot read manifest \(manifest)") }
        let packageManifest: PackageManifest
        do {
            packageManifest = try PackageManifest.read(text, file: manifest)
        } catch {
            throw CLIError.usage(error.description)
        }
        if layoutOptions.layout != nil, let applied = try? packageManifest.applied(to: layout) {
            layout = applied
            return (packageManifest, true)
        }
        return (packageManifest, false)
    }

    func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    func templateFiles(in folder: String) throws -> [String] {
        guard isDirectory(folder) else {
            throw CLIError.usage("--templates \(folder) is not a folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        return names.filter { name in [".yaml", ".yml", ".json", ".template"].contains { name.hasSuffix($0) } && !name.hasPrefix(".") && name != "launch-role-iam-policy.json" && name != "manifest.json" }
            .map { (folder as NSString).appendingPathComponent($0) }
    }

    func render(_ findings: [Diagnostic]) -> String {
        switch format {
        case .text: DiagnosticReport.text(findings)
        case .github: DiagnosticReport.github(findings)
        case .json: DiagnosticReport.json(findings)
        case .sarif: SARIFReport.render(findings, rules: Validation.rules, baseDirectory: FileManager.default.currentDirectoryPath)
        }
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the region × resource matrix and the rollout order.")

    @OptionGroup var layoutOptions: LayoutOptions

    func run() throws {
        let (layout, name) = try layoutOptions.load()
        var lines = PlanText.lines(for: layout)
        lines[0] = lines[0].replacingOccurrences(of: "Layout:", with: "Layout \(name):")
        for line in lines { print(line) }
        print("")
        print(RegionMatrix(template: AlertStack.template(for: layout), layout: layout).fullTable(), terminator: "")
    }
}
