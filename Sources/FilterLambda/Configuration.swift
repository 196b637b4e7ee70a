import FilterCore
import AWSIdentifiers
import FilterContract

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
            problems.append("ALERT_TOPIC_ARN is not set (the ARN of the send topic)")
        } else if !isTopicARN(topic) {
            problems.append("ALERT_TOPIC_ARN '\(ContractText.oneLine(topic, limit: 300))' is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
        }
        let role = value(FilterVariable.memberRoleName.name) ?? ""
        if role.isEmpty { problems.append("MEMBER_ROLE_NAME is not set (the role to assume in member accounts)") }
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
            problems.append("ALERT_LEDGER_TABLE '\(ContractText.oneLine(ledger, limit: 300))' is not a DynamoDB table name (3 to 255 letters, digits, '_', '-' and '.')")
        }
        let tags = routeTags(env[FilterVariable.routeTags.name])
        let chat = chatRoutes(env[FilterVariable.chatRoutes.name], routeTags: tags.keys)
        problems += tags.problems + chat.problems
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "; ")) }
        var configuration = FilterConfiguration(
            alertTopicArn: topic, memberRoleName: role, alertStatuses: statuses, region: region, alertLedgerTable: ledger)
        configuration.routeTags = tags.keys
        configuration.chatRoutes = chat.routes
        return configuration
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
