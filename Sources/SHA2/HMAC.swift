// HMAC-SHA256 (RFC 2104) over the SHA256 type.

/// A streaming HMAC-SHA256 authenticator; `HMACSHA256.authenticationCode(for:key:)` is the one-shot form.
public struct HMACSHA256: Sendable {
    private var inner = SHA256()
    private var outerKeyPad: [UInt8]

    /// Starts an HMAC with `key` (keys longer than one block are hashed first, per RFC 2104).
    public init(key: some Sequence<UInt8>) {
        var keyBytes = Array(key)
        if keyBytes.count > SHA256.blockByteCount { keyBytes = SHA256.hash(keyBytes) }
        keyBytes += [UInt8](repeating: 0, count: SHA256.blockByteCount - keyBytes.count)
        inner.update(keyBytes.map { $0 ^ 0x36 })
        outerKeyPad = keyBytes.map { $0 ^ 0x5c }
    }

    /// The HMAC-SHA256 of `message` under `key`.
    public static func authenticationCode(for message: some Sequence<UInt8>, key: some Sequence<UInt8>) -> [UInt8] {
        var hmac = HMACSHA256(key: key)
        hmac.update(message)
        return hmac.finalize()
    }

    /// Feeds message bytes.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(bytes)
    }

    /// Returns the 32-byte authentication code. The value should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(outerKeyPad)
        outer.update(innerDigest)
        return outer.finalize()
    }
}
