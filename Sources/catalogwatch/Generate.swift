import AlertStack
import Layout
import ArgumentParser
import CloudFormation
import Foundation

extension TemplateFormat: ExpressibleByArgument {}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the alert stack, StackSet and role templates for a region layout.",
        discussion: """
            Writes into the output folder: alert-stack (every region; filter in the main region), stackset \
            (self-managed StackSet, main region first), stackset-roles, launch-role-policy and, when the layout \
            names the organization, e-mail, management account and Lambda code, AWS CLI inputs under cli/. \
            Prints which resources land in which region. Output is byte-identical on every run.
            """)

    @OptionGroup var layoutOptions: LayoutOptions

    @Option(name: .long, help: ArgumentHelp("Output folder (default: stacks/<layout name>).", valueName: "dir"))
    var output: String?

    @Option(name: .long, help: "Template syntax: yaml (short-form tags) or json (long form).")
    var format: TemplateFormat = .yaml

    @Option(name: .long, help: ArgumentHelp("manifest.json from `catalogwatch package`: its architecture and S3 key go into the templates.", valueName: "file"))
    var manifest: String?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func run() throws {
        var (layout, name) = try layoutOptions.load()
        if let manifest { layout = try applyManifest(manifest, to: layout) }
        let folder = output ?? "stacks/\(name)"
        let files = try Artifacts.generate(for: layout, format: format)
        var changed = 0
        for file in files where try writeFile("\(folder)/\(file.path)", file.contents) { changed += 1 }
        guard !quiet else { return }
        print("Wrote \(files.count) files to \(folder)/ (\(changed) changed).")
        for file in files { print("  \(file.path)  \(file.contents.utf8.count) bytes") }
        print("")
        print("Rollout: \(StackSetArtifacts.plans(for: layout).map { "\($0.regions.joined(separator: " → ")) (\($0.sequential ? "sequential" : "parallel"))" }.joined(separator: ", then "))")
        print("")
        print(RegionMatrix(template: AlertStack.template(for: layout), layout: layout).summaryTable(), terminator: "")
        let missing = Artifacts.missingForDeployment(layout)
        if !missing.isEmpty {
            print("")
            print("Not in the layout, left as template parameters: \(missing.joined(separator: ", ")) (no AWS CLI inputs written).")
        }
    }
}

/// Reads a package manifest and applies it to `layout`; problems are usage errors naming the file.
func applyManifest(_ path: String, to layout: Layout) throws -> Layout {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError.usage("cannot read manifest \(path)") }
    do {
        return try PackageManifest.read(text, file: path).applied(to: layout)
    } catch let error as PackageManifest.LayoutMismatch {
        throw CLIError.usage("\(path): \(error.message)")
    } catch {
        throw CLIError.usage(String(describing: error))
    }
}
