import AWSIdentifiers
import SHA2

/// AWS Signature Version 4 header signing, byte-compatible with botocore's `SigV4Auth`.
public enum SigV4 {
    static let algorithm = "AWS4-HMAC-SHA256"
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Headers never signed (hop-by-hop, or rewritten by proxies and clients).
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The intermediate values of one signature, for tests and debugging (contains no secret).
    struct Signature: Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signedHeaders: String
        var signature: String
        var authorization: String
    }

    /// Signs `request` in place: sets `X-Amz-Date`, `X-Amz-Security-Token` (with a session token),
    /// optionally `X-Amz-Content-SHA256`, and `Authorization`. Every other header present is signed too,
    /// except `User-Agent` and hop-by-hop headers; `host` comes from the URL. `date` is the signing time.
    public static func sign(
        request: inout HTTPRequest,
        credentials: Credentials,
        region: String,
        service: String,
        date: UnixTime,
        includeContentSHA256: Bool = false
    ) throws {
        _ = try signature(request: &request, credentials: credentials, region: region, service: service,
                          date: date, includeContentSHA256: includeContentSHA256)
    }

    @discardableResult
    static func signature(
        request: inout HTTPRequest,
        credentials: Credentials,
        region: String,
        service: String,
        date: UnixTime,
        includeContentSHA256: Bool = false
    ) throws -> Signature {
        guard let url = URLParts(request.url) else {
            throw AWSClientError.invalidRequest("cannot sign a request whose URL is not absolute http(s)")
        }
        let timestamp = AWSTimestamp.amzDate(date)
        let day = String(timestamp.prefix(8))

        request.headers.remove(name: "Authorization")
        request.headers.replaceOrAdd(name: "X-Amz-Date", value: timestamp)
        if let token = credentials.sessionToken {
            request.headers.replaceOrAdd(name: "X-Amz-Security-Token", value: token)
        }
        let payloadHash: String
        if includeContentSHA256 {
            payloadHash = Hex.encode(SHA256.hash(request.body))
            request.headers.replaceOrAdd(name: "X-Amz-Content-SHA256", value: payloadHash)
        } else if let given = request.headers["X-Amz-Content-SHA256"] {
            payloadHash = given
        } else {
            payloadHash = request.body.isEmpty ? emptyPayloadHash : Hex.encode(SHA256.hash(request.body))
        }

        // Signed headers: lowercased names, sorted, repeated values joined by commas.
        var values: [String: [String]] = [:]
        for field in request.headers {
            let name = asciiLowercased(field.name)
            if unsignedHeaders.contains(name) { continue }
            values[name, default: []].append(trimAll(field.value))
        }
        if values["host"] == nil { values["host"] = [url.hostHeader] }
        let names = values.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let canonicalHeaders = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalRequest = [
            request.method.uppercased(),
            canonicalPath(url.path),
            canonicalQuery(url.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            algorithm, timestamp, scope, Hex.encode(SHA256.hash(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let key = signingKey(secret: credentials.secretAccessKey, day: day, region: region, service: service)
        let signature = Hex.encode(HMACSHA256.authenticationCode(for: Array(stringToSign.utf8), key: key))
        let authorization = "\(algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        request.headers.add(name: "Authorization", value: authorization)
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign,
                         signedHeaders: signedHeaders, signature: signature, authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    static func signingKey(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = Array(("AWS4" + secret).utf8)
        for part in [day, region, service, "aws4_request"] {
            key = HMACSHA256.authenticationCode(for: Array(part.utf8), key: key)
        }
        return key
    }

    /// Dot segments and empty segments removed, then every byte but unreserved and `/` encoded
    /// (so an already-encoded path is encoded twice, as AWS expects for every service but S3).
    static func canonicalPath(_ rawPath: String) -> String {
        guard !rawPath.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
                continue
            }
            output.append(segment)
        }
        var normalized = rawPath.hasPrefix("/") ? "/" : ""
        normalized += output.joined(separator: "/")
        if rawPath.hasSuffix("/"), !output.isEmpty { normalized += "/" }
        return PercentEncoding.encode(normalized, keepSlash: true)
    }

    /// Pairs decoded, re-encoded with the unreserved set, sorted by key then value.
    static func canonicalQuery(_ rawQuery: String?) -> String {
        guard let rawQuery, !rawQuery.isEmpty else { return "" }
        var pairs: [(key: String, value: String)] = []
        for piece in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let equals = piece.firstIndex(of: "=") {
                key = piece[..<equals]
                value = piece[piece.index(after: equals)...]
            } else {
                key = piece
                value = ""
            }
            pairs.append((PercentEncoding.encode(bytes: PercentEncoding.decodeBytes(key)),
                          PercentEncoding.encode(bytes: PercentEncoding.decodeBytes(value))))
        }
        pairs.sort { lhs, rhs in
            if lhs.key != rhs.key { return Array(lhs.key.utf8).lexicographicallyPrecedes(Array(rhs.key.utf8)) }
            return Array(lhs.value.utf8).lexicographicallyPrecedes(Array(rhs.value.utf8))
        }
        return pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// Leading and trailing whitespace removed, inner runs collapsed to one space (botocore's `' '.join(v.split())`).
    static func trimAll(_ value: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" || $0 == "\r\n" }
        return value.split(whereSeparator: isSpace).joined(separator: " ")
    }
}
