import CloudFormation
import Layout

/// The read-only role the filter assumes in member accounts (`<namePrefix>-reader` by default), and the
/// service-managed StackSet that puts it into every account of the layout's OUs, accounts that join
/// later included. It may only describe what the filter reads (the provisioned product, its product,
/// version and record, the stack's events and tags) and trusts only the filter's role in the
/// management account. IAM is global: the StackSet has one instance per account, in the main region.
public enum MemberReader {
    /// The member template's description.
    public static let templateDescription =
        "CatalogWatch reader: the read-only role the CatalogWatch filter in the management account assumes to describe failed Service Catalog products in this account."

    /// Logical names.
    public static let roleLogicalName = "ReaderRole"
    public static let stackSetLogicalName = "ReaderStackSet"

    /// Parameters of the reader template, in order (the StackSet passes each).
    public static var parameterNames: [String] { ServiceManagedStackSetPlan.memberReader(.embeddedDefault).parameters.map(\.name.name) }

    /// What the filter reads, in two statements: Service Catalog describe calls (two of which name no
    /// resource type, so they take `*`), and the events and tags of Service Catalog stacks (`SC-*`).
    public static var policy: PolicyDocument {
        PolicyDocument([
            PolicyStatement(
                sid: "DescribeProvisionedProducts",
                actions: ["servicecatalog:DescribeProvisionedProduct", "servicecatalog:DescribeRecord"], resources: ["*"]),
            PolicyStatement(
                sid: "DescribeProducts", actions: ["servicecatalog:DescribeProduct", "servicecatalog:DescribeProvisioningArtifact"],
                resources: [.sub("arn:${AWS::Partition}:catalog:*:*:product/*")]),
            PolicyStatement(
                sid: "ReadServiceCatalogStacks", actions: ["cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks"],
                resources: [.sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/SC-*")]),
        ])
    }

    /// The reader role, named `MemberRoleName`, trusting `filterRoleArn` only.
    public static func role(filterRoleArn: CFNValue) -> IAM.Role {
        var role = IAM.Role(assumeRolePolicyDocument: PolicyDocument([
            PolicyStatement(principal: .aws([filterRoleArn]), actions: ["sts:AssumeRole"])
        ]).cfnValue)
        role.description = "CatalogWatch reader: lets the CatalogWatch filter describe failed Service Catalog products and their stacks; read-only."
        role.roleName = ParameterName.memberRoleName.ref
        role.policies = [IAM.Role.Policy(policyDocument: policy.cfnValue, policyName: "catalogwatch-reader")]
        return role
    }

    /// The member template: the reader role, trusting the filter's role of `ManagementAccountId`.
    public static func template(for layout: Layout) -> Template {
        var t = TemplateBuilder(description: templateDescription)
        Guardrails.register(layout, on: &t)
        MemberForwarding.addManagementParameters(
            for: layout, namePrefix: "Prefix of the filter's role name in the management account.",
            account: "Account of the CatalogWatch filter (the organization's management account).", to: &t)
        t.parameter(
            .memberRoleName,
            .string("Name of the reader role (the filter's MEMBER_ROLE_NAME).", default: layout.memberRoleName,
                    pattern: "^[\\w+=,.@-]{1,64}$", constraint: "an IAM role name"))
        let filterRole = "arn:${AWS::Partition}:iam::\(ParameterName.managementAccountId.template):role\(layout.rolePath ?? "/")\(PhysicalName.filter.template)"
        let reader = t.resource(roleLogicalName, role(filterRoleArn: .sub(filterRole)))
        t.output("ReaderRoleArn", reader.getAtt(.arn), description: "The role the filter assumes in this account.")
        return t.template
    }

    /// The parameter of the StackSet template that lists the OUs (the layout's by default; a layout without
    /// any leaves it to whoever deploys the template).
    public static let organizationalUnitsParameter = ParameterName.readerOrganizationalUnits.name

    /// Adds the service-managed StackSet `ReaderStackSet` and its OU parameter to `t`; it depends on nothing
    /// but the roles stack (the filter reads through it as soon as it runs).
    @discardableResult
    public static func addStackSet(for layout: Layout, readerBody: String, to t: inout TemplateBuilder) -> ResourceHandle<CFN.StackSet> {
        t.parameter(
            organizationalUnitsParameter,
            Parameter(
                type: "CommaDelimitedList",
                description: "OU ids (ou-…) or the root id (r-…) whose accounts get the reader role the filter assumes.",
                default: layout.organizationalUnits.isEmpty ? nil : .string(layout.organizationalUnits.joined(separator: ","))))
        let set = MemberForwarding.serviceManagedStackSet(
            .memberReader(layout), organizationalUnits: .ref(organizationalUnitsParameter), body: readerBody)
        return t.resource(stackSetLogicalName, set)
    }
}
