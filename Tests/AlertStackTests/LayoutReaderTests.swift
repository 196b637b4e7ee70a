import AWSIdentifiers
import Foundation
import XCTest
import YAML

@testable import AlertStack
@testable import Layout

/// One layout that must be rejected, and what the rejection must say.
struct BadLayout {
    var name: String
    var bytes: [UInt8]
    /// The key the error names (`regions[2]`, `lambdaCode.bucket`, `(file)` for syntax errors).
    var key: String
    /// Text the message must contain: the bad value, or what is missing.
    var value: String?
    var line: Int
    var column: Int
    /// The "did you mean" suggestion, when one is expected.
    var suggestion: String?
    /// How many errors the layout has in all.
    var errors: Int

    init(_ name: String, _ text: String, key: String, value: String?, at line: Int, _ column: Int, suggestion: String? = nil, errors: Int = 1) {
        self.init(name, bytes: Array(text.utf8), key: key, value: value, at: line, column, suggestion: suggestion, errors: errors)
    }

    init(_ name: String, bytes: [UInt8], key: String, value: String?, at line: Int, _ column: Int, suggestion: String? = nil, errors: Int = 1) {
        self.name = name
        self.bytes = bytes
        self.key = key
        self.value = value
        self.line = line
        self.column = column
        self.suggestion = suggestion
        self.errors = errors
    }
}

/// A valid four-line start (mainRegion on line 1, regions on lines 2-4); `extra` lines start at line 5.
func layoutText(_ extra: String = "", main: String = "ap-northeast-1", regions: [String] = ["ap-northeast-1", "us-east-1"]) -> String {
    "mainRegion: \(main)\nregions:\n" + regions.map { "  - \($0)\n" }.joined() + extra
}

/// The bad layouts, shared with the CLI tests' expectations by construction (same positions).
let badLayouts: [BadLayout] = {
    let long65 = String(repeating: "r", count: 65)
    let orgTooLong = "o-" + String(repeating: "a", count: 33)
    let stackSet121 = "s" + String(repeating: "x", count: 120)
    return [
        // Unknown keys.
        BadLayout("misspelt mainRegion", "mainRegoin: ap-northeast-1\nregions:\n  - ap-northeast-1\n",
                  key: "mainRegoin", value: "'mainRegoin'", at: 1, 1, suggestion: "mainRegion", errors: 2),
        BadLayout("misspelt notificationEmail", layoutText("notificationEmial: ops@example.com\n"),
                  key: "notificationEmial", value: "'notificationEmial'", at: 5, 1, suggestion: "notificationEmail"),
        BadLayout("unknown key without a near match", layoutText("colour: blue\n"),
                  key: "colour", value: "'colour'", at: 5, 1),
        BadLayout("misspelt lambdaCode key", layoutText("lambdaCode:\n  bucket: my-bucket\n  kee: filter.zip\n"),
                  key: "lambdaCode.kee", value: "'kee'", at: 7, 3, suggestion: "key", errors: 2),
        // Regions that do not exist.
        BadLayout("region with letter l for digit 1", layoutText(regions: ["ap-northeast-1", "ap-northeast-l"]),
                  key: "regions[1]", value: "'ap-northeast-l'", at: 4, 5, suggestion: "ap-northeast-1"),
        BadLayout("region with a letter missing", layoutText(regions: ["ap-northest-1", "ap-northeast-1"]),
                  key: "regions[0]", value: "'ap-northest-1'", at: 3, 5, suggestion: "ap-northeast-1"),
        BadLayout("main region that does not exist", layoutText(main: "ap-northeast-l"),
                  key: "mainRegion", value: "'ap-northeast-l'", at: 1, 13, suggestion: "ap-northeast-1"),
        BadLayout("region number that does not exist", layoutText(regions: ["ap-northeast-1", "us-east-7"]),
                  key: "regions[1]", value: "'us-east-7'", at: 4, 5, suggestion: "us-east-1"),
        BadLayout("region far from any name", layoutText(regions: ["ap-northeast-1", "tokyo"]),
                  key: "regions[1]", value: "'tokyo'", at: 4, 5),
        // Region set rules.
        BadLayout("main region missing from regions", layoutText(main: "eu-west-1"),
                  key: "regions", value: "'eu-west-1'", at: 3, 3),
        BadLayout("duplicate region", layoutText(regions: ["ap-northeast-1", "us-east-1", "ap-northeast-1"]),
                  key: "regions[2]", value: "'ap-northeast-1'", at: 5, 5),
        BadLayout("aws and aws-cn regions", layoutText(regions: ["ap-northeast-1", "cn-north-1"]),
                  key: "regions", value: "'cn-north-1' is in partition aws-cn", at: 4, 5),
        BadLayout("aws and aws-us-gov regions", layoutText(regions: ["ap-northeast-1", "us-gov-west-1"]),
                  key: "regions", value: "'us-gov-west-1' is in partition aws-us-gov", at: 4, 5),
        BadLayout("empty region list", "mainRegion: ap-northeast-1\nregions: []\n",
                  key: "regions", value: "at least one region", at: 2, 10),
        BadLayout("missing regions", "mainRegion: ap-northeast-1\n",
                  key: "regions", value: "is required", at: 1, 1),
        // Organization id: o-[a-z0-9]{10,32}.
        BadLayout("organization id in uppercase", layoutText("organizationId: o-EXAMPLEORG1\n"),
                  key: "organizationId", value: "'o-EXAMPLEORG1'", at: 5, 17),
        BadLayout("organization id too short", layoutText("organizationId: o-abc123456\n"),
                  key: "organizationId", value: "'o-abc123456'", at: 5, 17),
        BadLayout("organization id too long", layoutText("organizationId: \(orgTooLong)\n"),
                  key: "organizationId", value: "'\(orgTooLong)'", at: 5, 17),
        BadLayout("organization id without o- prefix", layoutText("organizationId: exampleorg12\n"),
                  key: "organizationId", value: "'exampleorg12'", at: 5, 17),
        // Account id: exactly 12 digits.
        BadLayout("account id of 11 digits", layoutText("managementAccountId: \"11112222333\"\n"),
                  key: "managementAccountId", value: "'11112222333'", at: 5, 22),
        BadLayout("account id of 13 digits", layoutText("managementAccountId: \"1111222233334\"\n"),
                  key: "managementAccountId", value: "'1111222233334'", at: 5, 22),
        BadLayout("account id with letters", layoutText("managementAccountId: 11112222333a\n"),
                  key: "managementAccountId", value: "'11112222333a'", at: 5, 22),
        BadLayout("account id that lost its leading zero", layoutText("managementAccountId: 12345678901\n"),
                  key: "managementAccountId", value: "'12345678901'", at: 5, 22),
        // E-mail.
        BadLayout("e-mail without @", layoutText("notificationEmail: cloud-platform.example.com\n"),
                  key: "notificationEmail", value: "'cloud-platform.example.com'", at: 5, 20),
        BadLayout("e-mail with two @", layoutText("notificationEmail: ops@team@example.com\n"),
                  key: "notificationEmail", value: "'ops@team@example.com'", at: 5, 20),
        BadLayout("e-mail domain without a dot", layoutText("notificationEmail: ops@example\n"),
                  key: "notificationEmail", value: "'ops@example'", at: 5, 20),
        BadLayout("e-mail with a space", layoutText("notificationEmail: \"cloud platform@example.com\"\n"),
                  key: "notificationEmail", value: "'cloud platform@example.com'", at: 5, 20),
        BadLayout("e-mail left empty", layoutText("notificationEmail:\n"),
                  key: "notificationEmail", value: "must not be empty", at: 5, 19),
        // IAM role name.
        BadLayout("role name of 65 characters", layoutText("memberRoleName: \(long65)\n"),
                  key: "memberRoleName", value: "'\(long65)'", at: 5, 17),
        BadLayout("role name with a space", layoutText("memberRoleName: \"Control Tower\"\n"),
                  key: "memberRoleName", value: "'Control Tower'", at: 5, 17),
        BadLayout("role name with a path", layoutText("memberRoleName: service-role/Exec\n"),
                  key: "memberRoleName", value: "'service-role/Exec'", at: 5, 17),
        // Wrong types.
        BadLayout("regions as a string", "mainRegion: ap-northeast-1\nregions: ap-northeast-1\n",
                  key: "regions", value: "found a scalar 'ap-northeast-1'", at: 2, 10),
        BadLayout("mainRegion as a list", "mainRegion: [ap-northeast-1]\nregions:\n  - ap-northeast-1\n",
                  key: "mainRegion", value: "found a list ['ap-northeast-1']", at: 1, 13),
        BadLayout("mainRegion as a tagged value", layoutText(main: "!Ref MainRegion"),
                  key: "mainRegion", value: "!Ref 'MainRegion'", at: 1, 13),
        BadLayout("lambdaCode as a string", layoutText("lambdaCode: s3://my-bucket/filter.zip\n"),
                  key: "lambdaCode", value: "found a scalar 's3://my-bucket/filter.zip'", at: 5, 13),
        BadLayout("deployMemberRole not a boolean", layoutText("deployMemberRole: yes please\n"),
                  key: "deployMemberRole", value: "'yes please'", at: 5, 19),
        BadLayout("deployMemberRole of a landing-zone administrator role", layoutText("memberRoleName: AWSControlTowerExecution\ndeployMemberRole: true\n"),
                  key: "deployMemberRole", value: "'AWSControlTowerExecution'", at: 6, 19),
        BadLayout("reservedConcurrency zero", layoutText("reservedConcurrency: 0\n"),
                  key: "reservedConcurrency", value: "'0'", at: 5, 22),
        BadLayout("reservedConcurrency as a word", layoutText("reservedConcurrency: lots\n"),
                  key: "reservedConcurrency", value: "'lots'", at: 5, 22),
        BadLayout("logRetentionDays as a word", layoutText("logRetentionDays: ninety\n"),
                  key: "logRetentionDays", value: "'ninety'", at: 5, 19),
        BadLayout("logRetentionDays not a Logs retention", layoutText("logRetentionDays: 91\n"),
                  key: "logRetentionDays", value: "'91'", at: 5, 19),
        BadLayout("region item is a mapping", layoutText(regions: ["ap-northeast-1", "{name: us-east-1}"]),
                  key: "regions[1]", value: "found a mapping {'name': 'us-east-1'}", at: 4, 5),
        // Enumerations.
        BadLayout("buffer redis", layoutText("buffer: redis\n"),
                  key: "buffer", value: "'redis' is not one of none, sqs", at: 5, 9),
        BadLayout("architecture amd64", layoutText("architecture: amd64\n"),
                  key: "architecture", value: "'amd64' is not one of x86_64, arm64", at: 5, 15, suggestion: "x86_64"),
        BadLayout("architecture aarch64", layoutText("architecture: aarch64\n"),
                  key: "architecture", value: "'aarch64'", at: 5, 15, suggestion: "arm64"),
        BadLayout("architecture misspelt", layoutText("architecture: arm46\n"),
                  key: "architecture", value: "'arm46'", at: 5, 15, suggestion: "arm64"),
        BadLayout("rollout parallel", layoutText("rollout: parallel\n"),
                  key: "rollout", value: "'parallel' is not one of sequential, main-then-parallel", at: 5, 10, suggestion: "main-then-parallel"),
        // Lambda code.
        BadLayout("lambdaCode without key", layoutText("lambdaCode:\n  bucket: my-bucket\n"),
                  key: "lambdaCode.key", value: "is required", at: 6, 3),
        BadLayout("lambdaCode bucket with capitals and underscore", layoutText("lambdaCode:\n  bucket: My_Bucket\n  key: filter.zip\n"),
                  key: "lambdaCode.bucket", value: "'My_Bucket'", at: 6, 11),
        BadLayout("lambdaCode key with leading slash", layoutText("lambdaCode:\n  bucket: my-bucket\n  key: /filter.zip\n"),
                  key: "lambdaCode.key", value: "'/filter.zip'", at: 7, 8),
        // Names.
        BadLayout("namePrefix starting with a digit", layoutText("namePrefix: 9watch\n"),
                  key: "namePrefix", value: "'9watch'", at: 5, 13),
        BadLayout("namePrefix with underscore", layoutText("namePrefix: catalog_watch\n"),
                  key: "namePrefix", value: "'catalog_watch'", at: 5, 13),
        BadLayout("stackSetName with a dot", layoutText("stackSetName: catalogwatch.receive\n"),
                  key: "stackSetName", value: "'catalogwatch.receive'", at: 5, 15),
        BadLayout("stackSetName too long once -regions is added", layoutText("rollout: main-then-parallel\nstackSetName: \(stackSet121)\n"),
                  key: "stackSetName", value: "'\(stackSet121)-regions'", at: 6, 15),
        // Portfolios.
        BadLayout("portfolios as a list", layoutText("portfolios: [port-abc]\n"),
                  key: "portfolios", value: "must map regions", at: 5, 13),
        BadLayout("portfolios in a region the layout lacks", layoutText("portfolios:\n  us-east-2:\n    - port-abcdefghijklm\n"),
                  key: "portfolios.us-east-2", value: "'us-east-2' is not one of the layout's regions", at: 6, 3, suggestion: "us-east-1"),
        BadLayout("portfolio id without the port- prefix", layoutText("portfolios:\n  us-east-1:\n    - prod-abcdefghijklm\n"),
                  key: "portfolios.us-east-1[0]", value: "'prod-abcdefghijklm' is not a portfolio id", at: 7, 7),
        BadLayout("portfolio listed twice", layoutText("portfolios:\n  us-east-1: [port-abc, port-abc]\n"),
                  key: "portfolios.us-east-1[1]", value: "duplicate portfolio 'port-abc'", at: 6, 25),
        BadLayout("portfolios of a region as a string", layoutText("portfolios:\n  us-east-1: port-abc\n"),
                  key: "portfolios.us-east-1", value: "must be a list of portfolio ids", at: 6, 14),
        // Files that are not layouts.
        BadLayout("unclosed flow sequence", "mainRegion: ap-northeast-1\nregions: [ap-northeast-1, us-east-1\n",
                  key: "(file)", value: "did not find expected ',' or ']'", at: 3, 1),
        BadLayout("unclosed flow sequence before the next key", layoutText("notificationEmail: ops@example.com\nbuffer: [sqs\nrollout: sequential\n"),
                  key: "(file)", value: "did not find expected ',' or ']'", at: 7, 8),
        BadLayout("invalid UTF-8 bytes", bytes: Array("mainRegion: ap-northeast-1\nregions:\n  - ap-north".utf8) + [0xFF, 0xFE] + Array("east-1\n".utf8),
                  key: "(file)", value: "UTF-8", at: 3, 13),
        BadLayout("empty file", "", key: "(file)", value: "empty", at: 1, 1),
        BadLayout("only a comment", "# nothing yet\n", key: "(file)", value: "empty", at: 1, 1),
        BadLayout("top-level list", "- mainRegion: ap-northeast-1\n- regions: [ap-northeast-1]\n",
                  key: "(file)", value: "found a list", at: 1, 1),
        BadLayout("top-level string", "ap-northeast-1\n", key: "(file)", value: "found a scalar 'ap-northeast-1'", at: 1, 1),
        BadLayout("duplicate key", layoutText("mainRegion: us-east-1\n"), key: "(file)", value: "duplicate key 'mainRegion'", at: 5, 1),
        BadLayout("key that is a list", layoutText("[buffer]: sqs\n"), key: "(key)", value: "found a list ['buffer']", at: 5, 1),
        BadLayout("two documents", layoutText("---\nbuffer: sqs\n"), key: "(file)", value: "more than one YAML document", at: 5, 1),
        // Event source: source, organizationalUnits and what an EventBridge source needs.
        BadLayout("source misspelt", layoutText("source: eventbrige\n"),
                  key: "source", value: "'eventbrige' is not one of notification-constraint, eventbridge, both", at: 5, 9, suggestion: "eventbridge"),
        BadLayout("eventbridge without organizationalUnits", layoutText("source: eventbridge\n"),
                  key: "organizationalUnits", value: "is required with source eventbridge", at: 5, 9),
        BadLayout("OU id too short", layoutText("source: eventbridge\norganizationalUnits: [ou-ab12]\n"),
                  key: "organizationalUnits[0]", value: "'ou-ab12' is not an OU id", at: 6, 23),
        BadLayout("OU id in uppercase", layoutText("source: both\norganizationalUnits: [ou-AB12-cdef3456]\n"),
                  key: "organizationalUnits[0]", value: "'ou-AB12-cdef3456'", at: 6, 23),
        BadLayout("duplicate OU", layoutText("source: eventbridge\norganizationalUnits: [ou-ab12-cdef3456, ou-ab12-cdef3456]\n"),
                  key: "organizationalUnits[1]", value: "duplicate organizational unit 'ou-ab12-cdef3456'", at: 6, 41),
        BadLayout("organizationalUnits as a string", layoutText("source: eventbridge\norganizationalUnits: ou-ab12-cdef3456\n"),
                  key: "organizationalUnits", value: "found a scalar 'ou-ab12-cdef3456'", at: 6, 22),
        BadLayout("organizationalUnits empty", layoutText("source: eventbridge\norganizationalUnits: []\n"),
                  key: "organizationalUnits", value: "at least one", at: 6, 22),
        BadLayout("eventbridge across GovCloud regions",
                  layoutText("source: eventbridge\norganizationalUnits: [r-ab12]\n", main: "us-gov-west-1", regions: ["us-gov-west-1", "us-gov-east-1"]),
                  key: "regions", value: "'us-gov-east-1' is in partition aws-us-gov, where EventBridge cannot send events to a bus in another region", at: 4, 5),
        BadLayout("stackSetName too long for the member StackSet", layoutText("stackSetName: \(stackSet121)\nsource: eventbridge\norganizationalUnits: [r-ab12]\n"),
                  key: "stackSetName", value: "'\(stackSet121)-members' must have at most 128", at: 5, 15),
    ]
}()

/// Each layout is rejected with exactly its errors, the expected key, position, message and suggestion.
func assertRejected(_ cases: [BadLayout], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Set(cases.map(\.name)).count, cases.count, "case names are unique", file: file, line: line)
    for bad in cases {
        let result = LayoutReader.read(bytes: bad.bytes, file: "bad.yaml")
        XCTAssertNil(result.layout, bad.name)
        XCTAssertEqual(result.errors.count, bad.errors, "\(bad.name): \(result.errors)")
        guard let d = result.errors.first(where: { $0.keyPath == bad.key }) else {
            XCTFail("\(bad.name): no error for key \(bad.key) in \(result.errors)")
            continue
        }
        XCTAssertEqual(d.file, "bad.yaml", bad.name)
        XCTAssertEqual(d.line, bad.line, "\(bad.name): \(d)")
        XCTAssertEqual(d.column, bad.column, "\(bad.name): \(d)")
        XCTAssertEqual(d.rule, "layout", bad.name)
        if let value = bad.value {
            XCTAssertTrue(d.message.contains(value), "\(bad.name): '\(d.message)' does not contain \(value)")
        }
        XCTAssertEqual(d.suggestion, bad.suggestion, "\(bad.name): \(d)")
        // The printed form carries the same facts.
        let printed = d.description
        XCTAssertTrue(printed.hasPrefix("bad.yaml:\(bad.line):\(bad.column): error [layout] \(bad.key): "), printed)
        if let suggestion = bad.suggestion { XCTAssertTrue(printed.hasSuffix("(did you mean \(suggestion)?)"), printed) }
    }
}

final class LayoutReaderTests: XCTestCase {
    func testEveryBadLayoutIsRejectedWithKeyValueAndPosition() {
        XCTAssertGreaterThanOrEqual(badLayouts.count, 35)
        assertRejected(badLayouts)
    }

    func testPortfoliosAreReadByRegion() throws {
        let text = layoutText("portfolios:\n  us-east-1: [port-abcdefghijklm]\n  ap-northeast-1:\n    - port-0123456789abc\n    - port-zyxwvutsrqpon\n")
        let layout = try XCTUnwrap(LayoutReader.read(text, file: "x").layout)
        XCTAssertEqual(layout.portfolios, ["us-east-1": ["port-abcdefghijklm"], "ap-northeast-1": ["port-0123456789abc", "port-zyxwvutsrqpon"]])
        // Rollout order: the main region's portfolios first, whatever the file's order.
        XCTAssertEqual(layout.portfoliosInOrder.map(\.region), ["ap-northeast-1", "us-east-1"])
        XCTAssertEqual(layout.receiveTopicArn(region: "us-east-1", account: "111122223333"), "arn:aws:sns:us-east-1:111122223333:catalogwatch-receive")
    }

    func testTheCasesCoverEveryKey() {
        let keys = Set((badLayouts + routingBadLayouts).map { $0.key.split(separator: "[").first.map(String.init) ?? $0.key }.map { $0.split(separator: ".").first.map(String.init) ?? $0 })
        for key in LayoutReader.knownKeys {
            XCTAssertTrue(keys.contains(key), "no bad-layout case for \(key)")
        }
    }

    func testTextAndBytesReadTheSame() {
        for bad in badLayouts {
            guard let text = String(validating: bad.bytes, as: UTF8.self) else { continue }
            XCTAssertEqual(LayoutReader.read(text, file: "x").diagnostics, LayoutReader.read(bytes: bad.bytes, file: "x").diagnostics, bad.name)
        }
    }

    func testDiagnosticsAreInFileOrder() {
        let text = layoutText("rollout: parallel\nbuffer: redis\narchitecture: amd64\n", regions: ["ap-northeast-1", "ap-northeast-l"])
        let result = LayoutReader.read(text, file: "x.yaml")
        XCTAssertEqual(result.errors.map(\.keyPath), ["regions[1]", "rollout", "buffer", "architecture"])
        XCTAssertEqual(result.errors.compactMap(\.line), [4, 5, 6, 7])
    }

    func testOptInRegionIsAWarningAndTheLayoutIsKept() throws {
        let result = LayoutReader.read(layoutText(regions: ["ap-northeast-1", "af-south-1", "us-east-1"]), file: "x.yaml")
        XCTAssertEqual(result.errors, [])
        let layout = try XCTUnwrap(result.layout)
        XCTAssertEqual(layout.regions, ["ap-northeast-1", "af-south-1", "us-east-1"])
        XCTAssertEqual(result.warnings.count, 1)
        let w = try XCTUnwrap(result.warnings.first)
        XCTAssertEqual(w.severity, .warning)
        XCTAssertEqual(w.keyPath, "regions")
        XCTAssertEqual(w.line, 4)
        XCTAssertEqual(w.column, 5)
        XCTAssertTrue(w.message.contains("'af-south-1'") && w.message.contains("opt-in"), w.message)
        XCTAssertTrue(w.description.hasPrefix("x.yaml:4:5: warning [layout] regions: "), w.description)
    }

    func testOptInWarningDoesNotHideErrors() {
        let result = LayoutReader.read(layoutText("buffer: redis\n", regions: ["ap-northeast-1", "me-south-1"]), file: "x.yaml")
        XCTAssertNil(result.layout)
        XCTAssertEqual(result.errors.map(\.keyPath), ["buffer"])
        XCTAssertEqual(result.warnings.map(\.keyPath), ["regions"])
    }

    func testEveryExampleLayoutIsAccepted() throws {
        let folder = repositoryRoot.appendingPathComponent("examples/layouts")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(Set(files).isSuperset(of: ["all-commercial.yaml", "multi-region.yaml", "tokyo.yaml"]), "\(files)")
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let result = LayoutReader.read(bytes: Array(data), file: file)
            XCTAssertEqual(result.diagnostics, [], file)
            XCTAssertNotNil(result.layout, file)
        }
    }

    func testAFullLayoutReadsEveryField() throws {
        let text = """
            # comment
            mainRegion: eu-west-1
            regions: [us-east-1, eu-west-1]
            organizationId: o-abcdefghij
            notificationEmail: "ops+alerts@mail.example.co.jp"
            memberRoleName: OrgAdmin@Exec_1
            managementAccountId: "012345678901"
            buffer: sqs
            architecture: arm64
            rollout: main-then-parallel
            lambdaCode: {bucket: my.artifacts-1, key: filter/arm64.zip}
            namePrefix: cw-Prod
            logRetentionDays: 365
            stackSetName: Alerts-1

            """
        let result = LayoutReader.read(text, file: "x.yaml")
        XCTAssertEqual(result.diagnostics, [])
        let expected = Layout(
            mainRegion: "eu-west-1", regions: ["us-east-1", "eu-west-1"], organizationId: "o-abcdefghij",
            notificationEmail: "ops+alerts@mail.example.co.jp", memberRoleName: "OrgAdmin@Exec_1", deployMemberRole: true,
            managementAccountId: "012345678901", buffer: .sqs, architecture: .arm64, rollout: .mainThenParallel,
            lambdaCode: .init(bucket: "my.artifacts-1", key: "filter/arm64.zip"), namePrefix: "cw-Prod",
            logRetentionDays: 365, stackSetName: "Alerts-1")
        XCTAssertEqual(result.layout, expected)
        XCTAssertEqual(result.layout?.orderedRegions, ["eu-west-1", "us-east-1"])
    }

    func testALandingZoneAdministratorRoleIsAllowedWithAWarning() throws {
        let result = LayoutReader.read(layoutText("memberRoleName: AWSControlTowerExecution\nreservedConcurrency: none\n"), file: "x.yaml")
        let layout = try XCTUnwrap(result.layout)
        XCTAssertEqual(layout.memberRoleName, "AWSControlTowerExecution")
        XCTAssertFalse(layout.deployMemberRole, "CatalogWatch does not deploy a landing-zone role")
        XCTAssertNil(layout.reservedConcurrency)
        XCTAssertEqual(result.warnings.map(\.keyPath), ["memberRoleName"])
        XCTAssertEqual(result.warnings.first?.line, 5)
        XCTAssertTrue(result.warnings.first?.message.contains("administrator access") == true)
        XCTAssertEqual(layout.memberRolePathAndName, "AWSControlTowerExecution")
        var reader = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"], namePrefix: "cw")
        reader.rolePath = "/platform/"
        XCTAssertEqual(reader.memberRolePathAndName, "platform/cw-reader", "the deployed reader carries the role path")
    }

    func testDefaultsWhenOptionalKeysAreAbsent() throws {
        let layout = try XCTUnwrap(LayoutReader.read(layoutText(), file: "x").layout)
        XCTAssertEqual(layout, Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1", "us-east-1"]))
        XCTAssertEqual(layout.memberRoleName, "catalogwatch-reader")
        XCTAssertTrue(layout.deployMemberRole)
        XCTAssertEqual(layout.reservedConcurrency, 10)
        XCTAssertEqual(layout.stackSetName, "catalogwatch-receive")
        XCTAssertEqual(layout.logRetentionDays, 90)
        XCTAssertEqual(layout.buffer, .none)
        XCTAssertNil(layout.organizationId)
    }

    func testGovCloudAndChinaLayoutsAreAcceptedOnTheirOwn() throws {
        let gov = try XCTUnwrap(LayoutReader.read(layoutText(main: "us-gov-west-1", regions: ["us-gov-west-1", "us-gov-east-1"]), file: "x").layout)
        XCTAssertEqual(gov.partition, "aws-us-gov")
        let cn = try XCTUnwrap(LayoutReader.read(layoutText(main: "cn-north-1", regions: ["cn-northwest-1", "cn-north-1"]), file: "x").layout)
        XCTAssertEqual(cn.partition, "aws-cn")
    }

    func testStackSetNameLimitDependsOnRollout() {
        let name = "s" + String(repeating: "x", count: 120)
        XCTAssertNotNil(LayoutReader.read(layoutText("stackSetName: \(name)\n"), file: "x").layout, "121 characters fit one StackSet")
        XCTAssertNil(LayoutReader.read(layoutText("rollout: main-then-parallel\nstackSetName: \(name)\n"), file: "x").layout)
        XCTAssertNotNil(LayoutReader.read(layoutText("rollout: main-then-parallel\nstackSetName: \(name.dropLast())\n"), file: "x").layout)
    }

    func testValidatorBoundaries() {
        XCTAssertTrue(Validators.isOrganizationId("o-" + String(repeating: "a", count: 10)))
        XCTAssertTrue(Validators.isOrganizationId("o-" + String(repeating: "9", count: 32)))
        XCTAssertFalse(Validators.isOrganizationId("o-" + String(repeating: "a", count: 9)))
        XCTAssertFalse(Validators.isOrganizationId("o-" + String(repeating: "a", count: 33)))
        XCTAssertFalse(Validators.isOrganizationId("o-abcdefghi-"))
        XCTAssertTrue(RoleName.isValid(String(repeating: "R", count: 64)))
        XCTAssertFalse(RoleName.isValid(String(repeating: "R", count: 65)))
        XCTAssertFalse(RoleName.isValid(""))
        XCTAssertTrue(RoleName.isValid("a+=,.@_-Z9"))
        XCTAssertTrue(AccountID.isValid("000000000000"))
        XCTAssertFalse(AccountID.isValid("１２３４５６７８９０１２"), "full-width digits")
        XCTAssertTrue(Validators.isBucketName("abc"))
        XCTAssertFalse(Validators.isBucketName("ab"))
        XCTAssertFalse(Validators.isBucketName("a..b"))
        XCTAssertFalse(Validators.isBucketName("-abc"))
        XCTAssertTrue(Validators.isEmail("a@b.co"))
        XCTAssertFalse(Validators.isEmail("a@-b.co"))
        XCTAssertFalse(Validators.isEmail("@b.co"))
        XCTAssertFalse(Validators.isEmail("a@b..co"))
    }

    func testSuggestions() {
        XCTAssertEqual(RegionTable.suggestions(for: "ap-northeast-l", limit: 1), ["ap-northeast-1"])
        XCTAssertEqual(RegionTable.suggestions(for: "ap-northest-1", limit: 1), ["ap-northeast-1"])
        XCTAssertEqual(RegionTable.suggestions(for: "eu-wset-1", limit: 1), ["eu-west-1"], "transposition")
        XCTAssertEqual(RegionTable.suggestions(for: "tokyo"), [])
        XCTAssertEqual(Suggest.closest(to: "mainRegoin", among: LayoutReader.knownKeys), ["mainRegion"])
        XCTAssertEqual(Suggest.closest(to: "REGIONS", among: LayoutReader.knownKeys), ["regions"], "case-insensitive")
    }
}
