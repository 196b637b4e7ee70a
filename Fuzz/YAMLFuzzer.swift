// libFuzzer target: the YAML reader (layouts and templates) ends in a node or an error: never a crash,
// a hang or unbounded memory (deep nesting, alias bombs, invalid UTF-8).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let node = try? YAMLParser.parse(bytes: bytes, file: "fuzz.yaml") else { return 0 }
    // What parses must re-emit and re-parse to the same tree.
    if let text = try? YAMLEmitter.emit(node), let again = try? YAMLParser.parse(text) {
        if again != node { fatalError("YAML round trip changed the document") }
    }
    return 0
}
