import Foundation
import SHA2
import TestSupport
import XCTest

@testable import Packaging

// MARK: - Deterministic zip

final class ZipTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try Tools.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Compressible and incompressible bytes, like an executable.
    func sampleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(state: seed)
        return (0..<count).map { i in i % 3 == 0 ? UInt8(truncatingIfNeeded: i / 97) : UInt8.random(in: 0...255, using: &generator) }
    }

    func testArchiveIsDeterministicAndReadsBack() throws {
        let payload = sampleBytes(200_000, seed: 7)
        let entries: [DeterministicZip.Entry] = [.init(name: "bootstrap", bytes: payload, mode: 0o755)]
        let first = try DeterministicZip.archive(entries)
        let second = try DeterministicZip.archive(entries)
        XCTAssertEqual(first, second)
        let text = Array(String(repeating: "catalogwatch bootstrap ", count: 5000).utf8)
        XCTAssertLessThan(try DeterministicZip.archive([.init(name: "bootstrap", bytes: text, mode: 0o755)]).count, text.count / 20, "deflated")
        XCTAssertNotEqual(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload + [1], mode: 0o755)]), first)
        XCTAssertNotEqual(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o700)]), first)

        let read = try DeterministicZip.entries(of: first)
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read.first?.name, "bootstrap")
        XCTAssertEqual(read.first?.mode, 0o755)
        XCTAssertEqual(read.first?.bytes, payload)

        let several = try DeterministicZip.archive([
            .init(name: "bootstrap", bytes: payload, mode: 0o755), .init(name: "empty", bytes: []), .init(name: "dir/é.txt", bytes: Array("x".utf8)),
        ])
        let readSeveral = try DeterministicZip.entries(of: several)
        XCTAssertEqual(readSeveral.map(\.name), ["bootstrap", "empty", "dir/é.txt"])
        XCTAssertEqual(readSeveral.map(\.mode), [0o755, 0o644, 0o644])
        XCTAssertEqual(readSeveral.map(\.bytes), [payload, [], Array("x".utf8)])
    }

    func testMalformedZipsThrow() throws {
        let good = try DeterministicZip.archive([.init(name: "bootstrap", bytes: sampleBytes(5000, seed: 1), mode: 0o755)])
        XCTAssertThrowsError(try DeterministicZip.entries(of: []))
        XCTAssertThrowsError(try DeterministicZip.entries(of: Array(repeating: 0, count: 100)))
        for length in stride(from: 0, to: good.count, by: 7) {
            _ = try? DeterministicZip.entries(of: Array(good.prefix(length)))
        }
        var generator = SplitMix64(state: 9)
        let centralStart = good.count - 22 - 46 - "bootstrap".utf8.count
        for _ in 0..<2000 {
            var mutated = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let region = Bool.random(using: &generator)
                let index = region ? Int.random(in: 0..<30, using: &generator) : Int.random(in: centralStart..<good.count, using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? DeterministicZip.entries(of: mutated)
        }
    }

    func testPythonZipfileReadsTheArchive() throws {
        let payload = sampleBytes(150_000, seed: 11)
        let other = Array("second entry\n".utf8)
        let zip = try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o755), .init(name: "notes.txt", bytes: other)])
        let zipURL = directory.appendingPathComponent("bundle.zip")
        try Data(zip).write(to: zipURL)

        let program = """
            import hashlib, json, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                out = {"testzip": z.testzip(), "entries": []}
                for i in z.infolist():
                    data = z.read(i.filename)
                    out["entries"].append({
                        "name": i.filename, "mode": i.external_attr >> 16, "date": list(i.date_time),
                        "system": i.create_system, "method": i.compress_type, "size": i.file_size,
                        "sha256": hashlib.sha256(data).hexdigest()})
            print(json.dumps(out))
            """
        let output = try Tools.python3(program, arguments: [zipURL.path])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        XCTAssertTrue(json["testzip"] is NSNull, "testzip() reports no bad CRC: \(String(describing: json["testzip"]))")
        let entries = try XCTUnwrap(json["entries"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 2)
        XCTAssertEqual(entries.map { $0["name"] as? String }, ["bootstrap", "notes.txt"])
        XCTAssertEqual(entries.map { $0["mode"] as? Int }, [0o100755, 0o100644])
        for entry in entries {
            XCTAssertEqual(entry["date"] as? [Int], [1980, 1, 1, 0, 0, 0])
            XCTAssertEqual(entry["system"] as? Int, 3, "made by Unix")
            XCTAssertEqual(entry["method"] as? Int, 8, "deflate")
        }
        XCTAssertEqual(entries[0]["size"] as? Int, payload.count)
        XCTAssertEqual(entries[0]["sha256"] as? String, Hex.encode(SHA256.hash(payload)))
        XCTAssertEqual(entries[1]["sha256"] as? String, Hex.encode(SHA256.hash(other)))

        // Python extracts byte-identical files with the executable bit.
        let extractDir = directory.appendingPathComponent("extracted")
        _ = try Tools.python3(
            """
            import os, sys, zipfile
            with zipfile.ZipFile(sys.argv[1]) as z:
                for i in z.infolist():
                    path = z.extract(i, sys.argv[2])
                    os.chmod(path, (i.external_attr >> 16) & 0o7777)
            """, arguments: [zipURL.path, extractDir.path])
        XCTAssertEqual(try bytes(extractDir.appendingPathComponent("bootstrap")), payload)
        XCTAssertEqual(try bytes(extractDir.appendingPathComponent("notes.txt")), other)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: extractDir.appendingPathComponent("bootstrap").path))
    }

    func testUnzipReadsTheArchive() throws {
        guard let unzip = Tools.which("unzip") else { throw XCTSkip("unzip is not installed (optional peer)") }
        let payload = sampleBytes(40_000, seed: 3)
        let zipURL = directory.appendingPathComponent("bundle.zip")
        try Data(try DeterministicZip.archive([.init(name: "bootstrap", bytes: payload, mode: 0o755)])).write(to: zipURL)
        let listing = try Tools.execute(unzip, ["-Z", zipURL.path])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let line = try XCTUnwrap(listing.stdout.split(separator: "\n").first { $0.hasSuffix(" bootstrap") }, listing.stdout)
        XCTAssertTrue(line.hasPrefix("-rwxr-xr-x"), String(line))
        XCTAssertTrue(line.contains("unx"), String(line))
        XCTAssertTrue(line.contains("80-Jan-01 00:00") || line.contains("1980"), String(line))
        let test = try Tools.execute(unzip, ["-t", zipURL.path])
        XCTAssertEqual(test.status, 0, test.stdout + test.stderr)
        XCTAssertTrue(test.stdout.contains("No errors detected"), test.stdout)
    }
}
