import CloudFormation
import Layout

extension AlertStackParts {
    /// The alert stack's parameters: everything region- or organization-specific is a parameter whose
    /// default is the layout's value, so one template body serves every region of a StackSet.
    public struct Parameters: Sendable {
        /// The logical names, in declaration order (the StackSet passes these through).
        public static let names = [ParameterName]([
            .mainRegion, .namePrefix, .organizationId, .notificationEmail, .memberRoleName, .lambdaCodeBucket,
            .lambdaCodeKey, .lambdaArchitecture, .logRetentionDays,
        ]).map(\.name)

        /// The layout whose values become the defaults.
        public var layout: Layout

        public init(layout: Layout) { self.layout = layout }

        /// The declared parameters.
        public struct Handles: Sendable {
            public let mainRegion: ParameterHandle
            public let namePrefix: ParameterHandle
            public let organizationId: ParameterHandle
            /// nil when the layout turns the default route off (nothing would use it).
            public let notificationEmail: ParameterHandle?
            public let memberRoleName: ParameterHandle
            public let lambdaCodeBucket: ParameterHandle
            public let lambdaCodeKey: ParameterHandle
            public let lambdaArchitecture: ParameterHandle
            public let logRetentionDays: ParameterHandle
        }

        /// Declares the parameters of `names`, in that order (arguments are evaluated left to right).
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            Handles(
                mainRegion: t.parameter(
                    .mainRegion,
                    .string("Region of the filter Lambda and the send topic; the StackSet deploys here first.",
                            default: layout.mainRegion, pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]$",
                            constraint: "an AWS region name such as ap-northeast-1")),
                namePrefix: t.parameter(
                    .namePrefix,
                    NamePrefixRule.parameter(
                        "Prefix of the topic, function and queue names (identical in every region).",
                        default: layout.namePrefix, explained: true)),
                organizationId: t.parameter(
                    .organizationId,
                    .string("AWS Organizations id whose accounts may publish to the receive topic.",
                            default: layout.organizationId, pattern: "^o-[a-z0-9]{10,32}$",
                            constraint: "o- followed by 10 to 32 lowercase letters or digits")),
                notificationEmail: !layout.defaultRoute ? nil : t.parameter(
                    .notificationEmail,
                    .string("E-mail address that receives the alerts (confirm the subscription once).",
                            default: layout.notificationEmail, pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                            constraint: "an e-mail address")),
                memberRoleName: t.parameter(
                    .memberRoleName,
                    .string("Role in member accounts that the filter assumes to describe provisioned products.",
                            default: layout.memberRoleName, pattern: "^[\\w+=,.@-]{1,64}$",
                            constraint: "an IAM role name")),
                lambdaCodeBucket: t.parameter(
                    .lambdaCodeBucket,
                    .string("S3 bucket holding the packaged filter (catalogwatch package), in the main region.",
                            default: layout.lambdaCode?.bucket, minLength: 3, maxLength: 63)),
                lambdaCodeKey: t.parameter(
                    .lambdaCodeKey,
                    .string("S3 key of the packaged filter zip.", default: layout.lambdaCode?.key, minLength: 1)),
                lambdaArchitecture: t.parameter(
                    .lambdaArchitecture,
                    .string("Instruction set of the packaged filter.", default: layout.architecture.rawValue,
                            allowedValues: Layout.Architecture.allCases.map(\.rawValue))),
                logRetentionDays: t.parameter(
                    .logRetentionDays,
                    Parameter(type: "Number", description: "Days to keep the filter's logs.",
                              default: layout.logRetentionDays.cfnValue,
                              allowedValues: Layout.allowedRetentionDays.map(\.cfnValue))))
        }
    }

    /// `IsMainRegion` (the stack's region is the `MainRegion` parameter, never a literal) and its negation
    /// `IsOtherRegion`: the filter side exists only in the main region.
    public struct RegionConditions: Sendable {
        /// The parameter naming the main region.
        public var mainRegion: ParameterHandle
        /// Whether `IsOtherRegion` is declared (only the receive subscriptions use it).
        public var declaresOtherRegion: Bool

        public init(mainRegion: ParameterHandle, declaresOtherRegion: Bool = true) {
            self.mainRegion = mainRegion
            self.declaresOtherRegion = declaresOtherRegion
        }

        /// The declared conditions.
        public struct Handles: Sendable {
            public let isMainRegion: ConditionHandle
            /// nil unless `declaresOtherRegion`.
            public let isOtherRegion: ConditionHandle?
        }

        /// Declares `IsMainRegion` and, when asked, `IsOtherRegion`.
        @discardableResult
        public func add(to t: inout TemplateBuilder) -> Handles {
            let isMain = t.condition(AlertStack.Names.isMainRegion, .equals(.region, mainRegion.ref))
            let isOther = declaresOtherRegion ? t.condition(AlertStack.Names.isOtherRegion, .not(.condition(isMain))) : nil
            return Handles(isMainRegion: isMain, isOtherRegion: isOther)
        }
    }
}
