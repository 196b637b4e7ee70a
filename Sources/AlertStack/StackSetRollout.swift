import CloudFormation

/// How a StackSet operation moves through regions and accounts: the one place the rollout rule is written.
/// The StackSet resource (`cloudFormation`), the AWS CLI inputs (`cliPreferences`) and the StackSets API calls
/// of `deploy`, `status` and `destroy` (`settings`, through Deployment) render it; `validate` compares a
/// template's preferences against the layout's plans (`StackSetArtifacts.plans`).
public struct StackSetRollout: Hashable, Sendable {
    /// How many regions and accounts run at once.
    public enum Pace: Hashable, Sendable {
        /// One region at a time (the main region finishes first); any failure stops the operation.
        case oneRegionAtATime
        /// Every region at once; any failure stops the operation.
        case allRegionsAtOnce
        /// Every region at once, a share of the target accounts at a time, and a share may fail
        /// (service-managed StackSets: one locked-down account does not stop the rest).
        case accountShares(maxConcurrentPercentage: Int, failureTolerancePercentage: Int)
    }

    /// A scalar preference of `StackSetOperationPreferences` (`RegionOrder` is the list beside them).
    public enum Setting: String, CaseIterable, Sendable {
        case regionConcurrencyType = "RegionConcurrencyType"
        case maxConcurrentCount = "MaxConcurrentCount"
        case maxConcurrentPercentage = "MaxConcurrentPercentage"
        case failureToleranceCount = "FailureToleranceCount"
        case failureTolerancePercentage = "FailureTolerancePercentage"

        /// The API's and the templates' field name.
        public var key: String { rawValue }
    }

    /// A scalar preference's value.
    public enum Value: Hashable, Sendable {
        case text(String)
        case number(Int)

        /// As the Query API and the CLI write it.
        public var text: String {
            switch self {
            case .text(let s): s
            case .number(let n): String(n)
            }
        }

        var cfnValue: CFNValue {
            switch self {
            case .text(let s): .string(s)
            case .number(let n): .number(String(n))
            }
        }
    }

    public var regionOrder: [String]
    public var pace: Pace

    public init(regionOrder: [String], pace: Pace) {
        self.regionOrder = regionOrder
        self.pace = pace
    }

    public var isSequential: Bool { pace == .oneRegionAtATime }

    /// The same rollout over `regions`, kept in this rollout's order (regions it does not list go last).
    public func ordered(_ regions: [String]) -> StackSetRollout {
        StackSetRollout(regionOrder: regionOrder.filter { regions.contains($0) } + regions.filter { !regionOrder.contains($0) }, pace: pace)
    }

    /// The scalar preferences (`RegionOrder` aside), in a fixed order: concurrency of regions, of accounts,
    /// then the failure tolerance.
    public var settings: [(setting: Setting, value: Value)] {
        switch pace {
        case .oneRegionAtATime:
            [(.regionConcurrencyType, .text("SEQUENTIAL")), (.maxConcurrentCount, .number(1)), (.failureToleranceCount, .number(0))]
        case .allRegionsAtOnce:
            [(.regionConcurrencyType, .text("PARALLEL")), (.maxConcurrentPercentage, .number(100)), (.failureToleranceCount, .number(0))]
        case .accountShares(let maxConcurrent, let tolerance):
            [(.regionConcurrencyType, .text("PARALLEL")), (.maxConcurrentPercentage, .number(maxConcurrent)),
             (.failureTolerancePercentage, .number(tolerance))]
        }
    }

    /// The StackSet resource's `OperationPreferences`.
    public var cloudFormation: CFN.StackSet.OperationPreferences {
        var p = CFN.StackSet.OperationPreferences()
        for (setting, value) in settings {
            switch setting {
            case .regionConcurrencyType: p.regionConcurrencyType = value.cfnValue
            case .maxConcurrentCount: p.maxConcurrentCount = value.cfnValue
            case .maxConcurrentPercentage: p.maxConcurrentPercentage = value.cfnValue
            case .failureToleranceCount: p.failureToleranceCount = value.cfnValue
            case .failureTolerancePercentage: p.failureTolerancePercentage = value.cfnValue
            }
        }
        p.regionOrder = .list(regionOrder.map(CFNValue.string))
        return p
    }

    /// `OperationPreferences` of the AWS CLI's `--cli-input-json`: `RegionOrder`, then `settings`.
    public var cliPreferences: CFNValue {
        .object([CFNField("RegionOrder", .list(regionOrder.map(CFNValue.string)))] + settings.map { CFNField($0.setting.key, $0.value.cfnValue) })
    }

    /// Why a setting of the alert StackSets' rollout must hold (`validate`'s messages).
    static func reason(_ setting: Setting) -> String {
        switch setting {
        case .failureToleranceCount, .failureTolerancePercentage: "so a failed region stops the rollout"
        case .regionConcurrencyType: "so the main region finishes first"
        case .maxConcurrentCount: "for a sequential rollout"
        case .maxConcurrentPercentage: "so every region of the wave deploys at once"
        }
    }
}
