import FilterCore
import AWSIdentifiers
import FilterContract
import URLText

/// The filter's settings, read from the Lambda environment (the alert stack sets them).
public struct FilterConfiguration: Sendable, Equatable {
    /// `ALERT_TOPIC_ARN`: the send topic.
    public var alertTopicArn: String
    /// `MEMBER_ROLE_NAME`: the role assumed in member accounts.
    public var memberRoleName: String
    /// `ALERT_STATUSES`: which stack statuses alert (default: the terminal failures).
    public var alertStatuses: Set<StackStatus>
    /// `AWS_REGION`: where the filter (and the send topic) run.
    public var region: String
    /// `ALERT_LEDGER_TABLE`: the DynamoDB table that records alerted failures (`AlertLedger`), set when the
    /// same failure can arrive more than once (EventBridge); nil without one.
    public var alertLedgerTable: String?
    /// `ROUTE_TAGS`: the stack tag keys whose values alerts carry as the message attributes `tag.<key>`
    /// (`RouteTags`); empty without it.
    package var routeTags: [String] = []
    /// `CHAT_ROUTES`: the chat topics and the policies that pick the alerts whose chat notification each gets
    /// (`ChatPublisher`); empty without it.
    package var chatRoutes: [ChatRoute] = []
    /// `RUNBOOKS`: the runbook URL per product and the default, for the alerts' links; empty without it.
    package var runbooks = Runbooks([])
    /// `CONSOLE_START_URL` and `CONSOLE_ROLE_NAME`: the access portal member-account links sign in through; nil without them.
    package var consoleSignIn: ConsoleSignIn?
    /// `DIGEST`: which routes hold a storm's failures for one digest, and how (`DigestCodec`); nil without it.
    package var digests: DigestRules?
    /// `DIGEST_QUEUE_URL`: the queue whose delayed messages flush digests (with `DIGEST`).
    package var digestQueueURL: String?

    /// The links of an alert about `failure`: its console pages, signed in through the portal when there
    /// is one, and the runbook of its product.
    package func links(_ failure: StackFailure, _ enrichment: Enrichment) -> ConsoleLinks {
        ConsoleLinks(
            failure: failure, productId: enrichment.productId, provisioningArtifactId: enrichment.provisioningArtifactId,
            runbook: runbooks.runbook(productId: enrichment.productId, productName: enrichment.productName), signIn: consoleSignIn)
    }

    /// The links of a digest: its product version's page (in the region of its first failure) and its runbook.
    package func digestLinks(_ content: DigestContent) -> ConsoleLinks {
        let s = content.subject
        let first = content.entries.first
        return ConsoleLinks(
            productVersion: first.flatMap {
                ConsoleLinks.productVersion(partition: $0.partition, region: $0.region, productId: s.productId, artifactId: s.provisioningArtifactId)
            },
            runbook: runbooks.runbook(productId: s.productId, productName: s.productName))
    }

    public init(
        alertTopicArn: String, memberRoleName: String, alertStatuses: Set<StackStatus> = AlertStatuses.default, region: String,
        alertLedgerTable: String? = nil
    ) {
        self.alertTopicArn = alertTopicArn
        self.memberRoleName = memberRoleName
        self.alertStatuses = alertStatuses
        self.region = region
        self.alertLedgerTable = alertLedgerTable
    }

    /// A missing or invalid setting; the runtime reports it through `init/error`.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads the settings; every problem is named in the error.
    public static func from(environment env: [String: String]) throws(Problem) -> FilterConfiguration {
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let v = env[name], !v.allSatisfy(\.isWhitespace) else { return nil }
            return v
        }
        let topic = value(FilterVariable.alertTopicArn.name) ?? ""
        if topic.isEmpty {
            problems.append("\(FilterVariable.alertTopicArn.name) is not set (the ARN of the send topic)")
        } else if !isTopicARN(topic) {
            problems.append("\(FilterVariable.alertTopicArn.name) '\(ContractText.oneLine(topic, limit: 300))' is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
        }
        let role = value(FilterVariable.memberRoleName.name) ?? ""
        if role.isEmpty { problems.append("\(FilterVariable.memberRoleName.name) is not set (the role to assume in member accounts)") }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? ""
        if region.isEmpty { problems.append("AWS_REGION is not set") }
        var statuses = AlertStatuses.default
        do {
            statuses = try AlertStatuses.parse(env[FilterVariable.alertStatuses.name])
        } catch {
            problems.append(error.description)
        }
        let ledger = value(FilterVariable.alertLedgerTable.name)
        if let ledger, !isTableName(ledger) {
            problems.append("\(FilterVariable.alertLedgerTable.name) '\(ContractText.oneLine(ledger, limit: 300))' is not a DynamoDB table name (3 to 255 letters, digits, '_', '-' and '.')")
        }
        let tags = routeTags(env[FilterVariable.routeTags.name])
        let chat = chatRoutes(env[FilterVariable.chatRoutes.name], routeTags: tags.keys)
        let runbooks = RunbooksCodec.decode(env[FilterVariable.runbooks.name])
        let signIn = consoleSignIn(start: value(FilterVariable.consoleStartURL.name), role: value(FilterVariable.consoleRoleName.name))
        let digest = digestSettings(env, ledger: ledger)
        problems += tags.problems + chat.problems + runbooks.problems + signIn.problems + digest.problems
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "; ")) }
        var configuration = FilterConfiguration(
            alertTopicArn: topic, memberRoleName: role, alertStatuses: statuses, region: region, alertLedgerTable: ledger)
        configuration.routeTags = tags.keys
        configuration.chatRoutes = chat.routes
        configuration.runbooks = runbooks.runbooks
        configuration.consoleSignIn = signIn.signIn
        configuration.digests = digest.rules
        configuration.digestQueueURL = digest.queueURL
        return configuration
    }

    /// `DIGEST` with the queue its flushes go through (`DIGEST_QUEUE_URL`, an https URL) and the ledger that
    /// holds the failures (`ALERT_LEDGER_TABLE`): all three, or no digests.
    static func digestSettings(_ env: [String: String], ledger: String?) -> (rules: DigestRules?, queueURL: String?, problems: [String]) {
        let (digestName, queueName) = (FilterVariable.digest.name, FilterVariable.digestQueueURL.name)
        let decoded = DigestCodec.decode(env[digestName])
        guard let rules = decoded.rules, rules.isActive else { return (nil, nil, decoded.problems) }
        var problems: [String] = []
        let queue = env[queueName].flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        if queue == nil { problems.append("\(digestName) is set but \(queueName) is not (the queue that flushes digests)") }
        if let queue, !(queue.hasPrefix("https://") || queue.hasPrefix("http://")) {
            problems.append("\(queueName) '\(ContractText.oneLine(queue, limit: 300))' is not a queue URL")
        }
        if ledger == nil { problems.append("\(digestName) is set but \(FilterVariable.alertLedgerTable.name) is not (the ledger that holds the failures)") }
        return problems.isEmpty ? (rules, queue, []) : (nil, nil, problems)
    }

    /// `CONSOLE_START_URL` (an https URL) and `CONSOLE_ROLE_NAME` (an IAM role name), both or neither.
    static func consoleSignIn(start: String?, role: String?) -> (signIn: ConsoleSignIn?, problems: [String]) {
        let (startName, roleName) = (FilterVariable.consoleStartURL.name, FilterVariable.consoleRoleName.name)
        switch (start, role) {
        case (nil, nil):
            return (nil, [])
        case (let start?, let role?):
            var problems: [String] = []
            if !HTTPSURL.isValid(start) { problems.append("\(startName) '\(ContractText.oneLine(start, limit: 300))' is not an https:// URL") }
            if !RoleName.isValid(role) { problems.append("\(roleName) '\(ContractText.oneLine(role, limit: 100))' is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)") }
            return (problems.isEmpty ? ConsoleSignIn(startURL: start, roleName: role) : nil, problems)
        case (_?, nil):
            return (nil, ["\(startName) is set but \(roleName) is not (the permission set to sign in with)"])
        case (nil, _?):
            return (nil, ["\(roleName) is set but \(startName) is not (the access portal's start URL)"])
        }
    }

    /// A DynamoDB table name: 3 to 255 of `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`.
    static func isTableName(_ name: String) -> Bool {
        (3...255).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D || c == 0x2E
            }
    }

    /// `arn:<partition>:sns:<region>:<12-digit account>:<name>`, the name of letters, digits, `-` and `_`
    /// (with an optional `.fifo` suffix), at most 256 characters.
    static func isTopicARN(_ text: String) -> Bool {
        guard let arn = ARN(text), arn.service == "sns", !arn.region.isEmpty,
            arn.region.allSatisfy({ ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "-" }), arn.hasAccountID
        else { return false }
        let name = arn.resource.hasSuffix(".fifo") ? arn.resource.dropLast(5) : Substring(arn.resource)
        return !name.isEmpty && name.count <= 256 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
