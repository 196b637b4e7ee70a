import AWSIdentifiers

/// An AWS region as CatalogWatch knows it: name, partition and whether accounts must opt in.
package struct AWSRegion: Hashable, Sendable {
    package let name: String
    package let optIn: Bool
    package let location: String

    /// The partition (`aws`, `aws-cn`, `aws-us-gov`), by the one rule every module uses.
    package var partition: String { AWSPartition.of(region: name).name }
}

/// The embedded region table behind layout checks. Source: AWS "Regions and Zones" and cfn-lint 1.x
/// provider schemas (same region set), as of 2026-11-20.
package enum RegionTable {
    /// The date the table was last checked against AWS's published list.
    package static let asOf = "2026-11-20"

    package static let all: [AWSRegion] = [
        .init(name: "us-east-1", optIn: false, location: "N. Virginia"),
        .init(name: "us-east-2", optIn: false, location: "Ohio"),
        .init(name: "us-west-1", optIn: false, location: "N. California"),
        .init(name: "us-west-2", optIn: false, location: "Oregon"),
        .init(name: "af-south-1", optIn: true, location: "Cape Town"),
        .init(name: "ap-east-1", optIn: true, location: "Hong Kong"),
        .init(name: "ap-east-2", optIn: true, location: "Taipei"),
        .init(name: "ap-south-1", optIn: false, location: "Mumbai"),
        .init(name: "ap-south-2", optIn: true, location: "Hyderabad"),
        .init(name: "ap-northeast-1", optIn: false, location: "Tokyo"),
        .init(name: "ap-northeast-2", optIn: false, location: "Seoul"),
        .init(name: "ap-northeast-3", optIn: false, location: "Osaka"),
        .init(name: "ap-southeast-1", optIn: false, location: "Singapore"),
        .init(name: "ap-southeast-2", optIn: false, location: "Sydney"),
        .init(name: "ap-southeast-3", optIn: true, location: "Jakarta"),
        .init(name: "ap-southeast-4", optIn: true, location: "Melbourne"),
        .init(name: "ap-southeast-5", optIn: true, location: "Malaysia"),
        .init(name: "ap-southeast-6", optIn: true, location: "New Zealand"),
        .init(name: "ap-southeast-7", optIn: true, location: "Thailand"),
        .init(name: "ca-central-1", optIn: false, location: "Canada (Central)"),
        .init(name: "ca-west-1", optIn: true, location: "Calgary"),
        .init(name: "eu-central-1", optIn: false, location: "Frankfurt"),
        .init(name: "eu-central-2", optIn: true, location: "Zurich"),
        .init(name: "eu-west-1", optIn: false, location: "Ireland"),
        .init(name: "eu-west-2", optIn: false, location: "London"),
        .init(name: "eu-west-3", optIn: false, location: "Paris"),
        .init(name: "eu-south-1", optIn: true, location: "Milan"),
        .init(name: "eu-south-2", optIn: true, location: "Spain"),
        .init(name: "eu-north-1", optIn: false, location: "Stockholm"),
        .init(name: "il-central-1", optIn: true, location: "Tel Aviv"),
        .init(name: "me-south-1", optIn: true, location: "Bahrain"),
        .init(name: "me-central-1", optIn: true, location: "UAE"),
        .init(name: "mx-central-1", optIn: true, location: "Mexico"),
        .init(name: "sa-east-1", optIn: false, location: "São Paulo"),
        .init(name: "cn-north-1", optIn: false, location: "Beijing"),
        .init(name: "cn-northwest-1", optIn: false, location: "Ningxia"),
        .init(name: "us-gov-east-1", optIn: false, location: "GovCloud (US-East)"),
        .init(name: "us-gov-west-1", optIn: false, location: "GovCloud (US-West)"),
    ]

    private static let byName: [String: AWSRegion] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The region called `name`, if the table has it.
    package static func region(_ name: String) -> AWSRegion? { byName[name] }

    /// Commercial (`aws` partition) regions that need no opt-in, in table order.
    package static var defaultCommercial: [AWSRegion] { all.filter { $0.partition == "aws" && !$0.optIn } }

    /// The closest known region names to `name`, best first (for "did you mean").
    package static func suggestions(for name: String, limit: Int = 2) -> [String] {
        Suggest.closest(to: name, among: all.map(\.name), limit: limit)
    }
}

/// Edit-distance suggestions for misspelt names.
package enum Suggest {
    /// Candidates within a small edit distance of `word`, nearest first, ties in candidate order.
    package static func closest(to word: String, among candidates: [String], limit: Int = 1) -> [String] {
        let w = Array(word.lowercased())
        let maxDistance = max(2, w.count / 3)
        let scored = candidates.enumerated().compactMap { (index, c) -> (Int, Int, String)? in
            let d = distance(w, Array(c.lowercased()))
            return d <= maxDistance ? (d, index, c) : nil
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.2)
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], twoBack[j - 2] + 1)
                }
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }
}
