import AWSIdentifiers
import CloudFormation

extension AlertStack {
    /// The IAM policy that product launch roles in member accounts need: CloudFormation publishes the
    /// stack notifications with the launch role's credentials, so without it no event ever arrives.
    public static func launchRolePolicy(for layout: Layout) -> PolicyDocument {
        let account = layout.managementAccountId ?? "${ManagementAccountId}"
        let arns = layout.orderedRegions.map { region -> CFNValue in
            let partition = RegionTable.region(region)?.partition ?? layout.partition
            return .string("arn:\(partition):sns:\(region):\(account):\(layout.namePrefix)-receive")
        }
        var statements = [PolicyStatement(sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"], resources: arns)]
        if layout.encryption != nil {
            statements.append(encryptedTopicsStatement(keys: .string("arn:\(layout.partition):kms:*:\(keyAccount(layout) ?? account):key/*")))
        }
        return PolicyDocument(statements)
    }

    /// With `encryption`, the receive topics use a customer-managed key in the management account: a
    /// publisher from another account needs the key in its own IAM policy too (the key policy admits the
    /// organization through SNS), and only through SNS.
    static func encryptedTopicsStatement(keys: CFNValue) -> PolicyStatement {
        PolicyStatement(
            sid: "EncryptNotificationsWithCatalogWatchKey", actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: [keys],
            conditions: [PolicyCondition(.stringLike, "kms:ViaService", "sns.*.amazonaws.com")])
    }

    /// The account of a key the layout brings, else nil (a generated key lives in the management account).
    static func keyAccount(_ layout: Layout) -> String? {
        if case .key(let arn)? = layout.encryption { return ARN(arn)?.account }
        return nil
    }

    /// A template that creates `launchRolePolicy` as a managed policy in a member account (for a
    /// service-managed StackSet to the organization), parameterised by the management account.
    public static func launchRolePolicyTemplate(for layout: Layout) -> Template {
        var t = TemplateBuilder(
            description: "CatalogWatch: lets Service Catalog launch roles publish stack notifications to the receive topics.")
        t.parameter(
            "ManagementAccountId",
            .string("Account that owns the CatalogWatch receive topics.", default: layout.managementAccountId,
                    pattern: AccountID.pattern, constraint: AccountID.constraintDescription))
        t.parameter("NamePrefix", NamePrefixRule.parameter("Name prefix used by the alert stack.", default: layout.namePrefix))
        var statements = [
            PolicyStatement(
                sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"],
                resources: [.sub("arn:${AWS::Partition}:sns:*:${ManagementAccountId}:${NamePrefix}-receive")])
        ]
        if layout.encryption != nil {
            let keyAccount = keyAccount(layout) ?? "${ManagementAccountId}"
            statements.append(encryptedTopicsStatement(keys: .sub("arn:${AWS::Partition}:kms:*:\(keyAccount):key/*")))
        }
        var policy = IAM.ManagedPolicy(policyDocument: PolicyDocument(statements).cfnValue)
        policy.description = "Attach to Service Catalog launch roles so CloudFormation can notify CatalogWatch."
        policy.managedPolicyName = .sub("${NamePrefix}-launch-role-notifications")
        let managed = t.resource("LaunchRoleNotificationPolicy", policy)
        t.output("PolicyArn", managed.ref, description: "Attach this policy to every launch role of shared products.")
        return t.template
    }
}
