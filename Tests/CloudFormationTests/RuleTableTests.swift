import Diagnostics
import Foundation
import XCTest

@testable import CloudFormation

/// Checks over two regions, so that condition scopes can differ between them.
private let checks = TemplateChecks(
    scenarios: [.init(region: "ap-northeast-1"), .init(region: "us-east-1")],
    knownRegions: ["ap-northeast-1", "us-east-1", "eu-west-1", "cn-north-1"])

/// The templates of a fixture folder (relative to the repository root), by file name, sorted.
private func fixtureTemplates(_ folder: String) throws -> [(name: String, text: String)] {
    let url = repositoryRoot.appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".yaml") }.sorted().map { name in
        (name, try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8))
    }
}

/// The rule table of the template checks: every family reports only the rules it lists, and the table lists
/// every rule once.
final class RuleTableTests: XCTestCase {
    func testRuleIdsAreUnique() {
        let ids = TemplateChecks.rules.map(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "\(ids)")
        for family in TemplateChecks.families {
            XCTAssertEqual(family.rules.count, Set(family.rules.map(\.id)).count, "\(family.rules.map(\.id))")
        }
    }

    /// The flawed fixtures (Tests/Fixtures/templates/findings), the origin design and the valid corpus, each
    /// family run alone, as hand-written and as our templates: a family reports only the rules it lists, and
    /// together they report every rule of the table but `parse`, which the reader's callers report.
    func testEveryFamilyReportsOnlyTheRulesItLists() throws {
        let templates = try fixtureTemplates("Tests/Fixtures/templates/findings") + fixtureTemplates("Tests/Fixtures/templates/valid")
            + [("origin-design.yaml", try originTemplateText())]
        var found: Set<String> = []
        for (name, text) in templates {
            let template = try TemplateParser.parse(text, file: name)
            for provenance in [TemplateChecks.Provenance.handWritten, .catalogWatch] {
                for family in TemplateChecks.families {
                    var context = CheckContext(template: template, checks: checks, provenance: provenance)
                    family.run(&context)
                    let ids = Set(context.findings.map(\.rule))
                    XCTAssertTrue(ids.isSubset(of: family.rules.map(\.id)), "\(name): \(ids) not all in \(family.rules.map(\.id))")
                    found.formUnion(ids)
                }
            }
        }
        XCTAssertEqual(found, Set(TemplateChecks.rules.map(\.id)).subtracting([DiagnosticRule.parse.id]))
    }

    /// `run` is the families in the order of `TemplateChecks.families`, with each finding's rule severity
    /// unless the family sets another (the portability rules in hand-written templates are warnings).
    func testRunIsTheFamiliesInOrder() throws {
        for (name, text) in try fixtureTemplates("Tests/Fixtures/templates/findings") {
            let template = try TemplateParser.parse(text, file: name)
            var context = CheckContext(template: template, checks: checks, provenance: .handWritten)
            for family in TemplateChecks.families { family.run(&context) }
            XCTAssertEqual(checks.run(template), context.findings, name)
            let severities = Dictionary(TemplateChecks.rules.map { ($0.id, $0.severity) }, uniquingKeysWith: { a, _ in a })
            for f in context.findings where !f.rule.hasPrefix("hard-coded-") {
                XCTAssertEqual(f.severity, severities[f.rule], "\(name): \(f)")
            }
        }
    }
}
