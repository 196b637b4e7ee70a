import YAML

/// `email: <address>`: an e-mail subscription of the send topic (the address confirms it once).
package struct EmailDestination: DestinationKind {
    package static let key = "email"
    let address: String

    package static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination? {
        guard let text = checker.string(node, key) else { return nil }
        if Validators.isEmail(text) { return .email(text) }
        checker.error(node, key, "'\(text)' is not an e-mail address")
        return nil
    }

    package func planText(route: Route, layout: Layout) -> String { "e-mail \(address)" }
    package var delivery: Delivery { .subscription(.email, endpoint: address) }
}
