import FilterContract

/// What packaging needs of each Lambda architecture (FilterContract's `LambdaArchitecture`).
extension LambdaArchitecture {
    /// The ELF machine a binary for this architecture must have.
    public var machine: ELFInfo.Machine { self == .x86_64 ? .x86_64 : .aarch64 }
    /// The dynamic loader path on this architecture.
    public var interpreter: String { self == .x86_64 ? "/lib64/ld-linux-x86-64.so.2" : "/lib/ld-linux-aarch64.so.1" }
    /// The Swift target triple.
    public var triple: String { self == .x86_64 ? "x86_64-unknown-linux-gnu" : "aarch64-unknown-linux-gnu" }
}

/// What the `provided.al2023` runtime offers a binary: shared libraries and the newest symbol versions.
public struct RuntimeProfile: Sendable {
    public var runtime: String
    /// Where the table comes from and when it was last checked.
    public var source: String
    public var libraries: Set<String>
    /// Newest version per version family (`GLIBC` → 2.34); newer requirements cannot be met.
    public var newestVersions: [String: [Int]]

    /// Amazon Linux 2023 as Lambda's `provided.al2023` runs it: glibc 2.34, GCC 11's libgcc_s and libstdc++.
    public static let providedAL2023 = RuntimeProfile(
        runtime: "provided.al2023",
        source: "Amazon Linux 2023 (glibc 2.34, gcc 11 runtime libraries: GLIBCXX_3.4.29, CXXABI_1.3.13) as used by Lambda provided.al2023; checked 2026-11-20",
        libraries: [
            "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1", "libresolv.so.2",
            "libgcc_s.so.1", "libstdc++.so.6", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
        ],
        newestVersions: ["GLIBC": [2, 34], "GLIBCXX": [3, 4, 29], "CXXABI": [1, 3, 13], "GCC": [7, 0, 0]])

    /// Everything that keeps `info` from loading on this runtime for `architecture`; empty when it will load.
    public func problems(with info: ELFInfo, architecture: LambdaArchitecture) -> [String] {
        var problems: [String] = []
        if info.machine != architecture.machine {
            problems.append("the binary is for \(info.machine), but the function is \(architecture.rawValue) (\(architecture.machine))")
        }
        if let interpreter = info.interpreter, interpreter != architecture.interpreter {
            problems.append("dynamic loader \(interpreter) does not exist on \(runtime) (\(architecture.interpreter) does)")
        }
        for library in info.neededLibraries where !libraries.contains(library) {
            problems.append("needs \(library), which \(runtime) does not provide")
        }
        for need in info.versionNeeds {
            guard let (family, numbers) = Self.split(need.version) else {
                problems.append("needs \(need.version) from \(need.library), a private or unknown version")
                continue
            }
            guard let newest = newestVersions[family] else { continue }
            if numbers.lexicographicallyPrecedes(newest) || numbers == newest { continue }
            problems.append("needs \(need.version) from \(need.library); \(runtime) has \(family)_\(newest.map(String.init).joined(separator: ".")) at most (error at start: version `\(need.version)' not found)")
        }
        return problems
    }

    /// `GLIBC_2.35` → ("GLIBC", [2, 35]).
    static func split(_ version: String) -> (String, [Int])? {
        guard let underscore = version.lastIndex(of: "_") else { return nil }
        let family = String(version[..<underscore])
        // Every component must be plain decimal digits: `2..34`, `+2` or `2.x` are not versions we can compare.
        var numbers: [Int] = []
        for part in version[version.index(after: underscore)...].split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(part) else { return nil }
            numbers.append(n)
        }
        return (family, numbers)
    }
}
