import CloudFormation

/// The rule for a layout's `namePrefix` (the start of topic, function, queue and policy names): a letter,
/// then up to 39 letters, digits or hyphens. The one definition: the layout reader checks it, and every
/// template's `NamePrefix` parameter carries it as `AllowedPattern`.
package enum NamePrefixRule {
    /// The longest prefix, in characters.
    package static let maxLength = 40

    /// The rule as a CloudFormation `AllowedPattern`: `^[a-zA-Z][a-zA-Z0-9-]{0,39}$`.
    package static let pattern = "^[a-zA-Z][a-zA-Z0-9-]{0,\(maxLength - 1)}$"

    /// The rule in words, for the parameter's `ConstraintDescription`.
    package static let constraintDescription = "a letter, then up to \(maxLength - 1) letters, digits or hyphens"

    /// Whether `text` follows the rule (ASCII letters and digits only).
    package static func isValid(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, isLetter(first), scalars.count <= maxLength else { return false }
        return scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }

    /// A `NamePrefix` parameter with `description`, `default` and the rule as `AllowedPattern`; with
    /// `explained`, also its `ConstraintDescription`.
    package static func parameter(_ description: String, default: String, explained: Bool = false) -> Parameter {
        .string(description, default: `default`, pattern: pattern, constraint: explained ? constraintDescription : nil)
    }
}
