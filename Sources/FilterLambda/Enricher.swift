import AWSClient
import AWSIdentifiers
import FilterContract
import FilterCore

/// Looks up what is known about a failed stack; never throws: what cannot be found becomes a `lookupFailures` line.
public protocol Enricher: Sendable {
    func enrich(_ failure: StackFailure, deadline: ContinuousClock.Instant) async -> Enrichment
}

/// Publishes an alert; throws when it could not be delivered (the event must then be retried).
public protocol AlertSink: Sendable {
    func publish(_ alert: Alert, deadline: ContinuousClock.Instant) async throws -> String
}

/// Publishes to the send topic with `MessageStructure: json` and filterable message attributes.
public struct SNSAlertSink: AlertSink {
    public let client: AWSClient
    public let topicArn: String

    /// Publishes through `client` in the topic's own region (SNS only finds a topic through its regional
    /// endpoint), whatever region `client` was made for.
    public init(client: AWSClient, topicArn: String) {
        self.client = Self.client(client, forTopic: topicArn)
        self.topicArn = topicArn
    }

    /// `client` in the region of the topic `topicArn` (unchanged when the ARN names none).
    static func client(_ client: AWSClient, forTopic topicArn: String) -> AWSClient {
        guard let arn = ARN(topicArn), !arn.region.isEmpty else { return client }
        return client.with(region: arn.region)
    }

    public func publish(_ alert: Alert, deadline: ContinuousClock.Instant) async throws -> String {
        try await client.publish(
            topicArn: topicArn, message: alert.snsMessage, subject: alert.subject, messageStructure: "json",
            messageAttributes: alert.messageAttributes.map { SNSMessageAttribute(name: $0.name, stringValue: $0.value) },
            deadline: deadline)
    }
}

/// Enriches from the member account: assumes `MEMBER_ROLE_NAME` there, then asks Service Catalog and
/// CloudFormation in the stack's own region.
public struct AWSEnricher: Enricher {
    /// Signs `AssumeRole` with the function's own credentials, in the function's region.
    public let sts: AWSClient
    public let memberRoleName: String
    public let cache: AssumeRoleCache
    /// How many pages of stack events to read at most when looking for the root cause.
    public var maxEventPages = 5
    /// `ROUTE_TAGS`: the stack tags to read (one `DescribeStacks` per alert) into `Enrichment.stackTags`;
    /// none are read when empty.
    package var routeTags: [String] = []
    /// Checks that the event's account is in the organization before any role is assumed there; nil: no check.
    public var membership: OrganizationMembership?

    public init(sts: AWSClient, memberRoleName: String, cache: AssumeRoleCache) {
        self.sts = sts
        self.memberRoleName = memberRoleName
        self.cache = cache
    }

    /// The Service Catalog calls one alert makes at the same time (version, product, record, after the
    /// provisioned product): the connections a cold process opens ahead to a member region's endpoint.
    public static let concurrentCatalogLookups = 3

    public func enrich(_ failure: StackFailure, deadline: ContinuousClock.Instant) async -> Enrichment {
        var enrichment = Enrichment()
        guard AccountID.isValid(failure.account) else {
            let shown = ["", "unknown"].contains(failure.account)
                ? "unknown (no usable StackId)" : "'\(ContractText.oneLine(failure.account, limit: 40))' is not \(AccountID.length) digits"
            enrichment.lookupFailures.append("refused: member account \(shown); no role assumed, nothing looked up")
            return enrichment
        }
        if let refusal = await refusal(failure.account, deadline: deadline) {
            enrichment.lookupFailures.append(refusal)
            return enrichment
        }
        let roleArn = "arn:\(failure.partition):iam::\(failure.account):role/\(memberRoleName)"
        // AssumeRole takes no deadline of its own: bound the client's budget by the time left.
        var boundedSTS = sts
        boundedSTS.defaultTimeBudget = max(.milliseconds(1), min(sts.defaultTimeBudget, deadline - ContinuousClock.now))
        let provider = AssumedRoleCredentials(sts: boundedSTS, cache: cache, roleArn: roleArn, sessionName: "catalogwatch-filter")
        do {
            _ = try await provider.credentials()
        } catch {
            enrichment.lookupFailures.append("role \(roleArn): \(Self.describe(error)); product details and root cause not looked up")
            return enrichment
        }
        let member = sts.with(credentials: provider).with(region: failure.region)
        async let product = lookUpProduct(failure, member, deadline)
        async let cause = lookUpRootCause(failure, member, deadline)
        async let tags = lookUpTags(failure, member, deadline)
        let (p, c, t) = await (product, cause, tags)
        enrichment.provisionedProductName = p.provisionedProductName
        enrichment.productId = p.productId
        enrichment.productName = p.productName
        enrichment.provisioningArtifactId = p.provisioningArtifactId
        enrichment.provisioningArtifactName = p.provisioningArtifactName
        enrichment.provisioningArtifactDescription = p.provisioningArtifactDescription
        enrichment.recordErrors = p.recordErrors
        enrichment.rootCause = c.rootCause
        enrichment.stackTags = t.stackTags
        enrichment.lookupFailures += p.lookupFailures + c.lookupFailures + t.lookupFailures
        return enrichment
    }

    /// Why no role may be assumed in `account` (not an account of the organization), else nil.
    func refusal(_ account: String, deadline: ContinuousClock.Instant) async -> String? {
        guard let membership else { return nil }
        switch await membership.check(account, deadline: deadline) {
        case .member, .unknown: return nil
        case .notMember:
            return "refused: account \(account) is not in this organization (Organizations DescribeAccount: AccountNotFoundException); no role assumed, nothing looked up"
        }
    }

    /// The stack's tags that `routeTags` names, from one `DescribeStacks` (none without `routeTags`). When
    /// they cannot be read the alert goes without tag attributes, on the default route.
    func lookUpTags(_ failure: StackFailure, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Enrichment {
        var e = Enrichment()
        guard !routeTags.isEmpty else { return e }
        do {
            let tags = try await member.describeStackTags(stackName: failure.stackId ?? failure.stackName, deadline: deadline)
            for key in routeTags {
                if let value = tags[key] { e.stackTags[key] = value }
            }
        } catch {
            e.lookupFailures.append("tags of stack \(failure.stackName): \(Self.describe(error)); alert sent without tag attributes")
        }
        return e
    }

    func lookUpProduct(_ failure: StackFailure, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Enrichment {
        var e = Enrichment()
        guard let id = failure.provisionedProductId else { return e }
        let detail: ProvisionedProductDetail
        do {
            detail = try await member.describeProvisionedProduct(id: id, deadline: deadline)
        } catch {
            e.lookupFailures.append("provisioned product \(id): \(Self.describe(error))")
            return e
        }
        e.provisionedProductName = detail.name
        e.productId = detail.productId
        e.provisioningArtifactId = detail.provisioningArtifactId
        async let artifact = fetchArtifact(detail, member, deadline)
        async let product = fetchProduct(detail, member, deadline)
        async let record = fetchRecord(detail, member, deadline)
        switch await artifact {
        case .success(let a)?:
            e.provisioningArtifactName = a.name
            e.provisioningArtifactDescription = a.description
        case .failure(let error)?:
            e.lookupFailures.append("product version \(detail.provisioningArtifactId ?? "?"): \(Self.describe(error))")
        case nil:
            break
        }
        switch await product {
        case .success(let p)?: e.productName = p.name
        case .failure(let error)?: e.lookupFailures.append("product \(detail.productId ?? "?"): \(Self.describe(error))")
        case nil: break
        }
        switch await record {
        case .success(let r)?:
            e.recordErrors = r.recordErrors.map { [$0.code, $0.description].compactMap { $0 }.joined(separator: ": ") }
        case .failure(let error)?:
            e.lookupFailures.append("record \(detail.lastRecordId ?? "?"): \(Self.describe(error))")
        case nil:
            break
        }
        return e
    }

    func fetchArtifact(_ d: ProvisionedProductDetail, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Result<ProvisioningArtifactDetail, any Error>? {
        guard let productId = d.productId, let artifactId = d.provisioningArtifactId else { return nil }
        return await Self.result {
            try await member.describeProvisioningArtifact(productId: productId, provisioningArtifactId: artifactId, deadline: deadline)
        }
    }

    func fetchProduct(_ d: ProvisionedProductDetail, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Result<ProductViewSummary, any Error>? {
        guard let productId = d.productId else { return nil }
        return await Self.result { try await member.describeProduct(id: productId, deadline: deadline) }
    }

    func fetchRecord(_ d: ProvisionedProductDetail, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Result<RecordDetail, any Error>? {
        guard let recordId = d.lastRecordId else { return nil }
        return await Self.result { try await member.describeRecord(id: recordId, deadline: deadline) }
    }

    func lookUpRootCause(_ failure: StackFailure, _ member: AWSClient, _ deadline: ContinuousClock.Instant) async -> Enrichment {
        var e = Enrichment()
        let stack = failure.stackId ?? failure.stackName
        var events: [StackEvent] = []
        var token: String?
        do {
            for _ in 0..<maxEventPages {
                let page = try await member.describeStackEvents(stackName: stack, nextToken: token, deadline: deadline)
                events += page.events
                token = page.nextToken
                if token == nil || RootCause.operationStart(in: events, stackName: failure.stackName) != nil { break }
            }
        } catch {
            e.lookupFailures.append("stack events of \(failure.stackName): \(Self.describe(error))")
            if events.isEmpty { return e }
        }
        if let cause = RootCause.find(in: events, stackName: failure.stackName) {
            e.rootCause = Enrichment.RootCause(
                logicalResourceId: cause.logicalResourceId, resourceType: cause.resourceType, status: cause.resourceStatus,
                reason: cause.resourceStatusReason)
        }
        return e
    }

    static func result<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// A short, secret-free description of a lookup error.
    static func describe(_ error: any Error) -> String {
        if let e = error as? AWSError {
            // A body without an error code leaves the bare HTTP status as the code.
            let code = !e.code.isEmpty && e.code.allSatisfy(\.isNumber) ? "HTTP \(e.code)" : e.code
            let message = ContractText.oneLine(e.message, limit: 160)
            return message.allSatisfy(\.isWhitespace) ? code : "\(code) (\(message))"
        }
        return ContractText.oneLine(String(describing: error), limit: 200)
    }
}

/// Picks the resource event that caused a stack operation to fail.
public enum RootCause {
    static let operationStarts: Set<String> = ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"]

    /// Index (in newest-first `events`) of the stack-level event that started the latest operation.
    public static func operationStart(in events: [StackEvent], stackName: String) -> Int? {
        events.firstIndex { $0.logicalResourceId == stackName && $0.resourceType == "AWS::CloudFormation::Stack" && operationStarts.contains($0.resourceStatus) }
    }

    /// The earliest `*_FAILED` resource event of the latest operation, preferring a real cause over
    /// "Resource creation cancelled" follow-ups. `events` are newest first, as CloudFormation returns them.
    public static func find(in events: [StackEvent], stackName: String) -> StackEvent? {
        let end = operationStart(in: events, stackName: stackName) ?? events.count
        let failed = events[0..<end].filter {
            $0.resourceStatus.hasSuffix("_FAILED") && !($0.logicalResourceId == stackName && $0.resourceType == "AWS::CloudFormation::Stack")
        }
        let real = failed.filter { !($0.resourceStatusReason ?? "").lowercased().split(whereSeparator: { !$0.isLetter }).contains("cancelled") }
        return real.last ?? failed.last
    }
}
