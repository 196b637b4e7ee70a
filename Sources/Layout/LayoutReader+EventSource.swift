import Diagnostics
import YAML

/// Where cross-region EventBridge routing (a rule whose target is an event bus in another region) exists.
package enum EventBridgeRouting {
    /// Partitions whose regions can send events to a bus in another region of the same partition.
    package static let crossRegionPartitions: Set<String> = ["aws"]
}

/// The event-source keys of a layout, as checked.
struct EventSourceKeys {
    var source = Layout.Source.notificationConstraint
    var organizationalUnits: [String] = []
}

extension Checker {
    /// `source` and `organizationalUnits`: the OU list is required (and only meaningful) with an EventBridge
    /// source; every layout region other than the main one must be able to route events across regions.
    mutating func checkEventSource(
        _ values: [String: YAMLNode], mainRegion: String?, regions: [String], stackSetName: String, deploysReader: Bool
    ) -> EventSourceKeys {
        var keys = EventSourceKeys()
        let sourceNode = values["source"]
        if let node = sourceNode,
            let v = choice(node, "source", Layout.Source.self, synonyms: ["events": .eventBridge, "event-bridge": .eventBridge, "sns": .notificationConstraint, "notification": .notificationConstraint, "constraint": .notificationConstraint])
        {
            keys.source = v
        }
        if let node = values["organizationalUnits"] { keys.organizationalUnits = checkOrganizationalUnits(node) }
        if deploysReader, !Validators.isStackSetName(StackSetName.name(stackSetName, .reader)) {
            error(values["stackSetName"] ?? sourceNode, "stackSetName", "'\(stackSetName)' is too long: the reader StackSet '\(StackSetName.name(stackSetName, .reader))' must have at most 128 characters")
        }
        guard keys.source.usesEventBridge else {
            if let node = values["organizationalUnits"], !deploysReader {
                warning(node, "organizationalUnits", "is used only by source eventbridge or both, or for the reader role; with source \(keys.source.rawValue) and deployMemberRole false it is ignored")
            }
            return keys
        }
        if values["organizationalUnits"] == nil {
            error(sourceNode, "organizationalUnits", "is required with source \(keys.source.rawValue): the OU ids (ou-…) or the root id (r-…) whose member accounts forward their stack events")
        }
        if keys.source == .eventBridge, let node = values["portfolios"] {
            warning(node, "portfolios", "source eventbridge watches every Service Catalog stack without notification constraints; the listed portfolios get none (deploy only checks that no constraint still points at the receive topics)")
        }
        checkCrossRegionRouting(values, mainRegion: mainRegion, regions: regions)
        if !Validators.isStackSetName(StackSetName.name(stackSetName, .members)) {
            error(values["stackSetName"] ?? sourceNode, "stackSetName", "'\(stackSetName)' is too long for source \(keys.source.rawValue): the member StackSet '\(StackSetName.name(stackSetName, .members))' must have at most 128 characters")
        }
        return keys
    }

    /// `organizationalUnits`: a non-empty list of distinct OU or root ids.
    mutating func checkOrganizationalUnits(_ node: YAMLNode) -> [String] {
        guard let items = node.items else {
            error(node, "organizationalUnits", "must be a list of OU ids (ou-…) or the root id (r-…), found a \(node.tag != nil ? "tagged value" : node.kindName) \(node.preview)")
            return []
        }
        if items.isEmpty { error(node, "organizationalUnits", "must list at least one OU id (ou-…) or the root id (r-…)") }
        var ids: [String] = []
        for (i, item) in items.enumerated() {
            let key = "organizationalUnits[\(i)]"
            guard let id = string(item, key) else { continue }
            if !Validators.isOrganizationalUnitTarget(id) {
                error(item, key, "'\(id)' is not an OU id (ou-, 4 to 32 lowercase letters or digits, -, 8 to 32 more) or a root id (r- and 4 to 32)")
            } else if ids.contains(id) {
                error(item, key, "duplicate organizational unit '\(id)'")
            } else {
                ids.append(id)
            }
        }
        return ids
    }

    /// Every region whose events must cross to the main region needs cross-region EventBridge routing.
    mutating func checkCrossRegionRouting(_ values: [String: YAMLNode], mainRegion: String?, regions: [String]) {
        guard let mainRegion else { return }
        let items = values["regions"]?.items ?? []
        for name in regions where name != mainRegion {
            guard let region = RegionTable.region(name), !EventBridgeRouting.crossRegionPartitions.contains(region.partition) else { continue }
            let node = items.first { $0.scalarValue == name } ?? values["regions"]
            error(node, "regions", "'\(name)' is in partition \(region.partition), where EventBridge cannot send events to a bus in another region; with an EventBridge source list only the main region '\(mainRegion)' there, or use source notification-constraint")
        }
    }
}
