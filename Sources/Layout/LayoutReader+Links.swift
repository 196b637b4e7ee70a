import AWSIdentifiers
import FilterContract
import URLText
import YAML

/// The keys that shape an alert's links, as checked.
struct LinkKeys {
    var runbooks: [Layout.Runbook] = []
    var consoleSignIn: Layout.ConsoleSignIn?
    /// The size of the filter's `RUNBOOKS`, `CONSOLE_START_URL` and `CONSOLE_ROLE_NAME` values (0 without them).
    var variableBytes = 0
}

extension Checker {
    /// `runbooks` and `consoleSignIn`.
    mutating func checkLinks(_ values: [String: YAMLNode]) -> LinkKeys {
        var keys = LinkKeys()
        if let node = values["runbooks"] { keys.runbooks = checkRunbooks(node) }
        if !keys.runbooks.isEmpty {
            keys.variableBytes = RunbooksCodec.encode(Runbooks(keys.runbooks.map { ($0.key, $0.url) })).utf8.count
        }
        if let node = values["consoleSignIn"] { keys.consoleSignIn = checkConsoleSignIn(node) }
        if let signIn = keys.consoleSignIn { keys.variableBytes += signIn.startURL.utf8.count + signIn.roleName.utf8.count }
        return keys
    }

    /// `runbooks: {default: <url>, prod-…: <url>, <product name>: <url>}`: distinct keys, https URLs.
    mutating func checkRunbooks(_ node: YAMLNode) -> [Layout.Runbook] {
        guard let pairs = node.pairs else {
            error(node, "runbooks", "must be a mapping of product ids or names (or default) to https:// URLs, found a \(node.kindName) \(node.preview)")
            return []
        }
        var runbooks: [Layout.Runbook] = []
        for pair in pairs {
            guard let key = pair.key.scalarValue, !key.isEmpty else {
                error(pair.key, "runbooks", "keys must be product ids, product names or default, found \(pair.key.preview)")
                continue
            }
            guard let url = string(pair.value, "runbooks.\(key)") else { continue }
            if runbooks.contains(where: { $0.key == key }) {
                error(pair.key, "runbooks.\(key)", "duplicate key '\(key)'")
            } else if !HTTPSURL.isValid(url) {
                error(pair.value, "runbooks.\(key)", "'\(url)' is not an https:// URL with a host")
            } else {
                runbooks.append(Layout.Runbook(key, url))
            }
        }
        return runbooks
    }

    /// `consoleSignIn: {startUrl: https://<portal>/start, roleName: <permission set>}`.
    mutating func checkConsoleSignIn(_ node: YAMLNode) -> Layout.ConsoleSignIn? {
        let fields = ["startUrl", "roleName"]
        guard let pairs = node.pairs else {
            error(node, "consoleSignIn", "must be a mapping of startUrl and roleName, found a \(node.kindName) \(node.preview)")
            return nil
        }
        var found: [String: String] = [:]
        for pair in pairs {
            let field = pair.key.scalarValue ?? ""
            guard fields.contains(field) else {
                error(pair.key, "consoleSignIn.\(field)", "unknown key '\(field)'", suggestion: Suggest.closest(to: field, among: fields).first)
                continue
            }
            guard let text = string(pair.value, "consoleSignIn.\(field)") else { continue }
            if field == "startUrl", !HTTPSURL.isValid(text) {
                error(pair.value, "consoleSignIn.startUrl", "'\(text)' is not an https:// URL (the access portal's start URL, https://<name>.awsapps.com/start)")
            } else if field == "roleName", !RoleName.isValid(text) {
                error(pair.value, "consoleSignIn.roleName", "'\(text)' is not a permission set or role name (1 to 64 of letters, digits and +=,.@_-)")
            } else {
                found[field] = text
            }
        }
        for field in fields where found[field] == nil && !pairs.contains(where: { $0.key.scalarValue == field }) {
            error(node, "consoleSignIn.\(field)", "is required")
        }
        guard let start = found["startUrl"], let role = found["roleName"] else { return nil }
        return Layout.ConsoleSignIn(startURL: start, roleName: role)
    }
}
