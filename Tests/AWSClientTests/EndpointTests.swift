import XCTest
@testable import AWSClient

final class EndpointTests: XCTestCase {
    func testDefaultEndpointsPerPartition() throws {
        let resolver = EndpointResolver(environment: [:])
        let table: [(AWSService, String, String)] = [
            (.sts, "us-east-1", "https://sts.us-east-1.amazonaws.com"),
            (.sts, "eu-central-1", "https://sts.eu-central-1.amazonaws.com"),
            (.sns, "ap-southeast-2", "https://sns.ap-southeast-2.amazonaws.com"),
            (.sqs, "us-west-2", "https://sqs.us-west-2.amazonaws.com"),
            (.cloudFormation, "eu-west-1", "https://cloudformation.eu-west-1.amazonaws.com"),
            (.serviceCatalog, "eu-west-1", "https://servicecatalog.eu-west-1.amazonaws.com"),
            (.sts, "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn"),
            (.serviceCatalog, "cn-northwest-1", "https://servicecatalog.cn-northwest-1.amazonaws.com.cn"),
            (.sns, "us-gov-west-1", "https://sns.us-gov-west-1.amazonaws.com"),
            (.sts, "us-gov-east-1", "https://sts.us-gov-east-1.amazonaws.com"),
        ]
        for (service, region, expected) in table {
            XCTAssertEqual(try resolver.endpoint(for: service, region: region), expected)
        }
        XCTAssertEqual(AWSPartition.of(region: "cn-north-1"), .awsChina)
        XCTAssertEqual(AWSPartition.of(region: "us-gov-west-1").name, "aws-us-gov")
        XCTAssertEqual(AWSPartition.of(region: "us-east-1").name, "aws")
        XCTAssertEqual(AWSService.serviceCatalog.signingName, "servicecatalog")
        XCTAssertEqual(AWSService.allCases.map(\.environmentID), ["STS", "SNS", "SQS", "CLOUDFORMATION", "SERVICE_CATALOG", "S3", "CLOUDWATCH", "SSO", "EVENTBRIDGE", "DYNAMODB", "ORGANIZATIONS", "CLOUDWATCH_LOGS"])
        XCTAssertEqual(try resolver.endpoint(for: .logs, region: "eu-west-1"), "https://logs.eu-west-1.amazonaws.com")
        XCTAssertEqual(AWSService.dynamoDB.signingName, "dynamodb")
        XCTAssertEqual(try resolver.endpoint(for: .dynamoDB, region: "eu-west-1"), "https://dynamodb.eu-west-1.amazonaws.com")
    }

    func testEnvironmentOverrides() throws {
        let resolver = EndpointResolver(environment: [
            "AWS_ENDPOINT_URL": "http://localhost:4566/",
            "AWS_ENDPOINT_URL_SERVICE_CATALOG": "http://127.0.0.1:9000",
            "AWS_ENDPOINT_URL_STS": "",
            "PATH": "/usr/bin",
        ])
        XCTAssertEqual(try resolver.endpoint(for: .serviceCatalog, region: "eu-west-1"), "http://127.0.0.1:9000")
        XCTAssertEqual(try resolver.endpoint(for: .sts, region: "eu-west-1"), "http://localhost:4566", "empty values are ignored")
        XCTAssertEqual(try resolver.endpoint(for: .sns, region: "cn-north-1"), "http://localhost:4566")
        let perService = EndpointResolver(environment: ["AWS_ENDPOINT_URL_CLOUDFORMATION": "https://cfn.example.test"])
        XCTAssertEqual(try perService.endpoint(for: .cloudFormation, region: "us-east-1"), "https://cfn.example.test")
        XCTAssertEqual(try perService.endpoint(for: .sns, region: "us-east-1"), "https://sns.us-east-1.amazonaws.com")
        let ignored = EndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"])
        XCTAssertEqual(try ignored.endpoint(for: .sns, region: "us-east-1"), "https://sns.us-east-1.amazonaws.com")
    }

    func testInvalidInputs() {
        XCTAssertThrowsError(try EndpointResolver(environment: ["AWS_ENDPOINT_URL_SNS": "localhost:4566"]).endpoint(for: .sns, region: "us-east-1")) {
            XCTAssertEqual($0 as? AWSClientError, .invalidEndpoint("AWS_ENDPOINT_URL_SNS is not an absolute http(s) URL"))
        }
        for region in ["", "US-EAST-1", "us-east-1.evil.com", "us east", "-us", "us/east"] {
            XCTAssertThrowsError(try EndpointResolver().endpoint(for: .sns, region: region), region)
        }
    }
}
