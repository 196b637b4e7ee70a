import XCTest
import Foundation
import TestSupport

/// The built `catalogwatch-filter` under the mock Runtime API, in an organization (moto's Organizations,
/// created in the function's own account, holding the member account): it reads the member account
/// through the reader role that `member-reader.yaml` creates there, and refuses, before any AssumeRole,
/// an event naming an account outside the organization or an account id that is not 12 digits.
final class ReaderRoleEndToEndTests: XCTestCase {
    var moto: MotoServer!
    var fixture: CatalogFixture?
    var topicArn: String!
    var queueURL: String!
    var readerRoleArn: String!
    /// The member account's real stack (moto), whose events the reader reads.
    var stackId: String!

    let suffix = "readerrolexyz"
    let readerRoleName = "catalogwatch-reader"
    let outsider = "999988887777"

    override func setUp() async throws {
        // An organization of the function's account that holds the member account the fixtures use.
        moto = try await MotoServer.start(organizationAccountIds: [Member.account])
        (topicArn, queueURL) = try moto.topicWithQueue(name: "reader-\(UUID().uuidString.prefix(8).lowercased())")
        stackId = try moto.memberStack(name: Member.stackName(suffix))
        readerRoleArn = try deployReaderTemplate()
        fixture = try CatalogFixture(fixture: Member.fixture(provisionedProducts: [suffix]), moto: moto)
    }

    override func tearDown() async throws {
        fixture?.stop()
        fixture = nil
        moto?.stop()
    }

    /// Creates the generated reader template (stacks/tokyo/member-reader.yaml) in the member account, as the
    /// reader StackSet would, trusting the filter role of moto's default account; returns the role's ARN.
    func deployReaderTemplate() throws -> String {
        let template = Tools.packageRoot.appendingPathComponent("stacks/tokyo/member-reader.yaml").path
        let output = try moto.boto3("""
            cfn = member('cloudformation')
            cfn.create_stack(StackName='StackSet-catalogwatch-receive-reader-1', TemplateBody=open('\(template)').read(),
                             Capabilities=['CAPABILITY_NAMED_IAM'],
                             Parameters=[{'ParameterKey': 'ManagementAccountId', 'ParameterValue': '\(MotoServer.defaultAccount)'}])
            outputs = cfn.describe_stacks(StackName='StackSet-catalogwatch-receive-reader-1')['Stacks'][0].get('Outputs', [])
            role = member('iam').get_role(RoleName='\(readerRoleName)')['Role']
            print(json.dumps({'arn': role['Arn'], 'trust': role['AssumeRolePolicyDocument'], 'outputs': outputs}))
            """)
        let created = try jsonObject(output)
        let trust = try jsonText(created["trust"] ?? [:]).replacingOccurrences(of: "\\/", with: "/")
        XCTAssertTrue(trust.contains("arn:aws:iam::\(MotoServer.defaultAccount):role/catalogwatch-filter"), "the reader trusts the filter role only: \(trust)")
        return try XCTUnwrap(created["arn"] as? String)
    }

    func environment() throws -> [String: String] {
        var env = Member.lambdaEnvironment(keyId: "ASIAREADERFUNCTION01", secret: "reader/FunctionSecret+0123", token: "reader-token")
        env["AWS_ENDPOINT_URL"] = moto.endpoint
        env["AWS_ENDPOINT_URL_SERVICE_CATALOG"] = try XCTUnwrap(fixture).endpoint
        env["ALERT_TOPIC_ARN"] = topicArn
        env["MEMBER_ROLE_NAME"] = readerRoleName
        return env
    }

    /// An SNS notification of a terminal failure of stack `SC-<account>-pp-<suffix>` in `account`.
    func failure(account: String, eventId: String) -> [String: Any] {
        let name = "SC-\(account)-pp-\(suffix)"
        let id = account == Member.account ? stackId! : "arn:aws:cloudformation:\(Member.region):\(account):stack/\(name)/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"
        return Events.snsEvent(Events.cfnMessage(stackId: id, stackName: name, status: "UPDATE_ROLLBACK_COMPLETE", eventId: eventId))
    }

    func alerts() throws -> [[String: Any]] {
        try moto.drain(queueURL: queueURL).map { try jsonObject($0["Message"] as? String ?? "") }
    }

    func testTheFilterReadsAMemberOfTheOrganizationThroughTheReaderRole() async throws {
        let run = try runFilter(events: [failure(account: Member.account, eventId: "evt-reader-1")], environment: try environment())
        XCTAssertNil(run.initError, run.reportText)
        let published = try alerts()
        XCTAssertEqual(published.count, 1, run.stdout)
        XCTAssertEqual(published.first?["lookupFailures"] as? [String] ?? [], [], run.stdout)
        XCTAssertEqual(published.first?["productName"] as? String, "Orders database", "enriched through the reader")
        let assumed = try await moto.assumedRoles().compactMap { $0["role_arn"] as? String }
        XCTAssertEqual(assumed.filter { $0 == readerRoleArn }.count, 1, "\(assumed)")
    }

    func testAnAccountOutsideTheOrganizationOrAMalformedIdIsRefusedWithoutAssumeRole() async throws {
        let before = try await moto.assumedRoles().count
        let malformed = Events.snsEvent(Events.cfnMessage(
            stackId: "arn:aws:cloudformation:\(Member.region):12345:stack/SC-12345-pp-\(suffix)/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0",
            stackName: "SC-12345-pp-\(suffix)", status: "UPDATE_ROLLBACK_COMPLETE", eventId: "evt-malformed"))
        let run = try runFilter(events: [failure(account: outsider, eventId: "evt-outsider"), malformed], environment: try environment())
        XCTAssertNil(run.initError, run.reportText)
        let assumed = try await moto.assumedRoles()
        XCTAssertEqual(assumed.count, before, "no AssumeRole for either event: \(assumed.suffix(2))")
        let log = run.stdout
        XCTAssertTrue(log.contains("refused: account \(outsider) is not in this organization"), log)
        XCTAssertTrue(log.contains("refused: member account"), log)
        // The alerts still go out (nothing is lost), marked with why nothing was looked up.
        let failures = try alerts().flatMap { $0["lookupFailures"] as? [String] ?? [] }
        XCTAssertTrue(failures.contains { $0.hasPrefix("refused: account \(outsider)") }, "\(failures)")
    }
}
