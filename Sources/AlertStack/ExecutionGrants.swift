import CloudFormation

/// What the StackSet execution role needs beyond the base alert stack, from the layout: the central bus,
/// rules and ledger of an EventBridge source, a generated KMS key, chat channels, and SNS's invoke
/// permission on a Lambda route's function. Each statement names the resources by the alert stack's
/// names in this account; the roles the stack uses come from the roles stack, so it may only pass them,
/// each to its one service, and creates none.
struct ExecutionGrants {
    var layout: Layout
    var stackSetNames: [String]

    var statements: [PolicyStatement] {
        var statements: [PolicyStatement] = []
        if layout.source.usesEventBridge { statements += eventBridgeStatements }
        statements += keyStatements
        statements += routeStatements
        return statements
    }

    /// The central bus, its policy, the rules, the ledger, and passing the forwarding role to EventBridge.
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
                    .sub("arn:${AWS::Partition}:events:*:\(account):event-bus/${NamePrefix}-events"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/${NamePrefix}-*"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/${NamePrefix}-events/${NamePrefix}-*"),
                ]),
            // The bus policy (AWS::Events::EventBusPolicy) is written with PutPermission, which IAM scopes to no resource.
            PolicyStatement(sid: "EventBusPolicy", actions: ["events:PutPermission", "events:RemovePermission"], resources: ["*"]),
            PolicyStatement(
                sid: "PassForwardRoleToEventBridge", actions: ["iam:PassRole"], resources: [ManagementRoles.roleArn(.forwardRole, layout: layout)],
                conditions: [PolicyCondition(.stringEquals, "iam:PassedToService", "events.amazonaws.com")]),
            PolicyStatement(
                sid: "AlertLedger",
                actions: [
                    "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:UpdateTimeToLive",
                    "dynamodb:DescribeTimeToLive", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:dynamodb:*:\(account):table/\(PhysicalName.alertLedger.template)")]),
        ]
    }

    /// A generated key: created only with CatalogWatch's tag, administered only while it carries it; its
    /// alias only under the name prefix. With a ledger, DynamoDB's grant on the key.
    var keyStatements: [PolicyStatement] {
        let account = "${AWS::AccountId}"
        var statements: [PolicyStatement] = []
        let tagged = AlertStackParts.Encryption.taggedKeyCondition
        let requestTag = PolicyCondition(.stringEquals, "aws:RequestTag/\(PhysicalName.keyTagKey)", .ref("NamePrefix"))
        let keys: CFNValue = .sub("arn:${AWS::Partition}:kms:*:\(account):key/*")
        if layout.encryption == .generatedKey {
            statements.append(PolicyStatement(sid: "CreateTaggedAlertKey", actions: ["kms:CreateKey"], resources: ["*"], conditions: [requestTag]))
            statements.append(PolicyStatement(sid: "TagNewAlertKey", actions: ["kms:TagResource"], resources: [keys], conditions: [requestTag]))
            statements.append(PolicyStatement(
                sid: "ManageTaggedAlertKey",
                actions: [
                    "kms:DescribeKey", "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus",
                    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:ListResourceTags", "kms:CreateAlias",
                    "kms:DeleteAlias", "kms:UpdateAlias",
                ],
                resources: [keys], conditions: [tagged]))
            statements.append(PolicyStatement(
                sid: "AlertKeyAlias", actions: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
                resources: [.sub("arn:${AWS::Partition}:kms:*:\(account):alias/\(PhysicalName.alertKeyAlias.template)")]))
        }
        if let encryption = layout.encryption, layout.source.usesEventBridge {
            // DynamoDB encrypts the ledger with the key through a grant its creator must be able to make.
            var statement = PolicyStatement(
                sid: "LedgerUsesAlertKey", actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                resources: [keys], conditions: [PolicyCondition(.stringLike, "kms:ViaService", "dynamodb.*.amazonaws.com")])
            switch encryption {
            case .generatedKey: statement.conditions.append(tagged)
            case .key(let text): statement.resources = [AlertStack.layoutKeyEverywhere(text)]
            }
            statements.append(statement)
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
                resources: [.sub("arn:${AWS::Partition}:chatbot::\(account):chat-configuration/*/${NamePrefix}-*")]))
            statements.append(PolicyStatement(
                sid: "PassChatRoleToChatbot", actions: ["iam:PassRole"], resources: [ManagementRoles.roleArn(.chatRole, layout: layout)],
                conditions: [PolicyCondition(.stringEquals, "iam:PassedToService", "chatbot.amazonaws.com")]))
        }
        let functions = layout.routes.compactMap { route -> String? in
            guard case .lambda(let arn) = route.destination, RouteRules.account(ofARN: arn) == layout.managementAccountId else { return nil }
            return arn
        }
        if !functions.isEmpty {
            statements.append(PolicyStatement(
                sid: "RouteFunctionPermissions", actions: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
                resources: functions.map(CFNValue.string)))
        }
        return statements
    }
}
