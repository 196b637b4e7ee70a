import Foundation

/// One INI file read as botocore reads it (Python's `RawConfigParser`): `[section]` headers,
/// `key = value` or `key: value` lines with keys lowercased, full-line `#`/`;` comments, and
/// indented continuation lines (nested sub-sections such as `s3 =`) skipped.
struct INIFile: Equatable {
    var sections: [String: [String: String]] = [:]
    /// Section names in file order.
    var order: [String] = []

    /// Parses `text`; errors name `path` and the line, never quote it (it may hold a secret key).
    static func parse(_ text: String, path: String) throws -> INIFile {
        var file = INIFile()
        var current: String?
        var lastKeyIndented: Bool?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            func fail(_ reason: String) -> CredentialsResolutionError {
                CredentialsResolutionError(.invalidConfiguration, "cannot parse \(path) line \(index + 1): \(reason)")
            }
            var line = Substring(rawLine)
            if index == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if indented, lastKeyIndented == false { continue }
            if trimmed.hasPrefix("["), let close = trimmed.lastIndex(of: "]") {
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { throw fail("empty section name") }
                guard file.sections[name] == nil else { throw fail("section [\(name)] appears twice") }
                file.sections[name] = [:]
                file.order.append(name)
                current = name
                lastKeyIndented = nil
                continue
            }
            guard let delimiter = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw fail("expected [section], a comment or key = value")
            }
            guard let section = current else { throw fail("key outside any [section]") }
            let key = trimmed[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { throw fail("empty key") }
            guard file.sections[section]?[key] == nil else { throw fail("key \(key) appears twice in [\(section)]") }
            file.sections[section]?[key] = trimmed[trimmed.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)
            lastKeyIndented = indented
        }
        return file
    }
}

/// The AWS shared config file (`[profile NAME]`, `[default]`, `[sso-session NAME]`) and shared
/// credentials file (`[NAME]`), merged per profile with the credentials file winning per key.
package struct SharedConfig: Sendable, Equatable {
    /// The config file's path (`AWS_CONFIG_FILE`, default `~/.aws/config`); it may not exist.
    package var configPath: String
    /// The credentials file's path (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`).
    package var credentialsPath: String
    /// Settings per profile name, keys lowercased.
    package var profiles: [String: [String: String]]
    /// Settings per `[sso-session NAME]`.
    package var ssoSessions: [String: [String: String]]

    /// "PATH/config or PATH/credentials", for errors.
    package var locations: String { "\(configPath) or \(credentialsPath)" }

    /// Reads both files (a missing file is empty); a file that exists but cannot be read or parsed is an error.
    package static func load(environment: [String: String], homeDirectory: String) throws -> SharedConfig {
        let paths = Self.paths(environment: environment, homeDirectory: homeDirectory)
        let config = try read(paths.config)
        let credentials = try read(paths.credentials)
        var result = SharedConfig(configPath: paths.config, credentialsPath: paths.credentials, profiles: [:], ssoSessions: [:])
        var explicitDefault = false
        for section in config.order {
            let values = config.sections[section] ?? [:]
            let words = section.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if section == "default" {
                if !explicitDefault { result.profiles["default"] = values }
            } else if words.count == 2, words[0] == "profile" {
                result.profiles[words[1]] = values
                if words[1] == "default" { explicitDefault = true }
            } else if words.count == 2, words[0] == "sso-session" {
                result.ssoSessions[words[1]] = values
            }
        }
        for section in credentials.order {
            result.profiles[section, default: [:]].merge(credentials.sections[section] ?? [:]) { _, fromCredentials in fromCredentials }
        }
        return result
    }

    /// The config and credentials file paths from the environment, `~` expanded to `homeDirectory`.
    package static func paths(environment: [String: String], homeDirectory: String) -> (config: String, credentials: String) {
        func expand(_ path: String) -> String {
            if path == "~" { return homeDirectory }
            if path.hasPrefix("~/") { return homeDirectory + path.dropFirst() }
            return path
        }
        let config = environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.aws/config"
        let credentials = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "~/.aws/credentials"
        return (expand(config), expand(credentials))
    }

    private static func read(_ path: String) throws -> INIFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return INIFile() }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsResolutionError(.invalidConfiguration, "cannot read \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialsResolutionError(.invalidConfiguration, "cannot parse \(path): not UTF-8 text")
        }
        return try INIFile.parse(text, path: path)
    }
}
