/// Syntax checks for identifiers found in layouts (account ids: `AccountID`; name prefixes: `NamePrefixRule`).
package enum Validators {
    static func all(_ s: String, _ allowed: (Unicode.Scalar) -> Bool) -> Bool { s.unicodeScalars.allSatisfy(allowed) }
    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
    static func isAlnum(_ c: Unicode.Scalar) -> Bool { isLowerAlnum(c) || ("A"..."Z").contains(c) }

    /// `o-` followed by 10 to 32 lowercase letters or digits.
    package static func isOrganizationId(_ s: String) -> Bool {
        guard s.hasPrefix("o-") else { return false }
        let rest = s.dropFirst(2)
        return (10...32).contains(rest.count) && all(String(rest), isLowerAlnum)
    }

    /// `port-` followed by lowercase letters or digits, at most 100 characters in all.
    package static func isPortfolioId(_ s: String) -> Bool {
        s.hasPrefix("port-") && s.utf8.count > 5 && s.utf8.count <= 100 && all(String(s.dropFirst(5)), isLowerAlnum)
    }

    /// A StackSet deployment target of the organization: an OU id (`ou-` 4 to 32, `-`, 8 to 32 lowercase
    /// letters or digits) or the root id (`r-` and 4 to 32 of them), as `DeploymentTargets` accepts.
    package static func isOrganizationalUnitTarget(_ s: String) -> Bool {
        if s.hasPrefix("r-") { return (4...32).contains(s.count - 2) && all(String(s.dropFirst(2)), isLowerAlnum) }
        guard s.hasPrefix("ou-") else { return false }
        let parts = s.dropFirst(3).split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && (4...32).contains(parts[0].count) && (8...32).contains(parts[1].count)
            && parts.allSatisfy { all(String($0), isLowerAlnum) }
    }

    /// A plausible single e-mail address: one `@`, no spaces, a dotted domain.
    package static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, s.utf8.count <= 254 else { return false }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !domain.isEmpty else { return false }
        guard all(String(local), { isAlnum($0) || "!#$%&'*+/=?^_`{|}~.-".unicodeScalars.contains($0) }) else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && all(String(label)) { isAlnum($0) || $0 == "-" }
        }
    }

    /// S3 bucket name: 3 to 63 of lowercase letters, digits, dots and hyphens, starting and ending alphanumeric.
    package static func isBucketName(_ s: String) -> Bool {
        guard (3...63).contains(s.count), let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        return isLowerAlnum(first) && isLowerAlnum(last) && all(s) { isLowerAlnum($0) || $0 == "." || $0 == "-" } && !s.contains("..")
    }

    /// A StackSet name: a letter, then up to 127 letters, digits or hyphens.
    package static func isStackSetName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return s.count <= 128 && all(s) { isAlnum($0) || $0 == "-" }
    }
}
