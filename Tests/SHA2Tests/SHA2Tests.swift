import XCTest
import Foundation
import SHA2
import TestSupport

final class SHA2Tests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    func testNISTVectors() {
        XCTAssertEqual(hex(SHA256.hash([UInt8]())), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SHA256.hash("abc".bytes)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".bytes)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(hex(SHA256.hash(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                                        + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").bytes)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testStreamingMatchesOneShotForEverySplit() {
        var rng = SplitMix64(state: 1)
        let data = rng.bytes(300)
        let expected = SHA256.hash(data)
        for split in 0...data.count {
            var hasher = SHA256()
            hasher.update(data[..<split])
            hasher.update(data[split...])
            XCTAssertEqual(hasher.finalize(), expected, "split \(split)")
        }
        // Byte at a time, and a non-contiguous sequence.
        var bytewise = SHA256()
        for byte in data { bytewise.update(CollectionOfOne(byte)) }
        XCTAssertEqual(bytewise.finalize(), expected)
        XCTAssertEqual(SHA256.hash(data.lazy.map { $0 }), expected)
        XCTAssertEqual(SHA256.hash(AnySequence(data)), expected)
    }

    func testRFC4231HMACVectors() {
        func check(_ key: [UInt8], _ data: [UInt8], _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(hex(HMACSHA256.authenticationCode(for: data, key: key)), expected, file: file, line: line)
        }
        check([UInt8](repeating: 0x0b, count: 20), "Hi There".bytes,
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        check("Jefe".bytes, "what do ya want for nothing?".bytes,
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        check([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
              "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
        check(Array(1...25), [UInt8](repeating: 0xcd, count: 50),
              "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        // Test case 5 truncates the output to 128 bits.
        XCTAssertEqual(hex(Array(HMACSHA256.authenticationCode(for: "Test With Truncation".bytes,
                                                                 key: [UInt8](repeating: 0x0c, count: 20)).prefix(16))),
                       "a3b6167473100ee06e0c796c2955552b")
        check([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First".bytes,
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        check([UInt8](repeating: 0xaa, count: 131),
              ("This is a test using a larger than block-size key and a larger than block-size data. "
               + "The key needs to be hashed before being used by the HMAC algorithm.").bytes,
              "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    func testHMACStreaming() {
        var hmac = HMACSHA256(key: "key".bytes)
        hmac.update("The quick brown fox ".bytes)
        hmac.update("jumps over the lazy dog".bytes)
        XCTAssertEqual(hex(hmac.finalize()), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
    }

    func testHexAndBase64RFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(plain.bytes), encoded)
            XCTAssertEqual(Base64.decode(encoded), plain.bytes)
        }
        XCTAssertEqual(Hex.encode([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff")
        XCTAssertEqual(Hex.decode("000FA5ff"), [0x00, 0x0f, 0xa5, 0xff])
        for bad in ["abc", "zz", "0g"] { XCTAssertNil(Hex.decode(bad), bad) }
        for bad in ["Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm=v", "Zm9v!A==", "====", "Zm8=Zm8="] {
            XCTAssertNil(Base64.decode(bad), bad)
        }
        // Lambda's CodeSha256 is base64 of the raw digest.
        XCTAssertEqual(Base64.encode(SHA256.hash("abc".bytes)), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    /// SHA-256, HMAC-SHA256 and base64 against Python's hashlib/hmac/base64 for many lengths.
    func testAgainstPythonForManyLengths() throws {
        var rng = SplitMix64(state: 42)
        var lengths = Array(0...200) + [255, 256, 257, 511, 512, 513, 1000, 4095, 4096, 4097, 65_539, 1_000_003]
        lengths += (0..<20).map { _ in Int.random(in: 0...20_000, using: &rng) }
        let inputs = lengths.map { rng.bytes($0) }
        let keys = lengths.map { rng.bytes($0 % 150) }
        var lines = ""
        for (input, key) in zip(inputs, keys) { lines += Hex.encode(input) + " " + Hex.encode(key) + "\n" }
        let script = """
        import sys, hashlib, hmac, base64
        for line in sys.stdin:
            data, _, key = line.rstrip('\\n').partition(' ')
            data, key = bytes.fromhex(data), bytes.fromhex(key)
            print(hashlib.sha256(data).hexdigest(), hmac.new(key, data, hashlib.sha256).hexdigest(), base64.b64encode(data[:300]).decode())
        """
        let output = try Tools.python3(script, input: lines.bytes)
        let rows = output.split(separator: "\n")
        XCTAssertEqual(rows.count, inputs.count)
        for (index, row) in rows.enumerated() {
            let fields = row.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let input = inputs[index]
            XCTAssertEqual(Hex.encode(SHA256.hash(input)), fields[0], "sha256 length \(input.count)")
            XCTAssertEqual(Hex.encode(HMACSHA256.authenticationCode(for: input, key: keys[index])), fields[1],
                           "hmac length \(input.count) key \(keys[index].count)")
            let prefix = Array(input.prefix(300))
            XCTAssertEqual(Base64.encode(prefix), fields[2], "base64 length \(prefix.count)")
            XCTAssertEqual(Base64.decode(fields[2]), prefix)
        }
    }

    /// Throughput sanity: release builds must do 50 MB well under a second (debug builds only report).
    func testThroughput() {
        #if DEBUG
        let size = 8 << 20
        #else
        let size = 50 << 20
        #endif
        let data = [UInt8](repeating: 0x5a, count: size)
        let clock = ContinuousClock()
        var digest: [UInt8] = []
        let elapsed = clock.measure { digest = SHA256.hash(data) }
        XCTAssertEqual(digest.count, 32)
        let megabytesPerSecond = Double(size) / 1_048_576 / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        print("SHA256 throughput: \(Int(megabytesPerSecond)) MB/s over \(size >> 20) MB")
        #if !DEBUG
        XCTAssertLessThan(elapsed, .milliseconds(700))
        #endif
    }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
