import CloudFormation
import Layout

/// The alert stack as composable parts. Each part is a value holding its settings (defaults are what
/// `AlertStack.template(for:)` uses); its `add(to:)` adds its resources to a `TemplateBuilder` and
/// returns handles that other parts, outputs or your own resources refer to. `AlertStack.add(for:to:)`
/// assembles them in order:
///
/// 1. `Parameters` and `RegionConditions`
/// 2. `ReceiveSide`: the receive topic in every region, open to the organization
/// 3. `AlertTopic`: the send topic and its e-mail subscription
/// 4. `FilterLogs`, then (buffered layouts) `Buffer`, then `Filter`, then (buffered) the buffer's event source mapping
/// 5. `DeadLetterAlarm` for each dead-letter queue
/// 6. `ReceiveSubscriptions`: every receive topic delivers to the filter or its queue
///
/// Names in `${NamePrefix}` substitutions refer to the `NamePrefix` parameter, so a template built from
/// parts declares it (the `Parameters` part does).
public enum AlertStackParts {}
