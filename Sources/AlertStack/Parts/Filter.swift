import CloudFormation
import Layout
import JSONText
import FilterContract

extension AlertStackParts {
    /// The filter's log group, main region only: created by the stack so that it has a retention and
    /// goes with the stack, and so that the filter's role can be limited to it.
    public struct FilterLogs: Sendable {
        /// Days to keep the logs, usually `!Ref LogRetentionDays`.
        public var retentionInDays: CFNValue
        public var condition: ConditionHandle?
        public var logGroupName: CFNValue

        public init(
            retentionInDays: CFNValue, condition: ConditionHandle?,
            logGroupName: CFNValue = .sub("/aws/lambda/\(PhysicalName.filter.template)")
        ) {
            self.retentionInDays = retentionInDays
            self.condition = condition
            self.logGroupName = logGroupName
        }

        /// Adds `FilterLogGroup`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> ResourceHandle<Logs.LogGroup> {
            var logGroup = Logs.LogGroup()
            logGroup.logGroupName = logGroupName
            logGroup.retentionInDays = retentionInDays
            return t.resource(AlertStack.Names.filterLogGroup, logGroup, condition: condition)
        }
    }

    /// The filter Lambda, main region only: the function (`provided.al2023`, code from S3, running as the
    /// role the roles stack made), and how events reach it.
    public struct Filter: Sendable {
        /// How the receive topics' events reach the function.
        public enum Events: Sendable {
            /// The topics invoke it asynchronously: a dead-letter queue keeps invocations that still fail
            /// after Lambda's retries, and a permission lets SNS invoke it.
            case direct
            /// It reads this queue through an event source mapping (`Buffer.addEventSourceMapping`).
            case queue(ResourceHandle<SQS.Queue>)
        }

        public var events: Events
        public var condition: ConditionHandle?
        /// The log group the function writes to (`FilterLogs`).
        public var logGroup: ResourceHandle<Logs.LogGroup>
        /// The topic alerts are published to (`ALERT_TOPIC_ARN`).
        public var alertTopic: CFNValue
        /// The member-account role to assume (`MEMBER_ROLE_NAME`: its path without the leading `/`, and its
        /// name), usually `!Ref MemberRoleName`.
        public var memberRoleName: CFNValue
        /// The function's role: made by the roles stack (`ManagementRoles`), so that the StackSet creates no role.
        public var roleArn: CFNValue
        /// The function's reserved concurrency (nil: none).
        public var reservedConcurrency: Int?
        /// The packaged filter zip (`catalogwatch package`).
        public var codeBucket: CFNValue
        public var codeKey: CFNValue
        /// `x86_64` or `arm64`, usually `!Ref LambdaArchitecture`.
        public var architecture: CFNValue
        public var functionName: CFNValue = PhysicalName.filter.sub
        /// `.direct` only: the dead-letter queue's name, and the topics that may invoke the function.
        public var deadLetterQueueName: CFNValue = PhysicalName.filterDeadLetterQueue.sub
        public var sourceTopicArns: CFNValue = .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:\(PhysicalName.receiveTopic.template)")
        /// `.direct` only: whether the receive topics invoke the function (false when only EventBridge does).
        public var topicsInvoke = true
        /// The `AlertLedger` table's ARN, when the same failure can arrive more than once (`ALERT_LEDGER_TABLE`).
        public var ledgerTable: ResourceHandle<DynamoDB.Table>?
        /// Stack tag keys copied into message attributes `tag.<key>` (`ROUTE_TAGS`).
        public var routeTags: [String] = []
        /// The chat routes' topics, which the filter feeds in the chat format (`CHAT_ROUTES`).
        public var chatTopics: [Routes.ChatTopic] = []
        /// Runbook URLs by product id or name, and `default` (`RUNBOOKS`), in the layout's order.
        public var runbooks: [Layout.Runbook] = []
        /// The access portal member-account links sign in through (`CONSOLE_START_URL`, `CONSOLE_ROLE_NAME`).
        public var consoleSignIn: Layout.ConsoleSignIn?
        /// Storm digests: the rules (`DIGEST`) and the queue of their flushes (`DIGEST_QUEUE_URL`).
        package var digests: (rules: DigestRules, queue: ResourceHandle<SQS.Queue>)?

        public init(
            events: Events, condition: ConditionHandle?, logGroup: ResourceHandle<Logs.LogGroup>, alertTopic: CFNValue,
            memberRoleName: CFNValue, roleArn: CFNValue, codeBucket: CFNValue, codeKey: CFNValue, architecture: CFNValue
        ) {
            self.roleArn = roleArn
            self.events = events
            self.condition = condition
            self.logGroup = logGroup
            self.alertTopic = alertTopic
            self.memberRoleName = memberRoleName
            self.codeBucket = codeBucket
            self.codeKey = codeKey
            self.architecture = architecture
        }

        /// The filter's resources.
        public struct Handles: Sendable {
            public let function: ResourceHandle<Lambda.Function>
            /// `.direct` only.
            public let deadLetterQueue: ResourceHandle<SQS.Queue>?
            /// `.direct` only, when the topics invoke it.
            public let permission: ResourceHandle<Lambda.Permission>?
        }

        /// Adds, in order: `FilterDeadLetterQueue` (`.direct`), `FilterFunction`, `FilterFunctionInvokePermission`
        /// (`.direct`, when the topics invoke it).
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            var deadLetters: ResourceHandle<SQS.Queue>?
            if case .direct = events {
                var queue = SQS.Queue()
                queue.messageRetentionPeriod = 1_209_600
                queue.queueName = deadLetterQueueName
                queue.sqsManagedSseEnabled = true
                deadLetters = t.resource(AlertStack.Names.filterDeadLetterQueue, queue, condition: condition)
            }
            let function = t.resource(AlertStack.Names.filterFunction, self.function(deadLetterQueue: deadLetters), condition: condition)
            var permission: ResourceHandle<Lambda.Permission>?
            if case .direct = events, topicsInvoke {
                permission = t.resource(
                    AlertStack.Names.filterPermission,
                    Lambda.Permission(action: "lambda:InvokeFunction", functionName: function.ref, principal: "sns.amazonaws.com")
                        .with {
                            $0.sourceAccount = .accountId
                            $0.sourceArn = sourceTopicArns
                        },
                    condition: condition)
            }
            return Handles(function: function, deadLetterQueue: deadLetters, permission: permission)
        }

        /// `CHAT_ROUTES` (`ChatRoutesCodec`) in a `Fn::Sub`: the topic ARNs are `${Route<Name>ChatTopic}`; a
        /// literal `${` in any other string is written `${!`.
        var chatRoutes: CFNValue {
            let entries = chatTopics.map { chat in
                ChatRouteEntry(name: chat.route.name, topicArn: "${\(chat.topic.name)}", filterPolicy: chat.route.match.filterPolicy)
            }
            return .sub(ChatRoutesCodec.encode(entries, literal: { SubTemplate.escaped(JSONText.quoted($0)) }))
        }

        /// The function: the environment contract of `catalogwatch-filter`, its logs in `logGroup`.
        func function(deadLetterQueue: ResourceHandle<SQS.Queue>?) -> Lambda.Function {
            var function = Lambda.Function(
                code: Lambda.Function.Code().with {
                    $0.s3Bucket = codeBucket
                    $0.s3Key = codeKey
                },
                role: roleArn)
            function.architectures = [architecture]
            if let deadLetterQueue {
                function.deadLetterConfig = Lambda.Function.DeadLetterConfig().with { $0.targetArn = deadLetterQueue.getAtt(.arn) }
            }
            function.description = "CatalogWatch filter: alerts on terminal failures of Service Catalog stacks."
            function.environment = Lambda.Function.Environment().with {
                var variables: [CFNField] = [CFNField(FilterVariable.alertTopicArn.name, alertTopic)]
                if let ledgerTable { variables.append(CFNField(FilterVariable.alertLedgerTable.name, ledgerTable.ref)) }
                if !chatTopics.isEmpty { variables.append(CFNField(FilterVariable.chatRoutes.name, chatRoutes)) }
                variables.append(CFNField(FilterVariable.memberRoleName.name, memberRoleName))
                if !routeTags.isEmpty { variables.append(CFNField(FilterVariable.routeTags.name, .string(RouteTagsCodec.encode(routeTags)))) }
                if !runbooks.isEmpty {
                    let encoded = RunbooksCodec.encode(Runbooks(runbooks.map { ($0.key, $0.url) }))
                    variables.append(CFNField(FilterVariable.runbooks.name, .string(encoded)))
                }
                if let consoleSignIn {
                    variables.append(CFNField(FilterVariable.consoleStartURL.name, .string(consoleSignIn.startURL)))
                    variables.append(CFNField(FilterVariable.consoleRoleName.name, .string(consoleSignIn.roleName)))
                }
                if let digests {
                    variables.append(CFNField(FilterVariable.digest.name, .string(DigestCodec.encode(digests.rules))))
                    variables.append(CFNField(FilterVariable.digestQueueURL.name, digests.queue.ref))
                }
                $0.variables = .object(variables)
            }
            function.functionName = functionName
            function.handler = "bootstrap"
            function.loggingConfig = Lambda.Function.LoggingConfig().with { $0.logGroup = logGroup.ref }
            function.memorySize = 128
            if let reservedConcurrency { function.reservedConcurrentExecutions = .number(String(reservedConcurrency)) }
            function.runtime = .string(AlertStack.runtime)
            function.timeout = .number(String(AlertStack.functionTimeout))
            return function
        }
    }
}
