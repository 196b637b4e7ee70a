import AlertStack
import Layout
import DeployAPI

/// The first check of every deployment command: the credentials belong to the layout's management
/// account and partition, and the layout names what a deployment needs. Pure.
package enum IdentityCheck {
    /// Throws `DeploymentError.wrongIdentity` with one sentence when `identity` cannot deploy `layout`.
    package static func verify(_ identity: CallerIdentity, layout: Layout) throws(DeploymentError) {
        guard let expected = layout.managementAccountId else {
            throw .wrongIdentity("the layout names no managementAccountId; add the management account id (quoted, 12 digits)")
        }
        guard identity.account == expected else {
            throw .wrongIdentity("the credentials are for account \(identity.account) (\(identity.arn)), but the layout's managementAccountId is \(expected); nothing was changed")
        }
        guard identity.partition == layout.partition else {
            throw .wrongIdentity("the credentials are in partition \(identity.partition), but the layout's regions are in \(layout.partition); nothing was changed")
        }
    }

    /// The layout keys a deployment needs besides the code location, which `deploy` fills in; with the
    /// reader role (the default member role), the OUs whose accounts get it.
    package static func missingKeys(_ layout: Layout) -> [String] {
        let keys = [("organizationId", layout.organizationId), ("notificationEmail", layout.notificationEmail),
                    ("managementAccountId", layout.managementAccountId)].filter { $0.1 == nil }.map(\.0)
        guard layout.deployMemberRole, layout.organizationalUnits.isEmpty else { return keys }
        return keys + ["organizationalUnits (the OU ids ou-… or the root id r-… whose accounts launch products: the reader role \(layout.memberRoleName) goes there)"]
    }
}
