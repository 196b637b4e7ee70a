import XCTest
@testable import AWSClient

final class ErrorTests: XCTestCase {
    func response(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body.bytes)
    }

    func testQueryProtocolError() {
        let error = ErrorParser.queryError(response(400, """
            <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
              <Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id x does not exist</Message></Error>
              <RequestId>abc-123</RequestId>
            </ErrorResponse>
            """), service: .cloudFormation, operation: "DescribeStackEvents")
        XCTAssertEqual(error, AWSError(code: "ValidationError", message: "Stack with id x does not exist", httpStatus: 400,
                                       requestId: "abc-123", service: "cloudformation", operation: "DescribeStackEvents"))
        XCTAssertTrue(error.isNotFound)
        XCTAssertFalse(error.isRetryable)
        XCTAssertEqual(error.description,
                       "cloudformation DescribeStackEvents failed: HTTP 400 ValidationError: Stack with id x does not exist (request id abc-123)")
    }

    func testQueryProtocolErrorVariants() {
        // EC2-style <Response><Errors><Error>, with RequestID.
        let ec2 = ErrorParser.queryError(response(503, """
            <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors><RequestID>r</RequestID></Response>
            """), service: .sns, operation: "Publish")
        XCTAssertEqual(ec2.code, "RequestLimitExceeded")
        XCTAssertEqual(ec2.requestId, "r")
        XCTAssertTrue(ec2.isThrottling)
        // Unreadable bodies fall back to the status code, and the request id header.
        let html = ErrorParser.queryError(response(502, "<html><body>Bad gateway", headers: ["x-amzn-RequestId": "h-1"]),
                                          service: .sns, operation: "Publish")
        XCTAssertEqual(html, AWSError(code: "502", message: "", httpStatus: 502, requestId: "h-1", service: "sns", operation: "Publish"))
        XCTAssertTrue(html.isServerError && html.isRetryable)
        let empty = ErrorParser.queryError(response(403, ""), service: .sts, operation: "AssumeRole")
        XCTAssertEqual(empty.code, "403")
        XCTAssertFalse(empty.isRetryable)
    }

    func testJSONProtocolError() {
        let notFound = ErrorParser.jsonError(response(400, #"{"__type":"com.amazonaws.servicecatalog#ResourceNotFoundException","Message":"nope"}"#,
                                                      headers: ["x-amzn-RequestId": "id-9"]),
                                             service: .serviceCatalog, operation: "DescribeRecord")
        XCTAssertEqual(notFound, AWSError(code: "ResourceNotFoundException", message: "nope", httpStatus: 400, requestId: "id-9",
                                          service: "servicecatalog", operation: "DescribeRecord"))
        XCTAssertTrue(notFound.isNotFound)
        let lower = ErrorParser.jsonError(response(400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#),
                                          service: .serviceCatalog, operation: "DescribeProduct")
        XCTAssertEqual(lower.code, "ThrottlingException")
        XCTAssertEqual(lower.message, "Rate exceeded")
        XCTAssertTrue(lower.isThrottling && lower.isRetryable)
        let header = ErrorParser.jsonError(response(403, "", headers: ["X-Amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/coral/"]),
                                           service: .serviceCatalog, operation: "DescribeProduct")
        XCTAssertEqual(header.code, "AccessDeniedException")
        XCTAssertTrue(header.isAccessDenied)
        let truncated = ErrorParser.jsonError(response(500, #"{"__type":"Internal"#), service: .serviceCatalog, operation: "DescribeRecord")
        XCTAssertEqual(truncated.code, "500")
        XCTAssertTrue(truncated.isRetryable)
        let wrongShape = ErrorParser.jsonError(response(400, #"[1,2]"#), service: .serviceCatalog, operation: "DescribeRecord")
        XCTAssertEqual(wrongShape.code, "400")
    }

    func testClassificationTable() {
        func error(_ code: String, _ status: Int, _ message: String = "") -> AWSError {
            AWSError(code: code, message: message, httpStatus: status, service: "s", operation: "o")
        }
        // (error, throttling, server, retryable, accessDenied, notFound)
        let table: [(AWSError, Bool, Bool, Bool, Bool, Bool)] = [
            (error("Throttling", 400), true, false, true, false, false),
            (error("ThrottlingException", 400), true, false, true, false, false),
            (error("TooManyRequestsException", 400), true, false, true, false, false),
            (error("RequestLimitExceeded", 400), true, false, true, false, false),
            (error("ProvisionedThroughputExceededException", 400), true, false, true, false, false),
            (error("Throttled", 429), true, false, true, false, false),
            (error("Anything", 429), true, false, true, false, false),
            (error("InternalFailure", 500), false, true, true, false, false),
            (error("ServiceUnavailable", 503), false, true, true, false, false),
            (error("RequestTimeout", 400), false, false, true, false, false),
            (error("ValidationError", 400, "Template format error"), false, false, false, false, false),
            (error("ValidationError", 400, "Stack with id s does not exist"), false, false, false, false, true),
            (error("ResourceNotFoundException", 400), false, false, false, false, true),
            (error("NotFound", 404), false, false, false, false, true),
            (error("AccessDenied", 403), false, false, false, true, false),
            (error("AccessDeniedException", 400), false, false, false, true, false),
            (error("AuthorizationError", 403), false, false, false, true, false),
            (error("InvalidClientTokenId", 403), false, false, false, false, false),
            (error("InvalidParameter", 400), false, false, false, false, false),
        ]
        for (e, throttling, server, retryable, denied, notFound) in table {
            XCTAssertEqual(e.isThrottling, throttling, "\(e.code) throttling")
            XCTAssertEqual(e.isServerError, server, "\(e.code) server")
            XCTAssertEqual(e.isRetryable, retryable, "\(e.code) retryable")
            XCTAssertEqual(e.isAccessDenied, denied, "\(e.code) access denied")
            XCTAssertEqual(e.isNotFound, notFound, "\(e.code) \(e.message) not found")
        }
    }
}
