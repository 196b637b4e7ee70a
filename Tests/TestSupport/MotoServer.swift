import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import AWSClient
import URLSessionTransport

/// A real `moto_server` on a free loopback port. It runs under `timeout 600`, so it stops by itself
/// even when the test process dies without tearing down.
public final class MotoServer: @unchecked Sendable {
    let child: ChildProcess
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The account moto gives callers it does not know.
    public static let defaultAccount = "123456789012"

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
    }

    /// Starts moto_server and waits until it answers (HTTP 200 from /moto-api/data.json) within `readyWithin`.
    /// Skips when it is missing: with `needsBoto3` (the test runs `boto3` scripts) also when python3 or boto3
    /// is (`Tools.installHint`), else with "moto_server is not installed: pip install 'moto[server]'".
    /// `organizationAccountIds`: when given, the default account (the function's) creates an organization
    /// holding these accounts (scripts/moto_server.py hands them out to CreateAccount), as in a real
    /// management account; the filter refuses accounts outside it.
    public static func start(
        needsBoto3: Bool = true, readyWithin: Duration = .seconds(60), organizationAccountIds: [String] = []
    ) async throws -> MotoServer {
        if needsBoto3 { _ = try Tools.requirePythonAWS() }
        guard Tools.which("moto_server") != nil, let timeout = Tools.which("timeout") else {
            throw XCTSkip(needsBoto3 ? Tools.installHint : "moto_server is not installed: pip install 'moto[server]'")
        }
        // scripts/moto_server.py is moto_server with the fix for a moto bug our templates meet (tagged KMS keys).
        let python = try Tools.requirePythonAWS()
        let script = Tools.packageRoot.appendingPathComponent("scripts/moto_server.py").path
        let port = try Tools.freePort()
        var environment = ProcessInfo.processInfo.environment
        if !organizationAccountIds.isEmpty { environment["CATALOGWATCH_MOTO_ACCOUNT_IDS"] = organizationAccountIds.joined(separator: ",") }
        let child = try ChildProcess(executable: timeout, arguments: ["-k", "5", "600", python, script, "-H", "127.0.0.1", "-p", String(port)],
                                     environment: environment)
        let server = MotoServer(child: child, port: port)
        let transport = URLSessionTransport()
        let start = ContinuousClock.now
        while ContinuousClock.now - start < readyWithin {
            guard child.isRunning else {
                throw TestFailure("moto_server exited with \(child.exitStatus ?? -1): \(child.stderr.suffix(2000)) \(child.stdout.suffix(2000))")
            }
            if let response = try? await transport.send(HTTPRequest(method: "GET", url: server.endpoint + "/moto-api/data.json"), timeout: .seconds(2)),
                response.status == 200
            {
                if !organizationAccountIds.isEmpty { try server.createOrganization(organizationAccountIds) }
                return server
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw TestFailure("moto_server did not answer on port \(port) within \(readyWithin)")
    }

    /// Stops moto and the `timeout` wrapper (one process group).
    public func stop() { child.stop(group: true) }

    /// Runs a boto3 script with `ENDPOINT`, `client(name, region)` (moto's default account) and
    /// `member(name, region, account)` (a role assumed in a member account) bound to this server;
    /// `region` is their default region. Returns stdout.
    public func boto3(_ body: String, region: String = "ap-northeast-1") throws -> String {
        let script = """
            import boto3, json, sys, urllib.request
            ENDPOINT = '\(endpoint)'
            def client(name, region='\(region)'):
                return boto3.client(name, endpoint_url=ENDPOINT, region_name=region,
                                    aws_access_key_id='testing', aws_secret_access_key='testing')
            def member(name, region='\(region)', account='111122223333'):
                c = client('sts').assume_role(RoleArn=f'arn:aws:iam::{account}:role/TestSetup', RoleSessionName='test-setup')['Credentials']
                return boto3.client(name, endpoint_url=ENDPOINT, region_name=region, aws_access_key_id=c['AccessKeyId'],
                                    aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
            \(body)
            """
        return try Tools.python(script)
    }

    /// An organization of the default account holding `accounts` (which moto_server.py was started to hand out).
    public func createOrganization(_ accounts: [String]) throws {
        _ = try boto3("""
            org = client('organizations', 'us-east-1')
            org.create_organization(FeatureSet='ALL')
            for expected in \(accounts):
                status = org.create_account(Email=f'{expected}@example.com', AccountName=expected)['CreateAccountStatus']
                assert status['AccountId'] == expected, status
            """)
    }

    /// moto's record of the roles assumed through STS (role_arn, session_name, external_id, ...).
    public func assumedRoles() async throws -> [[String: Any]] {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: endpoint + "/moto-api/data.json"), timeout: .seconds(10))
        guard response.status == 200 else { throw TestFailure("GET /moto-api/data.json: HTTP \(response.status)") }
        let data = try parseJSON(String(decoding: response.body, as: UTF8.self)) as? [String: Any]
        return ((data?["sts"] as? [String: Any])?["AssumedRole"] as? [[String: Any]]) ?? []
    }
}

/// One moto_server per test class: started on first use, stopped in the class tearDown.
public final class SharedMoto: @unchecked Sendable {
    private let lock = NSLock()
    private var starting: Task<MotoServer, any Error>?
    private let organizationAccountIds: [String]

    /// `organizationAccountIds`: see `MotoServer.start`.
    public init(organizationAccountIds: [String] = []) { self.organizationAccountIds = organizationAccountIds }

    public func get() async throws -> MotoServer {
        let task: Task<MotoServer, any Error> = lock.withLock {
            if let starting { return starting }
            let accounts = organizationAccountIds
            let task = Task { try await MotoServer.start(organizationAccountIds: accounts) }
            starting = task
            return task
        }
        return try await task.value
    }

    public func stop() {
        let task = lock.withLock {
            defer { starting = nil }
            return starting
        }
        guard let task else { return }
        // Class teardown is synchronous: wait for the start (if any) on another thread.
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            (try? await task.value)?.stop()
            done.signal()
        }
        done.wait()
    }
}
