import CloudFormation
import Layout

/// In-place configuration of a value, for building nested DSL values in one expression.
protocol Configurable {}

extension Configurable {
    func with(_ configure: (inout Self) -> Void) -> Self {
        var copy = self
        configure(&copy)
        return copy
    }
}

extension SNS.Subscription: Configurable {}
extension Lambda.Permission: Configurable {}
extension Lambda.Function.Code: Configurable {}
extension Lambda.Function.DeadLetterConfig: Configurable {}
extension Lambda.Function.Environment: Configurable {}
extension Lambda.Function.LoggingConfig: Configurable {}
extension CFN.StackSet.DeploymentTargets: Configurable {}
extension Events.EventBusPolicy: Configurable {}
extension Events.Rule.Target: Configurable {}
