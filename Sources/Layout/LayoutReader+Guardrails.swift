import AWSIdentifiers
import Diagnostics
import YAML

/// The guardrail keys of a layout, as checked.
struct GuardrailKeys {
    var tags: [Layout.Tag] = []
    var permissionsBoundary: String?
    var rolePath: String?
    var encryption: Layout.Encryption?
}

/// Syntax rules of the guardrail keys.
package enum GuardrailRules {
    /// `arn:<partition>:iam::<12 digits|aws>:policy/<path and name>`.
    package static func isPolicyARN(_ s: String) -> Bool {
        guard let arn = ARN(s), arn.service == "iam", arn.region.isEmpty, arn.hasAccountID || arn.account == "aws" else { return false }
        return arn.resource.hasPrefix("policy/") && arn.resource.count > 7 && !arn.resource.hasSuffix("/")
    }

    /// `/` or `/segment/.../`: printable ASCII without spaces, at most 512 characters.
    package static func isRolePath(_ s: String) -> Bool {
        s.hasPrefix("/") && s.hasSuffix("/") && s.count <= 512 && !s.contains("//")
            && s.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7E }
    }

    /// A KMS key ARN (`arn:…:kms:<region>:<account>:key/<id>`); `mrk-` ids are multi-Region keys.
    package static func keyId(ofKeyARN s: String) -> String? {
        guard let arn = ARN(s), arn.service == "kms", RegionTable.region(arn.region) != nil, arn.hasAccountID,
            arn.resource.hasPrefix("key/"), arn.resource.count > 4
        else { return nil }
        return String(arn.resource.dropFirst(4))
    }

    /// A resource tag: key 1 to 128 characters not starting with `aws:`, value at most 256.
    static func tagProblem(key: String, value: String) -> String? {
        if key.isEmpty || key.count > 128 { return "tag key '\(key)' must have 1 to 128 characters" }
        if key.lowercased().hasPrefix("aws:") { return "tag key '\(key)' uses the reserved prefix aws:" }
        if value.count > 256 { return "the value of tag '\(key)' has more than 256 characters" }
        return nil
    }
}

extension Checker {
    /// `tags`, `permissionsBoundary`, `rolePath` and `encryption`.
    mutating func checkGuardrails(_ values: [String: YAMLNode], regions: [String]) -> GuardrailKeys {
        var keys = GuardrailKeys()
        if let node = values["tags"] { keys.tags = checkTags(node) }
        if let node = values["permissionsBoundary"], let text = string(node, "permissionsBoundary") {
            if GuardrailRules.isPolicyARN(text) { keys.permissionsBoundary = text } else {
                error(node, "permissionsBoundary", "'\(text)' is not a managed policy ARN (arn:<partition>:iam::<account>:policy/<name>)")
            }
        }
        if let node = values["rolePath"], let text = string(node, "rolePath") {
            if GuardrailRules.isRolePath(text) { keys.rolePath = text } else {
                error(node, "rolePath", "'\(text)' is not an IAM path (starts and ends with /, printable ASCII, no spaces, at most 512)")
            }
        }
        if let node = values["encryption"] { keys.encryption = checkEncryption(node, regions: regions) }
        return keys
    }

    /// `tags`: a mapping of keys to string values, in the layout's order.
    mutating func checkTags(_ node: YAMLNode) -> [Layout.Tag] {
        guard let pairs = node.pairs else {
            error(node, "tags", "must map tag keys to values, found a \(node.kindName) \(node.preview)")
            return []
        }
        var tags: [Layout.Tag] = []
        for pair in pairs {
            guard let key = string(pair.key, "tags"), let value = pair.value.scalarValue, pair.value.tag == nil else {
                if pair.key.scalarValue != nil { error(pair.value, "tags.\(pair.key.scalarValue ?? "")", "must be a string, found \(pair.value.preview)") }
                continue
            }
            if let problem = GuardrailRules.tagProblem(key: key, value: value) {
                error(pair.key, "tags.\(key)", problem)
            } else {
                tags.append(Layout.Tag(key, value))
            }
        }
        return tags
    }

    /// `encryption: {kms: generate}` or `{kms: <key ARN>}`; a key for several regions must be multi-Region.
    mutating func checkEncryption(_ node: YAMLNode, regions: [String]) -> Layout.Encryption? {
        guard let pairs = node.pairs, pairs.count == 1, pairs[0].key.scalarValue == "kms" else {
            error(node, "encryption", "must be {kms: generate} or {kms: <key ARN>}, found \(node.preview)")
            return nil
        }
        guard let text = string(pairs[0].value, "encryption.kms") else { return nil }
        if text == "generate" { return .generatedKey }
        guard let id = GuardrailRules.keyId(ofKeyARN: text) else {
            error(pairs[0].value, "encryption.kms", "'\(text)' is neither generate nor a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)")
            return nil
        }
        if regions.count > 1, !id.hasPrefix("mrk-") {
            error(pairs[0].value, "encryption.kms", "'\(text)' is a single-Region key but the layout has \(regions.count) regions; use a multi-Region key (mrk-…) replicated to each, or generate")
            return nil
        }
        return .key(text)
    }
}
