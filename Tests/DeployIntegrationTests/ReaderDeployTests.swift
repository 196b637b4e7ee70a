import Foundation
import TestSupport
import XCTest

/// `deploy`, a no-op redeploy, `status` and `destroy` of a layout with the reader role (the default member
/// role), as the built CLI against moto_server behind the fault proxy (which supplies what moto lacks for
/// service-managed StackSets, scripts/proxy_servicemanaged.py): the roles stack, then the reader StackSet
/// in every account of the OU, then the alert StackSet; destroy in reverse.
final class ReaderDeployTests: XCTestCase {
    var peers: Peers!
    var organizationalUnit = ""
    var members: [String] = []

    override func setUp() async throws {
        peers = try await Peers.start()
        (organizationalUnit, members) = try peers.organizationWithOneOU()
    }

    override func tearDown() {
        peers?.stop()
    }

    func readerLayout() throws -> String {
        try writeLayout(peers, regions: ["ap-northeast-1", "us-east-1"], portfolios: false,
                        extra: "organizationalUnits: [\(organizationalUnit)]\n", name: "reader.yaml", memberRole: "")
    }

    func run(_ command: String, _ layout: String, _ extra: [String] = []) throws -> CLIRun {
        let zip = command == "deploy" ? ["--zip", try writeZip(peers)] : []
        return try catalogwatch([command, "--layout", layout] + zip + ["--poll-interval", "0.1"] + extra, environment: peers.environment)
    }

    /// The CloudFormation calls that change something, as `Action Name` in the order the proxy saw them
    /// (`ExecuteChangeSet` of the roles stack names only its change set).
    func changes(_ requests: [[String: Any]]) -> [String] {
        let actions: Set<String> = [
            "ExecuteChangeSet", "DeleteStack", "CreateStackSet", "DeleteStackSet", "CreateStackInstances", "DeleteStackInstances", "UpdateStackSet",
        ]
        return requests.compactMap { r in
            guard let action = r["action"] as? String, actions.contains(action), let params = r["params"] as? [String: Any] else { return nil }
            let name = params["StackSetName"] as? String ?? params["StackName"] as? String
            return name.map { "\(action) \($0)" } ?? action
        }
    }

    func readerRoles() throws -> [String] {
        let script = members.map { "print(member('iam', account='\($0)').get_role(RoleName='catalogwatch-reader')['Role']['Arn'])" }.joined(separator: "\n")
        return try peers.moto.boto3(script).split(separator: "\n").map(String.init)
    }

    func testDeployPutsTheReaderIntoEveryMemberAccountBeforeTheAlertStackAndDestroyReverses() async throws {
        let layout = try readerLayout()
        let first = try run("deploy", layout, ["--create-bucket"])
        XCTAssertEqual(first.status, 0, first.all)
        XCTAssertTrue(first.stdout.contains("plan: member StackSet catalogwatch-receive-reader (service-managed, auto-deployment, \(organizationalUnit) × ap-northeast-1)"), first.stdout)
        let deployed = changes(try await peers.requests(reset: true))
        XCTAssertEqual(deployed.filter { !$0.hasPrefix("UpdateStackSet") }, [
            "ExecuteChangeSet",
            "CreateStackSet catalogwatch-receive-reader", "CreateStackInstances catalogwatch-receive-reader",
            "CreateStackSet catalogwatch-receive", "CreateStackInstances catalogwatch-receive",
        ], "roles stack, reader StackSet, alert StackSet: \(deployed)")
        // The reader role is in every member account, named as the filter expects, trusting the filter's role.
        XCTAssertEqual(try readerRoles(), members.map { "arn:aws:iam::\($0):role/catalogwatch-reader" })
        let trust = try peers.moto.boto3("print(json.dumps(member('iam', account='\(members[0])').get_role(RoleName='catalogwatch-reader')['Role']['AssumeRolePolicyDocument']))")
        XCTAssertTrue(trust.contains("arn:aws:iam::\(Peers.account):role/catalogwatch-filter"), trust)
        // The management account's own reader and the filter's role come from the roles stack.
        let roles = try peers.moto.boto3("""
            iam = client('iam')
            print(json.dumps(sorted(r['RoleName'] for r in iam.list_roles()['Roles'] if r['RoleName'].startswith(('catalogwatch', 'CatalogWatch')))))
            """)
        XCTAssertEqual(try parseJSON(roles) as? [String], [
            "CatalogWatchStackSetAdministration", "CatalogWatchStackSetExecution", "catalogwatch-filter", "catalogwatch-reader",
        ])

        let second = try run("deploy", layout)
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertTrue(second.stdout.contains("done: nothing to change"), second.stdout)
        let redeployed = changes(try await peers.requests(reset: true))
        XCTAssertEqual(redeployed, [], "a no-op redeploy changes nothing")

        let status = try run("status", layout, ["--format", "json"])
        let report = try XCTUnwrap(try parseJSON(status.stdout) as? [String: Any], status.all)
        let reader = try XCTUnwrap(report["reader"] as? [String: Any], status.stdout)
        XCTAssertEqual(reader["status"] as? String, "ACTIVE")
        XCTAssertEqual((reader["instances"] as? [String: Any])?["CURRENT"] as? Int, members.count)

        let destroy = try run("destroy", layout, ["--yes"])
        XCTAssertEqual(destroy.status, 0, destroy.all)
        let removed = changes(try await peers.requests(reset: true))
        XCTAssertEqual(removed, [
            "DeleteStackInstances catalogwatch-receive", "DeleteStackSet catalogwatch-receive",
            "DeleteStackInstances catalogwatch-receive-reader", "DeleteStackSet catalogwatch-receive-reader",
            "DeleteStack catalogwatch-stackset-roles",
        ], "destroy in reverse: \(removed)")
    }

    func testALayoutWithoutOrganizationalUnitsIsToldWhatToAdd() throws {
        let layout = try writeLayout(peers, regions: ["ap-northeast-1"], portfolios: false, name: "no-ous.yaml", memberRole: "")
        let run = try run("deploy", layout, ["--create-bucket"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("organizationalUnits (the OU ids ou-… or the root id r-… whose accounts launch products"), run.all)
    }
}
