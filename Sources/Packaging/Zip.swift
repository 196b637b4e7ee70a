import CZlib

/// Writes zip archives whose bytes depend only on the entries: fixed timestamps, fixed modes, fixed order.
public enum DeterministicZip {
    /// One file of the archive.
    public struct Entry: Sendable {
        public var name: String
        public var bytes: [UInt8]
        /// Unix permission bits, e.g. 0o755 for `bootstrap`.
        public var mode: UInt32

        public init(name: String, bytes: [UInt8], mode: UInt32 = 0o644) {
            self.name = name
            self.bytes = bytes
            self.mode = mode
        }
    }

    /// A failure of zlib while compressing.
    public struct ZipError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The archive: entries in the given order, deflated at level 9, dated 1980-01-01 00:00.
    public static func archive(_ entries: [Entry]) throws(ZipError) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        let dosTime: UInt16 = 0
        let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
        guard entries.count < 0xFFFF else { throw ZipError(description: "\(entries.count) entries need zip64, which this writer does not produce") }
        for entry in entries {
            let name = Array(entry.name.utf8)
            guard name.count <= 0xFFFF else { throw ZipError(description: "entry name longer than 65535 bytes") }
            let crc = crc32Of(entry.bytes)
            let compressed = try deflateRaw(entry.bytes)
            // Sizes and offsets are 32-bit without zip64 (0xFFFFFFFF itself means "see zip64").
            guard entry.bytes.count < 0xFFFF_FFFF, compressed.count < 0xFFFF_FFFF, out.count < 0xFFFF_FFFF else {
                throw ZipError(description: "\(entry.name) needs zip64 (4 GiB or more), which this writer does not produce")
            }
            let offset = UInt32(out.count)
            // Local file header.
            out.le32(0x0403_4b50)
            out.le16(20)  // version needed: 2.0 (deflate)
            out.le16(0x0800)  // UTF-8 names
            out.le16(8)  // deflate
            out.le16(dosTime)
            out.le16(dosDate)
            out.le32(crc)
            out.le32(UInt32(compressed.count))
            out.le32(UInt32(entry.bytes.count))
            out.le16(UInt16(name.count))
            out.le16(0)
            out += name
            out += compressed
            // Central directory record.
            central.le32(0x0201_4b50)
            central.le16((3 << 8) | 20)  // made by Unix, zip 2.0: external attributes are Unix modes
            central.le16(20)
            central.le16(0x0800)
            central.le16(8)
            central.le16(dosTime)
            central.le16(dosDate)
            central.le32(crc)
            central.le32(UInt32(compressed.count))
            central.le32(UInt32(entry.bytes.count))
            central.le16(UInt16(name.count))
            central.le16(0)  // extra
            central.le16(0)  // comment
            central.le16(0)  // disk
            central.le16(0)  // internal attributes
            central.le32((0o100000 | (entry.mode & 0o7777)) << 16)  // regular file + mode
            central.le32(offset)
            central += name
        }
        guard out.count < 0xFFFF_FFFF, central.count < 0xFFFF_FFFF else { throw ZipError(description: "archive needs zip64 (4 GiB or more)") }
        let centralOffset = UInt32(out.count)
        out += central
        out.le32(0x0605_4b50)
        out.le16(0)
        out.le16(0)
        out.le16(UInt16(entries.count))
        out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count))
        out.le32(centralOffset)
        out.le16(0)
        return out
    }

    static func crc32Of(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, Int(UInt32.max))
                crc = crc32(crc, buffer.baseAddress! + offset, uInt(chunk))
                offset += chunk
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    static func deflateRaw(_ input: [UInt8]) throws(ZipError) -> [UInt8] {
        try withZStream { stream throws(ZipError) in
            // windowBits -15: raw deflate, as zip stores it.
            guard deflateInit2_(stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ZipError(description: "zlib deflateInit2 failed")
            }
            defer { deflateEnd(stream) }
            var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))))
            let status = run(stream, input: input, output: &output, deflate)
            guard status == Z_STREAM_END else { throw ZipError(description: "zlib deflate failed (\(status))") }
            return Array(output[0..<Int(stream.pointee.total_out)])
        }
    }

    /// The entries of an archive written by `archive` (or any zip without data descriptors), for checks and tests.
    public static func entries(of zip: [UInt8]) throws(ZipError) -> [(name: String, mode: UInt32, bytes: [UInt8])] {
        // Bounds-checked reads: a damaged archive throws instead of trapping.
        func need(_ o: Int, _ n: Int) throws(ZipError) {
            guard o >= 0, n >= 0, o <= zip.count - n else { throw ZipError(description: "truncated zip: need \(n) bytes at offset \(o)") }
        }
        func u16(_ o: Int) throws(ZipError) -> UInt16 {
            try need(o, 2)
            return UInt16(zip[o]) | UInt16(zip[o + 1]) << 8
        }
        func u32(_ o: Int) throws(ZipError) -> UInt32 { UInt32(try u16(o)) | UInt32(try u16(o + 2)) << 16 }
        guard zip.count >= 22 else { throw ZipError(description: "not a zip: too short") }
        var eocd = zip.count - 22
        while eocd >= 0, try u32(eocd) != 0x0605_4b50 { eocd -= 1 }
        guard eocd >= 0 else { throw ZipError(description: "not a zip: no end of central directory") }
        let count = Int(try u16(eocd + 10))
        var at = Int(try u32(eocd + 16))
        var result: [(String, UInt32, [UInt8])] = []
        for _ in 0..<count {
            try need(at, 46)
            guard try u32(at) == 0x0201_4b50 else { throw ZipError(description: "bad central directory") }
            let method = try u16(at + 10)
            let compressedSize = Int(try u32(at + 20))
            let size = Int(try u32(at + 24))
            let nameLength = Int(try u16(at + 28))
            let extra = Int(try u16(at + 30))
            let comment = Int(try u16(at + 32))
            let mode = (try u32(at + 38) >> 16) & 0o7777
            let local = Int(try u32(at + 42))
            try need(at + 46, nameLength)
            let name = String(decoding: zip[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            try need(local, 30)
            guard try u32(local) == 0x0403_4b50 else { throw ZipError(description: "entry \(name): bad local header") }
            let dataStart = local + 30 + Int(try u16(local + 26)) + Int(try u16(local + 28))
            guard dataStart + compressedSize <= zip.count else { throw ZipError(description: "entry \(name) truncated") }
            let data = Array(zip[dataStart..<(dataStart + compressedSize)])
            guard method == 0 || method == 8 else { throw ZipError(description: "entry \(name): unsupported compression method \(method)") }
            if method == 0, size != compressedSize { throw ZipError(description: "entry \(name): stored sizes disagree") }
            // Deflate cannot expand more than about 1032:1; a larger claimed size is damage, not something to allocate.
            guard size <= compressedSize * 1032 + 64 else { throw ZipError(description: "entry \(name): implausible size \(size)") }
            let bytes = method == 0 ? data : try inflateRaw(data, size: size)
            guard crc32Of(bytes) == (try u32(at + 16)) else { throw ZipError(description: "entry \(name): CRC mismatch") }
            result.append((name, mode, bytes))
            at += 46 + nameLength + extra + comment
        }
        return result
    }

    static func inflateRaw(_ input: [UInt8], size: Int) throws(ZipError) -> [UInt8] {
        try withZStream { stream throws(ZipError) in
            guard inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ZipError(description: "zlib inflateInit2 failed")
            }
            defer { inflateEnd(stream) }
            var output = [UInt8](repeating: 0, count: max(size, 1))
            let status = run(stream, input: input, output: &output, inflate)
            guard status == Z_STREAM_END, Int(stream.pointee.total_out) == size else {
                throw ZipError(description: "zlib inflate failed (\(status))")
            }
            return Array(output[0..<size])
        }
    }

    /// `body` with a fresh `z_stream` in a heap allocation of its own: zlib records the stream's address when it is
    /// initialised and checks it on every later call, so it must not move (a Swift local `var` passed as `&stream` may).
    private static func withZStream<R>(_ body: (UnsafeMutablePointer<z_stream>) throws(ZipError) -> R) throws(ZipError) -> R {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        return try body(stream)
    }

    /// One `Z_FINISH` call of `step` (deflate or inflate) from all of `input` into `output`; the stream points at the
    /// buffers only while they are pinned.
    private static func run(
        _ stream: UnsafeMutablePointer<z_stream>, input: [UInt8], output: inout [UInt8],
        _ step: (UnsafeMutablePointer<z_stream>?, Int32) -> Int32
    ) -> Int32 {
        var input = input
        return input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.pointee.next_in = inBuf.baseAddress
                stream.pointee.avail_in = uInt(inBuf.count)
                stream.pointee.next_out = outBuf.baseAddress
                stream.pointee.avail_out = uInt(outBuf.count)
                let status = step(stream, Z_FINISH)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
                return status
            }
        }
    }
}

extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }

    mutating func le32(_ v: UInt32) {
        for i in 0..<4 { append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) }
    }
}
