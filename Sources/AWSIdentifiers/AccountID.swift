/// The syntax of an AWS account id: exactly 12 ASCII digits. It is text, not a number (leading zeros
/// belong to it), and full-width or other Unicode digits are not account ids.
///
/// The one definition of the rule: the layout reader, the `ManagementAccountId` parameter of the
/// launch-role policy template, stack ARN parsing and the filter all use it.
public enum AccountID {
    /// The number of digits.
    public static let length = 12

    /// The rule as a CloudFormation `AllowedPattern`.
    public static let pattern = "^[0-9]{\(length)}$"

    /// The rule in words, for a parameter's `ConstraintDescription`.
    public static let constraintDescription = "a \(length)-digit account id"

    /// Whether `text` is an account id.
    public static func isValid(_ text: some StringProtocol) -> Bool { isValid(utf8: text.utf8) }

    /// Whether the UTF-8 bytes `utf8` are an account id.
    public static func isValid(utf8: some Collection<UInt8>) -> Bool {
        utf8.count == length && utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
