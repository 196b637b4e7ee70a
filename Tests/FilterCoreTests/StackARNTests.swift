import XCTest

@testable import FilterCore

final class StackARNTests: XCTestCase {
    func testParsesPartitions() throws {
        let cases: [(String, String, String)] = [
            ("arn:aws:cloudformation:ap-northeast-1:111122223333:stack/my-stack/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", "aws", "ap-northeast-1"),
            ("arn:aws-cn:cloudformation:cn-north-1:111122223333:stack/my-stack/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", "aws-cn", "cn-north-1"),
            ("arn:aws-us-gov:cloudformation:us-gov-west-1:111122223333:stack/my-stack/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", "aws-us-gov", "us-gov-west-1"),
        ]
        for (text, partition, region) in cases {
            let arn = try XCTUnwrap(StackARN(parsing: text), text)
            XCTAssertEqual(arn.partition, partition)
            XCTAssertEqual(arn.region, region)
            XCTAssertEqual(arn.account, "111122223333")
            XCTAssertEqual(arn.stackName, "my-stack")
            XCTAssertEqual(arn.uniqueId, "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0")
            XCTAssertEqual(arn.description, text)
        }
    }

    func testRejectsMalformed() {
        let bad = [
            "",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/my-stack",
            "arn:aws:cloudformation:us-east-1:11112222333:stack/my-stack/uuid",
            "arn:aws:s3:us-east-1:111122223333:stack/my-stack/uuid",
            "arn:aws:cloudformation:us-east-1:111122223333:stackset/my-stack/uuid",
            "arn:aws:cloudformation:US-EAST-1:111122223333:stack/my-stack/uuid",
            "arn:aws:cloudformation:useast1:111122223333:stack/my-stack/uuid",
            "arn:azure:cloudformation:us-east-1:111122223333:stack/my-stack/uuid",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/1stack/uuid",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/my_stack/uuid",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/my-stack/uuid/extra",
            "arn:aws:cloudformation:us-east-1:111122223333:stack//uuid",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/my-stack/",
            "arn:aws:cloudformation:us-east-1:111122223333:stack/my-stack/uu id",
        ]
        for text in bad { XCTAssertNil(StackARN(parsing: text), text) }
    }

    func testConsoleURLPerPartitionAndEncoding() throws {
        let aws = try XCTUnwrap(StackARN(parsing: Fixture.scStackId))
        XCTAssertEqual(
            aws.consoleEventsURL,
            "https://ap-northeast-1.console.aws.amazon.com/cloudformation/home?region=ap-northeast-1#/stacks/events?stackId="
                + "arn%3Aaws%3Acloudformation%3Aap-northeast-1%3A111122223333%3Astack%2FSC-111122223333-pp-abcdefghijklm%2F0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0")
        let cn = try XCTUnwrap(StackARN(parsing: "arn:aws-cn:cloudformation:cn-northwest-1:111122223333:stack/s/u-1"))
        XCTAssertEqual(cn.consoleEventsURL?.hasPrefix("https://cn-northwest-1.console.amazonaws.cn/cloudformation/home?region=cn-northwest-1#"), true)
        let gov = try XCTUnwrap(StackARN(parsing: "arn:aws-us-gov:cloudformation:us-gov-east-1:111122223333:stack/s/u-1"))
        XCTAssertEqual(gov.consoleEventsURL?.hasPrefix("https://us-gov-east-1.console.amazonaws-us-gov.com/cloudformation/home?region=us-gov-east-1#"), true)
        let iso = try XCTUnwrap(StackARN(parsing: "arn:aws-iso:cloudformation:us-iso-east-1:111122223333:stack/s/u-1"))
        XCTAssertNil(iso.consoleEventsURL)
    }

    func testServiceCatalogStackNames() throws {
        let sc = try XCTUnwrap(ServiceCatalogStack(stackName: "SC-111122223333-pp-abcdefghijklm"))
        XCTAssertEqual(sc.account, "111122223333")
        XCTAssertEqual(sc.provisionedProductId, "pp-abcdefghijklm")
        XCTAssertEqual(ServiceCatalogStack(stackName: "SC-111122223333-pp-a1b2c3d4e5f6g")?.provisionedProductId, "pp-a1b2c3d4e5f6g")
        for name in [
            "network-baseline", "SC-111122223333-pp-abcdefghijkl", "SC-111122223333-pp-abcdefghijklmn",
            "SC-11112222333-pp-abcdefghijklm", "SC-111122223333-pp-ABCDEFGHIJKLM", "sc-111122223333-pp-abcdefghijklm",
            "SC-111122223333-xx-abcdefghijklm", "SC-111122223333-pp-abcdefghijkl-", "",
        ] {
            XCTAssertNil(ServiceCatalogStack(stackName: name), name)
        }
    }
}
