/// The one check of an `https://` URL that a layout names (an HTTPS route, a runbook, a portal): the scheme,
/// a host, no blanks or control characters, at most 2,048 bytes. It checks shape, not reachability.
public enum HTTPSURL {
    public static func isValid(_ url: String) -> Bool {
        guard url.hasPrefix("https://"), url.utf8.count <= 2048, url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
            return false
        }
        let host = url.dropFirst(8).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && !host.hasPrefix(":")
    }
}
