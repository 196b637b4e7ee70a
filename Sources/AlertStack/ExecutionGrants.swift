import CloudFormation
import Layout

/// What the StackSet execution role needs beyond the base alert stack, from the layout: the central bus
/// and rules of an EventBridge source, the ledger (EventBridge sources and digests), the heartbeat rule, a generated KMS key, chat channels, and SNS's invoke
/// permission on a Lambda route's function. Each statement names the resources by the alert stack's
/// names in this account; the roles the stack uses come from the roles stack, so it may only pass them,
/// each to its one service, and creates none.
struct ExecutionGrants {
    var layout: Layout

    var statements: [PolicyStatement] {
        var statements: [PolicyStatement] = []
        if layout.source.usesEventBridge { statements += eventBridgeStatements }
        if layout.usesAlertLedger { statements.append(ledgerStatement) }
        if layout.heartbeatMinutes != nil, layout.source.usesNotifications { statements.append(heartbeatStatement) }
        statements += keyStatements
        statements += routeStatements
        return statements
    }

    /// The central bus, its policy, the rules, and passing the forwarding role to EventBridge.
    var eventBridgeStatements: [PolicyStatement] {
        let account = "${AWS::AccountId}"
        return [
            PolicyStatement(
                sid: "EventBusAndRules",
                actions: [
                    "events:CreateEventBus", "events:DeleteEventBus", "events:DescribeEventBus", "events:UpdateEventBus", "events:PutRule",
                    "events:DeleteRule", "events:DescribeRule", "events:EnableRule", "events:DisableRule", "events:PutTargets",
                    "events:RemoveTargets", "events:ListTargetsByRule", "events:TagResource", "events:UntagResource",
                    "events:ListTagsForResource",
                ],
                resources: [
                    .sub("arn:${AWS::Partition}:events:*:\(account):event-bus/\(PhysicalName.centralBus.template)"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/\(PhysicalName.everyName.template)"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/\(PhysicalName.centralBus.template)/\(PhysicalName.everyName.template)"),
                ]),
            // The bus policy (AWS::Events::EventBusPolicy) is written with PutPermission, which IAM scopes to no resource.
            PolicyStatement(sid: "EventBusPolicy", actions: ["events:PutPermission", "events:RemovePermission"], resources: ["*"]),
            PolicyStatement(
                sid: "PassForwardRoleToEventBridge", actions: ["iam:PassRole"], resources: [ManagementRoles.roleArn(.forwardRole, layout: layout)],
                conditions: [PolicyCondition(.stringEquals, "iam:PassedToService", "events.amazonaws.com")]),
        ]
    }

    /// Each region's heartbeat rule (`heartbeat`), by its name.
    var heartbeatStatement: PolicyStatement {
        PolicyStatement(
            sid: "HeartbeatRule",
            actions: [
                "events:PutRule", "events:DeleteRule", "events:DescribeRule", "events:EnableRule", "events:DisableRule", "events:PutTargets",
                "events:RemoveTargets", "events:ListTargetsByRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource",
            ],
            resources: [.sub("arn:${AWS::Partition}:events:*:${AWS::AccountId}:rule/\(PhysicalName.heartbeatRule.template)")])
    }

    /// The alert ledger table (EventBridge sources deduplicate with it, digests hold failures in it).
    var ledgerStatement: PolicyStatement {
        PolicyStatement(
            sid: "AlertLedger",
            actions: [
                "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:UpdateTimeToLive",
                "dynamodb:DescribeTimeToLive", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
            ],
            resources: [.sub("arn:${AWS::Partition}:dynamodb:*:${AWS::AccountId}:table/\(PhysicalName.alertLedger.template)")])
    }

    /// A generated key: created only with CatalogWatch's tag (the tag can only be set with the key's
    /// creation request's own value), its alias only under the name prefix; everything else the role does
    /// to the key it created, and DynamoDB's grant for the ledger, comes from that key's own policy
    /// (`AlertStackParts.Encryption`), so no other key of the account is reachable by tagging it. With the
    /// layout's key and a ledger, DynamoDB's grant on that key.
    var keyStatements: [PolicyStatement] {
        let account = "${AWS::AccountId}"
        var statements: [PolicyStatement] = []
        let requestTag = PolicyCondition(.stringEquals, "aws:RequestTag/\(PhysicalName.keyTagKey)", ParameterName.namePrefix.ref)
        // Only the tags the key gets: a TagResource on another key (IAM cannot tell it from the creation's)
        // can set no tag some other policy of the account may grant by.
        let tagKeys = PolicyCondition(.forAllValuesStringEquals, "aws:TagKeys", ([PhysicalName.keyTagKey] + layout.tags.map(\.key)).map(CFNValue.string))
        switch layout.encryption {
        case nil:
            break
        case .generatedKey?:
            statements.append(PolicyStatement(
                sid: "CreateTaggedAlertKey", actions: ["kms:CreateKey", "kms:TagResource"], resources: ["*"], conditions: [requestTag, tagKeys]))
            statements.append(PolicyStatement(
                sid: "AlertKeyAlias", actions: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
                resources: [.sub("arn:${AWS::Partition}:kms:*:\(account):alias/\(PhysicalName.alertKeyAlias.template)")]))
        case .key(let text)?:
            guard layout.usesAlertLedger else { break }
            // DynamoDB encrypts the ledger with the key through a grant its creator must be able to make.
            statements.append(PolicyStatement(
                sid: "LedgerUsesAlertKey", actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                resources: [AlertStack.layoutKeyEverywhere(text)], conditions: [PolicyCondition(.stringLike, "kms:ViaService", "dynamodb.*.amazonaws.com")]))
        }
        return statements
    }

    /// Chat channels named under the prefix and passing them the chat role; SNS's invoke permission on
    /// Lambda routes of this account.
    var routeStatements: [PolicyStatement] {
        let account = "${AWS::AccountId}"
        var statements: [PolicyStatement] = []
        if ManagementRoles.hasChatChannels(layout) {
            // Creating, listing and reading channel configurations names no resource type (Resource "*" in
            // the service authorization reference); changing one names its chat-configuration ARN.
            statements.append(PolicyStatement(
                sid: "CreateChatChannels",
                actions: [
                    "chatbot:CreateSlackChannelConfiguration", "chatbot:DescribeSlackChannelConfigurations",
                    "chatbot:CreateMicrosoftTeamsChannelConfiguration", "chatbot:ListMicrosoftTeamsChannelConfigurations",
                    "chatbot:GetMicrosoftTeamsChannelConfiguration", "chatbot:ListTagsForResource",
                ],
                resources: ["*"]))
            statements.append(PolicyStatement(
                sid: "ChatChannels",
                actions: [
                    "chatbot:UpdateSlackChannelConfiguration", "chatbot:DeleteSlackChannelConfiguration",
                    "chatbot:UpdateMicrosoftTeamsChannelConfiguration", "chatbot:DeleteMicrosoftTeamsChannelConfiguration",
                    "chatbot:TagResource", "chatbot:UntagResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:chatbot::\(account):chat-configuration/*/\(PhysicalName.everyName.template)")]))
            statements.append(PolicyStatement(
                sid: "PassChatRoleToChatbot", actions: ["iam:PassRole"], resources: [ManagementRoles.roleArn(.chatRole, layout: layout)],
                conditions: [PolicyCondition(.stringEquals, "iam:PassedToService", "chatbot.amazonaws.com")]))
        }
        for grant in layout.routes.compactMap({ $0.destination.kind.executionGrant(layout: layout) }) {
            if let same = statements.firstIndex(where: { $0.sid == grant.sid && grant.sid != nil }) {
                statements[same].resources += grant.resources
            } else {
                statements.append(grant)
            }
        }
        return statements
    }
}
