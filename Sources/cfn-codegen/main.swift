import Foundation

// cfn-codegen <schemaDir> <outputDir> [--types <types.txt>]
//
// Generates one Swift file per service namespace plus Registry.swift from cfn-lint's resource provider
// schemas (<schemaDir> is cfn-lint's data/schemas directory, or the cfnlint package directory).
// Output is a pure function of the schemas, the cfn-lint version and the type list.

func run(_ arguments: [String]) throws {
    var positional: [String] = []
    var typesPath = "Sources/cfn-codegen/types.txt"
    var i = 0
    while i < arguments.count {
        let argument = arguments[i]
        if argument == "--types", i + 1 < arguments.count {
            typesPath = arguments[i + 1]
            i += 2
            continue
        }
        if argument == "-h" || argument == "--help" || argument.hasPrefix("-") {
            throw CodegenError("usage: cfn-codegen <cfn-lint data/schemas dir> <output dir> [--types <types.txt>]")
        }
        positional.append(argument)
        i += 1
    }
    guard positional.count == 2 else {
        throw CodegenError("usage: cfn-codegen <cfn-lint data/schemas dir> <output dir> [--types <types.txt>]")
    }
    let store = try SchemaStore(path: positional[0])
    let outputDirectory = URL(fileURLWithPath: positional[1])
    let typeNames = try readTypeList(typesPath)

    var models: [ResourceModel] = []
    var services: [String: String] = [:]
    for typeName in typeNames {
        let (hash, json) = try store.schema(for: typeName)
        let model = try ResourceBuilder(typeName: typeName, hash: hash, schema: json).build()
        services[model.namespace] = typeName.components(separatedBy: "::")[1]
        models.append(model)
    }

    let emitter = Emitter(cfnLintVersion: store.cfnLintVersion)
    var files: [String: String] = [:]
    for namespace in services.keys.sorted() {
        let members = models.filter { $0.namespace == namespace }
        files["\(namespace).swift"] = emitter.namespaceFile(namespace, service: services[namespace]!, members)
    }
    guard files["Registry.swift"] == nil else { throw CodegenError("a namespace is named Registry") }
    files["Registry.swift"] = emitter.registryFile(models)

    let fm = FileManager.default
    try fm.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    // Remove generated files of namespaces no longer listed.
    for name in try fm.contentsOfDirectory(atPath: outputDirectory.path).sorted()
    where name.hasSuffix(".swift") && files[name] == nil {
        let url = outputDirectory.appendingPathComponent(name)
        if let text = try? String(contentsOf: url, encoding: .utf8), text.hasPrefix(Emitter.marker) {
            try fm.removeItem(at: url)
            print("removed \(name)")
        }
    }
    for name in files.keys.sorted() {
        let url = outputDirectory.appendingPathComponent(name)
        let data = Data(files[name]!.utf8)
        if (try? Data(contentsOf: url)) == data { continue }
        try data.write(to: url)
        print("wrote \(name)")
    }
}

do {
    try run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("cfn-codegen: \(error)\n".utf8))
    exit(1)
}
