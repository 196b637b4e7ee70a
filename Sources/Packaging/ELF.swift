/// What an ELF executable needs from the system that runs it: machine, interpreter, libraries, symbol versions.
public struct ELFInfo: Hashable, Sendable {
    /// The instruction set, by `e_machine`.
    public enum Machine: Hashable, Sendable, CustomStringConvertible {
        case x86_64
        case aarch64
        case other(UInt16)

        public var description: String {
            switch self {
            case .x86_64: "x86_64"
            case .aarch64: "aarch64"
            case .other(let n): "machine \(n)"
            }
        }
    }

    /// One `.gnu.version_r` requirement: a library and a version name such as `GLIBC_2.35`.
    public struct VersionNeed: Hashable, Sendable, CustomStringConvertible {
        public var library: String
        public var version: String
        public var description: String { "\(version) (\(library))" }
    }

    public var machine: Machine
    public var isSixtyFourBit: Bool
    /// `PT_INTERP`, e.g. `/lib64/ld-linux-x86-64.so.2`; nil for a static executable.
    public var interpreter: String?
    /// `DT_NEEDED` libraries, in order.
    public var neededLibraries: [String]
    /// Symbol version requirements, in file order.
    public var versionNeeds: [VersionNeed]

    /// True when the file needs no dynamic loader and no shared library.
    public var isStatic: Bool { interpreter == nil && neededLibraries.isEmpty }
}

/// Why an ELF file could not be read.
public struct ELFError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// A bounds-checked reader of ELF64 little-endian files (the only kind Lambda runs).
public enum ELFReader {
    static let shtDynamic: UInt32 = 6
    static let shtGnuVerneed: UInt32 = 0x6fff_fffe
    static let ptInterp: UInt32 = 3
    static let dtNeeded: UInt64 = 1
    static let dtStrtab: UInt64 = 5

    /// Reads `bytes` as an ELF executable or shared object.
    public static func read(_ bytes: [UInt8]) throws(ELFError) -> ELFInfo {
        let r = ByteReader(bytes)
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw ELFError("not an ELF file (no \\x7FELF magic)")
        }
        guard bytes[4] == 2 else { throw ELFError("32-bit ELF: Lambda runs 64-bit executables only") }
        guard bytes[5] == 1 else { throw ELFError("big-endian ELF: Lambda runs little-endian executables only") }
        let machineCode = try r.u16(18)
        let machine: ELFInfo.Machine =
            switch machineCode {
            case 62: .x86_64
            case 183: .aarch64
            default: .other(machineCode)
            }
        // Offsets and sizes are file-controlled: clamp them into Int and check a whole table before walking it,
        // so that neither the conversion nor the offset arithmetic below can overflow.
        let phoff = ByteReader.int(try r.u64(32))
        let shoff = ByteReader.int(try r.u64(40))
        let phentsize = Int(try r.u16(54))
        let phnum = Int(try r.u16(56))
        let shentsize = Int(try r.u16(58))
        let shnum = Int(try r.u16(60))

        let interpreter = try Self.interpreter(r, offset: phoff, count: phnum, entrySize: phentsize)
        let sections = try Self.sections(r, offset: shoff, count: shnum, entrySize: shentsize)
        let needed = try neededLibraries(r, sections)
        let needs = try versionNeeds(r, sections)
        return ELFInfo(machine: machine, isSixtyFourBit: true, interpreter: interpreter, neededLibraries: needed, versionNeeds: needs)
    }

    /// The `PT_INTERP` path among `count` program headers at `offset` (the last one wins), or nil.
    static func interpreter(_ r: ByteReader, offset phoff: Int, count phnum: Int, entrySize phentsize: Int) throws(ELFError) -> String? {
        var interpreter: String?
        if phnum > 0 {
            guard phentsize >= 56 else { throw ELFError("program header entries too small (\(phentsize))") }
            try r.check(phoff, phnum * phentsize)
        }
        for i in 0..<phnum {
            let base = phoff + i * phentsize
            if try r.u32(base) == ptInterp {
                let offset = ByteReader.int(try r.u64(base + 8))
                let size = ByteReader.int(try r.u64(base + 32))
                try r.check(offset, size)
                interpreter = try r.cString(offset, limit: size)
            }
        }
        return interpreter
    }

    /// A section header: only the fields this reader uses.
    struct Section {
        var type: UInt32
        var offset: Int
        var size: Int
        var link: Int
        var info: Int
    }

    /// The `count` section headers at `offset`; none when `offset` or `count` is 0.
    static func sections(_ r: ByteReader, offset shoff: Int, count shnum: Int, entrySize shentsize: Int) throws(ELFError) -> [Section] {
        var sections: [Section] = []
        if shoff > 0, shnum > 0 {
            guard shentsize >= 64 else { throw ELFError("section header entries too small (\(shentsize))") }
            try r.check(shoff, shnum * shentsize)
            for i in 0..<shnum {
                let base = shoff + i * shentsize
                sections.append(Section(
                    type: try r.u32(base + 4), offset: ByteReader.int(try r.u64(base + 24)), size: ByteReader.int(try r.u64(base + 32)),
                    link: Int(try r.u32(base + 40)), info: Int(try r.u32(base + 44))))
            }
        }
        return sections
    }

    /// A section whose contents this reader walks: it must lie inside the file.
    static func inFile(_ r: ByteReader, _ s: Section) throws(ELFError) -> Section {
        try r.check(s.offset, s.size)
        return s
    }

    static func stringTable(_ r: ByteReader, _ sections: [Section], _ index: Int) throws(ELFError) -> Section {
        guard index < sections.count else { throw ELFError("string table index \(index) out of range") }
        return try inFile(r, sections[index])
    }

    /// The `DT_NEEDED` libraries of every `SHT_DYNAMIC` section, in order.
    static func neededLibraries(_ r: ByteReader, _ sections: [Section]) throws(ELFError) -> [String] {
        var needed: [String] = []
        for s in sections where s.type == shtDynamic {
            let s = try inFile(r, s)
            let strtab = try stringTable(r, sections, s.link)
            var at = s.offset
            while at + 16 <= s.offset + s.size {
                let tag = try r.u64(at)
                let value = try r.u64(at + 8)
                if tag == 0 { break }
                if tag == dtNeeded {
                    guard value < UInt64(strtab.size) else { throw ELFError("DT_NEEDED name outside its string table") }
                    needed.append(try r.cString(strtab.offset + Int(value), limit: strtab.size - Int(value)))
                }
                at += 16
            }
        }
        return needed
    }

    /// The symbol version requirements of every `SHT_GNU_verneed` section, in file order.
    static func versionNeeds(_ r: ByteReader, _ sections: [Section]) throws(ELFError) -> [ELFInfo.VersionNeed] {
        var needs: [ELFInfo.VersionNeed] = []
        for s in sections where s.type == shtGnuVerneed {
            let s = try inFile(r, s)
            let strtab = try stringTable(r, sections, s.link)
            func name(_ offset: UInt32) throws(ELFError) -> String {
                guard Int(offset) < strtab.size else { throw ELFError("version name outside its string table") }
                return try r.cString(strtab.offset + Int(offset), limit: strtab.size - Int(offset))
            }
            var at = s.offset
            for _ in 0..<max(s.info, 0) {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
                let count = Int(try r.u16(at + 2))
                let library = try name(try r.u32(at + 4))
                var aux = at + Int(try r.u32(at + 8))
                for _ in 0..<count {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
                    needs.append(.init(library: library, version: try name(try r.u32(aux + 8))))
                    let next = Int(try r.u32(aux + 12))
                    if next == 0 { break }
                    aux += next
                }
                let next = Int(try r.u32(at + 12))
                if next == 0 { break }
                at += next
            }
        }
        return needs
    }
}

/// Little-endian reads that throw instead of trapping when a file is truncated or lies about offsets.
struct ByteReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func check(_ offset: Int, _ count: Int) throws(ELFError) {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else {
            throw ELFError("truncated ELF file: need \(count) bytes at offset \(offset), file has \(bytes.count)")
        }
    }

    func u16(_ o: Int) throws(ELFError) -> UInt16 {
        try check(o, 2)
        return UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8
    }

    func u32(_ o: Int) throws(ELFError) -> UInt32 {
        try check(o, 4)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[o + i]) << (8 * UInt32(i)) }
        return v
    }

    func u64(_ o: Int) throws(ELFError) -> UInt64 {
        try check(o, 8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[o + i]) << (8 * UInt64(i)) }
        return v
    }

    /// A file-controlled offset or size as an Int; values past `Int.max` saturate (and then fail `check`).
    static func int(_ value: UInt64) -> Int { Int(clamping: value) }

    func cString(_ o: Int, limit: Int) throws(ELFError) -> String {
        try check(o, 0)
        var end = o
        let stop = o + min(max(limit, 0), bytes.count - o)
        while end < stop, bytes[end] != 0 { end += 1 }
        guard end < stop || (end == stop && stop < bytes.count && bytes[stop] == 0) else {
            throw ELFError("unterminated string at offset \(o)")
        }
        return String(decoding: bytes[o..<end], as: UTF8.self)
    }
}
