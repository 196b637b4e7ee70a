import XCTest
import AWSClient
import TestSupport
@testable import FilterLambda

/// `OrganizationMembership` against moto's Organizations (an organization of the default account holding
/// the member account): one signed `DescribeAccount` per account, to the partition's global endpoint.
final class OrganizationMembershipTests: XCTestCase {
    static let moto = ClassMoto()

    override class func tearDown() {
        moto.stop()
        super.tearDown()
    }

    func testMembersAreKnownOutsidersRefusedAndEachAccountAskedOnce() async throws {
        let moto = try await Self.moto.get()
        let recording = RecordingTransport()
        let client = AWSClient(
            transport: recording, credentials: Credentials(accessKeyId: "AKIDMEMBERSHIP", secretAccessKey: "membership/secret"),
            endpoints: EndpointResolver(environment: ["AWS_ENDPOINT_URL": moto.endpoint]), region: "ap-northeast-1")
        let membership = OrganizationMembership(client: client)
        let deadline = ContinuousClock.now + .seconds(30)
        let member = await membership.check(Member.account, deadline: deadline)
        XCTAssertEqual(member, .member)
        let outsider = await membership.check("999988887777", deadline: deadline)
        XCTAssertEqual(outsider, .notMember)
        let again = await membership.check(Member.account, deadline: deadline)
        let outsiderAgain = await membership.check("999988887777", deadline: deadline)
        XCTAssertEqual([again, outsiderAgain], [.member, .notMember])
        let requests = recording.requests
        XCTAssertEqual(requests.count, 2, "answers are kept: one call per account")
        for r in requests {
            XCTAssertEqual(r.headers["X-Amz-Target"], "AWSOrganizationsV20161128.DescribeAccount")
            XCTAssertTrue(r.headers["Authorization"]?.contains("/us-east-1/organizations/aws4_request") == true,
                          "signed for the global endpoint's region, whatever the function's")
        }
    }

    func testAnUnansweredQuestionLeavesTheDecisionToIAM() async throws {
        let client = AWSClient(
            transport: NoNetwork(), credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "secret"),
            endpoints: EndpointResolver(), region: "ap-northeast-1")
        let answer = await OrganizationMembership(client: client).check(Member.account, deadline: .now + .seconds(5))
        guard case .unknown = answer else { return XCTFail("\(answer)") }
    }

    func testTheGlobalEndpointOfEachPartition() {
        XCTAssertEqual(AWSClient.organizationsRegion(partition: "aws"), "us-east-1")
        XCTAssertEqual(AWSClient.organizationsRegion(partition: "aws-cn"), "cn-northwest-1")
        XCTAssertEqual(AWSClient.organizationsRegion(partition: "aws-us-gov"), "us-gov-west-1")
        XCTAssertEqual(try EndpointResolver().endpoint(for: .organizations, region: "cn-northwest-1"), "https://organizations.cn-northwest-1.amazonaws.com.cn")
    }
}
