import CloudFormation
import Diagnostics
import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

/// `Validation.rules`, the table `validate` prints in SARIF: every rule once, and every finding of `validate`'s
/// checks names a rule of it.
final class ValidationRuleTableTests: XCTestCase {
    /// The templates `generate` writes for each example layout, parsed.
    func generatedTemplates() throws -> [(name: String, layout: Layout, templates: [Template])] {
        try exampleLayouts().map { name, layout in
            let files = try Artifacts.generate(for: layout, format: .yaml).filter { $0.path.hasSuffix(".yaml") }
            return (name, layout, try files.map { try TemplateParser.parse($0.contents, file: "\(name)/\($0.path)") })
        }
    }

    func testRuleIdsAreUnique() {
        let ids = Validation.rules.map(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "\(ids)")
    }

    /// Each example layout's templates checked against every example layout, and without their StackSets: an
    /// agreement rule run alone reports only its own id, and together the rules report every id they declare.
    func testEveryAgreementRuleReportsOnlyItsOwnId() throws {
        var found: Set<String> = []
        for generated in try generatedTemplates() {
            let withoutStackSets = generated.templates.filter { t in !t.resources.contains { $0.value.type == "AWS::CloudFormation::StackSet" } }
            for (_, layout) in try exampleLayouts() {
                for templates in [generated.templates, withoutStackSets] {
                    let stackSets = StackSetInventory(templates, layout: layout)
                    for rule in AgreementRule.all {
                        var check = AgreementCheck(layout: layout)
                        switch rule.check {
                        case .eachTemplate(let run): for t in templates { run(&check, t) }
                        case .stackSets(let run): run(&check, stackSets)
                        }
                        let ids = Set(check.findings.map(\.rule))
                        XCTAssertTrue(ids.isSubset(of: [rule.diagnosticRule.id]), "\(generated.name): \(ids)")
                        found.formUnion(ids)
                    }
                }
            }
        }
        XCTAssertEqual(found, Set(AgreementRule.all.map(\.diagnosticRule.id)))
    }

    /// The layout reader, an unreadable template, the template checks, a package manifest that disagrees and the
    /// agreement checks: every finding names a rule of `Validation.rules`.
    func testEveryFindingOfValidateIsInTheTable() throws {
        var findings = LayoutReader.read("mainRegion: nowhere-1\nbogus: 1\n", file: "layout.yaml").diagnostics
        findings += Validation.checkTemplate(text: "Resources: [", file: "broken.yaml", layout: nil).diagnostics
        let written = FilterManifest(
            runtime: "provided.al2", handler: "bootstrap", architecture: .arm64, binarySize: 1, binarySHA256: "00", isStatic: true,
            interpreter: nil, neededLibraries: [], versionNeeds: [], zipSize: 1, zipSHA256: "00", codeSHA256: "AA==", s3Key: "k.zip",
            runtimeSource: "test")
        let manifest = try PackageManifest.read(written.json, file: "manifest.json")
        for generated in try generatedTemplates() {
            for t in generated.templates {
                findings += Validation.checkTemplate(text: try t.rendered(.yaml), file: t.source.file ?? "", layout: generated.layout).diagnostics
                findings += manifest.check(t, file: t.source.file ?? "")
            }
            for (_, layout) in try exampleLayouts() { findings += Validation.checkAgainstLayout(generated.templates, layout: layout) }
        }
        let found = Set(findings.map(\.rule))
        XCTAssertTrue(found.isSuperset(of: ["layout", "parse", "manifest", "layout-mismatch"]), "\(found)")
        XCTAssertTrue(found.isSubset(of: Validation.rules.map(\.id)), "\(found.subtracting(Validation.rules.map(\.id)))")
    }
}
