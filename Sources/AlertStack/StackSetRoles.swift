import CloudFormation
import Layout

extension StackSetArtifacts {
    /// The roles template's description.
    public static let rolesTemplateDescription =
        "CatalogWatch roles (management account, main region): the self-managed StackSet administration and execution roles, and every role the alert stacks use."

    /// The roles stack: the self-managed StackSet administration and execution roles, scoped to what the
    /// alert stack creates, and the roles the alert stacks use (`ManagementRoles`), so that no StackSet
    /// operation creates a role.
    public static func rolesTemplate(for layout: Layout) -> Template {
        var t = TemplateBuilder(description: rolesTemplateDescription)
        Guardrails.register(layout, on: &t)
        addRoles(for: layout, to: &t)
        return t.template
    }

    /// Every self-managed StackSet name the layout may have had (both rollout modes): the administration
    /// role serves these and no other StackSet of the account, and the execution role acts on their
    /// instance stacks (a rollout switch retires the former mode's StackSet).
    static func allStackSetNames(_ layout: Layout) -> [String] {
        var names: [String] = []
        for rollout in Layout.Rollout.allCases {
            var other = layout
            other.rollout = rollout
            for wave in plans(for: other) where !names.contains(wave.stackSetName) { names.append(wave.stackSetName) }
        }
        return names
    }

    /// Adds the roles template's parameters, the StackSet roles, the roles the alert stacks use
    /// (`ManagementRoles`) and the outputs to `t`; customizations registered on `t` beforehand (a
    /// permissions boundary, tags) apply to every role.
    @discardableResult
    public static func addRoles(for layout: Layout, to t: inout TemplateBuilder) -> (administration: ResourceHandle<IAM.Role>, execution: ResourceHandle<IAM.Role>) {
        t.parameter(.namePrefix, NamePrefixRule.parameter("Name prefix used by the alert stack.", default: layout.namePrefix))
        t.parameter(.lambdaCodeBucket, .string("S3 bucket holding the packaged filter.", default: layout.lambdaCode?.bucket, minLength: 3, maxLength: 63))

        var admin = IAM.Role(
            assumeRolePolicyDocument: PolicyDocument([
                PolicyStatement(
                    principal: .service(["cloudformation.amazonaws.com"]), actions: ["sts:AssumeRole"],
                    conditions: [
                        PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId),
                        PolicyCondition(
                            .arnLike, "aws:SourceArn",
                            allStackSetNames(layout).map { .sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stackset/\($0):*") }),
                    ])
            ]).cfnValue)
        admin.description = "Lets CloudFormation StackSets run CatalogWatch operations in this account."
        admin.roleName = .string(administrationRoleName)
        admin.policies = [
            IAM.Role.Policy(
                policyDocument: PolicyDocument([
                    PolicyStatement(
                        sid: "AssumeExecutionRoleInThisAccount", actions: ["sts:AssumeRole"],
                        resources: [.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/\(executionRoleName)")])
                ]).cfnValue,
                policyName: "assume-execution-role")
        ]
        let adminRole = t.resource(administrationRoleLogicalName, admin)

        var execution = IAM.Role(
            assumeRolePolicyDocument: PolicyDocument([
                PolicyStatement(principal: .aws([adminRole.getAtt(.arn)]), actions: ["sts:AssumeRole"])
            ]).cfnValue)
        execution.description = "Creates and updates the CatalogWatch alert stack in each region."
        execution.roleName = .string(executionRoleName)
        execution.policies = [
            IAM.Role.Policy(policyDocument: executionPolicy(layout: layout).cfnValue, policyName: "catalogwatch-alert-stack")
        ]
        let executionRole = t.resource(executionRoleLogicalName, execution)
        t.output("AdministrationRoleArn", adminRole.getAtt(.arn), description: "AdministrationRoleARN of the StackSet.")
        ManagementRoles.add(for: layout, to: &t)
        return (adminRole, executionRole)
    }

    /// What the execution role may do: the alert stack's resources by name, in this account only, and
    /// what the layout's source, routes and guardrails add.
    static func executionPolicy(layout: Layout) -> PolicyDocument {
        PolicyDocument(baseExecutionStatements(layout: layout) + ExecutionGrants(layout: layout).statements)
    }

    /// What StackSets do to an instance stack as the execution role: create, update and delete it, read
    /// it, its events, resources and template, detect drift, tag it, and recover a stuck rollback.
    static let instanceStackActions = [
        "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStacks",
        "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResource", "cloudformation:DescribeStackResources",
        "cloudformation:ListStackResources", "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary",
        "cloudformation:DetectStackDrift", "cloudformation:DetectStackResourceDrift", "cloudformation:DescribeStackResourceDrifts",
        "cloudformation:TagResource", "cloudformation:UntagResource", "cloudformation:CancelUpdateStack",
        "cloudformation:ContinueUpdateRollback", "cloudformation:RollbackStack",
    ]

    /// What every alert stack needs. Actions that take no resource type in IAM's service authorization
    /// reference have statements of their own on `*`, narrowed by a condition where IAM offers one.
    static func baseExecutionStatements(layout: Layout) -> [PolicyStatement] {
        let account = "${AWS::AccountId}"
        let function: CFNValue = .sub("arn:${AWS::Partition}:lambda:*:\(account):function:\(PhysicalName.filter.template)")
        return [
            PolicyStatement(
                sid: "AlertStackInstances", actions: instanceStackActions,
                // Both rollout modes' StackSets: switching modes retires the former one's instances.
                resources: allStackSetNames(layout).map { .sub("arn:${AWS::Partition}:cloudformation:*:\(account):stack/StackSet-\($0)-*") }),
            PolicyStatement(
                sid: "TemplatesAndDriftStatus", actions: ["cloudformation:ValidateTemplate", "cloudformation:DescribeStackDriftDetectionStatus"],
                resources: ["*"]),
            PolicyStatement(
                sid: "Topics",
                actions: [
                    "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:sns:*:\(account):\(PhysicalName.everyName.template)")]),
            PolicyStatement(
                sid: "Subscriptions", actions: ["sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"],
                resources: ["*"]),
            PolicyStatement(
                sid: "FilterFunction",
                actions: [
                    "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
                    "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:AddPermission", "lambda:RemovePermission",
                    "lambda:GetPolicy", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags", "lambda:PutFunctionConcurrency",
                    "lambda:DeleteFunctionConcurrency", "lambda:GetFunctionConcurrency",
                ],
                resources: [function]),
            PolicyStatement(
                sid: "PassFilterRoleToLambda", actions: ["iam:PassRole"], resources: [ManagementRoles.roleArn(.filter, layout: layout)],
                conditions: [PolicyCondition(.stringEquals, "iam:PassedToService", "lambda.amazonaws.com")]),
            PolicyStatement(
                sid: "QueueEventSource",
                actions: [
                    "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping",
                    "lambda:UpdateEventSourceMapping",
                ],
                resources: ["*"], conditions: [PolicyCondition(.arnLike, "lambda:FunctionArn", function)]),
            PolicyStatement(
                sid: "FilterLogs",
                actions: [
                    "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
                    "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:logs:*:\(account):log-group:/aws/lambda/\(PhysicalName.everyName.template)")]),
            PolicyStatement(sid: "ListLogGroups", actions: ["logs:DescribeLogGroups"], resources: ["*"]),
            PolicyStatement(
                sid: "Queues",
                actions: [
                    "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue",
                    "sqs:UntagQueue", "sqs:ListQueueTags",
                ],
                resources: [.sub("arn:${AWS::Partition}:sqs:*:\(account):\(PhysicalName.everyName.template)")]),
            PolicyStatement(
                sid: "QueueAlarm",
                actions: [
                    "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource",
                    "cloudwatch:UntagResource",
                ],
                resources: [.sub("arn:${AWS::Partition}:cloudwatch:*:\(account):alarm:\(PhysicalName.everyName.template)")]),
            PolicyStatement(
                sid: "ReadFilterCode", actions: ["s3:GetObject", "s3:GetObjectVersion"],
                resources: [.sub("arn:${AWS::Partition}:s3:::\(ParameterName.lambdaCodeBucket.template)/*")]),
        ] + retireEarlierVersionsRoles(layout)
    }

    /// Earlier versions' alert stacks created roles (and a chat guardrail policy) named after the instance
    /// stack, `StackSet-<set>-…`, at any role path: updating such a stack deletes them, so the role may read
    /// and delete those, and do nothing else with them (no create, put, attach or trust change).
    static func retireEarlierVersionsRoles(_ layout: Layout) -> [PolicyStatement] {
        let names = allStackSetNames(layout)
        return [
            PolicyStatement(
                sid: "RetireRolesOfEarlierVersions",
                actions: [
                    "iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
                    "iam:DeleteRolePolicy", "iam:DeleteRole",
                ],
                resources: names.map { .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*StackSet-\($0)-*") }),
            PolicyStatement(
                sid: "RetirePoliciesOfEarlierVersions",
                actions: ["iam:GetPolicy", "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy", "iam:DeletePolicyVersion", "iam:DeletePolicy"],
                resources: names.map { .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/*StackSet-\($0)-*") }),
        ]
    }
}
