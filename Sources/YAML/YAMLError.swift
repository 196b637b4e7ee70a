/// A YAML read or write failure, with the file and position when known (`file:line:column: message`).
public struct YAMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var file: String?
    public var mark: YAMLMark?

    public init(_ message: String, file: String? = nil, mark: YAMLMark? = nil) {
        self.message = message
        self.file = file
        self.mark = mark
    }

    public var description: String {
        var prefix = ""
        if let file { prefix += "\(file):" }
        if let mark { prefix += "\(mark.line):\(mark.column):" }
        return prefix.isEmpty ? message : "\(prefix) \(message)"
    }
}
