import CloudFormation
import FilterContract
import Layout

/// The EventBridge event pattern of the `eventbridge` source: CloudFormation stack status changes of
/// Service Catalog stacks (`SC-<account>-pp-<id>`) that ended in a terminal failure. The forwarding
/// rules and the central rule use the same pattern, so routine events are dropped by EventBridge
/// before anything is billed or invoked.
public enum FailureEventPattern {
    /// The statuses that match: the filter's default alert set (`StackStatus.terminalFailures` in FilterCore).
    public static let statuses = TerminalFailures.statuses

    /// The source and detail type of the events CloudFormation sends to the default bus.
    public static let source = "aws.cloudformation"
    public static let detailType = "CloudFormation Stack Status Change"

    /// Service Catalog names a provisioned product's stack `SC-<account>-pp-<id>`; the stack ARN is
    /// `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`. Three wildcards (fewer
    /// is cheaper for EventBridge to evaluate); stack names hold no `:` or `/`, so `:stack/SC-` can only be
    /// the name's start. Nested stacks of a product (`SC-…-pp-…-Nested-…`) match too: the filter, which
    /// checks the exact name, ignores them, so one failure alerts once.
    public static let serviceCatalogStackId = "*:stack/SC-*-pp-*"

    /// The pattern as a template value (a JSON object in the rendered template).
    public static var pattern: CFNValue {
        .object([
            CFNField("source", [.string(source)]),
            CFNField("detail-type", [.string(detailType)]),
            CFNField(
                "detail",
                .object([
                    CFNField("stack-id", [.object([CFNField("wildcard", .string(serviceCatalogStackId))])]),
                    CFNField("status-details", .object([CFNField("status", .list(statuses.map(CFNValue.string)))])),
                ])),
        ])
    }
}
