import CloudFormation
import XCTest

@testable import AlertStack
@testable import Layout

/// One test per privilege-escalation path the least-privilege roles close, evaluated with `PolicyEvaluator`
/// over every example layout, the embedded default and `migration` with a generated key, a Teams route and
/// a role path. Each test first shows the legitimate request allowed (so it can fail), then the escalation denied.
final class EscalationPathTests: XCTestCase {
    typealias Request = PolicyEvaluator.Request

    static let management = "111122223333", member = "222233334444", outsider = "999988887777"
    static let region = "ap-northeast-1", org = "o-exampleorg1", otherOrg = "o-otherorg1234"
    static let uuid = "1f2e3d4c-5b6a-7980-a1b2-c3d4e5f60718"
    static let keyId = "1234abcd-12ab-34cd-56ef-1234567890ab"
    static let tagKey = "aws:ResourceTag/\(PhysicalName.keyTagKey)"

    /// The substitution table; a template's parameter defaults and its roles' ARNs (`X.Arn`) are added per template.
    static let table = [
        "AWS::Partition": "aws", "AWS::AccountId": management, "AWS::Region": region, "NamePrefix": "catalogwatch",
        "MemberRoleName": "catalogwatch-reader", "OrganizationId": org, "ManagementAccountId": management,
        "LambdaCodeBucket": "catalogwatch-artifacts-111122223333",
    ]

    // MARK: - Fixtures

    /// Every example layout and the embedded default (`exampleLayouts`), and `migration` (an encrypted
    /// ledger and organization publishers at once) with a generated key, a Teams chat route and a role path.
    static func layouts() throws -> [(name: String, layout: Layout)] {
        let path = repositoryRoot.appendingPathComponent("examples/layouts/migration.yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8) + """

            encryption: {kms: generate}
            rolePath: /ops/
            routes:
              - name: ops-chat
                chat:
                  teams: {tenantId: 11111111-2222-3333-4444-555555555555, teamId: 66666666-7777-8888-9999-000000000000, channelId: "19:abc@thread.tacv2"}
                match: {status: [DELETE_FAILED]}

            """
        let result = LayoutReader.read(text, file: "migration-kms-teams.yaml")
        let synthetic = try XCTUnwrap(result.layout, "\(result.errors)")
        return try exampleLayouts() + [("migration-kms-teams", synthetic)]
    }

    /// `table` with `overrides`, the template's parameter defaults, and `X.Arn` of each of its roles.
    static func variables(_ t: Template, _ overrides: [String: String] = [:]) throws -> [String: String] {
        var v = table.merging(overrides) { $1 }
        for p in t.parameters { if let d = p.value.default?.stringValue { v[p.name] = d } }
        v.merge(overrides) { $1 }
        for r in t.resources where r.value.type == "AWS::IAM::Role" {
            guard let name = r.value.property("RoleName") else { continue }
            let path = try r.value.property("Path").flatMap { try PolicyEvaluator.resolve($0, v).stringValue } ?? "/"
            let roleName = try XCTUnwrap(PolicyEvaluator.resolve(name, v).stringValue, r.name)
            v["\(r.name).Arn"] = "arn:aws:iam::\(v["AWS::AccountId"]!):role\(path)\(roleName)"
        }
        return v
    }

    /// The role's identity policy (its inline policies; none of our roles has a managed one).
    static func identity(_ t: Template, _ role: String, _ v: [String: String]) throws -> PolicyEvaluator {
        let r = try XCTUnwrap(t.resource(role), role)
        XCTAssertNil(r.property("ManagedPolicyArns"), "\(role) would have permissions this test does not see")
        guard case .list(let policies)? = r.property("Policies") else { return try PolicyEvaluator([], variables: v) }
        return try PolicyEvaluator(policies.compactMap { $0["PolicyDocument"] }, variables: v)
    }

    static func trust(_ t: Template, _ role: String, _ v: [String: String]) throws -> PolicyEvaluator {
        try PolicyEvaluator([XCTUnwrap(t.resource(role)?.property("AssumeRolePolicyDocument"), role)], variables: v)
    }

    static func request(_ action: String, _ resource: String, _ principal: PolicyEvaluator.Principal? = nil, _ context: [String: String] = [:]) -> Request {
        Request(action: action, resource: resource, principal: principal, context: context.mapValues { [$0] })
    }

    func allowed(_ e: PolicyEvaluator, _ r: Request, _ why: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(e.decide(r), .allow, "\(why): \(r.action) on \(r.resource) \(r.principal.map { "by \($0)" } ?? "") \(r.context)", file: file, line: line)
    }

    func denied(_ e: PolicyEvaluator, _ r: Request, _ why: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(e.decide(r), .allow, "\(why): \(r.action) on \(r.resource) \(r.principal.map { "by \($0)" } ?? "") \(r.context)", file: file, line: line)
    }

    /// The roles template of each layout with its table and execution role, for the execution role's tests.
    func eachExecutionRole(_ body: (String, Layout, [String: String], PolicyEvaluator) throws -> Void) throws {
        for (name, layout) in try Self.layouts() {
            let t = StackSetArtifacts.rolesTemplate(for: layout)
            let v = try Self.variables(t)
            try body(name, layout, v, try Self.identity(t, StackSetArtifacts.executionRoleLogicalName, v))
        }
    }

    static func role(_ layout: Layout, _ suffix: String, path: Bool = true, account: String = management) -> String {
        "arn:aws:iam::\(account):role\(path ? layout.rolePath ?? "/" : "/")\(layout.namePrefix)-\(suffix)"
    }

    static let generatedKey = Layout.Encryption.generatedKey

    // MARK: - 1. The execution role creates no role

    func testExecutionRoleCannotCreateOrAlterRolesAndPolicies() throws {
        try eachExecutionRole { name, layout, v, execution in
            for wave in StackSetArtifacts.plans(for: layout) {
                allowed(execution, Self.request("cloudformation:CreateStack", "arn:aws:cloudformation:\(Self.region):\(Self.management):stack/StackSet-\(wave.stackSetName)-\(Self.uuid)/\(Self.uuid)"), "\(name): the instance stack")
            }
            allowed(execution, Self.request("lambda:CreateFunction", "arn:aws:lambda:\(Self.region):\(Self.management):function:\(layout.namePrefix)-filter"), "\(name): the filter")
            let roles = ["filter", "forward", "chat", "reader"].flatMap { [Self.role(layout, $0), Self.role(layout, $0, path: false)] }
                + [v["AdministrationRole.Arn"]!, v["ExecutionRole.Arn"]!, "arn:aws:iam::\(Self.management):role/Admin",
                   "arn:aws:iam::\(Self.management):role/OrganizationAccountAccessRole"]
            let policies = ["\(layout.namePrefix)-chat-guardrail", "landing-zone-boundary", "AdministratorAccess"].map { "arn:aws:iam::\(Self.management):policy/\($0)" }
                + ["arn:aws:iam::aws:policy/AdministratorAccess"]
            let actions = [
                "iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
                "iam:UpdateAssumeRolePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:CreatePolicy", "iam:DeleteRolePolicy",
                "iam:DetachRolePolicy", "iam:UpdateRole", "iam:TagRole", "iam:CreateServiceLinkedRole", "iam:CreateUser", "iam:CreateAccessKey",
                "sts:AssumeRole",
            ]
            for action in actions {
                for resource in roles + policies + ["*", "arn:aws:iam::\(Self.management):user/intruder"] {
                    denied(execution, Self.request(action, resource), "\(name): the execution role creates and alters no role or policy")
                }
            }
        }
    }

    /// An upgrade from a version whose alert stacks made their own roles deletes them: the execution role
    /// may delete exactly those (`StackSet-<set>-…`, any path), and still create, change or trust nothing.
    func testExecutionRoleOnlyDeletesTheRolesEarlierVersionsStacksMade() throws {
        try eachExecutionRole { name, layout, _, execution in
            let set = StackSetArtifacts.plans(for: layout)[0].stackSetName
            let former = [
                "arn:aws:iam::\(Self.management):role/StackSet-\(set)-\(Self.uuid)-FilterFunctionRole-AB12CD34",
                "arn:aws:iam::\(Self.management):role/platform/StackSet-\(set)-\(Self.uuid)-ChatChannelRole-EF56",
            ]
            for role in former {
                for action in ["iam:DeleteRolePolicy", "iam:DeleteRole", "iam:ListRolePolicies"] {
                    allowed(execution, Self.request(action, role), "\(name): the upgrade removes the former role")
                }
                for action in ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:CreateRole", "iam:PassRole", "sts:AssumeRole"] {
                    denied(execution, Self.request(action, role), "\(name): a former role is only deleted")
                }
            }
            let policy = "arn:aws:iam::\(Self.management):policy/StackSet-\(set)-\(Self.uuid)-ChatGuardrailPolicy-GH78"
            allowed(execution, Self.request("iam:DeletePolicy", policy), "\(name): the former guardrail policy")
            denied(execution, Self.request("iam:CreatePolicyVersion", policy), "\(name): a former policy is only deleted")
            for other in ["arn:aws:iam::\(Self.management):role/StackSet-other-set-\(Self.uuid)-Role-1", "arn:aws:iam::\(Self.management):role/Admin"] {
                denied(execution, Self.request("iam:DeleteRole", other), "\(name): only its own StackSets' former roles")
            }
        }
    }

    /// A switch of rollout mode deletes the former mode's instance stacks as the execution role.
    func testExecutionRoleDeletesTheInstanceStacksOfEitherRolloutMode() throws {
        try eachExecutionRole { name, layout, _, execution in
            for rollout in Layout.Rollout.allCases {
                var other = layout
                other.rollout = rollout
                for wave in StackSetArtifacts.plans(for: other) {
                    let stack = "arn:aws:cloudformation:\(Self.region):\(Self.management):stack/StackSet-\(wave.stackSetName)-\(Self.uuid)/\(Self.uuid)"
                    allowed(execution, Self.request("cloudformation:DeleteStack", stack), "\(name): \(rollout.rawValue) instance stack")
                }
            }
            denied(execution, Self.request("cloudformation:DeleteStack", "arn:aws:cloudformation:\(Self.region):\(Self.management):stack/payments-db/\(Self.uuid)"),
                   "\(name): another stack of the account")
        }
    }

    // MARK: - 2. PassRole: each role, to its one service

    func testExecutionRolePassesEachRoleOnlyToItsOwnService() throws {
        var legitimate = 0
        try eachExecutionRole { name, layout, v, execution in
            let passes: [(role: String, service: String, present: Bool)] = [
                (Self.role(layout, "filter"), "lambda.amazonaws.com", true),
                (Self.role(layout, "forward"), "events.amazonaws.com", layout.source.usesEventBridge),
                (Self.role(layout, "chat"), "chatbot.amazonaws.com", ManagementRoles.hasChatChannels(layout)),
            ]
            let services = passes.map(\.service) + ["ec2.amazonaws.com", "cloudformation.amazonaws.com", "ecs-tasks.amazonaws.com"]
            for pass in passes {
                let own = Self.request("iam:PassRole", pass.role, nil, ["iam:PassedToService": pass.service])
                if pass.present {
                    allowed(execution, own, "\(name): its own service")
                    legitimate += 1
                } else {
                    denied(execution, own, "\(name): the layout has no such role")
                }
                for service in services where service != pass.service {
                    denied(execution, Self.request("iam:PassRole", pass.role, nil, ["iam:PassedToService": service]), "\(name): another service")
                }
                denied(execution, Self.request("iam:PassRole", pass.role), "\(name): no iam:PassedToService")
            }
            var others = [v["AdministrationRole.Arn"]!, v["ExecutionRole.Arn"]!, Self.role(layout, "reader"), "arn:aws:iam::\(Self.management):role/Admin",
                          "arn:aws:iam::\(Self.outsider):role/\(layout.namePrefix)-filter"]
            if layout.rolePath != nil { others.append(Self.role(layout, "filter", path: false)) }
            for role in others {
                for service in services {
                    denied(execution, Self.request("iam:PassRole", role, nil, ["iam:PassedToService": service]), "\(name): any other role")
                }
            }
        }
        XCTAssertGreaterThan(legitimate, 8)
    }

    // MARK: - 3. KMS: only the key it created

    /// A key nobody wrote a policy for: the default key policy, which delegates to the account's IAM policies.
    static let defaultKeyPolicy: CFNValue = [
        "Version": "2012-10-17",
        "Statement": [["Effect": "Allow", "Principal": ["AWS": .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")], "Action": "kms:*", "Resource": "*"]],
    ]

    /// KMS authorization (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html): a Deny of
    /// the key policy or of the caller's IAM policies denies; a key-policy statement naming the caller allows
    /// alone; one naming the caller's account delegates to the caller's IAM policies.
    static func kmsAllows(key: PolicyEvaluator, iam: PolicyEvaluator, _ r: Request) -> Bool {
        let decisions = [key.decide(r), key.decide(r, namedOnly: true), iam.decide(r)]
        if decisions.contains(.explicitDeny) { return false }
        return decisions[1] == .allow || (decisions[0] == .allow && decisions[2] == .allow)
    }

    /// The generated key's policy in each region of the layout (none without `encryption: {kms: generate}`).
    static func generatedKeyPolicies(_ layout: Layout) throws -> [(region: String, policy: PolicyEvaluator)] {
        guard layout.encryption == generatedKey else { return [] }
        let t = AlertStack.template(for: layout)
        let policy = try XCTUnwrap(t.resource(AlertStack.Names.alertKey)?.property("KeyPolicy"))
        return try layout.orderedRegions.map { ($0, try PolicyEvaluator([policy], variables: variables(t, ["AWS::Region": $0]))) }
    }

    func testExecutionRoleAdministersOnlyTheKeyItCreated() throws {
        var administered = 0
        try eachExecutionRole { name, layout, v, execution in
            let prefix = layout.namePrefix, caller = PolicyEvaluator.Principal.aws(v["ExecutionRole.Arn"]!)
            func kms(_ key: PolicyEvaluator, _ action: String, _ region: String, _ context: [String: String]) -> Bool {
                Self.kmsAllows(key: key, iam: execution, Self.request(action, "arn:aws:kms:\(region):\(Self.management):key/\(Self.keyId)", caller, context))
            }
            for (region, key) in try Self.generatedKeyPolicies(layout) {
                let tagged = [Self.tagKey: prefix], dynamoDB = ["kms:ViaService": "dynamodb.\(region).amazonaws.com"]
                for action in ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation"] {
                    XCTAssertTrue(kms(key, action, region, tagged), "\(name)/\(region): \(action) on the key it created")
                }
                XCTAssertEqual(kms(key, "kms:CreateGrant", region, tagged.merging(dynamoDB) { $1 }), layout.usesAlertLedger, "\(name)/\(region): DynamoDB's grant for the ledger")
                XCTAssertFalse(kms(key, "kms:CreateGrant", region, tagged), "\(name)/\(region): a grant made directly, not by DynamoDB")
                XCTAssertFalse(kms(key, "kms:CreateGrant", region, tagged.merging(["kms:ViaService": "lambda.\(region).amazonaws.com"]) { $1 }), "\(name)/\(region): a grant for another service")
                administered += 1
            }
            let other = try PolicyEvaluator([Self.defaultKeyPolicy], variables: v)
            for tags in [[:], [Self.tagKey: "payments"], [Self.tagKey: prefix]] {
                for action in ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:Decrypt", "kms:UntagResource"] {
                    XCTAssertFalse(kms(other, action, Self.region, tags), "\(name): \(action) on another key tagged \(tags)")
                }
                XCTAssertFalse(kms(other, "kms:CreateGrant", Self.region, tags.merging(["kms:ViaService": "dynamodb.\(Self.region).amazonaws.com"]) { $1 }), "\(name): a grant on another key tagged \(tags)")
            }
            let create = Self.request("kms:CreateKey", "*", nil, ["aws:RequestTag/\(PhysicalName.keyTagKey)": prefix])
            if layout.encryption == Self.generatedKey {
                allowed(execution, create, "\(name): the alert key, tagged")
            } else {
                denied(execution, create, "\(name): the layout generates no key")
            }
            denied(execution, Self.request("kms:CreateKey", "*"), "\(name): an untagged key")
            denied(execution, Self.request("kms:CreateKey", "*", nil, ["aws:RequestTag/\(PhysicalName.keyTagKey)": "payments"]), "\(name): another prefix's key")
        }
        XCTAssertGreaterThanOrEqual(administered, 4, "enterprise and migration-kms-teams, two regions each")
    }

    /// Tag-then-administer: the role can put CatalogWatch's tag on another key of the account (KMS checks
    /// tags set by CreateKey against a policy on `*`), so nothing may be granted by that tag alone: neither
    /// the execution role's administration, nor the filter's or the launch roles' use.
    func testTaggingAnotherKeyGrantsNothingOnIt() throws {
        var checked = 0
        for (name, layout) in try Self.layouts() where layout.encryption == Self.generatedKey {
            let roles = StackSetArtifacts.rolesTemplate(for: layout)
            let v = try Self.variables(roles)
            let execution = try Self.identity(roles, StackSetArtifacts.executionRoleLogicalName, v)
            let filter = try Self.identity(roles, ManagementRoles.Names.filterRole, v)
            let launch = try PolicyEvaluator([AlertStack.launchRolePolicy(for: layout).cfnValue], variables: [:])
            let other = try PolicyEvaluator([Self.defaultKeyPolicy], variables: v)
            let key = "arn:aws:kms:\(Self.region):\(Self.management):key/\(Self.keyId)"
            let retagged = [Self.tagKey: layout.namePrefix]
            let (ownRegion, own) = try XCTUnwrap(Self.generatedKeyPolicies(layout).first)
            let ownKey = "arn:aws:kms:\(ownRegion):\(Self.management):key/\(Self.keyId)"
            // What each may do to the key CatalogWatch created.
            XCTAssertTrue(Self.kmsAllows(key: own, iam: execution, Self.request("kms:PutKeyPolicy", ownKey, .aws(v["ExecutionRole.Arn"]!), retagged)), name)
            XCTAssertTrue(Self.kmsAllows(key: own, iam: filter, Self.request("kms:Decrypt", ownKey, .aws(v["FilterFunctionRole.Arn"]!), retagged)), name)
            allowed(launch, Self.request("kms:GenerateDataKey", key, nil, retagged.merging(["kms:ViaService": "sns.\(Self.region).amazonaws.com"]) { $1 }), "\(name): the launch roles' own policy")
            // Nothing on another key carrying the tag.
            for action in ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:Decrypt"] {
                XCTAssertFalse(Self.kmsAllows(key: other, iam: execution, Self.request(action, key, .aws(v["ExecutionRole.Arn"]!), retagged)), "\(name): the execution role, \(action)")
            }
            for action in ["kms:Decrypt", "kms:GenerateDataKey"] {
                XCTAssertFalse(Self.kmsAllows(key: other, iam: filter, Self.request(action, key, .aws(v["FilterFunctionRole.Arn"]!), retagged)), "\(name): the filter, \(action)")
                let viaSNS = retagged.merging(["kms:ViaService": "sns.\(Self.region).amazonaws.com", "aws:PrincipalOrgID": Self.org]) { $1 }
                XCTAssertFalse(Self.kmsAllows(key: other, iam: launch, Self.request(action, key, .aws("arn:aws:iam::\(Self.member):role/SCLaunchRole"), viaSNS)), "\(name): a launch role, \(action)")
            }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 2)
    }

    /// `aws:RequestTag/catalogwatch:name-prefix` constrains that one tag: a request setting it may set any other
    /// tag too, on any key, which other attribute-based policies of the account may grant by.
    func testExecutionRoleSetsNoOtherTagOnAnotherKey() throws {
        var open: [String] = []
        try eachExecutionRole { name, layout, v, execution in
            guard layout.encryption == Self.generatedKey else { return }
            let tagKeys = [PhysicalName.keyTagKey] + layout.tags.map(\.key)
            var creation = Request(action: "kms:CreateKey", resource: "*", context: ["aws:TagKeys": tagKeys])
            creation.context["aws:RequestTag/\(PhysicalName.keyTagKey)"] = [layout.namePrefix]
            for tag in layout.tags { creation.context["aws:RequestTag/\(tag.key)"] = [tag.value] }
            allowed(execution, creation, "\(name): the alert key with the layout's tags")
            creation.action = "kms:TagResource"
            allowed(execution, creation, "\(name): the alert key's tags, set by CreateKey")
            let retag = Request(
                action: "kms:TagResource", resource: "arn:aws:kms:\(Self.region):\(Self.management):key/\(Self.keyId)", principal: .aws(v["ExecutionRole.Arn"]!),
                context: ["aws:TagKeys": [PhysicalName.keyTagKey, "team"], "aws:RequestTag/\(PhysicalName.keyTagKey)": [layout.namePrefix], "aws:RequestTag/team": ["sandbox"]])
            if Self.kmsAllows(key: try PolicyEvaluator([Self.defaultKeyPolicy], variables: v), iam: execution, retag) { open.append(name) }
        }
        if !open.isEmpty {
            XCTFail("OPEN in \(open): statement CreateTaggedAlertKey (kms:CreateKey, kms:TagResource on * with only StringEquals "
                + "aws:RequestTag/\(PhysicalName.keyTagKey) = ${NamePrefix}) lets the execution role set any other tag (e.g. team=sandbox) on any key "
                + "of the account in the same TagResource request; no ForAllValues:StringEquals aws:TagKeys limits the keys")
            return
        }
    }

    // MARK: - 4. Chat channels: only its own configurations

    func testExecutionRoleChangesOnlyItsOwnChatChannels() throws {
        var channels = 0
        try eachExecutionRole { name, layout, _, execution in
            let base = "arn:aws:chatbot::\(Self.management):chat-configuration"
            for route in layout.routes {
                guard case .chat(let channel) = route.destination else { continue }
                let (kind, service) = if case .slack = channel { ("slack-channel", "Slack") } else { ("microsoft-teams-channel", "MicrosoftTeams") }
                for verb in ["Update", "Delete"] {
                    let action = "chatbot:\(verb)\(service)ChannelConfiguration"
                    allowed(execution, Self.request(action, "\(base)/\(kind)/\(layout.namePrefix)-\(route.name)"), "\(name): its channel")
                    channels += 1
                    for other in ["\(base)/\(kind)/security-alerts", "\(base)/\(kind)/payments-\(route.name)",
                                  "arn:aws:chatbot::\(Self.outsider):chat-configuration/\(kind)/\(layout.namePrefix)-\(route.name)"] {
                        denied(execution, Self.request(action, other), "\(name): another configuration")
                    }
                }
            }
            if !ManagementRoles.hasChatChannels(layout) {
                denied(execution, Self.request("chatbot:UpdateSlackChannelConfiguration", "\(base)/slack-channel/\(layout.namePrefix)-chat"), "\(name): no chat route")
            }
        }
        XCTAssertGreaterThanOrEqual(channels, 4)
    }

    // MARK: - 5. Lambda: only the filter

    func testExecutionRoleChangesOnlyTheFilterFunction() throws {
        try eachExecutionRole { name, layout, _, execution in
            let function = { (account: String, fn: String) in "arn:aws:lambda:\(Self.region):\(account):function:\(fn)" }
            let filter = function(Self.management, "\(layout.namePrefix)-filter")
            var others = [function(Self.management, "payments-api"), function(Self.management, "\(layout.namePrefix)-filter-copy"),
                          function(Self.outsider, "\(layout.namePrefix)-filter")]
            others += layout.routes.compactMap { route -> String? in if case .lambda(let arn) = route.destination { arn } else { nil } }  // SNS may invoke it, nothing more
            for action in ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"] {
                allowed(execution, Self.request(action, filter), "\(name): the filter")
                for other in others { denied(execution, Self.request(action, other), "\(name): another function") }
            }
            allowed(execution, Self.request("lambda:CreateEventSourceMapping", "*", nil, ["lambda:FunctionArn": filter]), "\(name): the filter's queue")
            for other in others {
                denied(execution, Self.request("lambda:CreateEventSourceMapping", "*", nil, ["lambda:FunctionArn": other]), "\(name): another function")
            }
            denied(execution, Self.request("lambda:CreateEventSourceMapping", "*"), "\(name): no lambda:FunctionArn")
        }
    }

    // MARK: - 6. The administration role serves our StackSets only

    func testAdministrationRoleTrustsOnlyCloudFormationForOurStackSets() throws {
        for (name, layout) in try Self.layouts() {
            let t = StackSetArtifacts.rolesTemplate(for: layout)
            let v = try Self.variables(t)
            let admin = try Self.trust(t, StackSetArtifacts.administrationRoleLogicalName, v), adminArn = v["AdministrationRole.Arn"]!
            let cloudFormation = PolicyEvaluator.Principal.service("cloudformation.amazonaws.com")
            func stackSet(_ set: String, account: String = Self.management) -> String {
                "arn:aws:cloudformation:\(Self.region):\(account):stackset/\(set):\(Self.uuid)"
            }
            for wave in StackSetArtifacts.plans(for: layout) {
                let context = ["aws:SourceAccount": Self.management, "aws:SourceArn": stackSet(wave.stackSetName)]
                allowed(admin, Self.request("sts:AssumeRole", adminArn, cloudFormation, context), "\(name): our StackSet")
                for principal: PolicyEvaluator.Principal in [
                    .service("lambda.amazonaws.com"), .aws("arn:aws:iam::\(Self.outsider):root"), .aws("arn:aws:iam::\(Self.management):role/Admin"),
                ] {
                    denied(admin, Self.request("sts:AssumeRole", adminArn, principal, context), "\(name): another principal")
                }
                denied(admin, Self.request("sts:AssumeRole", adminArn, cloudFormation, ["aws:SourceArn": stackSet(wave.stackSetName)]), "\(name): no aws:SourceAccount")
            }
            for (account, set) in [(Self.management, "attacker-stackset"), (Self.management, "\(layout.stackSetName)-copy"),
                                   (Self.outsider, layout.stackSetName)] {
                denied(admin, Self.request("sts:AssumeRole", adminArn, cloudFormation, ["aws:SourceAccount": account, "aws:SourceArn": stackSet(set, account: account)]),
                       "\(name): another StackSet or account")
            }
            denied(admin, Self.request("sts:AssumeRole", adminArn, cloudFormation, ["aws:SourceAccount": Self.outsider, "aws:SourceArn": stackSet(layout.stackSetName)]),
                   "\(name): another account")
            denied(admin, Self.request("sts:AssumeRole", adminArn, cloudFormation, ["aws:SourceAccount": Self.management]), "\(name): no aws:SourceArn")
            // The execution role trusts the administration role alone.
            let execution = try Self.trust(t, StackSetArtifacts.executionRoleLogicalName, v), executionArn = v["ExecutionRole.Arn"]!
            allowed(execution, Self.request("sts:AssumeRole", executionArn, .aws(adminArn)), "\(name): the administration role")
            for principal: PolicyEvaluator.Principal in [
                .aws("arn:aws:iam::\(Self.management):role/Admin"), .aws(Self.role(layout, "filter")), cloudFormation,
                .aws("arn:aws:iam::\(Self.outsider):role/\(StackSetArtifacts.administrationRoleName)"),
            ] {
                denied(execution, Self.request("sts:AssumeRole", executionArn, principal), "\(name): another principal")
            }
        }
    }

    // MARK: - 7. The filter assumes the reader only, only in the organization

    func testFilterRoleAssumesOnlyTheReaderInItsOrganization() throws {
        for (name, layout) in try Self.layouts() {
            let t = StackSetArtifacts.rolesTemplate(for: layout)
            let filter = try Self.identity(t, ManagementRoles.Names.filterRole, try Self.variables(t))
            let readerPath = layout.deployMemberRole ? layout.rolePath ?? "/" : "/"
            let reader = "arn:aws:iam::\(Self.member):role\(readerPath)\(layout.memberRoleName)"
            let inOrg = ["aws:ResourceOrgID": Self.org]
            allowed(filter, Self.request("sts:AssumeRole", reader, nil, inOrg), "\(name): the reader in the organization")
            denied(filter, Self.request("sts:AssumeRole", reader, nil, ["aws:ResourceOrgID": Self.otherOrg]), "\(name): another organization")
            denied(filter, Self.request("sts:AssumeRole", reader), "\(name): no aws:ResourceOrgID")
            for role in ["AWSControlTowerExecution", "OrganizationAccountAccessRole", "Admin", "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef"] {
                denied(filter, Self.request("sts:AssumeRole", "arn:aws:iam::\(Self.member):role/\(role)", nil, inOrg), "\(name): an administrator role")
            }
            denied(filter, Self.request("sts:AssumeRole", "arn:aws:iam::\(Self.management):role/\(StackSetArtifacts.executionRoleName)", nil, inOrg), "\(name): the execution role")
            let account = { (org: String) in "arn:aws:organizations::\(Self.management):account/\(org)/\(Self.member)" }
            allowed(filter, Self.request("organizations:DescribeAccount", account(Self.org)), "\(name): an account of its organization")
            denied(filter, Self.request("organizations:DescribeAccount", account(Self.otherOrg)), "\(name): another organization")
            for action in ["organizations:CreateAccount", "organizations:MoveAccount", "organizations:AttachPolicy", "organizations:LeaveOrganization"] {
                denied(filter, Self.request(action, "*"), "\(name): Organizations writes")
                denied(filter, Self.request(action, account(Self.org)), "\(name): Organizations writes")
            }
        }
    }

    // MARK: - 8. The reader trusts the filter only and reads only

    func testReaderRoleTrustsOnlyTheFilterAndOnlyReads() throws {
        var readers = 0
        for (name, layout) in try Self.layouts() {
            var subjects: [(what: String, template: Template, account: String)] = [("member-reader", MemberReader.template(for: layout), Self.member)]
            if layout.deployMemberRole { subjects.append(("roles", StackSetArtifacts.rolesTemplate(for: layout), Self.management)) }
            for subject in subjects {
                let what = "\(name)/\(subject.what)", acct = subject.account
                let v = try Self.variables(subject.template, ["AWS::AccountId": acct])
                let trust = try Self.trust(subject.template, MemberReader.roleLogicalName, v)
                let reader = try Self.identity(subject.template, MemberReader.roleLogicalName, v)
                let readerArn = "arn:aws:iam::\(acct):role/\(layout.memberRoleName)"
                readers += 1
                allowed(trust, Self.request("sts:AssumeRole", readerArn, .aws(Self.role(layout, "filter"))), "\(what): the filter")
                var others: [PolicyEvaluator.Principal] = [
                    .aws("arn:aws:iam::\(Self.management):root"), .aws("arn:aws:iam::\(Self.management):role/\(StackSetArtifacts.administrationRoleName)"),
                    .aws("arn:aws:iam::\(Self.management):role/\(StackSetArtifacts.executionRoleName)"), .aws(Self.role(layout, "filter", account: Self.outsider)),
                    .aws("arn:aws:iam::\(acct):role/Admin"), .service("lambda.amazonaws.com"),
                ]
                if layout.rolePath != nil { others.append(.aws(Self.role(layout, "filter", path: false))) }
                for principal in others { denied(trust, Self.request("sts:AssumeRole", readerArn, principal), "\(what): anyone else") }

                let stack = { (stack: String, account: String) in "arn:aws:cloudformation:\(Self.region):\(account):stack/\(stack)/\(Self.uuid)" }
                let scStack = stack("SC-\(acct)-pp-abcdefghijklm", acct)
                allowed(reader, Self.request("cloudformation:DescribeStackEvents", scStack), "\(what): a Service Catalog stack")
                allowed(reader, Self.request("servicecatalog:DescribeProvisionedProduct", "*"), "\(what): the provisioned product")
                for other in [stack("StackSet-\(layout.stackSetName)-\(Self.uuid)", acct), stack("payments-prod", acct), stack("SC-\(Self.outsider)-pp-abcdefghijklm", Self.outsider)] {
                    denied(reader, Self.request("cloudformation:DescribeStackEvents", other), "\(what): another stack")
                }
                let product = "arn:aws:catalog:\(Self.region):\(acct):product/prod-abcdefghijklm"
                let writes: [(String, [String])] = [
                    ("cloudformation:DeleteStack", [scStack, "*"]), ("cloudformation:UpdateStack", [scStack, "*"]), ("cloudformation:CreateStack", [scStack, "*"]),
                    ("servicecatalog:TerminateProvisionedProduct", ["*", product]), ("servicecatalog:UpdateProvisionedProduct", ["*", product]),
                    ("servicecatalog:ProvisionProduct", ["*", product]), ("servicecatalog:AssociatePrincipalWithPortfolio", ["*"]),
                    ("iam:CreateRole", ["*", readerArn]), ("iam:PassRole", ["*", readerArn]), ("iam:AttachRolePolicy", ["*", readerArn]),
                    ("iam:PutRolePolicy", ["*", readerArn]), ("iam:UpdateAssumeRolePolicy", ["*", readerArn]), ("sts:AssumeRole", ["*", readerArn]),
                    ("s3:GetObject", ["*"]), ("ssm:SendCommand", ["*"]),
                ]
                for (action, resources) in writes {
                    for resource in resources { denied(reader, Self.request(action, resource), "\(what): read-only") }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(readers, 16)
    }

    // MARK: - 9. The generated key admits the organization for the receive topic only

    func testGeneratedKeyAdmitsTheOrganizationOnlyThroughItsReceiveTopic() throws {
        var checked = 0
        for (name, layout) in try Self.layouts() where layout.encryption == Self.generatedKey {
            let t = AlertStack.template(for: layout)
            let policy = try XCTUnwrap(t.resource(AlertStack.Names.alertKey)?.property("KeyPolicy"), name)
            let launchRole = PolicyEvaluator.Principal.aws("arn:aws:iam::\(Self.member):role/SCLaunchRole")
            for region in layout.orderedRegions {
                let key = try PolicyEvaluator([policy], variables: Self.variables(t, ["AWS::Region": region]))
                let keyArn = "arn:aws:kms:\(region):\(Self.management):key/\(Self.keyId)"
                let topic = { (region: String, account: String, name: String) in "arn:aws:sns:\(region):\(account):\(name)" }
                let receive = topic(region, Self.management, "\(layout.namePrefix)-receive")
                let context = { (org: String, via: String, topic: String) in
                    ["aws:PrincipalOrgID": org, "kms:ViaService": via, "kms:EncryptionContext:aws:sns:topicArn": topic]
                }
                let sns = "sns.\(region).amazonaws.com"
                let legitimate = Self.request("kms:GenerateDataKey", keyArn, launchRole, context(Self.org, sns, receive))
                if layout.source.usesNotifications {
                    allowed(key, legitimate, "\(name)/\(region): a launch role publishing to the receive topic")
                    checked += 1
                } else {
                    denied(key, legitimate, "\(name)/\(region): no launch role publishes")
                }
                let otherRegion = region == "us-east-1" ? "eu-west-1" : "us-east-1"
                for topicArn in [topic(region, Self.management, "\(layout.namePrefix)-alerts"), topic(region, Self.management, "payments-alerts"),
                                 topic(otherRegion, Self.management, "\(layout.namePrefix)-receive"), topic(region, Self.member, "\(layout.namePrefix)-receive")] {
                    denied(key, Self.request("kms:GenerateDataKey", keyArn, launchRole, context(Self.org, sns, topicArn)), "\(name)/\(region): another topic")
                }
                denied(key, Self.request("kms:GenerateDataKey", keyArn, launchRole, context(Self.otherOrg, sns, receive)), "\(name)/\(region): outside the organization")
                denied(key, Self.request("kms:GenerateDataKey", keyArn, .aws("arn:aws:iam::\(Self.outsider):role/SCLaunchRole"),
                                         ["kms:ViaService": sns, "kms:EncryptionContext:aws:sns:topicArn": receive]), "\(name)/\(region): no organization")
                for via in ["sqs.\(region).amazonaws.com", "sns.\(otherRegion).amazonaws.com"] {
                    denied(key, Self.request("kms:GenerateDataKey", keyArn, launchRole, context(Self.org, via, receive)), "\(name)/\(region): not through this region's SNS")
                }
                denied(key, Self.request("kms:GenerateDataKey", keyArn, launchRole, ["aws:PrincipalOrgID": Self.org, "kms:ViaService": sns]), "\(name)/\(region): no topic in the context")
                for action in ["kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReEncryptFrom", "kms:ScheduleKeyDeletion"] {
                    denied(key, Self.request(action, keyArn, launchRole, context(Self.org, sns, receive)), "\(name)/\(region): only encrypt and decrypt")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 4, "enterprise and migration-kms-teams, two regions each")
    }

    // MARK: - 10. Launch roles use only CatalogWatch's keys, only through SNS

    func testLaunchRolesUseOnlyTaggedKeysThroughSNS() throws {
        var checked = 0
        for (name, layout) in try Self.layouts() {
            var policies: [(String, PolicyEvaluator)] = []
            if layout.managementAccountId != nil { policies.append(("policy", try PolicyEvaluator([AlertStack.launchRolePolicy(for: layout).cfnValue], variables: [:]))) }
            let t = AlertStack.launchRolePolicyTemplate(for: layout)
            let document = try XCTUnwrap(t.resource("LaunchRoleNotificationPolicy")?.property("PolicyDocument"))
            policies.append(("template", try PolicyEvaluator([document], variables: Self.variables(t, ["AWS::AccountId": Self.member]))))
            for (what, policy) in policies {
                for region in layout.orderedRegions {
                    let id = "\(name)/\(what)/\(region)", key = "arn:aws:kms:\(region):\(Self.management):key/\(Self.keyId)"
                    let sns = ["kms:ViaService": "sns.\(region).amazonaws.com"]
                    let tagged = sns.merging([Self.tagKey: layout.namePrefix]) { $1 }
                    allowed(policy, Self.request("sns:Publish", "arn:aws:sns:\(region):\(Self.management):\(layout.namePrefix)-receive"), "\(id): the receive topic")
                    denied(policy, Self.request("sns:Publish", "arn:aws:sns:\(region):\(Self.management):\(layout.namePrefix)-alerts"), "\(id): another topic")
                    if layout.encryption == Self.generatedKey {
                        allowed(policy, Self.request("kms:GenerateDataKey", key, nil, tagged), "\(id): CatalogWatch's key through SNS")
                        checked += 1
                    } else {
                        denied(policy, Self.request("kms:GenerateDataKey", key, nil, tagged), "\(id): topics are not encrypted")
                    }
                    denied(policy, Self.request("kms:GenerateDataKey", key, nil, sns), "\(id): an untagged key")
                    denied(policy, Self.request("kms:GenerateDataKey", key, nil, sns.merging([Self.tagKey: "payments"]) { $1 }), "\(id): another prefix's key")
                    for via in ["s3.\(region).amazonaws.com", "secretsmanager.\(region).amazonaws.com"] {
                        denied(policy, Self.request("kms:GenerateDataKey", key, nil, [Self.tagKey: layout.namePrefix, "kms:ViaService": via]), "\(id): not through SNS")
                    }
                    denied(policy, Self.request("kms:Decrypt", key, nil, [Self.tagKey: layout.namePrefix]), "\(id): directly")
                    denied(policy, Self.request("kms:GenerateDataKey", "arn:aws:kms:\(region):\(Self.member):key/\(Self.keyId)", nil, tagged), "\(id): a key of another account")
                    for action in ["kms:CreateGrant", "kms:PutKeyPolicy", "kms:ReEncryptTo"] {
                        denied(policy, Self.request(action, key, nil, tagged), "\(id): only encrypt and decrypt")
                    }
                }
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 8, "enterprise and migration-kms-teams, two regions, policy and template")
    }
}

/// The evaluator's own rules, on small documents.
final class PolicyEvaluatorTests: XCTestCase {
    let variables = ["AWS::Partition": "aws", "AWS::AccountId": "111122223333", "NamePrefix": "catalogwatch", "Role.Arn": "arn:aws:iam::111122223333:role/r"]

    func evaluator(_ statements: CFNValue...) throws -> PolicyEvaluator {
        try PolicyEvaluator([["Version": "2012-10-17", "Statement": .list(statements)]], variables: variables)
    }

    func testGlobsActionsCaseInsensitivelyAndArnsPartByPart() throws {
        let e = try evaluator(["Effect": "Allow", "Action": "SNS:Get*", "Resource": .sub("arn:${AWS::Partition}:sns:*:${AWS::AccountId}:${NamePrefix}-?x*")])
        XCTAssertEqual(e.decide(.init(action: "sns:GetTopicAttributes", resource: "arn:aws:sns:eu-west-1:111122223333:catalogwatch-axe")), .allow)
        XCTAssertEqual(e.decide(.init(action: "sns:SetTopicAttributes", resource: "arn:aws:sns:eu-west-1:111122223333:catalogwatch-axe")), .implicitDeny)
        XCTAssertEqual(e.decide(.init(action: "sns:GetTopicAttributes", resource: "arn:aws:sns:eu-west-1:111122223333:catalogwatch-x")), .implicitDeny, "? is one character")
        XCTAssertEqual(e.decide(.init(action: "sns:GetTopicAttributes", resource: "arn:aws:sns:eu-west-1:444455556666:catalogwatch-axe")), .implicitDeny)
        XCTAssertTrue(PolicyEvaluator.arnMatches("arn:aws:iam::*:role/x", "arn:aws:iam::111122223333:role/x"))
        XCTAssertFalse(PolicyEvaluator.arnMatches("arn:aws:iam::*:role/x", "arn:aws:iam:us-east-1:111122223333:role/x"), "a wildcard never spans a part")
    }

    func testEveryConditionMustHoldAndAMissingKeyFailsAPositiveOperator() throws {
        let e = try evaluator([
            "Effect": "Allow", "Action": "iam:PassRole", "Resource": .function("Fn::GetAtt", ["Role", "Arn"]),
            "Condition": ["StringEquals": ["iam:PassedToService": ["lambda.amazonaws.com", "events.amazonaws.com"]], "Bool": ["aws:SecureTransport": "true"]],
        ])
        let role = "arn:aws:iam::111122223333:role/r"
        XCTAssertEqual(e.decide(.init(action: "iam:PassRole", resource: role, context: ["iam:passedtoservice": ["events.amazonaws.com"], "aws:SecureTransport": ["TRUE"]])), .allow)
        XCTAssertEqual(e.decide(.init(action: "iam:PassRole", resource: role, context: ["iam:PassedToService": ["ec2.amazonaws.com"], "aws:SecureTransport": ["true"]])), .implicitDeny)
        XCTAssertEqual(e.decide(.init(action: "iam:PassRole", resource: role, context: ["iam:PassedToService": ["lambda.amazonaws.com"]])), .implicitDeny, "missing key")
    }

    func testSetOperatorsPrincipalsAndExplicitDeny() throws {
        let e = try evaluator(
            ["Effect": "Allow", "Principal": ["AWS": .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")], "Action": "kms:*", "Resource": "*",
             "Condition": ["ForAllValues:StringEquals": ["aws:TagKeys": ["a", "b"]]]],
            ["Effect": "Allow", "Principal": ["Service": "sns.amazonaws.com"], "Action": "kms:Decrypt", "Resource": "*",
             "Condition": ["ForAnyValue:StringEquals": ["aws:TagKeys": "a"]]],
            ["Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"])
        let user = PolicyEvaluator.Principal.aws("arn:aws:iam::111122223333:role/any")
        XCTAssertEqual(e.decide(.init(action: "kms:Encrypt", resource: "k", principal: user)), .allow, "ForAllValues holds without the key")
        XCTAssertEqual(e.decide(.init(action: "kms:Encrypt", resource: "k", principal: user, context: ["aws:TagKeys": ["a", "c"]])), .implicitDeny)
        XCTAssertEqual(e.decide(.init(action: "kms:Encrypt", resource: "k", principal: .aws("arn:aws:iam::444455556666:role/any"))), .implicitDeny)
        XCTAssertEqual(e.decide(.init(action: "kms:Decrypt", resource: "k", principal: .service("sns.amazonaws.com"), context: ["aws:TagKeys": ["c", "a"]])), .allow)
        XCTAssertEqual(e.decide(.init(action: "kms:Decrypt", resource: "k", principal: .service("sns.amazonaws.com"))), .implicitDeny, "ForAnyValue fails without the key")
        XCTAssertEqual(e.decide(.init(action: "kms:ScheduleKeyDeletion", resource: "k", principal: user)), .explicitDeny)
        XCTAssertThrowsError(try PolicyEvaluator([["Statement": ["Effect": "Allow", "Action": "*", "Resource": .ref("Unknown")]]], variables: [:]))
        XCTAssertThrowsError(try evaluator(["Effect": "Allow", "Action": "*", "Resource": "*", "Condition": ["NumericLessThan": ["k": "1"]]]))
    }
}
