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
        return PolicyDocument([
            PolicyStatement(sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"], resources: arns)
        ])
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
        var policy = IAM.ManagedPolicy(
            policyDocument: PolicyDocument([
                PolicyStatement(
                    sid: "PublishStackNotificationsToCatalogWatch", actions: ["sns:Publish"],
                    resources: [.sub("arn:${AWS::Partition}:sns:*:${ManagementAccountId}:${NamePrefix}-receive")])
            ]).cfnValue)
        policy.description = "Attach to Service Catalog launch roles so CloudFormation can notify CatalogWatch."
        policy.managedPolicyName = .sub("${NamePrefix}-launch-role-notifications")
        let managed = t.resource("LaunchRoleNotificationPolicy", policy)
        t.output("PolicyArn", managed.ref, description: "Attach this policy to every launch role of shared products.")
        return t.template
    }
}
