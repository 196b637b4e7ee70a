import CloudFormation

/// What the StackSet execution role needs beyond the base alert stack, from the layout: the central bus,
/// rules and ledger of an EventBridge source, a generated KMS key, chat channels and their guardrail
/// policy, SNS's invoke permission on a Lambda route's function, and setting permissions boundaries.
/// Each statement names the resources by the alert stack's names, in this account only.
struct ExecutionGrants {
    var layout: Layout
    var stackSetNames: [String]

    var statements: [PolicyStatement] {
        let account = "${AWS::AccountId}"
        var statements: [PolicyStatement] = []
        if layout.source.usesEventBridge {
            statements.append(PolicyStatement(
                sid: "EventBusAndRules",
                actions: [
                    "events:CreateEventBus", "events:DeleteEventBus", "events:DescribeEventBus", "events:UpdateEventBus",
                    "events:PutPermission", "events:RemovePermission", "events:PutRule", "events:DeleteRule",
                    "events:DescribeRule", "events:EnableRule", "events:DisableRule", "events:PutTargets", "events:RemoveTargets",
                    "events:ListTargetsByRule", "events:TagResource", "events:UntagResource", "events:ListTagsForResource",
                ],
                resources: [
                    .sub("arn:${AWS::Partition}:events:*:\(account):event-bus/${NamePrefix}-events"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/${NamePrefix}-*"),
                    .sub("arn:${AWS::Partition}:events:*:\(account):rule/${NamePrefix}-events/${NamePrefix}-*"),
                ]))
            statements.append(PolicyStatement(
                sid: "AlertLedger",
                actions: [
                    "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
                    "dynamodb:UpdateTimeToLive", "dynamodb:DescribeTimeToLive", "dynamodb:TagResource", "dynamodb:UntagResource",
                    "dynamodb:ListTagsOfResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:dynamodb:*:\(account):table/${NamePrefix}-alerts-sent")]))
        }
        if layout.encryption == .generatedKey {
            statements.append(PolicyStatement(sid: "CreateAlertKey", actions: ["kms:CreateKey"], resources: ["*"]))
            statements.append(PolicyStatement(
                sid: "ManageAlertKey",
                actions: [
                    "kms:DescribeKey", "kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus",
                    "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:ListResourceTags", "kms:CreateAlias",
                    "kms:DeleteAlias", "kms:UpdateAlias",
                ],
                resources: [
                    .sub("arn:${AWS::Partition}:kms:*:\(account):key/*"), .sub("arn:${AWS::Partition}:kms:*:\(account):alias/${NamePrefix}-*"),
                ]))
        }
        if layout.encryption != nil, layout.source.usesEventBridge {
            // DynamoDB encrypts the ledger with the key through a grant its creator must be able to make.
            let keyAccount = AlertStack.keyAccount(layout) ?? account
            statements.append(PolicyStatement(
                sid: "LedgerUsesAlertKey", actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
                resources: [.sub("arn:${AWS::Partition}:kms:*:\(keyAccount):key/*")],
                conditions: [PolicyCondition(.stringLike, "kms:ViaService", "dynamodb.*.amazonaws.com")]))
        }
        statements += routeStatements(account: account)
        if layout.permissionsBoundary != nil {
            statements.append(PolicyStatement(
                sid: "RoleBoundaries", actions: ["iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
                resources: StackSetArtifacts.stackRoleArns(stackSetNames: stackSetNames, rolePath: layout.rolePath ?? "/")))
        }
        return statements
    }

    /// Chat channels and their guardrail policy; SNS's invoke permission on Lambda routes of this account.
    func routeStatements(account: String) -> [PolicyStatement] {
        var statements: [PolicyStatement] = []
        if layout.routes.contains(where: { if case .chat = $0.destination { true } else { false } }) {
            // Creating and listing channel configurations names no resource (Resource "*" in the service
            // authorization reference); changing one names its chat-configuration ARN.
            statements.append(PolicyStatement(
                sid: "CreateChatChannels",
                actions: [
                    "chatbot:CreateSlackChannelConfiguration", "chatbot:DescribeSlackChannelConfigurations",
                    "chatbot:CreateMicrosoftTeamsChannelConfiguration", "chatbot:ListMicrosoftTeamsChannelConfigurations",
                ],
                resources: ["*"]))
            statements.append(PolicyStatement(
                sid: "ChatChannels",
                actions: [
                    "chatbot:UpdateSlackChannelConfiguration", "chatbot:DeleteSlackChannelConfiguration",
                    "chatbot:UpdateMicrosoftTeamsChannelConfiguration", "chatbot:DeleteMicrosoftTeamsChannelConfiguration",
                    "chatbot:GetMicrosoftTeamsChannelConfiguration", "chatbot:TagResource", "chatbot:UntagResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:chatbot::\(account):chat-configuration/*")]))
            statements.append(PolicyStatement(
                sid: "ChatGuardrailPolicy",
                actions: ["iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"],
                resources: stackSetNames.map { .sub("arn:${AWS::Partition}:iam::\(account):policy/StackSet-\($0)-*") }))
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
