import FilterContract
import CloudFormation
import XCTest

@testable import AlertStack
@testable import Layout

/// The reader role (template, StackSet, plan text) and where every role of every example layout lives.
final class MemberReaderTests: XCTestCase {
    let layout = Layout(
        mainRegion: "eu-west-1", regions: ["eu-west-1", "us-east-1"], organizationId: "o-exampleorg1", managementAccountId: "111122223333",
        namePrefix: "cw", organizationalUnits: ["ou-ab12-cdef3456"])

    func actions(_ statement: CFNValue) -> [String] {
        if case .list(let items)? = statement["Action"] { return items.compactMap(\.stringValue) }
        return [statement["Action"]?.stringValue].compactMap { $0 }
    }

    func testTheReaderTemplateHoldsOneReadOnlyRoleTrustingOnlyTheFilter() throws {
        var guarded = layout
        guarded.rolePath = "/platform/"
        let t = MemberReader.template(for: guarded)
        XCTAssertEqual(t.resources.map(\.value.type), ["AWS::IAM::Role"])
        XCTAssertEqual(t.parameters.map(\.name), MemberReader.parameterNames)
        let role = try XCTUnwrap(t.resource(MemberReader.roleLogicalName))
        XCTAssertEqual(role.property("RoleName"), .ref("MemberRoleName"))
        XCTAssertEqual(role.property("Path"), "/platform/")
        let trust = statements(role.property("AssumeRolePolicyDocument"))
        XCTAssertEqual(trust.count, 1)
        XCTAssertEqual(trust.first?["Principal"], ["AWS": .sub("arn:${AWS::Partition}:iam::${ManagementAccountId}:role/platform/${NamePrefix}-filter")])
        let granted = roleStatements(role).flatMap(actions)
        XCTAssertEqual(Set(granted), [
            "servicecatalog:DescribeProvisionedProduct", "servicecatalog:DescribeRecord", "servicecatalog:DescribeProduct",
            "servicecatalog:DescribeProvisioningArtifact", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks",
        ])
        XCTAssertTrue(granted.allSatisfy { $0.split(separator: ":").last.map { $0.hasPrefix("Describe") } == true }, "read-only: \(granted)")
        let stacks = try XCTUnwrap(roleStatements(role).first { $0["Sid"] == "ReadServiceCatalogStacks" })
        XCTAssertEqual(stacks["Resource"], .sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/SC-*"), "Service Catalog stacks only")
    }

    func testTheReaderStackSetIsServiceManagedInTheMainRegionOnly() throws {
        let alert = AlertStack.template(for: layout)
        let t = StackSetArtifacts.stackSetTemplate(for: layout, alertStack: alert, alertStackBody: "alert", readerBody: "reader")
        let set = try XCTUnwrap(t.resource(MemberReader.stackSetLogicalName))
        XCTAssertEqual(set.property("PermissionModel"), "SERVICE_MANAGED")
        XCTAssertEqual(set.property("StackSetName"), "cw-receive-reader")
        XCTAssertEqual(set.property("AutoDeployment")?["Enabled"], true)
        XCTAssertEqual(set.property("Capabilities"), ["CAPABILITY_NAMED_IAM"])
        guard case .list(let groups)? = set.property("StackInstancesGroup") else { return XCTFail("no instances") }
        XCTAssertEqual(groups.first?["Regions"], ["eu-west-1"], "IAM is global: one instance per account")
        XCTAssertEqual(groups.first?["DeploymentTargets"]?["OrganizationalUnitIds"], .ref(MemberReader.organizationalUnitsParameter))
        XCTAssertEqual(t.parameter(MemberReader.organizationalUnitsParameter)?.default, "ou-ab12-cdef3456")
        XCTAssertEqual(Validation.checkAgainstLayout([alert, t], layout: layout).map(\.message), [])
        // A landing-zone role: no reader StackSet, and validate says so if one is there.
        var landingZone = layout
        landingZone.memberRoleName = "AWSControlTowerExecution"
        landingZone.deployMemberRole = false
        XCTAssertNil(StackSetArtifacts.stackSetTemplate(for: landingZone, alertStack: alert, alertStackBody: "alert", readerBody: "reader")
            .resource(MemberReader.stackSetLogicalName))
        // (The templates' MemberRoleName defaults differ from this layout too: layout-mismatch, checked elsewhere.)
        XCTAssertEqual(Validation.checkAgainstLayout([alert, t], layout: landingZone).map(\.rule).filter { $0 != "layout-mismatch" }, ["member-reader"])
    }

    func testPlanSaysWhereTheMemberRoleComesFrom() {
        let text = PlanText.lines(for: layout).joined(separator: "\n")
        XCTAssertTrue(text.contains("Member role: cw-reader (read-only, trusts only the filter's role), put by StackSet cw-receive-reader (service-managed, auto-deployment) into every account of ou-ab12-cdef3456 in eu-west-1 only"), text)
        var none = layout
        none.organizationalUnits = []
        XCTAssertTrue(PlanText.lines(for: none).joined(separator: "\n").contains("none listed: add the OU ids"))
        var admin = layout
        admin.memberRoleName = "OrganizationAccountAccessRole"
        admin.deployMemberRole = false
        XCTAssertTrue(PlanText.lines(for: admin).joined(separator: "\n").contains("Member role: OrganizationAccountAccessRole, which the landing zone provides in every member account (administrator access"))
    }

    /// Every role of the management account is in the roles stack; the alert stack (run by the StackSet
    /// execution role) creates none, for every example layout.
    func testNoAlertStackCreatesARole() throws {
        for (name, layout) in try exampleLayouts() {
            let alert = AlertStack.template(for: layout)
            XCTAssertEqual(alert.resources.filter { $0.value.type.hasPrefix("AWS::IAM::") }.map(\.name), [], name)
            let roles = StackSetArtifacts.rolesTemplate(for: layout)
            let names = roles.resources.filter { $0.value.type == "AWS::IAM::Role" }.map(\.name)
            XCTAssertTrue(names.contains(ManagementRoles.Names.filterRole), name)
            XCTAssertEqual(names.contains(ManagementRoles.Names.forwardRole), layout.source.usesEventBridge, name)
            XCTAssertEqual(names.contains(ManagementRoles.Names.readerRole), layout.deployMemberRole, name)
            XCTAssertEqual(names.contains(ManagementRoles.Names.chatRole), ManagementRoles.hasChatChannels(layout), name)
        }
    }
}

/// Every physical name is written once, in `PhysicalName`: no other source file spells `${NamePrefix}-<name>`
/// or `\(…namePrefix)-<name>` (wildcards such as `${NamePrefix}-*` are not names).
final class PhysicalNameAuthorityTests: XCTestCase {
    func testNoSourceFileSpellsAPhysicalNameItself() throws {
        let sources = repositoryRoot.appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThan(files.count, 50)
        var found: [String] = []
        for file in files where !file.hasSuffix("Layout/PhysicalName.swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                for marker in ["${NamePrefix}-", "namePrefix)-"] {
                    var rest = code[...]
                    while let range = rest.range(of: marker) {
                        if let next = rest[range.upperBound...].first, next.isLetter { found.append("\(file):\(number + 1): \(code)") }
                        rest = rest[range.upperBound...]
                    }
                }
            }
        }
        XCTAssertEqual(found, [], "name it through PhysicalName")
        XCTAssertEqual(PhysicalName.filter.sub, .sub("${NamePrefix}-filter"))
        XCTAssertEqual(PhysicalName.everyName.template, "${NamePrefix}-*")
        XCTAssertEqual(PhysicalName.chatTopic("ops").name(prefix: "cw"), "cw-chat-ops")
    }
}

/// Every parameter name is written once, in `ParameterName`: no other source file spells `"<Name>"` or `${<Name>}`
/// (the generated IAM and resource tables excepted: their `${…}` are AWS's ARN formats).
final class ParameterNameAuthorityTests: XCTestCase {
    func testNoSourceFileSpellsAParameterNameItself() throws {
        let sources = repositoryRoot.appendingPathComponent("Sources")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.contains("/Generated/") && !$0.hasSuffix("Layout/ParameterName.swift") }
        XCTAssertGreaterThan(files.count, 50)
        // Any string literal that holds a parameter name as a whole word (`"MainRegion"`, `"${MainRegion}"`,
        // `"Parameters.MainRegion.Default"`).
        let literal = try NSRegularExpression(pattern: #""(?:[^"\\]|\\.)*""#)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                let range = NSRange(code.startIndex..., in: code)
                for match in literal.matches(in: code, range: range) {
                    let quoted = (code as NSString).substring(with: match.range)
                    for name in ParameterName.allCases.map(\.name) where quoted.range(of: "\\b\(name)\\b", options: .regularExpression) != nil {
                        found.append("\(file):\(number + 1): \(name) in \(quoted)")
                    }
                }
            }
        }
        XCTAssertEqual(found, [], "name it through ParameterName")
        XCTAssertEqual(ParameterName.allCases.count, Set(ParameterName.allCases.map(\.name)).count)
        XCTAssertEqual(ParameterName.mainRegion.template, "${MainRegion}")
        XCTAssertEqual(ParameterName.namePrefix.ref, .ref("NamePrefix"))
    }
}

/// The alert stack sets only variables the filter reads (`FilterContract`), and always the two it needs.
final class FilterContractTests: XCTestCase {
    func testEveryTemplateSetsOnlyTheFiltersVariables() throws {
        for (name, layout) in try exampleLayouts() {
            let variables = AlertStack.template(for: layout).resource(AlertStack.Names.filterFunction)?.property("Environment")?["Variables"]
            guard case .object(let fields)? = variables else { return XCTFail("\(name): no variables") }
            let names = fields.map(\.key)
            XCTAssertTrue(Set(names).isSubset(of: FilterVariable.allCases.map(\.name)), "\(name): \(names)")
            XCTAssertTrue(names.contains(FilterVariable.alertTopicArn.name) && names.contains(FilterVariable.memberRoleName.name), name)
            XCTAssertEqual(names.contains(FilterVariable.alertLedgerTable.name), layout.usesAlertLedger, name)
            XCTAssertEqual(names.contains(FilterVariable.digest.name), layout.usesDigests, name)
            XCTAssertEqual(names.contains(FilterVariable.digestQueueURL.name), layout.usesDigests, name)
        }
        XCTAssertEqual(Route.attributes, ["account", "region", "status", "product", "tags"])
    }
}
