import Foundation
import TestSupport
import XCTest

/// The AWS stand-ins a deploy test talks to, all on 127.0.0.1 and stopping by themselves: moto_server
/// (S3, CloudFormation with StackSets and change sets, SNS, SQS, STS, CloudWatch) behind the fault proxy
/// (SigV4 and botocore's model checked on every request, scripted faults), and the Service Catalog fixture.
final class Peers: @unchecked Sendable {
    static let account = MotoServer.defaultAccount
    static let accessKeyId = "AKIADEPLOYTESTS00001"
    static let secretAccessKey = "deploy-tests-secret-never-printed"

    let moto: MotoServer
    let proxy: ScriptServer
    let catalog: ScriptServer
    let home: URL

    static var portfolios: [String: Any] { [
        "port-tokyo00000001": ["region": "ap-northeast-1", "products": ["prod-aaaaaaaaaaaaa", "prod-bbbbbbbbbbbbb"]],
        "port-useast0000001": ["region": "us-east-1", "products": ["prod-ccccccccccccc"]],
    ] }

    static var catalogFixture: [String: Any] { [
        "portfolios": portfolios,
        "products": [
            "prod-aaaaaaaaaaaaa": ["Name": "orders-db", "Owner": "Platform"],
            "prod-bbbbbbbbbbbbb": ["Name": "payments-queue", "Owner": "Platform"],
            "prod-ccccccccccccc": ["Name": "static-site", "Owner": "Web"],
        ],
        "constraints": [
            ["ConstraintId": "cons-launchaaaaaaaa", "PortfolioId": "port-tokyo00000001", "ProductId": "prod-aaaaaaaaaaaaa", "Type": "LAUNCH",
             "Parameters": #"{"RoleArn": "arn:aws:iam::123456789012:role/sc-launch-orders"}"#],
            ["ConstraintId": "cons-othernotifyccc", "PortfolioId": "port-useast0000001", "ProductId": "prod-ccccccccccccc", "Type": "NOTIFICATION",
             "Parameters": #"{"NotificationArns": ["arn:aws:sns:us-east-1:123456789012:someone-elses-topic"]}"#],
        ],
        "credentials": [["accessKeyId": accessKeyId, "secretAccessKey": secretAccessKey, "account": account]],
    ] }

    private init(moto: MotoServer, proxy: ScriptServer, catalog: ScriptServer, home: URL) {
        self.moto = moto
        self.proxy = proxy
        self.catalog = catalog
        self.home = home
    }

    static func start() async throws -> Peers {
        let moto = try await MotoServer.start()
        let proxy = try ScriptServer(script: "scripts/aws_fault_proxy.py", arguments: ["--upstream", moto.endpoint, "--timeout", "900"])
        _ = try await proxy.postJSON("/__credentials", [["accessKeyId": accessKeyId, "secretAccessKey": secretAccessKey]])
        let home = try Tools.temporaryDirectory()
        let fixture = home.appendingPathComponent("catalog.json")
        try Data(try jsonText(catalogFixture).utf8).write(to: fixture)
        let catalog = try ScriptServer(script: "scripts/servicecatalog_fixture.py", arguments: ["--fixture", fixture.path, "--timeout", "900"])
        return Peers(moto: moto, proxy: proxy, catalog: catalog, home: home)
    }

    func stop() {
        catalog.stop()
        proxy.stop()
        moto.stop()
        try? FileManager.default.removeItem(at: home)
    }

    /// What the CLI sees: keys, every endpoint on loopback, an empty home (no ~/.aws), no instance metadata.
    var environment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path,
            "AWS_ACCESS_KEY_ID": Self.accessKeyId, "AWS_SECRET_ACCESS_KEY": Self.secretAccessKey,
            "AWS_ENDPOINT_URL": proxy.url, "AWS_ENDPOINT_URL_SERVICE_CATALOG": catalog.url, "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    /// Every request the proxy saw (and forgets them with `reset`).
    func requests(reset: Bool = false) async throws -> [[String: Any]] {
        let list = try await proxy.getJSON("/__requests") as? [[String: Any]] ?? []
        if reset { _ = try await proxy.postJSON("/__reset", [String: Any]()) }
        return list
    }

    /// The actions the proxy forwarded or answered, in order (`Method /path` for S3).
    func actions(_ requests: [[String: Any]]) -> [String] { requests.compactMap { $0["action"] as? String } }

    func catalogRequests() async throws -> [[String: Any]] { try await catalog.getJSON("/__requests") as? [[String: Any]] ?? [] }

    func constraints() async throws -> [[String: Any]] { try await catalog.getJSON("/__constraints") as? [[String: Any]] ?? [] }

    func fault(_ faults: [[String: Any]]) async throws { _ = try await proxy.postJSON("/__faults", faults) }

    /// An organization of the management account with one OU holding two member accounts (moto's
    /// Organizations, which the proxy reads for service-managed StackSets): the OU id and the accounts.
    func organizationWithOneOU() throws -> (organizationalUnit: String, accounts: [String]) {
        let out = try moto.boto3("""
            org = client('organizations', 'us-east-1')
            org.create_organization(FeatureSet='ALL')
            root = org.list_roots()['Roots'][0]['Id']
            ou = org.create_organizational_unit(ParentId=root, Name='workloads')['OrganizationalUnit']['Id']
            ids = []
            for name in ('payments', 'orders'):
                status = org.create_account(Email=f'{name}@example.com', AccountName=name)['CreateAccountStatus']
                org.move_account(AccountId=status['AccountId'], SourceParentId=root, DestinationParentId=ou)
                ids.append(status['AccountId'])
            print(json.dumps({'ou': ou, 'accounts': sorted(ids)}))
            """)
        let parsed = try XCTUnwrap(try parseJSON(out.trimmingCharacters(in: .whitespacesAndNewlines)) as? [String: Any])
        return (try XCTUnwrap(parsed["ou"] as? String), try XCTUnwrap(parsed["accounts"] as? [String]))
    }

    /// Regions of the stack instances of `stackSet` in moto.
    func instanceRegions(_ stackSet: String) throws -> [String] {
        let out = try moto.boto3("""
            cf = client('cloudformation')
            try:
                print(json.dumps(sorted(s['Region'] for s in cf.list_stack_instances(StackSetName='\(stackSet)')['Summaries'])))
            except cf.exceptions.StackSetNotFoundException:
                print('null')
            """)
        return (try parseJSON(out.trimmingCharacters(in: .whitespacesAndNewlines)) as? [String]) ?? []
    }
}

/// What one run of `catalogwatch` printed and how it ended.
struct CLIRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var all: String { stdout + stderr }
}

/// Runs the built `catalogwatch` with `environment`, in the package root.
func catalogwatch(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(300)) throws -> CLIRun {
    let binary = try Tools.builtExecutable("catalogwatch", for: Peers.self)
    let child = try ChildProcess(executable: binary.path, arguments: arguments, environment: environment)
    guard let status = child.waitForExit(timeout: timeout) else {
        child.stop()
        throw TestFailure("catalogwatch \(arguments.first ?? "") did not finish in \(timeout): \(child.stdout.suffix(2000))")
    }
    let run = CLIRun(status: status, stdout: child.stdout, stderr: child.stderr)
    XCTAssertFalse(run.all.contains(Peers.secretAccessKey), "the secret key was printed")
    XCTAssertFalse(run.all.contains("Fatal error") || run.all.contains("Stack dump") || run.all.contains("backtrace"), run.all)
    return run
}

/// A layout file for moto's account in a temporary folder.
/// `memberRole`: by default a role the landing zone already has (no reader StackSet, no OUs needed);
/// "" deploys CatalogWatch's reader role (the layout then needs `organizationalUnits` in `extra`).
func writeLayout(_ peers: Peers, regions: [String] = ["ap-northeast-1", "us-east-1", "eu-west-1"], rollout: String = "sequential",
                 account: String = Peers.account, portfolios: Bool = true, extra: String = "", name: String = "layout.yaml",
                 memberRole: String = "memberRoleName: PlatformReadOnly\ndeployMemberRole: false\n") throws -> String {
    var text = """
        mainRegion: ap-northeast-1
        regions: [\(regions.joined(separator: ", "))]
        organizationId: o-exampleorg1
        notificationEmail: cloud-platform@example.com
        managementAccountId: "\(account)"
        rollout: \(rollout)
        lambdaCode:
          bucket: catalogwatch-artifacts-\(Peers.account)
          key: catalogwatch/filter-x86_64.zip
        \(extra)
        """ + "\n" + memberRole
    if portfolios {
        let listed = [("ap-northeast-1", "port-tokyo00000001"), ("us-east-1", "port-useast0000001")].filter { regions.contains($0.0) }
        text += "portfolios:\n" + listed.map { "  \($0.0): [\($0.1)]\n" }.joined()
    }
    let url = peers.home.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// A small zip standing in for the packaged filter (moto's Lambda only stores it).
func writeZip(_ peers: Peers) throws -> String {
    let url = peers.home.appendingPathComponent("filter.zip")
    // Fixed timestamps: the same bytes on every call, so a second deploy finds the key uploaded.
    let script = "import zipfile,sys\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr(zipfile.ZipInfo('bootstrap', (2020, 1, 1, 0, 0, 0)), '#!/bin/sh\\n')"
    try Tools.run(try Tools.requirePythonAWS(), ["-c", script, url.path])
    return url.path
}
