import CloudFormation
import Layout
import YAML

/// One generated file: its path relative to the output folder and its exact contents.
package struct Artifact: Hashable, Sendable {
    package var path: String
    package var contents: String
}

/// Everything `catalogwatch generate` writes for a layout, in a fixed order.
package enum Artifacts {
    /// Whether the layout names everything a real deployment needs (then CLI input files are written too).
    package static func missingForDeployment(_ layout: Layout) -> [String] {
        var missing: [String] = []
        if layout.organizationId == nil { missing.append("organizationId") }
        if layout.notificationEmail == nil { missing.append("notificationEmail") }
        if layout.managementAccountId == nil { missing.append("managementAccountId") }
        if layout.lambdaCode == nil { missing.append("lambdaCode") }
        return missing
    }

    /// The alert stack, member (forwarding, reader), StackSet, roles and launch-role policy templates, and the AWS CLI inputs.
    package static func generate(for layout: Layout, format: TemplateFormat) throws(YAMLError) -> [Artifact] {
        let ext = format.fileExtension
        let alert = AlertStack.template(for: layout)
        let alertBody = try alert.rendered(format)
        var files = [Artifact(path: "alert-stack.\(ext)", contents: alertBody)]
        var memberBody: String?
        if layout.source.usesEventBridge {
            let body = try MemberForwarding.template(for: layout).rendered(format)
            files.append(Artifact(path: "member-forwarding.\(ext)", contents: body))
            memberBody = body
        }
        var readerBody: String?
        if layout.deployMemberRole {
            let body = try MemberReader.template(for: layout).rendered(format)
            files.append(Artifact(path: "member-reader.\(ext)", contents: body))
            readerBody = body
        }
        let stackSet = StackSetArtifacts.stackSetTemplate(
            for: layout, alertStack: alert, alertStackBody: alertBody, memberBody: memberBody, readerBody: readerBody)
        files.append(Artifact(path: "stackset.\(ext)", contents: try stackSet.rendered(format)))
        files.append(Artifact(path: "stackset-roles.\(ext)", contents: try StackSetArtifacts.rolesTemplate(for: layout).rendered(format)))
        guard layout.source.usesNotifications else { return files + cliInputs(for: layout, alert: alert, alertBody: alertBody) }
        files.append(Artifact(path: "launch-role-policy.\(ext)", contents: try AlertStack.launchRolePolicyTemplate(for: layout).rendered(format)))
        if layout.managementAccountId != nil {
            files.append(Artifact(path: "launch-role-iam-policy.json", contents: JSONWriter.write(AlertStack.launchRolePolicy(for: layout).cfnValue) + "\n"))
        }
        return files + cliInputs(for: layout, alert: alert, alertBody: alertBody)
    }

    /// The AWS CLI inputs of the alert-stack StackSets, when the layout names everything they need.
    static func cliInputs(for layout: Layout, alert: Template, alertBody: String) -> [Artifact] {
        var files: [Artifact] = []
        if missingForDeployment(layout).isEmpty {
            let waves = StackSetArtifacts.plans(for: layout)
            for (i, wave) in waves.enumerated() {
                let suffix = waves.count == 1 ? "" : "-\(i + 1)-\(i == 0 ? "main" : "regions")"
                files.append(Artifact(
                    path: "cli/create-stack-set\(suffix).json",
                    contents: JSONWriter.write(StackSetArtifacts.createStackSetInput(for: layout, wave: wave, alertStack: alert, alertStackBody: alertBody)) + "\n"))
                files.append(Artifact(
                    path: "cli/create-stack-instances\(suffix).json",
                    contents: JSONWriter.write(StackSetArtifacts.createStackInstancesInput(for: layout, wave: wave)) + "\n"))
            }
        }
        return files
    }
}
