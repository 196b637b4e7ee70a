/// One CloudFormation stack event, as `DescribeStackEvents` returns it.
public struct StackEvent: Sendable, Equatable {
    public var eventId: String
    public var stackId: String?
    public var stackName: String?
    public var logicalResourceId: String
    public var physicalResourceId: String?
    public var resourceType: String
    public var resourceStatus: String
    public var resourceStatusReason: String?
    /// ISO 8601, as the service sent it.
    public var timestamp: String
    public var clientRequestToken: String?

    public init(
        eventId: String, stackId: String? = nil, stackName: String? = nil, logicalResourceId: String,
        physicalResourceId: String? = nil, resourceType: String, resourceStatus: String,
        resourceStatusReason: String? = nil, timestamp: String, clientRequestToken: String? = nil
    ) {
        self.eventId = eventId
        self.stackId = stackId
        self.stackName = stackName
        self.logicalResourceId = logicalResourceId
        self.physicalResourceId = physicalResourceId
        self.resourceType = resourceType
        self.resourceStatus = resourceStatus
        self.resourceStatusReason = resourceStatusReason
        self.timestamp = timestamp
        self.clientRequestToken = clientRequestToken
    }
}

/// One page of `DescribeStackEvents` (newest events first).
public struct StackEventsPage: Sendable, Equatable {
    public var events: [StackEvent]
    public var nextToken: String?

    public init(events: [StackEvent], nextToken: String? = nil) {
        self.events = events
        self.nextToken = nextToken
    }
}

extension AWSClient {
    /// CloudFormation `DescribeStackEvents`: one page of events of `stackName` (a name or stack id).
    public func describeStackEvents(
        stackName: String,
        nextToken: String? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) async throws -> StackEventsPage {
        var parameters = [("StackName", stackName)]
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        let root = try await query(.cloudFormation, action: "DescribeStackEvents", parameters: parameters, deadline: deadline)
        return try Self.decodeStackEvents(root)
    }

    static func decodeStackEvents(_ root: XML.Element) throws -> StackEventsPage {
        let action = "DescribeStackEvents"
        guard let result = root.child("DescribeStackEventsResult") else {
            throw missing("DescribeStackEventsResult", .cloudFormation, action)
        }
        let members = result.child("StackEvents")?.children("member") ?? []
        var events: [StackEvent] = []
        events.reserveCapacity(members.count)
        for (index, member) in members.enumerated() {
            func required(_ name: String) throws -> String {
                guard let value = member.text(at: name), !value.isEmpty else {
                    throw missing("DescribeStackEventsResult/StackEvents/member[\(index + 1)]/\(name)", .cloudFormation, action)
                }
                return value
            }
            func optional(_ name: String) -> String? {
                guard let value = member.text(at: name), !value.isEmpty else { return nil }
                return value
            }
            events.append(StackEvent(
                eventId: try required("EventId"),
                stackId: optional("StackId"),
                stackName: optional("StackName"),
                logicalResourceId: try required("LogicalResourceId"),
                physicalResourceId: optional("PhysicalResourceId"),
                resourceType: try required("ResourceType"),
                resourceStatus: try required("ResourceStatus"),
                resourceStatusReason: optional("ResourceStatusReason"),
                timestamp: try required("Timestamp"),
                clientRequestToken: optional("ClientRequestToken")))
        }
        let token = result.text(at: "NextToken")
        return StackEventsPage(events: events, nextToken: token?.isEmpty == false ? token : nil)
    }
}

extension AWSClient {
    /// CloudFormation `DescribeStacks` of one stack (a name or stack id): its tags, key to value.
    public func describeStackTags(stackName: String, deadline: ContinuousClock.Instant? = nil) async throws -> [String: String] {
        let root = try await query(.cloudFormation, action: "DescribeStacks", parameters: [("StackName", stackName)], deadline: deadline)
        return try Self.decodeStackTags(root)
    }

    static func decodeStackTags(_ root: XML.Element) throws -> [String: String] {
        let action = "DescribeStacks"
        guard let result = root.child("DescribeStacksResult") else { throw missing("DescribeStacksResult", .cloudFormation, action) }
        guard let stack = result.child("Stacks")?.children("member").first else {
            throw missing("DescribeStacksResult/Stacks/member", .cloudFormation, action)
        }
        var tags: [String: String] = [:]
        for (index, member) in (stack.child("Tags")?.children("member") ?? []).enumerated() {
            guard let key = member.text(at: "Key"), !key.isEmpty else {
                throw missing("DescribeStacksResult/Stacks/member[1]/Tags/member[\(index + 1)]/Key", .cloudFormation, action)
            }
            tags[key] = member.text(at: "Value") ?? ""
        }
        return tags
    }
}
