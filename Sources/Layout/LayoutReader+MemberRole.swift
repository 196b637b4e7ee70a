import YAML

extension Checker {
    /// A plain `true` or `false`; an error naming `key` otherwise.
    mutating func boolean(_ node: YAMLNode, _ key: String) -> Bool? {
        if case .scalar(let s) = node, s.tag == nil, s.isPlain, ["true", "false"].contains(s.value) { return s.value == "true" }
        error(node, key, "must be true or false, found \(node.preview)")
        return nil
    }

    /// `deployMemberRole`, and the warning for a member role with administrator access. The reader role
    /// (the default) is deployed to the OUs' accounts, so it needs `organizationalUnits` at deploy time.
    mutating func checkMemberRole(_ values: [String: YAMLNode], identity: inout Identity) {
        if let node = values["deployMemberRole"] { identity.deployRole = boolean(node, "deployMemberRole") }
        let name = identity.roleName
        if let name, Layout.administratorRoleNames.contains(name) {
            let node = values["memberRoleName"]
            if identity.deployRole == true {
                error(values["deployMemberRole"], "deployMemberRole", "'\(name)' is a landing-zone role that already exists in member accounts; CatalogWatch cannot deploy it (set deployMemberRole: false, or drop memberRoleName to use the read-only <namePrefix>-reader role)")
            } else {
                warning(node, "memberRoleName", "'\(name)' has administrator access in every member account, and the filter would assume it for any account named in an event; drop memberRoleName to use the read-only <namePrefix>-reader role CatalogWatch deploys")
            }
        }
    }

    /// `reservedConcurrency`: `none` or a whole number from 1 to 1000 (unbuffered filters).
    mutating func checkReservedConcurrency(_ node: YAMLNode, buffer: Layout.Buffer) -> Int?? {
        if case .scalar(let s) = node, s.tag == nil, s.isPlain {
            if s.value == "none" { return .some(nil) }
            if let n = Int(s.value), (1...1000).contains(n) {
                if buffer == .sqs { warning(node, "reservedConcurrency", "is used only without a buffer; buffer sqs caps the filter at \(Layout.Buffer.maximumConcurrency) concurrent invocations through the queue") }
                return .some(n)
            }
        }
        error(node, "reservedConcurrency", "must be none or a whole number from 1 to 1000, found \(node.preview)")
        return nil
    }
}
