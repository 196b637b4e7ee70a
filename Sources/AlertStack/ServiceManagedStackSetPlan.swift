import CloudFormation
import Layout

/// One service-managed StackSet of the member accounts (the forwarding rule of EventBridge sources, the
/// reader role), planned once for a layout: name, description, capabilities, the parameters it passes, its
/// regions and its rollout. The StackSet template (`MemberForwarding`, `MemberReader`) and `deploy`
/// (Deployment's `DeploymentTarget`) both render it, so they cannot disagree.
package struct ServiceManagedStackSetPlan: Hashable, Sendable {
    /// A parameter value: a layout value, or the management account (`${AWS::AccountId}` in the template,
    /// the caller's account in `deploy`).
    package enum Value: Hashable, Sendable {
        case text(String)
        case managementAccount

        /// The value in the StackSet template.
        package var cfnValue: CFNValue {
            switch self {
            case .text(let s): .string(s)
            case .managementAccount: .accountId
            }
        }

        /// The value for management account `account`.
        package func text(account: String) -> String {
            switch self {
            case .text(let s): s
            case .managementAccount: account
            }
        }
    }

    package var name: String
    package var description: String
    package var capabilities: [String]
    /// Parameter name and value, in the member template's order.
    package var parameters: [(name: ParameterName, value: Value)]
    package var regions: [String]
    package var rollout: StackSetRollout { MemberForwarding.rollout(regions: regions) }

    package static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.description == rhs.description && lhs.capabilities == rhs.capabilities && lhs.regions == rhs.regions
            && lhs.parameters.elementsEqual(rhs.parameters) { $0.name == $1.name && $0.value == $1.value }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(regions)
    }

    /// The forwarding rule's StackSet (EventBridge sources): every layout region, every account of the OUs.
    package static func memberForwarding(_ layout: Layout) -> ServiceManagedStackSetPlan {
        ServiceManagedStackSetPlan(
            name: layout.memberStackSetName,
            description: "CatalogWatch member forwarding: every account of the listed OUs, every layout region, accounts that join later included",
            capabilities: ["CAPABILITY_IAM"],
            parameters: [(.mainRegion, .text(layout.mainRegion)), (.namePrefix, .text(layout.namePrefix)), (.managementAccountId, .managementAccount)],
            regions: layout.orderedRegions)
    }

    /// The reader role's StackSet: the main region only (IAM is global), every account of the OUs.
    package static func memberReader(_ layout: Layout) -> ServiceManagedStackSetPlan {
        ServiceManagedStackSetPlan(
            name: layout.readerStackSetName,
            description: "CatalogWatch reader role: every account of the listed OUs, accounts that join later included",
            capabilities: ["CAPABILITY_NAMED_IAM"],
            parameters: [(.namePrefix, .text(layout.namePrefix)), (.managementAccountId, .managementAccount), (.memberRoleName, .text(layout.memberRoleName))],
            regions: [layout.mainRegion])
    }
}
