import AWSClient
import SHA2

extension AWSClient {
    /// `HeadBucket`: true when the bucket exists and this caller may use it; false when it does not exist.
    /// A bucket owned by someone else is an error (403).
    package func bucketExists(_ bucket: String, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        do {
            _ = try await s3("HeadBucket", method: "HEAD", bucket: bucket, path: "/", deadline: deadline)
            return true
        } catch let error as AWSError where error.httpStatus == 404 {
            return false
        }
    }

    /// `HeadObject`: whether `key` exists in `bucket`.
    package func objectExists(bucket: String, key: String, deadline: ContinuousClock.Instant? = nil) async throws -> Bool {
        do {
            _ = try await s3("HeadObject", method: "HEAD", bucket: bucket, path: "/" + PercentEncoding.encode(key, keepSlash: true), deadline: deadline)
            return true
        } catch let error as AWSError where error.httpStatus == 404 {
            return false
        }
    }

    /// `PutObject` with the SHA-256 of the body signed and checked by S3.
    package func putObject(bucket: String, key: String, body: [UInt8], deadline: ContinuousClock.Instant? = nil) async throws {
        let headers: HTTPHeaders = ["Content-Type": "application/zip", "x-amz-checksum-sha256": Base64.encode(SHA256.hash(body))]
        _ = try await s3("PutObject", method: "PUT", bucket: bucket, path: "/" + PercentEncoding.encode(key, keepSlash: true),
                         headers: headers, body: body, deadline: deadline)
    }

    /// `CreateBucket` in this client's region, then public access blocked, default encryption (SSE-S3)
    /// and object ownership enforced for the bucket owner.
    package func createPrivateBucket(_ bucket: String, deadline: ContinuousClock.Instant? = nil) async throws {
        let configuration = region == "us-east-1" ? "" :
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
        _ = try await s3("CreateBucket", method: "PUT", bucket: bucket, path: "/", body: Array(configuration.utf8), deadline: deadline)
        let namespace = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
        let settings: [(operation: String, query: String, body: String)] = [
            ("PutPublicAccessBlock", "publicAccessBlock",
             "<PublicAccessBlockConfiguration \(namespace)><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
            ("PutBucketEncryption", "encryption",
             "<ServerSideEncryptionConfiguration \(namespace)><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"),
            ("PutBucketOwnershipControls", "ownershipControls",
             "<OwnershipControls \(namespace)><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"),
        ]
        for setting in settings {
            let body = Array(setting.body.utf8)
            let headers: HTTPHeaders = ["Content-Type": "application/xml", "x-amz-checksum-sha256": Base64.encode(SHA256.hash(body))]
            _ = try await s3(setting.operation, method: "PUT", bucket: bucket, path: "/?" + setting.query, headers: headers, body: body, deadline: deadline)
        }
    }

    private func s3(
        _ operation: String, method: String, bucket: String, path: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], deadline: ContinuousClock.Instant?
    ) async throws -> HTTPResponse {
        let request = AWSRequest(method: method, path: path, headers: headers, body: body, bucket: bucket)
        return try await send(.s3, operation: operation, request: request, deadline: deadline) { response in
            ErrorParser.queryError(response, service: .s3, operation: operation)
        }
    }
}
