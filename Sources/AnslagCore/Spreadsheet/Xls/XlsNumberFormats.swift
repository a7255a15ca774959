/// The number formats of a legacy Excel workbook: each number cell's XF names its FORMAT record
/// (or one of Excel's built-in formats), whose code is Excel's own syntax already.
extension XlsReader: NumberFormatsReading {
    public func numberFormats(at index: Int) throws -> [CellPosition: String] {
        guard sheets[index].kind == .worksheet, offsets[index] >= 0, offsets[index] < stream.count else { return [:] }
        var records = BiffRecords(data: stream, position: offsets[index])
        guard let bof = records.next(), bof.type == 0x0809 else { return [:] }
        let s = stream
        var out: [CellPosition: String] = [:]
        func put(_ r: Int, _ c: Int, _ xf: Int) {
            if xf < formatCodes.count, let code = formatCodes[xf] { out[CellPosition(row: r, column: c)] = code }
        }
        var nested = 0
        while let r = records.next() {
            let o = r.offset
            if r.type == 0x0809 { nested += 1; continue }
            if r.type == 0x000A { if nested == 0 { break }; nested -= 1; continue }
            guard nested == 0, r.length >= 6 else { continue }
            let rw = Int(BiffRecords.u16(s, o)), col = Int(BiffRecords.u16(s, o + 2)), xf = Int(BiffRecords.u16(s, o + 4))
            switch r.type {
            case 0x0203 where r.length >= 14, 0x027E where r.length >= 10:
                put(rw, col, xf)
            case 0x0006 where r.length >= 20 && BiffRecords.u16(s, o + 12) != 0xFFFF:
                put(rw, col, xf)
            case 0x00BD:
                var k = o + 4, c = col
                while k + 6 <= o + r.length - 2 {
                    put(rw, c, Int(BiffRecords.u16(s, k)))
                    k += 6; c += 1
                }
            default: break
            }
        }
        return out
    }
}
