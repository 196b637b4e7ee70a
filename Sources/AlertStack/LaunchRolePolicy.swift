import AWSIdentifiers
import Layout
import CloudFormation

extension AlertStack {
    /// The IAM policy that product launch roles in member accounts need: CloudFormation publishes the
    /// stack notifications with the launch role's credentials, so without it no event ever arrives.
    public static func launchRolePolicy(for layout: Layout) -> PolicyDocument {
        let account = layout.managementAccountId ?? ParameterName.managementAccountId.template
        let arns = layout.orderedRegions.map { region -> CFNValue in
            let partition = RegionTable.region(region)?.partition ?? layout.partition
            return .string("arn:\(partition):sns:\(region):\(account):\(PhysicalName.receiveTopic.name(prefix: layout.namePrefix))")
        }
        var statements = [PolicyStatement(sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"], resources: arns)]
        if let encryption = layout.encryption {
            statements.append(encryptedTopicsStatement(encryption, partition: layout.partition, account: account, namePrefix: layout.namePrefix, inTemplate: false))
        }
        return PolicyDocument(statements)
    }

    /// With `encryption`, the receive topics use a customer-managed key in the management account: a
    /// publisher from another account needs the key in its own IAM policy too (the key policy admits the
    /// organization through SNS), and only through SNS.
    /// The statement names the key: the layout's key (a multi-Region key in every region), or the keys of
    /// the management account that carry CatalogWatch's tag for this name prefix (one generated per region).
    /// `partition`, `account` and `namePrefix` are literal values, or `${…}` variables of a `Fn::Sub` when
    /// `inTemplate`.
    static func encryptedTopicsStatement(
        _ encryption: Layout.Encryption, partition: String, account: String, namePrefix: String, inTemplate: Bool
    ) -> PolicyStatement {
        var conditions = [PolicyCondition(.stringLike, "kms:ViaService", "sns.*.amazonaws.com")]
        let keys: CFNValue
        switch encryption {
        case .key(let text):
            keys = layoutKeyEverywhere(text)
        case .generatedKey:
            let arn = "arn:\(partition):kms:*:\(account):key/*", prefix = namePrefix
            keys = inTemplate ? .sub(arn) : .string(arn)
            conditions.append(PolicyCondition(.stringEquals, "aws:ResourceTag/\(PhysicalName.keyTagKey)", inTemplate ? .sub(prefix) : .string(prefix)))
        }
        return PolicyStatement(sid: "EncryptNotificationsWithCatalogWatchKey", actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: [keys], conditions: conditions)
    }

    /// The layout's key in every region it is used: a multi-Region key's replicas (any region), else the key.
    static func layoutKeyEverywhere(_ text: String) -> CFNValue {
        guard let arn = ARN(text), arn.resource.hasPrefix("key/mrk-") else { return .string(text) }
        return .string("arn:\(arn.partition):kms:*:\(arn.account):\(arn.resource)")
    }

    /// A template that creates `launchRolePolicy` as a managed policy in a member account (for a
    /// service-managed StackSet to the organization), parameterised by the management account.
    public static func launchRolePolicyTemplate(for layout: Layout) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch: lets Service Catalog launch roles publish stack notifications to the receive topics.")
        t.parameter(
            .managementAccountId,
            .string("Account that owns the CatalogWatch receive topics.", default: layout.managementAccountId,
                    pattern: AccountID.pattern, constraint: AccountID.constraintDescription))
        t.parameter(.namePrefix, NamePrefixRule.parameter("Name prefix used by the alert stack.", default: layout.namePrefix))
        var statements = [
            PolicyStatement(
                sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"],
                resources: [.sub("arn:${AWS::Partition}:sns:*:\(ParameterName.managementAccountId.template):\(PhysicalName.receiveTopic.template)")])
        ]
        if let encryption = layout.encryption {
            statements.append(encryptedTopicsStatement(encryption, partition: "${AWS::Partition}", account: ParameterName.managementAccountId.template, namePrefix: ParameterName.namePrefix.template, inTemplate: true))
        }
        var policy = IAM.ManagedPolicy(policyDocument: PolicyDocument(statements).cfnValue)
        policy.description = "Attach to Service Catalog launch roles so CloudFormation can notify CatalogWatch."
        policy.managedPolicyName = PhysicalName.launchRolePolicy.sub
        let managed = t.resource("LaunchRoleNotificationPolicy", policy)
        t.output("PolicyArn", managed.ref, description: "Attach this policy to every launch role of shared products.")
        return t.template
    }
}
