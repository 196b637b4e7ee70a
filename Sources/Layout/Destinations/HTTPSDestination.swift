import URLText
import YAML

/// `https: <url>`: an HTTPS subscription of the send topic (the endpoint confirms it).
package struct HTTPSDestination: DestinationKind {
    package static let key = "https"
    let url: String

    package static func read(_ node: YAMLNode, key: String, checker: inout Checker) -> Route.Destination? {
        guard let text = checker.string(node, key) else { return nil }
        if HTTPSURL.isValid(text) { return .https(text) }
        checker.error(node, key, "'\(text)' is not an https:// URL with a host")
        return nil
    }

    package func planText(route: Route, layout: Layout) -> String { "HTTPS \(url)" }
    package var delivery: Delivery { .subscription(.https, endpoint: url) }
}
