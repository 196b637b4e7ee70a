import AWSIdentifiers
import Layout
import CloudFormation

/// The IAM roles the alert stacks use, created once in the management account by the roles stack that
/// `deploy` runs itself (never through a StackSet): the filter's role, the role EventBridge forwards
/// with, the chat channels' role and guardrail, and this account's reader. The StackSet execution role
/// therefore creates no role: it may only pass these, each to its one service.
public enum ManagementRoles {
    /// Logical names in the roles template.
    public enum Names {
        public static let filterRole = "FilterFunctionRole"
        public static let forwardRole = "ForwardStackFailuresRole"
        public static let chatRole = "ChatChannelRole"
        public static let chatGuardrail = "ChatGuardrailPolicy"
        public static let readerRole = "ReaderRole"
    }

    /// A role of the roles stack as any template of the management account names it (the layout's path).
    public static func roleArn(_ name: PhysicalName, layout: Layout) -> CFNValue {
        .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role\(layout.rolePath ?? "/")\(name.template)")
    }

    /// Whether the layout has chat routes (each has a Slack or Teams channel, which needs the channel role).
    static func hasChatChannels(_ layout: Layout) -> Bool {
        layout.routes.contains { if case .chat = $0.destination { true } else { false } }
    }

    /// Adds the roles the layout needs, with the parameters they use (`OrganizationId`, `MemberRoleName`).
    static func add(for layout: Layout, to t: inout TemplateBuilder) {
        t.parameter(
            .organizationId,
            .string("AWS Organizations id: the only organization whose accounts the filter may assume the member role in.",
                    default: layout.organizationId, pattern: "^o-[a-z0-9]{10,32}$", constraint: "o- followed by 10 to 32 lowercase letters or digits"))
        t.parameter(
            .memberRoleName,
            .string("Role in member accounts that the filter assumes to describe provisioned products.",
                    default: layout.memberRoleName, pattern: "^[\\w+=,.@-]{1,64}$", constraint: "an IAM role name"))
        var filter = IAM.Role(assumeRolePolicyDocument: trust(service: "lambda.amazonaws.com"))
        filter.description = "CatalogWatch filter: write its logs, publish alerts, read its events, assume the reader role in the organization."
        filter.roleName = PhysicalName.filter.sub
        filter.policies = [IAM.Role.Policy(policyDocument: FilterRolePolicy(layout: layout).document.cfnValue, policyName: "catalogwatch-filter")]
        let filterRole = t.resource(Names.filterRole, filter)
        if layout.source.usesEventBridge {
            var forward = IAM.Role(assumeRolePolicyDocument: trust(service: "events.amazonaws.com"))
            forward.description = "CatalogWatch: lets EventBridge forward Service Catalog stack failures from every region to the central bus."
            forward.roleName = PhysicalName.forwardRole.sub
            forward.policies = [AlertStackParts.ForwardingRule.putOnCentralBus(.sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/\(PhysicalName.centralBus.template)"))]
            t.resource(Names.forwardRole, forward)
        }
        if hasChatChannels(layout) {
            var chat = IAM.Role(assumeRolePolicyDocument: trust(service: "chatbot.amazonaws.com"))
            chat.description = "CatalogWatch chat channels: shows notifications only; no permissions."
            chat.roleName = PhysicalName.chatRole.sub
            t.resource(Names.chatRole, chat)
            var guardrail = IAM.ManagedPolicy(
                policyDocument: PolicyDocument([PolicyStatement(sid: "NotificationsOnly", effect: .deny, actions: ["*"], resources: ["*"])]).cfnValue)
            guardrail.description = "CatalogWatch chat channels: members can run nothing through the channel."
            guardrail.managedPolicyName = PhysicalName.chatGuardrail.sub
            t.resource(Names.chatGuardrail, guardrail)
        }
        if layout.deployMemberRole {
            // Products launched in the management account itself are read through the same role.
            t.resource(Names.readerRole, MemberReader.role(filterRoleArn: filterRole.getAtt(.arn)))
        }
        t.output("FilterRoleArn", filterRole.getAtt(.arn), description: "The filter's role; member accounts' reader roles trust it.")
    }

    /// A trust policy for `service`, on behalf of this account only.
    static func trust(service: String) -> CFNValue {
        PolicyDocument([
            PolicyStatement(
                principal: .service([.string(service)]), actions: ["sts:AssumeRole"],
                conditions: [PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId)])
        ]).cfnValue
    }
}

/// What the filter may do, each resource by its physical name in the main region (the roles stack's own
/// region): write its logs, publish alerts (and chat notifications), keep or read its events, record
/// alerts sent, use the alert key, check that an account belongs to the organization, and assume the
/// member role only in accounts of the organization.
struct FilterRolePolicy {
    var layout: Layout

    func arn(_ service: String, _ resource: String) -> CFNValue {
        .sub("arn:${AWS::Partition}:\(service):${AWS::Region}:${AWS::AccountId}:\(resource)")
    }

    var document: PolicyDocument {
        var statements = [
            PolicyStatement(
                sid: "WriteOwnLogs", actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
                resources: [arn("logs", "log-group:/aws/lambda/\(PhysicalName.filter.template):*")]),
            PolicyStatement(
                sid: "PublishAlerts", actions: ["sns:Publish"],
                resources: [arn("sns", PhysicalName.alertTopic.template)] + chatTopics.map { arn("sns", $0) }),
        ]
        if layout.buffer == .sqs {
            statements.append(PolicyStatement(
                sid: "ReadBufferedEvents",
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                resources: [arn("sqs", PhysicalName.eventQueue.template)]))
        } else {
            statements.append(PolicyStatement(
                sid: "KeepFailedInvocations", actions: ["sqs:SendMessage"], resources: [arn("sqs", PhysicalName.filterDeadLetterQueue.template)]))
        }
        if layout.usesAlertLedger {
            statements.append(PolicyStatement(
                sid: "RecordAlertsSent", actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                resources: [arn("dynamodb", "table/\(PhysicalName.alertLedger.template)")]))
        }
        if layout.usesDigests {
            statements.append(PolicyStatement(
                sid: "ScheduleAndReadDigestFlushes",
                actions: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                resources: [arn("sqs", PhysicalName.digestQueue.template)]))
        }
        if let key = keyStatement { statements.append(key) }
        statements.append(PolicyStatement(
            sid: "CheckAccountIsInOrganization", actions: ["organizations:DescribeAccount"],
            resources: [.sub("arn:${AWS::Partition}:organizations::${AWS::AccountId}:account/\(ParameterName.organizationId.template)/*")]))
        statements.append(PolicyStatement(
            sid: "AssumeReaderInOrganizationAccounts", actions: ["sts:AssumeRole"],
            resources: [.sub("arn:${AWS::Partition}:iam::*:role\(memberRolePath)\(ParameterName.memberRoleName.template)")],
            conditions: [PolicyCondition(.stringEquals, "aws:ResourceOrgID", ParameterName.organizationId.ref)]))
        return PolicyDocument(statements)
    }

    /// The member role's path: the layout's role path for the reader CatalogWatch deploys, `/` otherwise.
    var memberRolePath: String { layout.deployMemberRole ? layout.rolePath ?? "/" : "/" }

    /// The chat routes' topic names (`${NamePrefix}-chat-<route>`).
    var chatTopics: [String] {
        layout.routes.compactMap { route in
            guard case .chat = route.destination else { return nil }
            return "\(PhysicalName.chatTopic(route.name).template)"
        }
    }

    /// The layout's key in this region (a multi-Region key's replica here); a generated key's own policy
    /// grants the filter's role instead.
    var keyStatement: PolicyStatement? {
        switch layout.encryption {
        case nil:
            return nil
        case .key(let text)?:
            let resource: CFNValue
            if let key = ARN(text), key.resource.hasPrefix("key/mrk-") {
                resource = .sub("arn:${AWS::Partition}:kms:${AWS::Region}:\(key.account):\(key.resource)")
            } else {
                resource = .string(text)
            }
            return PolicyStatement(sid: "UseAlertKey", actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [resource])
        case .generatedKey?:
            return nil  // the generated key's own policy names the filter's role

        }
    }
}
