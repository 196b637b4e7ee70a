import FilterContract
import YAML

/// Where and how CatalogWatch is deployed: the regions, the main region and the alert settings.
public struct Layout: Hashable, Sendable {
    /// How SNS delivers events to the filter.
    public enum Buffer: String, CaseIterable, Sendable {
        /// Receive topics invoke the Lambda directly.
        case none
        /// Receive topics deliver to one SQS queue in the main region, read by the Lambda.
        case sqs

        /// With `sqs`: at most this many concurrent filter invocations (protects the account's Lambda concurrency).
        public static let maximumConcurrency = 5
    }

    /// The Lambda's instruction set (the package's too).
    public typealias Architecture = LambdaArchitecture

    /// How the StackSet rolls out across regions; the main region is always first.
    public enum Rollout: String, CaseIterable, Sendable {
        /// One region at a time, main region first.
        case sequential
        /// The main region alone, then every other region in parallel.
        case mainThenParallel = "main-then-parallel"
    }

    /// Where the filter hears about failed stacks.
    public enum Source: String, CaseIterable, Sendable {
        /// Service Catalog notification constraints publish to a receive topic in every region.
        case notificationConstraint = "notification-constraint"
        /// Every member account and region forwards CloudFormation status changes to one central bus.
        case eventBridge = "eventbridge"
        /// Both at once (the migration step between them): a failure seen twice is alerted once.
        case both

        /// Whether the receive topics (and notification constraints) are part of the deployment.
        public var usesNotifications: Bool { self != .eventBridge }
        /// Whether the central bus and the forwarding rules are part of the deployment.
        public var usesEventBridge: Bool { self != .notificationConstraint }
    }

    /// S3 location of the packaged Lambda zip.
    public struct LambdaCode: Hashable, Sendable {
        public var bucket: String
        public var key: String

        public init(bucket: String, key: String) {
            self.bucket = bucket
            self.key = key
        }
    }

    public var mainRegion: String
    public var regions: [String]
    public var organizationId: String?
    public var notificationEmail: String?
    /// The role the filter assumes in member accounts: `<namePrefix>-reader` (deployed by CatalogWatch) by default.
    public var memberRoleName: String
    /// Whether CatalogWatch deploys `memberRoleName` as its read-only reader role (a service-managed StackSet
    /// in the OUs' accounts, the roles stack in this account). False for a role the landing zone already has
    /// (`deployMemberRole: false`, and by default for the administrator roles of `administratorRoleNames`).
    public var deployMemberRole: Bool
    public var managementAccountId: String?
    public var buffer: Buffer
    public var architecture: Architecture
    public var rollout: Rollout
    public var lambdaCode: LambdaCode?
    public var namePrefix: String
    public var logRetentionDays: Int
    public var stackSetName: String
    /// Shared portfolios whose products get the notification constraint, by region (`deploy`, `constraints`).
    public var portfolios: [String: [String]]
    /// Where the filter hears about failed stacks.
    public var source: Source
    /// `eventbridge`/`both`: the OUs (or the root) whose member accounts forward events (service-managed StackSet targets).
    public var organizationalUnits: [String]
    /// Named routes: each alert also goes to every route whose match it meets.
    public var routes: [Route]
    /// Whether the notification e-mail gets every alert (the default route).
    public var defaultRoute: Bool
    /// Stack tag keys the filter copies into message attributes `tag.<key>`, for routes to match on.
    public var routeTags: [String]
    /// Tags for every taggable resource and the StackSets, in the layout's order.
    public var tags: [Tag]
    /// The permissions boundary (a managed policy ARN) of every IAM role CatalogWatch creates.
    public var permissionsBoundary: String?
    /// The path of every IAM role CatalogWatch creates (but the StackSet execution role, whose ARN StackSets build without one).
    public var rolePath: String?
    /// Customer-managed KMS encryption of every topic and queue (and the alert ledger).
    public var encryption: Encryption?
    /// Runbook URLs by product id (`prod-…`) or product name, and `default` for the rest, in the layout's order:
    /// each alert links the one of its product.
    public var runbooks: [Runbook]
    /// The IAM Identity Center access portal that alert links into member accounts sign in through.
    public var consoleSignIn: ConsoleSignIn?
    /// Unbuffered filters: the function's reserved concurrency (nil: none; buffered layouts cap concurrency at the queue).
    public var reservedConcurrency: Int?
    /// Storm digests of the default route and of every route that sets none itself (nil: off, the default).
    public var digest: Digest?
    /// Minutes between the heartbeat canaries of every region with a receive topic (nil: no heartbeat, the default).
    public var heartbeatMinutes: Int?

    /// The reader role's name for `namePrefix`: the default member role.
    public static func readerRoleName(namePrefix: String) -> String { PhysicalName.reader.name(prefix: namePrefix) }
    /// Roles with administrator access that landing zones put in every member account: a layout may name
    /// one as `memberRoleName` (CatalogWatch then deploys no reader role), and `validate` warns.
    public static let administratorRoleNames: Set<String> = ["AWSControlTowerExecution", "OrganizationAccountAccessRole"]
    /// Whether CatalogWatch deploys the member role: as the layout says, else unless it is one of the
    /// landing zone's administrator roles (`administratorRoleNames`).
    public static func deploysMemberRole(roleName: String?, explicit: Bool?) -> Bool {
        explicit ?? !administratorRoleNames.contains(roleName ?? "")
    }

    /// The defaults of the option keys (the initializer's and the reader's).
    public static let defaultBuffer = Buffer.none
    public static let defaultArchitecture = Architecture.x86_64
    public static let defaultRollout = Rollout.sequential
    public static let defaultLogRetentionDays = 90
    /// The filter's reserved concurrency when the layout sets none (unbuffered layouts).
    public static let defaultReservedConcurrency = 10
    public static let defaultNamePrefix = "catalogwatch"
    public static let allowedRetentionDays = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    public init(
        mainRegion: String, regions: [String], organizationId: String? = nil, notificationEmail: String? = nil,
        memberRoleName: String? = nil, deployMemberRole: Bool? = nil, managementAccountId: String? = nil,
        buffer: Buffer = Layout.defaultBuffer, architecture: Architecture = Layout.defaultArchitecture, rollout: Rollout = Layout.defaultRollout,
        lambdaCode: LambdaCode? = nil, namePrefix: String = Layout.defaultNamePrefix, logRetentionDays: Int = Layout.defaultLogRetentionDays,
        stackSetName: String? = nil, portfolios: [String: [String]] = [:], source: Source = .notificationConstraint,
        organizationalUnits: [String] = [], routes: [Route] = [], defaultRoute: Bool = true, routeTags: [String] = [],
        tags: [Tag] = [], permissionsBoundary: String? = nil, rolePath: String? = nil, encryption: Encryption? = nil,
        reservedConcurrency: Int? = Layout.defaultReservedConcurrency, runbooks: [Runbook] = [], consoleSignIn: ConsoleSignIn? = nil,
        digest: Digest? = nil, heartbeatMinutes: Int? = nil
    ) {
        self.mainRegion = mainRegion
        self.regions = regions
        self.organizationId = organizationId
        self.notificationEmail = notificationEmail
        let role = memberRoleName ?? Layout.readerRoleName(namePrefix: namePrefix)
        self.memberRoleName = role
        self.deployMemberRole = Layout.deploysMemberRole(roleName: role, explicit: deployMemberRole)
        self.managementAccountId = managementAccountId
        self.buffer = buffer
        self.architecture = architecture
        self.rollout = rollout
        self.lambdaCode = lambdaCode
        self.namePrefix = namePrefix
        self.logRetentionDays = logRetentionDays
        self.stackSetName = stackSetName ?? StackSetName.defaultName(namePrefix: namePrefix)
        self.portfolios = portfolios
        self.source = source
        self.organizationalUnits = organizationalUnits
        self.routes = routes
        self.defaultRoute = defaultRoute
        self.routeTags = routeTags
        self.tags = tags
        self.permissionsBoundary = permissionsBoundary
        self.rolePath = rolePath
        self.encryption = encryption
        self.reservedConcurrency = reservedConcurrency
        self.runbooks = runbooks
        self.consoleSignIn = consoleSignIn
        self.digest = digest
        self.heartbeatMinutes = heartbeatMinutes
    }

    /// `heartbeat`: from 5 minutes (EventBridge schedules every minute at best; fewer canaries cost less) to
    /// 12 hours (the alarm looks at two periods, and CloudWatch allows a day at most).
    public static let heartbeatMinutesRange = 5...720

    /// A storm digest: within each window of `windowSeconds`, the first `threshold` failures of one product
    /// version that take the same routes are alerted one by one; the rest are held and sent as one digest
    /// when the window ends (a delayed SQS message brings the filter back; at most 15 minutes).
    public struct Digest: Hashable, Sendable {
        public var windowSeconds: Int
        public var threshold: Int

        public init(windowSeconds: Int, threshold: Int) {
            self.windowSeconds = windowSeconds
            self.threshold = threshold
        }
    }

    /// The digest rules the filter gets (`DIGEST`): the default route's setting and each route's own or the layout's.
    package var digestRules: DigestRules {
        func setting(_ d: Digest?) -> DigestSetting? { d.map { DigestSetting(windowSeconds: $0.windowSeconds, threshold: $0.threshold) } }
        return DigestRules(
            defaultRoute: defaultRoute ? .some(setting(digest)) : nil,
            routes: routes.map { route in
                let own: Digest?
                switch route.digest {
                case .inherit: own = digest
                case .off: own = nil
                case .on(let d): own = d
                }
                return DigestRouteEntry(name: route.name, filterPolicy: route.match.filterPolicy, digest: setting(own))
            })
    }

    /// The size of the filter's `DIGEST` value for these settings (0 when no route digests).
    static func digestVariableBytes(digest: Digest?, routes: [Route], defaultRoute: Bool) -> Int {
        let layout = Layout(mainRegion: "", regions: [], routes: routes, defaultRoute: defaultRoute, digest: digest)
        return layout.usesDigests ? DigestCodec.encode(layout.digestRules).utf8.count : 0
    }

    /// Whether any route holds storms for digests (then the stack has the digest queue and the ledger).
    public var usesDigests: Bool { digestRules.isActive }

    /// Whether the alert ledger table is part of the deployment: EventBridge sources deduplicate with it, and digests hold failures in it.
    public var usesAlertLedger: Bool { source.usesEventBridge || usesDigests }

    /// One entry of `runbooks`: `default`, a product id or a product name, and an https URL.
    public struct Runbook: Hashable, Sendable {
        public var key: String
        public var url: String

        public init(_ key: String, _ url: String) {
            self.key = key
            self.url = url
        }
    }

    /// `consoleSignIn`: an access portal's start URL and the permission set (role name) to sign in with.
    public struct ConsoleSignIn: Hashable, Sendable {
        public var startURL: String
        public var roleName: String

        public init(startURL: String, roleName: String) {
            self.startURL = startURL
            self.roleName = roleName
        }
    }

    /// One resource tag of the `tags` guardrail.
    public struct Tag: Hashable, Sendable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// How topics and queues are encrypted.
    public enum Encryption: Hashable, Sendable {
        /// A customer-managed key per region, generated by the alert stack.
        case generatedKey
        /// This key (an ARN; with several regions, a multi-Region key `mrk-…`, used in each region as its replica).
        case key(String)
    }

    /// The embedded default: Tokyo only, organization id and e-mail left as template parameters.
    public static let embeddedDefault = Layout(mainRegion: "ap-northeast-1", regions: ["ap-northeast-1"])

    /// The partition of the main region (`aws`, `aws-cn`, `aws-us-gov`).
    public var partition: String { RegionTable.region(mainRegion)?.partition ?? "aws" }

    /// Regions in rollout order: the main region first, then the others as listed.
    public var orderedRegions: [String] { [mainRegion] + regions.filter { $0 != mainRegion } }

    /// The listed portfolios in rollout order of their regions.
    public var portfoliosInOrder: [(region: String, portfolioIds: [String])] {
        orderedRegions.compactMap { region in portfolios[region].map { (region, $0) } }
    }

    /// The central bus's name (main region of the management account), `<namePrefix>-events`.
    public var centralBusName: String { PhysicalName.centralBus.name(prefix: namePrefix) }

    /// The service-managed StackSet that puts the forwarding rule into every member account of `organizationalUnits`.
    public var memberStackSetName: String { StackSetName.name(stackSetName, .members) }

    /// The service-managed StackSet that puts the reader role into every member account of `organizationalUnits`.
    public var readerStackSetName: String { StackSetName.name(stackSetName, .reader) }

    /// The member role's path and name as its ARN ends (`role/<this>`): a deployed reader carries the
    /// layout's role path, a landing-zone role is taken at `/`.
    public var memberRolePathAndName: String {
        deployMemberRole ? String(rolePathAndName(memberRoleName).dropFirst()) : memberRoleName
    }

    /// `path` + `name`: the part of a role ARN after `role`, e.g. `/platform/CatalogWatchStackSetAdministration`.
    public func rolePathAndName(_ name: String) -> String { (rolePath ?? "/") + name }

    /// The receive topic ARN of `region` in the management account `account`.
    public func receiveTopicArn(region: String, account: String) -> String {
        "arn:\(partition):sns:\(region):\(account):\(PhysicalName.receiveTopic.name(prefix: namePrefix))"
    }
}
