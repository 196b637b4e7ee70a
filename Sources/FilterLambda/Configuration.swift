import FilterCore

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

    public init(alertTopicArn: String, memberRoleName: String, alertStatuses: Set<StackStatus> = AlertStatuses.default, region: String) {
        self.alertTopicArn = alertTopicArn
        self.memberRoleName = memberRoleName
        self.alertStatuses = alertStatuses
        self.region = region
    }

    /// A missing or invalid setting; the runtime reports it through `init/error`.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads the settings; every problem is named in the error.
    public static func from(environment env: [String: String]) throws(Problem) -> FilterConfiguration {
        var problems: [String] = []
        let topic = env["ALERT_TOPIC_ARN"] ?? ""
        let topicFields = topic.split(separator: ":", omittingEmptySubsequences: false)
        if topic.isEmpty {
            problems.append("ALERT_TOPIC_ARN is not set (the ARN of the send topic)")
        } else if topicFields.count != 6 || topicFields[0] != "arn" || topicFields[2] != "sns" {
            problems.append("ALERT_TOPIC_ARN '\(topic)' is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>)")
        }
        let role = env["MEMBER_ROLE_NAME"] ?? ""
        if role.isEmpty { problems.append("MEMBER_ROLE_NAME is not set (the role to assume in member accounts)") }
        let region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? ""
        if region.isEmpty { problems.append("AWS_REGION is not set") }
        var statuses = AlertStatuses.default
        do {
            statuses = try AlertStatuses.parse(env["ALERT_STATUSES"])
        } catch {
            problems.append(error.description)
        }
        guard problems.isEmpty else { throw Problem(description: problems.joined(separator: "; ")) }
        return FilterConfiguration(alertTopicArn: topic, memberRoleName: role, alertStatuses: statuses, region: region)
    }
}
