/// Encodes `Encodable` values as JSON without Foundation: the value is written through the standard
/// `Encoder` protocol into a `JSONValue`, then serialized. Object keys are sorted (the output is the same
/// whatever order a dictionary iterates in); nil optionals are left out, as `JSONEncoder` does. An integer
/// that a `Double` cannot hold exactly (beyond 2^53), and an infinity or NaN, are an `EncodingError`, never a
/// silently changed number.
public struct JSONValueEncoder: Sendable {
    public init() {}

    /// The value as a `JSONValue`.
    public func encodeValue(_ value: some Encodable) throws -> JSONValue {
        let node = EncodingNode()
        try node.encode(value, codingPath: [])
        return node.built()
    }

    /// The value as compact UTF-8 JSON text.
    public func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encodeValue(value).serialized().utf8)
    }
}

/// What one value became while it is encoded: a scalar, an object or an array of nodes (containers write
/// into their node after the encoder that made them is gone, hence a class). Members and items are stored
/// in the node itself, so that adding one does not copy the others.
private final class EncodingNode {
    enum Kind {
        case unset, scalar, object, array
    }

    private(set) var kind = Kind.unset
    private var scalar = JSONValue.null
    private var members: [(key: String, node: EncodingNode)] = []
    /// Where each member key is in `members`.
    private var memberIndex: [String: Int] = [:]
    private var items: [EncodingNode] = []

    func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            set(json)
        } else {
            try value.encode(to: ValueEncoder(node: self, codingPath: codingPath))
        }
    }

    /// Makes this node the scalar `value`.
    func set(_ value: JSONValue) {
        become(.scalar)
        scalar = value
    }

    /// The member `key` of this object node (made an object if it was not), replacing a member of that key.
    func member(_ key: String) -> EncodingNode {
        makeObject()
        let child = EncodingNode()
        if let index = memberIndex[key] {
            members[index].node = child
        } else {
            memberIndex[key] = members.count
            members.append((key, child))
        }
        return child
    }

    /// A new last item of this array node (made an array if it was not).
    func appendItem() -> EncodingNode {
        makeArray()
        let child = EncodingNode()
        items.append(child)
        return child
    }

    func makeObject() { become(.object) }
    func makeArray() { become(.array) }

    var itemCount: Int { kind == .array ? items.count : 0 }

    /// Turns this node into `new`, dropping what it held as another kind.
    private func become(_ new: Kind) {
        guard kind != new else { return }
        kind = new
        scalar = .null
        members = []
        memberIndex = [:]
        items = []
    }

    /// The finished value, object keys sorted; a node nothing was written to is an empty object.
    func built() -> JSONValue {
        switch kind {
        case .unset: .object([])
        case .scalar: scalar
        case .object: .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.node.built()) })
        case .array: .array(items.map { $0.built() })
        }
    }

    /// A number node, refusing what JSON has no number for (infinities and NaN), as `JSONEncoder` does.
    func setNumber(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
        }
        set(.number(value))
    }

    /// A number node, refusing an integer a Double would round.
    func setNumber<T: BinaryInteger>(_ value: T, codingPath: [any CodingKey]) throws {
        guard let d = Double(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) has no exact JSON number here"))
        }
        set(.number(d))
    }
}

private struct ValueEncoder: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

/// Writes one value into its node.
private struct SingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try node.setNumber(Double(value), codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int8) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int16) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int32) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: Int64) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt8) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt16) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt32) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt64) throws { try node.setNumber(value, codingPath: codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, codingPath: codingPath) }
}

/// Writes an object's members.
private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    private func single(_ key: Key) -> SingleContainer {
        SingleContainer(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { var c = single(key); try c.encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { var c = single(key); try c.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { var c = single(key); try c.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let key = SuperKey()
        return ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

/// Appends an array's items.
private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    var count: Int { node.itemCount }

    private func single() -> SingleContainer {
        let path = codingPath + [IndexKey(node.itemCount)]
        return SingleContainer(node: node.appendItem(), codingPath: path)
    }

    mutating func encodeNil() throws { var c = single(); try c.encodeNil() }
    mutating func encode(_ value: Bool) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: String) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Double) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Float) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int8) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int16) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int32) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: Int64) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt8) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt16) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt32) throws { var c = single(); try c.encode(value) }
    mutating func encode(_ value: UInt64) throws { var c = single(); try c.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { var c = single(); try c.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        ValueEncoder(node: node.appendItem(), codingPath: codingPath)
    }
}
