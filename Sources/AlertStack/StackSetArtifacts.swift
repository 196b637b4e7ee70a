import CloudFormation
import YAML

/// StackSet artifacts that roll the alert stack out to every layout region, main region first.
public enum StackSetArtifacts {
    public static let administrationRoleName = "CatalogWatchStackSetAdministration"
    public static let executionRoleName = "CatalogWatchStackSetExecution"

    /// Parameters of the alert stack that the StackSet passes through, in order.
    static let passedParameters = [
        "MainRegion", "NamePrefix", "OrganizationId", "NotificationEmail", "MemberRoleName", "LambdaCodeBucket",
        "LambdaCodeKey", "LambdaArchitecture", "LogRetentionDays",
    ]

    /// One StackSet deployment wave: its regions and how they run.
    public struct Wave: Hashable, Sendable {
        public var logicalName: String
        public var stackSetName: String
        public var regions: [String]
        public var sequential: Bool
    }

    /// The waves for `layout`: one sequential wave (main region first), or the main region alone then the rest in parallel.
    public static func waves(for layout: Layout) -> [Wave] {
        switch layout.rollout {
        case .sequential:
            return [Wave(logicalName: "ReceiveTopicsStackSet", stackSetName: layout.stackSetName, regions: layout.orderedRegions, sequential: true)]
        case .mainThenParallel:
            var waves = [Wave(logicalName: "MainRegionStackSet", stackSetName: "\(layout.stackSetName)-main", regions: [layout.mainRegion], sequential: true)]
            let others = layout.orderedRegions.dropFirst()
            if !others.isEmpty {
                waves.append(Wave(logicalName: "OtherRegionsStackSet", stackSetName: "\(layout.stackSetName)-regions", regions: Array(others), sequential: false))
            }
            return waves
        }
    }

    static func operationPreferences(_ wave: Wave) -> CFN.StackSet.OperationPreferences {
        var p = CFN.StackSet.OperationPreferences()
        p.failureToleranceCount = 0
        if wave.sequential {
            p.maxConcurrentCount = 1
            p.regionConcurrencyType = "SEQUENTIAL"
        } else {
            p.maxConcurrentPercentage = 100
            p.regionConcurrencyType = "PARALLEL"
        }
        p.regionOrder = .list(wave.regions.map(CFNValue.string))
        return p
    }

    /// The template holding the StackSet(s); `alertStackBody` is the alert stack template text, inlined.
    public static func stackSetTemplate(for layout: Layout, alertStack: Template, alertStackBody: String) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch: rolls the alert stack out to every layout region of the management account, main region first.")
        for name in passedParameters {
            guard var p = alertStack.parameter(name) else { continue }
            p.description = p.description.map { "Passed to the alert stack: \($0)" }
            t.parameter(name, p)
        }
        var previous: String?
        for wave in waves(for: layout) {
            var set = CFN.StackSet(permissionModel: "SELF_MANAGED", stackSetName: .string(wave.stackSetName))
            set.administrationRoleARN = .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/\(administrationRoleName)")
            set.capabilities = ["CAPABILITY_IAM"]
            set.description = .string(
                wave.sequential
                    ? "CatalogWatch alert stack: \(wave.regions.joined(separator: ", ")), one region at a time"
                    : "CatalogWatch alert stack: \(wave.regions.count) regions in parallel, after the main region")
            set.executionRoleName = .string(executionRoleName)
            set.managedExecution = CFN.StackSet.ManagedExecution(active: false)
            set.operationPreferences = operationPreferences(wave)
            set.parameters = passedParameters.filter { alertStack.parameter($0) != nil }.map {
                CFN.StackSet.Parameter(parameterKey: .string($0), parameterValue: .ref($0))
            }
            set.stackInstancesGroup = [
                CFN.StackSet.StackInstances(
                    deploymentTargets: CFN.StackSet.DeploymentTargets().with { $0.accounts = [.accountId] },
                    regions: .list(wave.regions.map(CFNValue.string)))
            ]
            set.templateBody = .string(alertStackBody)
            t.resource(wave.logicalName, set, dependsOn: previous.map { [$0] } ?? [])
            previous = wave.logicalName
        }
        return t.template
    }

    /// The self-managed StackSet administration and execution roles, scoped to what the alert stack creates.
    public static func rolesTemplate(for layout: Layout) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch: self-managed StackSet administration and execution roles for the alert stack rollout (management account).")
        t.parameter("NamePrefix", .string("Name prefix used by the alert stack.", default: layout.namePrefix, pattern: "^[a-zA-Z][a-zA-Z0-9-]{0,39}$"))
        t.parameter("LambdaCodeBucket", .string("S3 bucket holding the packaged filter.", default: layout.lambdaCode?.bucket, minLength: 3, maxLength: 63))
        let stackSetNames = waves(for: layout).map(\.stackSetName)

        var admin = IAM.Role(
            assumeRolePolicyDocument: PolicyDocument([
                PolicyStatement(
                    principal: .service(["cloudformation.amazonaws.com"]), actions: ["sts:AssumeRole"],
                    conditions: [PolicyCondition(.stringEquals, "aws:SourceAccount", .accountId)])
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
        let adminRole = t.resource("AdministrationRole", admin)

        let account = "${AWS::AccountId}"
        let stacks: [CFNValue] = stackSetNames.map { .sub("arn:${AWS::Partition}:cloudformation:*:\(account):stack/StackSet-\($0)-*") }
        var execution = IAM.Role(
            assumeRolePolicyDocument: PolicyDocument([
                PolicyStatement(principal: .aws([adminRole.getAtt(.arn)]), actions: ["sts:AssumeRole"])
            ]).cfnValue)
        execution.description = "Creates and updates the CatalogWatch alert stack in each region."
        execution.roleName = .string(executionRoleName)
        execution.policies = [
            IAM.Role.Policy(
                policyDocument: PolicyDocument([
                    PolicyStatement(sid: "AlertStackInstances", actions: ["cloudformation:*"], resources: stacks),
                    PolicyStatement(
                        sid: "Topics",
                        actions: [
                            "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
                            "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes",
                            "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:TagResource",
                            "sns:UntagResource", "sns:ListTagsForResource",
                        ],
                        resources: [.sub("arn:${AWS::Partition}:sns:*:\(account):${NamePrefix}-*")]),
                    PolicyStatement(
                        sid: "FilterFunction",
                        actions: [
                            "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
                            "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode",
                            "lambda:UpdateFunctionConfiguration", "lambda:AddPermission", "lambda:RemovePermission",
                            "lambda:GetPolicy", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
                            "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
                        ],
                        resources: [.sub("arn:${AWS::Partition}:lambda:*:\(account):function:${NamePrefix}-*")]),
                    PolicyStatement(
                        sid: "QueueEventSource",
                        actions: [
                            "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping",
                            "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping",
                        ],
                        resources: [.sub("arn:${AWS::Partition}:lambda:*:\(account):event-source-mapping:*")]),
                    PolicyStatement(
                        sid: "FilterRole",
                        actions: [
                            "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:PutRolePolicy",
                            "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:PassRole",
                        ],
                        resources: stackSetNames.map { .sub("arn:${AWS::Partition}:iam::\(account):role/StackSet-\($0)-*") }),
                    PolicyStatement(
                        sid: "FilterLogs",
                        actions: [
                            "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
                            "logs:DeleteRetentionPolicy", "logs:DescribeLogGroups", "logs:TagResource",
                            "logs:UntagResource", "logs:ListTagsForResource",
                        ],
                        resources: [.sub("arn:${AWS::Partition}:logs:*:\(account):log-group:/aws/lambda/${NamePrefix}-*")]),
                    PolicyStatement(
                        sid: "Queues",
                        actions: [
                            "sqs:CreateQueue", "sqs:DeleteQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes",
                            "sqs:TagQueue", "sqs:UntagQueue", "sqs:ListQueueTags",
                        ],
                        resources: [.sub("arn:${AWS::Partition}:sqs:*:\(account):${NamePrefix}-*")]),
                    PolicyStatement(
                        sid: "QueueAlarm",
                        actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource"],
                        resources: [.sub("arn:${AWS::Partition}:cloudwatch:*:\(account):alarm:${NamePrefix}-*")]),
                    PolicyStatement(
                        sid: "ReadFilterCode", actions: ["s3:GetObject"],
                        resources: [.sub("arn:${AWS::Partition}:s3:::${LambdaCodeBucket}/*")]),
                ]).cfnValue,
                policyName: "catalogwatch-alert-stack")
        ]
        t.resource("ExecutionRole", execution)
        t.output("AdministrationRoleArn", adminRole.getAtt(.arn), description: "AdministrationRoleARN of the StackSet.")
        return t.template
    }

    /// The values the StackSet passes to the alert stack: the passed parameters that have a default, in order.
    public static func parameterValues(alertStack: Template) -> [(String, String)] {
        passedParameters.compactMap { name in
            guard let p = alertStack.parameter(name) else { return nil }
            if let d = p.default, case .string(let s) = d { return (name, s) }
            if let d = p.default, case .number(let n) = d { return (name, n) }
            return nil
        }
    }

    /// Input for `aws cloudformation create-stack-set --cli-input-json`, one per wave.
    public static func createStackSetInput(for layout: Layout, wave: Wave, alertStack: Template, alertStackBody: String) -> CFNValue {
        let parameters: [CFNValue] = parameterValues(alertStack: alertStack).map { name, value in
            ["ParameterKey": .string(name), "ParameterValue": .string(value)]
        }
        let partition = layout.partition
        let account = layout.managementAccountId ?? ""
        return .object([
            CFNField("StackSetName", .string(wave.stackSetName)),
            CFNField("Description", .string("CatalogWatch alert stack")),
            CFNField("TemplateBody", .string(alertStackBody)),
            CFNField("Parameters", .list(parameters)),
            CFNField("Capabilities", ["CAPABILITY_IAM"]),
            CFNField("AdministrationRoleARN", .string("arn:\(partition):iam::\(account):role/\(administrationRoleName)")),
            CFNField("ExecutionRoleName", .string(executionRoleName)),
            CFNField("PermissionModel", "SELF_MANAGED"),
            CFNField("ManagedExecution", ["Active": false]),
        ])
    }

    /// Input for `aws cloudformation create-stack-instances --cli-input-json` for one wave.
    public static func createStackInstancesInput(for layout: Layout, wave: Wave) -> CFNValue {
        let account = layout.managementAccountId ?? ""
        var preferences: [CFNField] = [CFNField("RegionOrder", .list(wave.regions.map(CFNValue.string)))]
        if wave.sequential {
            preferences += [CFNField("RegionConcurrencyType", "SEQUENTIAL"), CFNField("MaxConcurrentCount", 1)]
        } else {
            preferences += [CFNField("RegionConcurrencyType", "PARALLEL"), CFNField("MaxConcurrentPercentage", 100)]
        }
        preferences.append(CFNField("FailureToleranceCount", 0))
        return .object([
            CFNField("StackSetName", .string(wave.stackSetName)),
            CFNField("Accounts", [.string(account)]),
            CFNField("Regions", .list(wave.regions.map(CFNValue.string))),
            CFNField("OperationPreferences", .object(preferences)),
        ])
    }
}
