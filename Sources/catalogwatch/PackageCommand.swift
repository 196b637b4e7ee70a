import AlertStack
import Layout
import ArgumentParser
import ChildProcesses
import Foundation
import FilterContract
import Packaging

extension LambdaArchitecture: ExpressibleByArgument {}

struct Package: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the filter Lambda as a deterministic zip for provided.al2023.",
        discussion: """
            Builds catalogwatch-filter in release mode as a fully static, stripped executable (no Docker), \
            checks the ELF file against what provided.al2023 provides (machine, loader, libraries, glibc symbol \
            versions), and writes <output>/catalogwatch-filter-<arch>.zip with `bootstrap` (mode 0755, fixed \
            timestamps) plus manifest.json. The same binary always gives the same zip bytes.
            """)

    @Option(name: .long, help: ArgumentHelp("Output folder.", valueName: "dir"))
    var output = "dist"

    @Option(name: .long, help: "x86_64 or arm64 (default: the layout's, else x86_64).")
    var architecture: LambdaArchitecture?

    @OptionGroup var layoutOptions: LayoutOptions

    @Option(name: .long, help: ArgumentHelp("Package this executable instead of building one.", valueName: "path"))
    var binary: String?

    @Option(name: .long, help: ArgumentHelp("S3 key prefix for the manifest's content-addressed key.", valueName: "prefix"))
    var keyPrefix = "catalogwatch"

    func run() throws {
        var arch = architecture ?? .x86_64
        if architecture == nil, layoutOptions.layout != nil {
            let (layout, _) = try layoutOptions.load()
            arch = layout.architecture
        }
        let path = try binary ?? build(arch)
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.usage("cannot read \(path)") }
        let package: LambdaPackage
        do {
            package = try LambdaPackage.make(binary: [UInt8](data), architecture: arch, keyPrefix: keyPrefix)
        } catch let error as LambdaPackage.PackagingError {
            printError("\(path): \(error)")
            throw ExitCode(1)
        } catch {
            printError("\(path): \(error)")
            throw ExitCode(1)
        }
        let zipPath = "\(output)/catalogwatch-filter-\(arch.rawValue).zip"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try Data(package.zip).write(to: URL(fileURLWithPath: zipPath))
        try writeFile("\(output)/manifest.json", package.manifest.json)
        let m = package.manifest
        print("Packaged \(path) for \(m.runtime) \(arch.rawValue)")
        print("  zip         \(zipPath)  \(m.zipSize) bytes (binary \(m.binarySize) bytes, \(m.isStatic ? "static" : "dynamic"))")
        print("  sha256      \(m.zipSHA256)")
        print("  CodeSha256  \(m.codeSHA256)")
        print("  S3 key      \(m.s3Key)")
        print("  manifest    \(output)/manifest.json")
    }

    /// Builds the filter for `arch`; refuses architectures this machine has no toolchain for.
    func build(_ arch: LambdaArchitecture) throws -> String {
        #if arch(x86_64)
        let host = LambdaArchitecture.x86_64
        #else
        let host = LambdaArchitecture.arm64
        #endif
        var sdkArguments: [String] = []
        if arch != host {
            // Cross-building needs a Swift SDK for the target triple; look for one before promising anything.
            guard let sdk = installedSwiftSDKs().first(where: { $0.contains(arch == .arm64 ? "aarch64" : "x86_64") }) else {
                printError("""
                    cannot build for \(arch.rawValue) here: this machine is \(host.rawValue) and no Swift SDK for \(arch.triple) \
                    is installed (`swift sdk list` shows none). Needed: a Swift SDK for \(arch.triple) (`swift sdk install <bundle>`, e.g. the Swift \
                    static Linux SDK), or build on an \(arch.rawValue) machine and run \
                    `catalogwatch package --binary PATH --architecture \(arch.rawValue)`.
                    """)
                throw ExitCode(1)
            }
            sdkArguments = ["--swift-sdk", sdk]
        }
        guard FileManager.default.fileExists(atPath: "Package.swift") else {
            throw CLIError.usage("run `catalogwatch package` from the CatalogWatch checkout, or pass --binary")
        }
        let arguments = [
            "build", "-c", "release", "--product", "catalogwatch-filter", "--scratch-path", ".build-lambda",
            "-Xswiftc", "-static-executable", "-Xswiftc", "-Osize", "-Xlinker", "--strip-all", "-Xlinker", "--icf=all",
            // One section per function (and per C datum), so that the linker's --gc-sections (SwiftPM passes it)
            // drops what nothing calls in the code built from source (ours, SwiftNIO, BoringSSL): 4.5 % of the zip.
            "-Xswiftc", "-Xfrontend", "-Xswiftc", "-function-sections", "-Xcc", "-ffunction-sections", "-Xcc", "-fdata-sections",
            // Link-time optimization with lld over everything built from source, which may then drop what a static
            // executable never reaches: public symbols and vtables nothing outside calls (internalize), metadata
            // records of unused types and conformances (conditional records). Zip 5,404,022 -> about 4.8 MB; the
            // standard library is prebuilt and stays whole. Not LLVM's virtual-function and witness-method
            // elimination (-enable-llvm-vfe/-wme): 90 KB more off, but the binary crashed on its first alert.
            "--experimental-lto-mode=full", "-Xswiftc", "-use-ld=lld",
            "-Xswiftc", "-Xfrontend", "-Xswiftc", "-internalize-at-link", "-Xswiftc", "-Xfrontend", "-Xswiftc", "-conditional-runtime-records",
            // Where each byte comes from (`make bench` prints it by module); the map does not change the binary.
            "-Xlinker", "-Map=\(Self.linkMapPath)",
            // C code (BoringSSL, llhttp) for size too: SwiftPM builds it with -O2.
            "-Xcc", "-Os",
            // BoringSSL's __FILE__ strings relative to the checkout, so that the zip is the same wherever it is cloned.
            "-Xcc", "-ffile-prefix-map=\(FileManager.default.currentDirectoryPath)/=",
        ] + sdkArguments
        print("swift \(arguments.joined(separator: " "))")
        // The build shares our terminal and process group, so Ctrl-C stops it too.
        let build = ChildCommand("swift", arguments: arguments, searchPath: true, standardInput: .inherit, standardOutput: .inherit, standardError: .inherit)
        let result = try build.run()
        guard result.status == 0 else {
            printError("swift build failed (exit \(result.status))")
            throw ExitCode(1)
        }
        return ".build-lambda/release/catalogwatch-filter"
    }

    /// The linker's map of the last filter build (`scripts/size_breakdown.py` reads it).
    static let linkMapPath = ".build-lambda/catalogwatch-filter.map"

    /// Ids of the Swift SDKs `swift sdk list` reports (empty when none, or when the command fails).
    func installedSwiftSDKs() -> [String] {
        let list = ChildCommand("swift", arguments: ["sdk", "list"], searchPath: true, standardInput: .inherit, standardError: .null)
        guard let result = try? list.run(), result.status == 0 else { return [] }
        return String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.lowercased().hasPrefix("no swift sdk") }
    }
}
