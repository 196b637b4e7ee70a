import FilterContract
import JSONText

// libFuzzer target: the strict JSON parser (Lambda events, CHAT_ROUTES, the package manifest) ends in a value
// or an error with an offset inside the input: never a crash or a stack overflow (deep nesting). What parses
// must serialize and re-parse to the same value; the CHAT_ROUTES reader must not crash on it either.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let value: JSONValue
    do {
        value = try JSONValue.parse(bytes)
    } catch {
        if error.offset < 0 || error.offset > bytes.count { fatalError("error offset \(error.offset) outside \(bytes.count) bytes") }
        return 0
    }
    guard let again = try? JSONValue.parse(value.serialized()), again == value else { fatalError("JSON round trip changed the value") }
    let checks = ChatRoutesCodec.Checks(isTopicArn: { !$0.isEmpty }, policyProblems: { _ in [] })
    let routes = ChatRoutesCodec.decode(String(decoding: bytes, as: UTF8.self), checks: checks)
    if !routes.entries.isEmpty, ChatRoutesCodec.decode(ChatRoutesCodec.encode(routes.entries), checks: checks).entries != routes.entries {
        fatalError("CHAT_ROUTES round trip changed the routes")
    }
    return 0
}
