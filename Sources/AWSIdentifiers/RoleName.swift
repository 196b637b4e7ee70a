/// The syntax of an IAM role name (also a permission set's): 1 to 64 of `A-Z a-z 0-9 + = , . @ _ -`.
/// The one check: the layout reader and the filter's settings both use it.
public enum RoleName {
    public static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || "+=,.@_-".utf8.contains(c)
            }
    }
}
