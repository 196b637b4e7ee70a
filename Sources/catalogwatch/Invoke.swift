import AWSClient
import AlertStack
import Layout
import ArgumentParser
import FilterCore
import FilterLambda
import Foundation
import URLSessionTransport
import FilterContract

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the filter locally on an event file.",
        discussion: """
            Runs the same handler as the Lambda on an SNS, SQS or EventBridge event. With --dry-run it prints the \
            decision for every record and the alerts it would publish, without calling AWS. Without it, it uses \
            the AWS credentials and endpoint overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) of the \
            environment, like the Lambda does, and ALERT_TOPIC_ARN / MEMBER_ROLE_NAME / ALERT_STATUSES.
            """)

    @Option(name: .long, help: ArgumentHelp("Event JSON file.", valueName: "file"))
    var event: String

    @Flag(name: .long, help: "Decide and compose, but call no AWS API.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Region of the filter (default: AWS_REGION, else ap-northeast-1).", valueName: "region"))
    var region: String?

    @Option(name: .long, help: ArgumentHelp("Send topic ARN (default: ALERT_TOPIC_ARN).", valueName: "arn"))
    var alertTopicArn: String?

    @Option(name: .long, help: ArgumentHelp("Member role name (default: MEMBER_ROLE_NAME, else catalogwatch-reader).", valueName: "name"))
    var memberRoleName: String?

    @Option(name: .long, help: ArgumentHelp("Invocation deadline in seconds.", valueName: "seconds"))
    var timeout: Int = 60

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: event) else { throw CLIError.usage("cannot read event file \(event)") }
        var env = ProcessInfo.processInfo.environment
        let region = self.region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "ap-northeast-1"
        env["AWS_REGION"] = region
        env[FilterVariable.memberRoleName.name] = memberRoleName ?? env[FilterVariable.memberRoleName.name] ?? Layout.readerRoleName(namePrefix: Layout.defaultNamePrefix)
        if let alertTopicArn { env[FilterVariable.alertTopicArn.name] = alertTopicArn }
        if dryRun, env[FilterVariable.alertTopicArn.name] == nil {
            env[FilterVariable.alertTopicArn.name] = "arn:\(AWSPartition.of(region: region).name):sns:\(region):000000000000:dry-run"
        }
        let configuration: FilterConfiguration
        do {
            configuration = try FilterConfiguration.from(environment: env)
        } catch {
            throw CLIError.usage(error.description)
        }
        let handler = FilterHandler(configuration: configuration, clockMs: { Int64(Date().timeIntervalSince1970 * 1000) })
        let log = MemoryLog()
        let logger = StructuredLogger(sink: log, requestId: "local")
        let triage = handler.triage([UInt8](data))
        if let rejection = triage.rejection { print("event: not understood (\(rejection))") }
        for (record, decision) in zip(triage.decoded?.records ?? [], triage.decisions) {
            let id = record.itemIdentifier ?? record.messageId ?? "#\(record.index)"
            switch decision {
            case .alert(let f): print("record \(id): ALERT \(f.status) \(f.stackName) (\(f.account)/\(f.region))")
            case .ignore(let reason): print("record \(id): ignore (\(reason.rawValue))")
            }
        }
        for d in triage.batch.duplicates { print("record #\(d.index): duplicate of #\(d.firstIndex), alerted once") }
        var enricher: (any Enricher)?
        var sink: (any AlertSink)?
        if !dryRun {
            let aws = AWSClient(
                transport: URLSessionTransport(), credentials: EnvironmentCredentials(environment: env),
                endpoints: EndpointResolver(environment: env), region: region)
            var awsEnricher = AWSEnricher(sts: aws, memberRoleName: configuration.memberRoleName, cache: AssumeRoleCache())
            awsEnricher.membership = OrganizationMembership(client: aws)
            enricher = awsEnricher
            sink = SNSAlertSink(client: aws, topicArn: configuration.alertTopicArn)
        }
        let outcome = await handler.deliver(triage, enricher: enricher, sink: sink, deadline: .now + .seconds(timeout), log: logger)
        for alert in outcome.alerts {
            print("")
            print("Subject: \(alert.subject)")
            print(alert.messageAttributes.map { "\($0.name)=\($0.value)" }.joined(separator: " "))
            print("")
            print(alert.text)
        }
        if !dryRun {
            print("")
            for line in log.lines { print(line) }
        }
        print("")
        switch outcome {
        case .answered(let response, _, _):
            print("response: \(response)")
        case .failed(let type, let message, _):
            print("invocation failed: \(type): \(message)")
            throw ExitCode(1)
        }
    }
}
