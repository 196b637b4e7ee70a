// catalogwatch-filter: the Lambda function, as `bootstrap` in the zip `catalogwatch package` writes.
// The main entry is synchronous: the Runtime API loop uses blocking sockets, and Swift concurrency,
// the HTTP client and its event loop start only when an event holds a failure to alert on.
import AWSClient
import AWSIdentifiers
import Dispatch
import Glibc
import FilterCore
import FilterLambda
import LambdaRuntime
import NIOTransport

let environment = RuntimeLoop.processEnvironment()
let sink = StandardOutputLog()
let baseLog = StructuredLogger(sink: sink)

guard let endpoint = RuntimeLoop.endpoint(from: environment) else {
    baseLog.error("AWS_LAMBDA_RUNTIME_API is not set: catalogwatch-filter runs inside AWS Lambda (use `catalogwatch invoke` locally)")
    exit(2)
}

let client: RuntimeAPIClient
do {
    client = try RuntimeAPIClient(endpoint: endpoint)
} catch {
    baseLog.error("bad runtime API endpoint", [("error", .string(String(describing: error)))])
    exit(2)
}

let configuration: FilterConfiguration
do {
    configuration = try FilterConfiguration.from(environment: environment)
} catch {
    baseLog.error("configuration error", [("error", .string(error.description))])
    try? client.initError(errorType: "Runtime.ConfigurationError", message: error.description)
    exit(1)
}

let handler = FilterHandler(configuration: configuration, clockMs: { UnixTime.now().epochMilliseconds })

// AWS_CA_BUNDLE: extra trust roots, read now so that a bad file is reported at start-up. HTTPS requests
// then fail (alerts are retried by Lambda and end in the dead-letter queue) rather than trusting less than asked.
let caBundle = CABundle(environment: environment)
if let caBundle, let problem = caBundle.problem {
    baseLog.error("AWS_CA_BUNDLE unusable: HTTPS requests will fail until it is fixed", [
        ("path", .string(caBundle.path)), ("error", .string(problem)),
    ])
}

/// AWS clients, created on the first alert; the transport's pooled connections serve every later invocation.
final class Delivery: @unchecked Sendable {
    let transport: NIOTransport
    let enricher: AWSEnricher
    let sink: SNSAlertSink
    /// The alert ledger, when `ALERT_LEDGER_TABLE` names one.
    let ledger: AlertLedger?
    /// The chat routes, when `CHAT_ROUTES` lists any.
    let chat: ChatPublisher?
    /// The client of the filter's own region (SNS).
    let aws: AWSClient
    /// Storm digests, when `DIGEST` asks for them (with the ledger and the digest queue).
    let digests: DigestLedger?

    init(configuration: FilterConfiguration, environment: [String: String]) {
        transport = NIOTransport(caBundle: caBundle)
        let aws = AWSClient(
            transport: transport, credentials: EnvironmentCredentials(environment: environment),
            endpoints: EndpointResolver(environment: environment), region: configuration.region)
        var enricher = AWSEnricher(sts: aws, memberRoleName: configuration.memberRoleName, cache: AssumeRoleCache())
        enricher.routeTags = configuration.routeTags
        enricher.membership = OrganizationMembership(client: aws)
        self.enricher = enricher
        sink = SNSAlertSink(client: aws, topicArn: configuration.alertTopicArn)
        self.aws = aws
        ledger = configuration.alertLedgerTable.map { AlertLedger(client: aws, table: $0) }
        chat = configuration.chatRoutes.isEmpty ? nil : ChatPublisher(client: aws, routes: configuration.chatRoutes)
        if let rules = configuration.digests, let table = configuration.alertLedgerTable, let queue = configuration.digestQueueURL {
            digests = DigestLedger(client: aws, table: table, queueURL: queue, rules: rules)
        } else {
            digests = nil
        }
    }
}

extension Delivery {
    /// Starts opening, at once, every connection a first alert needs: the ledger (DynamoDB), the membership
    /// check (Organizations, in its partition's region), AssumeRole (STS), the member lookups in
    /// `memberRegions` (Service Catalog: one per concurrent lookup) and the send topic. Returns when all
    /// have started: a call that then finds its connection still being opened waits for it rather than
    /// opening another, so each handshake runs once, and all of them at the same time. Nobody awaits them:
    /// the invocation answers when its alerts are delivered, not when an unused connection is opened.
    func beginPreparingConnections(memberRegions: [String]) {
        var wanted: [(AWSService, String, Int)] = [(.sts, aws.region, 1), (.sns, aws.region, 1), (.organizations, aws.organizationsRegion, 1)]
        if ledger != nil { wanted.append((.dynamoDB, aws.region, 1)) }
        for region in memberRegions {
            wanted += [(.serviceCatalog, region, AWSEnricher.concurrentCatalogLookups), (.cloudFormation, region, 1)]
        }
        for (service, region, count) in wanted {
            guard let url = try? aws.endpoints.endpoint(for: service, region: region) else { continue }
            transport.beginPreparing(to: url, connections: count, timeout: .seconds(3))
        }
    }
}

nonisolated(unsafe) var delivery: Delivery?

/// Carries an async result back to the synchronous loop.
final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var value: Value?
}

/// Runs `body` on the global concurrent executor and blocks the calling thread until it ends.
/// The task must be detached: top-level code is main-actor isolated, so a plain `Task {}` started here
/// would be queued on the main actor, whose thread is the one blocked on the semaphore (a deadlock).
func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let box = ResultBox<Value>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        box.value = await body()
        done.signal()
    }
    done.wait()
    return box.value!
}

do {
    try RuntimeLoop.run(client: client, log: { baseLog.error($0) }) { invocation in
        let log = StructuredLogger(sink: sink, requestId: invocation.requestId)
        let triage = handler.triage(invocation.body)
        let outcome: FilterHandler.Outcome
        if triage.isQuiet {
            outcome = handler.quietOutcome(triage, log: log)
        } else {
            let cold = delivery == nil
            if delivery == nil { delivery = Delivery(configuration: configuration, environment: environment) }
            let d = delivery!
            // The deadline is wall-clock time; convert what is left into the monotonic clock.
            let deadline = ContinuousClock.now + .milliseconds(max(0, invocation.remainingMs - 300))
            let handler = handler
            let memberRegions = Array(Set(triage.batch.alerts.map(\.failure.region))).sorted()
            outcome = runBlocking {
                // A cold process has no connection yet: open all those the alerts need at once (the calls
                // wait for theirs). Warm processes reuse their pooled connections instead.
                if cold { d.beginPreparingConnections(memberRegions: memberRegions) }
                return await handler.deliver(
                    triage, enricher: d.enricher, sink: d.sink, ledger: d.ledger, chat: d.chat, digests: d.digests, deadline: deadline, log: log)
            }
        }
        switch outcome {
        case .answered(let response, _, _): return .success(Array(response.utf8))
        case .failed(let type, let message, _): return .failure(type: type, message: message)
        }
    }
} catch {
    baseLog.error("runtime API unavailable; exiting", [("error", .string(String(describing: error)))])
    if let transport = delivery?.transport { runBlocking { await transport.shutdown() } }
    exit(1)
}
