// custom-stack [--layout FILE] [--webhook URL] [--boundary-policy NAME] OUTPUT_DIR
//
// Builds CatalogWatch's alert stack for a layout and extends it in typed Swift: tags on every taggable
// resource, an HTTPS subscription to the alert topic, and a permissions boundary on every IAM role.
// Writes alert-stack.yaml, stackset.yaml (the extended alert stack as the StackSet's template body) and
// stackset-roles.yaml to OUTPUT_DIR.
import AlertStack
import Layout
import CloudFormation
import Foundation

struct Options {
    var layoutFile: String?
    var webhook = "https://hooks.example.com/catalogwatch"
    var boundaryPolicy = "catalogwatch-boundary"
    var output = ""

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--layout": layoutFile = try value(argument, &rest)
            case "--webhook": webhook = try value(argument, &rest)
            case "--boundary-policy": boundaryPolicy = try value(argument, &rest)
            case let a where a.hasPrefix("-"): throw UsageError("unknown option \(a)")
            default:
                guard output.isEmpty else { throw UsageError("one output folder only") }
                output = argument
            }
        }
        guard !output.isEmpty else { throw UsageError("no output folder") }
    }

    private func value(_ option: String, _ rest: inout ArraySlice<String>) throws -> String {
        guard let v = rest.popFirst() else { throw UsageError("\(option) needs a value") }
        return v
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The tags every taggable resource gets.
let tags: KeyValuePairs<String, String> = ["project": "catalogwatch", "owner": "platform-team"]

/// `tags` as the tag type of one resource type (each has its own, with `Key` and `Value`).
func tagList<Tag>(_ make: (CFNValue, CFNValue) -> Tag) -> [Tag] { tags.map { make(.string($0.key), .string($0.value)) } }

/// Registers the changes on `t` before anything is added: every resource of these types, from any part,
/// gets them.
func customize(_ t: inout TemplateBuilder, boundary: CFNValue) {
    t.customize(SNS.Topic.self) { _, topic in topic.tags = tagList(SNS.Topic.Tag.init) }
    t.customize(SQS.Queue.self) { _, queue in queue.tags = tagList(SQS.Queue.Tag.init) }
    t.customize(Logs.LogGroup.self) { _, logs in logs.tags = tagList(Logs.LogGroup.Tag.init) }
    t.customize(Lambda.Function.self) { _, function in function.tags = tagList(Lambda.Function.Tag.init) }
    t.customize(Lambda.EventSourceMapping.self) { _, mapping in mapping.tags = tagList(Lambda.EventSourceMapping.Tag.init) }
    t.customize(CloudWatch.Alarm.self) { _, alarm in alarm.tags = tagList(CloudWatch.Alarm.Tag.init) }
    t.customize(CFN.StackSet.self) { _, stackSet in stackSet.tags = tagList(CFN.StackSet.Tag.init) }
    // Every role is in the roles stack (the StackSet execution role creates none), so the boundary goes there.
    t.customize(IAM.Role.self) { _, role in
        role.tags = tagList(IAM.Role.Tag.init)
        role.permissionsBoundary = boundary
    }
}

func readLayout(_ options: Options) throws -> Layout {
    guard let file = options.layoutFile else { return .embeddedDefault }
    let result = LayoutReader.read(try String(contentsOfFile: file, encoding: .utf8), file: file)
    guard let layout = result.layout else { throw UsageError(result.errors.map(\.description).joined(separator: "\n")) }
    return layout
}

func run() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let layout = try readLayout(options)
    let boundary = CFNValue.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/\(options.boundaryPolicy)")

    var alert = TemplateBuilder(description: AlertStack.templateDescription)
    customize(&alert, boundary: boundary)
    let stack = AlertStack.add(for: layout, to: &alert)
    let webhook = alert.parameter(
        "AlertWebhookUrl",
        .string("HTTPS endpoint that also receives every alert (confirm the subscription once).",
                default: options.webhook, pattern: "^https://\\S+$", constraint: "an https:// URL"))
    stack.alerts.addSubscription("AlertWebhookSubscription", protocol: "https", endpoint: webhook.ref, to: &alert)
    let alertBody = try alert.template.rendered(.yaml)

    var roles = TemplateBuilder(description: StackSetArtifacts.rolesTemplateDescription)
    customize(&roles, boundary: boundary)
    StackSetArtifacts.addRoles(for: layout, to: &roles)

    var stackSets = TemplateBuilder(description: StackSetArtifacts.stackSetTemplateDescription)
    customize(&stackSets, boundary: boundary)
    StackSetArtifacts.addStackSets(for: layout, alertStack: alert.template, alertStackBody: alertBody, to: &stackSets)

    let folder = URL(fileURLWithPath: options.output)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let files = [
        ("alert-stack.yaml", alertBody), ("stackset.yaml", try stackSets.template.rendered(.yaml)),
        ("stackset-roles.yaml", try roles.template.rendered(.yaml)),
    ]
    for (name, text) in files {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        print(folder.appendingPathComponent(name).path)
    }
}

do {
    try run()
} catch let error as UsageError {
    FileHandle.standardError.write(Data("custom-stack: \(error)\nusage: custom-stack [--layout FILE] [--webhook URL] [--boundary-policy NAME] OUTPUT_DIR\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("custom-stack: \(error)\n".utf8))
    exit(1)
}
