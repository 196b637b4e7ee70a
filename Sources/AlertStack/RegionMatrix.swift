import CloudFormation
import Layout

/// Which resources of a template exist in which region of a layout (conditions evaluated per region).
package struct RegionMatrix: Sendable {
    /// One resource and the regions it lands in.
    package struct Row: Sendable {
        package var name: String
        package var type: String
        package var regions: [String]
    }

    package var regions: [String]
    package var rows: [Row]

    /// Evaluates `template`'s conditions for every region of `layout`, parameters at their defaults.
    package init(template: Template, layout: Layout) {
        regions = layout.orderedRegions
        var present: [String: [String]] = [:]
        for region in regions {
            let partition = RegionTable.region(region)?.partition ?? layout.partition
            let values = ConditionEvaluator(template: template, scenario: .init(region: region, partition: partition)).evaluateAll()
            for r in template.resources {
                let exists = r.value.condition.map { (values[$0] ?? nil) ?? false } ?? true
                if exists { present[r.name, default: []].append(region) }
            }
        }
        rows = template.resources.map { Row(name: $0.name, type: $0.value.type, regions: present[$0.name] ?? []) }
    }

    /// A short description of where a row lands: `every region`, `ap-northeast-1 only`, ...
    package func placement(_ row: Row) -> String {
        if row.regions.count == regions.count { return regions.count == 1 ? "\(regions[0])" : "every region (\(regions.count))" }
        if row.regions.isEmpty { return "nowhere" }
        if row.regions.count == 1 { return "\(row.regions[0]) only" }
        let missing = regions.filter { !row.regions.contains($0) }
        if missing.count == 1 { return "every region but \(missing[0]) (\(row.regions.count))" }
        return row.regions.joined(separator: ", ")
    }

    /// A compact table: resource, type, placement.
    package func summaryTable() -> String {
        TextTable.render(header: ["Resource", "Type", "Regions"], rows: rows.map { [$0.name, $0.type, placement($0)] })
    }

    /// The full matrix, one column per region (`x` where the resource exists).
    package func fullTable() -> String {
        TextTable.render(
            header: ["Resource"] + regions,
            rows: rows.map { row in [row.name] + regions.map { row.regions.contains($0) ? "x" : "-" } })
    }
}

/// Plain-text tables with aligned columns (no trailing spaces).
package enum TextTable {
    package static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 { out += cell } else { out += cell + String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            return out
        }
        var lines = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
