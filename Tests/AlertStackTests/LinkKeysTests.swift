import CloudFormation
import FilterContract
import XCTest

@testable import AlertStack
@testable import Layout

/// `runbooks` and `consoleSignIn`: read and checked, and passed to the filter as `RUNBOOKS`,
/// `CONSOLE_START_URL` and `CONSOLE_ROLE_NAME`.
final class LinkKeysTests: XCTestCase {
    func testTheFilterGetsTheRunbooksAndThePortal() throws {
        let text = layoutText("""
            runbooks:
              prod-abcdefghijklm: https://wiki.example.com/bucket
              Network baseline: https://wiki.example.com/net
              default: https://wiki.example.com/catalogwatch
            consoleSignIn: {startUrl: https://d-1234567890.awsapps.com/start, roleName: ReadOnly}

            """)
        let result = LayoutReader.read(text, file: "links.yaml")
        let layout = try XCTUnwrap(result.layout, "\(result.diagnostics)")
        XCTAssertEqual(layout.runbooks.map(\.key), ["prod-abcdefghijklm", "Network baseline", "default"])
        XCTAssertEqual(layout.consoleSignIn, Layout.ConsoleSignIn(startURL: "https://d-1234567890.awsapps.com/start", roleName: "ReadOnly"))
        let variables = AlertStack.template(for: layout).resource(AlertStack.Names.filterFunction)?.property("Environment")?["Variables"]
        let runbooks = try XCTUnwrap(variables?[FilterVariable.runbooks.name]?.stringValue)
        XCTAssertEqual(RunbooksCodec.decode(runbooks).runbooks, Runbooks(layout.runbooks.map { ($0.key, $0.url) }))
        XCTAssertEqual(variables?[FilterVariable.consoleStartURL.name], "https://d-1234567890.awsapps.com/start")
        XCTAssertEqual(variables?[FilterVariable.consoleRoleName.name], "ReadOnly")
        // Without the keys, the function has none of the variables.
        let plain = AlertStack.template(for: Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"]))
        guard case .object(let fields)? = plain.resource(AlertStack.Names.filterFunction)?.property("Environment")?["Variables"] else {
            return XCTFail("no variables")
        }
        let names = fields.map(\.key)
        XCTAssertTrue(Set(names).isDisjoint(with: [FilterVariable.runbooks.name, FilterVariable.consoleStartURL.name, FilterVariable.consoleRoleName.name]))
    }

    func testBadValuesAreNamedWithTheirPosition() {
        let cases: [(String, String, String)] = [
            ("runbooks: {default: http://wiki.example.com}\n", "runbooks.default", "is not an https:// URL"),
            ("runbooks: [https://wiki.example.com]\n", "runbooks", "must be a mapping"),
            ("consoleSignIn: {startUrl: https://d-1.awsapps.com/start}\n", "consoleSignIn.roleName", "is required"),
            ("consoleSignIn: {startUrl: https://d-1.awsapps.com/start, roleName: \"Read Only\"}\n", "consoleSignIn.roleName", "is not a permission set or role name"),
            ("consoleSignIn: {startURL: https://d-1.awsapps.com/start, roleName: R}\n", "consoleSignIn.startURL", "unknown key"),
            ("runbooks: {default: https://a.example.com/\(String(repeating: "x", count: 2000))}\nconsoleSignIn: {startUrl: https://\(String(repeating: "p", count: 1500)).example.com, roleName: R}\n",
             "runbooks", "Lambda's environment holds 4 KB"),
        ]
        for (extra, key, message) in cases {
            let diagnostics = LayoutReader.read(layoutText(extra), file: "bad.yaml").diagnostics
            XCTAssertTrue(diagnostics.contains { $0.keyPath == key && $0.message.contains(message) && $0.line == 5 && $0.severity == .error },
                          "\(key): \(diagnostics.map { "\($0.line ?? 0) \($0.keyPath) \($0.message)" })")
        }
    }
}
