import CloudFormation
import YAML

/// `lambda: <function ARN>`: a Lambda subscription of the send topic. A function in the management account
/// gets SNS's invoke permission from the alert stack (and the execution role may manage that permission);
/// one in another account must grant it there.
package struct LambdaDestination: DestinationKind {
    package static let key = "lambda"
    let arn: String

    package static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination? {
        guard let text = checker.string(node, key) else { return nil }
        if RouteRules.isARN(text, service: "lambda", resource: { $0.hasPrefix("function:") && $0.count > 9 }) { return .lambda(text) }
        checker.error(node, key, "'\(text)' is not a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>)")
        return nil
    }

    /// Whether the function is in the management account, where the alert stack grants the invoke.
    func isGranted(in managementAccountId: String?) -> Bool { RouteRules.account(ofARN: arn) == managementAccountId }

    package func planText(route: Route, layout: Layout) -> String {
        "Lambda \(arn)" + (isGranted(in: layout.managementAccountId) ? "" : " (grant sns.amazonaws.com lambda:InvokeFunction in its account)")
    }

    package var delivery: Delivery { .subscription(.lambda, endpoint: arn) }
    package var externalArn: String? { arn }

    package func addResources(name: String, sendTopic: ResourceHandle<SNS.Topic>, managementAccountId: String?, condition: ConditionHandle?, to t: inout TemplateBuilder) {
        guard let managementAccountId, isGranted(in: managementAccountId) else { return }
        var permission = Lambda.Permission(action: "lambda:InvokeFunction", functionName: .string(arn), principal: "sns.amazonaws.com")
        permission.sourceArn = sendTopic.ref
        t.resource("\(name)InvokePermission", permission, condition: condition)
    }

    package func executionGrant(layout: Layout) -> PolicyStatement? {
        guard isGranted(in: layout.managementAccountId) else { return nil }
        return PolicyStatement(
            sid: "RouteFunctionPermissions", actions: ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
            resources: [.string(arn)])
    }
}
