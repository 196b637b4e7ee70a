import AlertStack
import Layout
import ArgumentParser
import Foundation

/// Options shared by the commands that read a layout.
struct LayoutOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Region layout file (YAML). Without it, the embedded default: ap-northeast-1 only.", valueName: "file"))
    var layout: String?

    /// Reads the layout, printing diagnostics to standard error; exits 1 on errors.
    func load() throws -> (layout: Layout, name: String) {
        guard let path = layout else { return (Layout.embeddedDefault, "default") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            throw CLIError.usage("cannot read layout \(path): no such file")
        }
        // Bytes, not text: invalid UTF-8 is a layout error with a position, not a usage error.
        let result = LayoutReader.read(bytes: [UInt8](data), file: path)
        for d in result.diagnostics { FileHandle.standardError.write(Data((d.description + "\n").utf8)) }
        guard let layout = result.layout else { throw ExitCode(1) }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return (layout, name)
    }
}

/// A usage problem: printed as `catalogwatch: message`, exit 2.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)

    var description: String {
        switch self {
        case .usage(let m): m
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data(("catalogwatch: " + message + "\n").utf8))
}

/// Writes `contents` to `path` only when it differs, creating folders; returns whether it changed.
@discardableResult
func writeFile(_ path: String, _ contents: String) throws -> Bool {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let data = Data(contents.utf8)
    if let existing = try? Data(contentsOf: url), existing == data { return false }
    try data.write(to: url, options: .atomic)
    return true
}
