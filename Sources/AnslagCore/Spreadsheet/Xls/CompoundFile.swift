/// A reader for Microsoft's Compound File Binary format (CFB, "OLE2"), the container of
/// legacy `.xls` workbooks and of password-protected OOXML files. Only what reading a stream
/// by name needs: header, FAT (through the DIFAT), directory, mini stream. Every chain is
/// bounded by the file's size, so a cyclic or lying file fails instead of looping.
struct CompoundFile {
    struct Entry {
        var name: String
        var type: UInt8          // 1 storage, 2 stream, 5 root
        var start: UInt32
        var size: UInt64
    }

    let file: String
    private let data: [UInt8]
    private let sectorSize: Int
    private let miniSectorSize: Int
    private let miniCutoff: UInt64
    private var fat: [UInt32] = []
    private var miniFat: [UInt32] = []
    private(set) var entries: [Entry] = []
    private var miniStream: [UInt8] = []

    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    private static let endOfChain: UInt32 = 0xFFFF_FFFE
    private static let freeSector: UInt32 = 0xFFFF_FFFF

    init(file: String, data: [UInt8]) throws {
        self.file = file
        self.data = data
        func bad(_ what: String) -> ReadError { .malformed(file: file, part: "compound file", detail: what) }
        guard data.count >= 512, data.starts(with: Self.signature) else { throw bad("too short for a compound file header") }
        let shift = Int(Self.u16(data, 30)), miniShift = Int(Self.u16(data, 32))
        guard shift == 9 || shift == 12, miniShift == 6 else { throw bad("unsupported sector size") }
        sectorSize = 1 << shift
        miniSectorSize = 1 << miniShift
        miniCutoff = UInt64(Self.u32(data, 56))
        let fatSectors = Int(Self.u32(data, 44))
        let firstDir = Self.u32(data, 48)
        let firstMiniFat = Self.u32(data, 60)
        var difatNext = Self.u32(data, 68)
        let maxSectors = data.count / sectorSize + 1
        guard fatSectors <= maxSectors else { throw bad("FAT larger than the file") }

        // DIFAT: 109 entries in the header, then chained DIFAT sectors.
        var fatSectorList: [UInt32] = []
        for i in 0..<109 {
            let s = Self.u32(data, 76 + 4 * i)
            if s != Self.freeSector && fatSectorList.count < fatSectors { fatSectorList.append(s) }
        }
        var guardCount = 0
        while difatNext != Self.endOfChain && difatNext != Self.freeSector && fatSectorList.count < fatSectors {
            guardCount += 1
            guard guardCount <= maxSectors, let off = offset(of: difatNext) else { throw bad("broken DIFAT chain") }
            for i in 0..<(sectorSize / 4 - 1) where fatSectorList.count < fatSectors {
                fatSectorList.append(Self.u32(data, off + 4 * i))
            }
            difatNext = Self.u32(data, off + sectorSize - 4)
        }
        for s in fatSectorList {
            guard let off = offset(of: s) else { throw bad("FAT sector outside the file") }
            for i in 0..<(sectorSize / 4) { fat.append(Self.u32(data, off + 4 * i)) }
        }
        // Directory.
        let dir = try chain(firstDir, what: "directory")
        var i = 0
        while i + 128 <= dir.count {
            let nameLength = min(Int(Self.u16(dir, i + 64)), 64)
            var units: [UInt16] = []
            var k = 0
            while k + 1 < nameLength { units.append(Self.u16(dir, i + k)); k += 2 }
            if units.last == 0 { units.removeLast() }
            entries.append(Entry(name: String(decoding: units, as: UTF16.self), type: dir[i + 66],
                                 start: Self.u32(dir, i + 116),
                                 size: UInt64(Self.u32(dir, i + 120)) | (sectorSize == 512 ? 0 : UInt64(Self.u32(dir, i + 124)) << 32)))
            i += 128
        }
        guard let root = entries.first, root.type == 5 else { throw bad("no root entry") }
        if firstMiniFat != Self.endOfChain && firstMiniFat != Self.freeSector {
            let mf = try chain(firstMiniFat, what: "mini FAT")
            for j in stride(from: 0, to: mf.count - 3, by: 4) { miniFat.append(Self.u32(mf, j)) }
            miniStream = try chain(root.start, what: "mini stream", limit: Int(min(root.size, UInt64(data.count))))
        }
    }

    static func u16(_ d: [UInt8], _ o: Int) -> UInt16 { o + 1 < d.count ? UInt16(d[o]) | UInt16(d[o + 1]) << 8 : 0 }
    static func u32(_ d: [UInt8], _ o: Int) -> UInt32 {
        o + 3 < d.count ? UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24 : 0
    }

    /// Where a sector starts; a truncated file's last sector may be partial.
    private func offset(of sector: UInt32) -> Int? {
        let off = (Int(sector) + 1) * sectorSize
        return sector < 0xFFFF_FFFA && off < data.count ? off : nil
    }

    private func chain(_ start: UInt32, what: String, limit: Int? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        var s = start
        var seen = [Bool](repeating: false, count: fat.count)
        while s != Self.endOfChain {
            guard Int(s) < fat.count, let off = offset(of: s) else {
                // A chain cut short (a truncated file): keep what was read, as calamine does;
                // the record reader stops at the last whole record.
                if !out.isEmpty && limit != nil { break }
                throw ReadError.malformed(file: file, part: "compound file", detail: "broken \(what) chain")
            }
            guard !seen[Int(s)] else {
                throw ReadError.malformed(file: file, part: "compound file", detail: "the \(what) chain loops back on itself")
            }
            seen[Int(s)] = true
            out.append(contentsOf: data[off..<min(off + sectorSize, data.count)])
            if let limit, out.count >= limit { break }
            s = fat[Int(s)]
        }
        if let limit, out.count > limit { out.removeLast(out.count - limit) }
        return out
    }

    /// The contents of the stream named `name` (case-insensitive), or nil if there is none.
    func stream(named name: String) throws -> [UInt8]? {
        guard let e = entries.first(where: { $0.type == 2 && $0.name.lowercased() == name.lowercased() }) else { return nil }
        guard e.size <= UInt64(data.count) * 2 else {
            throw ReadError.malformed(file: file, part: name, detail: "stream larger than the file")
        }
        let size = Int(e.size)
        if e.size < miniCutoff {
            var out: [UInt8] = []
            var s = e.start
            var seen = [Bool](repeating: false, count: miniFat.count)
            while s != Self.endOfChain && out.count < size {
                let off = Int(s) * miniSectorSize
                guard Int(s) < miniFat.count, off + miniSectorSize <= miniStream.count, !seen[Int(s)] else {
                    throw ReadError.malformed(file: file, part: name, detail: "broken or looping mini stream chain")
                }
                seen[Int(s)] = true
                out.append(contentsOf: miniStream[off..<(off + miniSectorSize)])
                s = miniFat[Int(s)]
            }
            guard out.count >= size else { throw ReadError.malformed(file: file, part: name, detail: "stream shorter than its size") }
            return Array(out[0..<size])
        }
        return try chain(e.start, what: name, limit: size)
    }

    func contains(_ name: String) -> Bool { entries.contains { $0.name.lowercased() == name.lowercased() } }
}
