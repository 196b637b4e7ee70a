import XCTest
import Foundation
import TestSupport

/// The filter links no Foundation: FoundationEssentials, its collections and the regex engine it drags in
/// were 5.7 MB of the 11 MB binary, and the zip must stay under 5 MB. This follows the local target
/// dependencies of `catalogwatch-filter` in Package.swift and fails on any Foundation import in their sources.
final class FilterWithoutFoundationTests: XCTestCase {
    /// Local target name → the names in its `dependencies: [...]` (products of other packages included).
    func localTargets() throws -> [String: [String]] {
        let manifest = try String(contentsOf: Tools.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget)\(\s*name:\s*"([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        var targets: [String: [String]] = [:]
        let text = manifest as NSString
        for match in pattern.matches(in: manifest, range: NSRange(location: 0, length: text.length)) {
            let name = text.substring(with: match.range(at: 1))
            let list = match.range(at: 2).location == NSNotFound ? "" : text.substring(with: match.range(at: 2))
            let names = try NSRegularExpression(pattern: #""([^"]+)""#).matches(in: list, range: NSRange(location: 0, length: (list as NSString).length))
                .map { (list as NSString).substring(with: $0.range(at: 1)) }
            targets[name] = names
        }
        return targets
    }

    func testNoModuleOfTheFilterImportsFoundation() throws {
        let targets = try localTargets()
        XCTAssertEqual(targets["catalogwatch-filter"].map(Set.init), ["FilterLambda", "LambdaRuntime", "AWSClient", "NIOTransport"],
                       "the filter's own dependencies as Package.swift lists them")
        var seen: Set<String> = [], pending = ["catalogwatch-filter"]
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let dependencies = targets[name] else { continue }
            pending += dependencies
        }
        let local = seen.filter { targets[$0] != nil }.sorted()
        XCTAssertTrue(local.contains("JSONText") && local.contains("AWSIdentifiers") && local.contains("FilterCore"), "\(local)")
        var offenders: [String] = []
        for module in local {
            let folder = Tools.packageRoot.appendingPathComponent("Sources/\(module)")
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            XCTAssertFalse(files.isEmpty, "Sources/\(module) has Swift files")
            for file in files {
                let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in source.split(separator: "\n") where line.range(of: #"^\s*(@_\w+\s+)?import\s+Foundation"#, options: .regularExpression) != nil {
                    offenders.append("Sources/\(module)/\(file): \(line)")
                }
            }
        }
        XCTAssertEqual(offenders, [], "the filter's modules must not import Foundation (the zip limit)")
    }
}
