import AWSIdentifiers
import Layout
import CloudFormation

/// The landing-zone guardrails of a layout, registered on a template builder before any part adds
/// to it: every taggable resource gets the layout's tags (a tag a part sets itself keeps its value),
/// every IAM role the permissions boundary and the path. The one exception to the path is
/// the StackSet execution role: StackSets build its ARN from the name alone (`role/<name>`), so it must
/// live at `/`; its boundary still applies.
public enum Guardrails {
    /// The role logical names that stay at path `/` (see above).
    public static let pathExempt: Set<String> = [StackSetArtifacts.executionRoleLogicalName]

    /// Registers the tags, boundary and path of `layout` on `t` (nothing when the layout sets none).
    public static func register(_ layout: Layout, on t: inout TemplateBuilder) {
        t.tagEveryResource(layout.tags.map { ResourceTag(key: $0.key, value: .string($0.value)) })
        let boundary = boundaryValue(layout), path = layout.rolePath
        if boundary != nil || path != nil {
            t.customize(IAM.Role.self) { name, role in
                if let boundary { role.permissionsBoundary = boundary }
                if let path, !pathExempt.contains(name) { role.path = .string(path) }
            }
        }
    }

    /// The boundary as each account refers to it: a landing zone puts the same policy in every account,
    /// so the layout's policy ARN is taken in the account of the stack (`${AWS::AccountId}`, also in
    /// member accounts) and partition; AWS-managed policies (`iam::aws:`) stay as they are.
    public static func boundaryValue(_ layout: Layout) -> CFNValue? {
        guard let text = layout.permissionsBoundary else { return nil }
        guard let arn = ARN(text), arn.account != "aws" else { return .string(text) }
        return .sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:\(arn.resource)")
    }

}
