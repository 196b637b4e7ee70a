/// The names of CatalogWatch's StackSets, all derived from the layout's `stackSetName`: written once here and
/// read by `Layout` (its name properties), the reader's length checks and the StackSet plans.
public enum StackSetName {
    /// What `stackSetName` extends for each further StackSet.
    public enum Suffix: String, CaseIterable, Sendable {
        /// `main-then-parallel`: the main region's StackSet, and the other regions'.
        case main = "-main"
        case regions = "-regions"
        /// The service-managed StackSets of the member accounts: the forwarding rule, and the reader role.
        case members = "-members"
        case reader = "-reader"
    }

    /// `stackSetName` when the layout sets none: `<namePrefix>-receive`.
    public static func defaultName(namePrefix: String) -> String { PhysicalName.defaultStackSet.name(prefix: namePrefix) }

    /// `base` with `suffix`.
    public static func name(_ base: String, _ suffix: Suffix) -> String { base + suffix.rawValue }
}
