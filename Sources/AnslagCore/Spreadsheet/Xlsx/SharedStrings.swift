/// Decodes OOXML's `_xHHHH_` escapes (ECMA-376 §22.9.2.19): `_x000D_` is a carriage return,
/// `_x005F_` an underscore (so `_x005F_x0041_` stays the literal text `_x0041_`).
func decodeOOXMLText(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { decodeOOXMLText($0) }
}

func decodeOOXMLText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard bytes.count >= 7, containsEscape(bytes) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var units: [UInt16] = []
    func flushUnits() {
        guard !units.isEmpty else { return }
        out.append(contentsOf: Array(String(decoding: units, as: UTF16.self).utf8))
        units.removeAll()
    }
    var i = 0
    while i < bytes.count {
        if i + 6 < bytes.count, bytes[i] == 95, bytes[i + 1] == 120 || bytes[i + 1] == 88, bytes[i + 6] == 95,
           let v = hex4(bytes, i + 2), v != 0xFFFE, v != 0xFFFF {
            // U+FFFE and U+FFFF are not characters; their escapes stay literal text.
            units.append(v)
            i += 7
            continue
        }
        flushUnits()
        out.append(bytes[i])
        i += 1
    }
    flushUnits()
    return String(decoding: out, as: UTF8.self)
}

private func containsEscape(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    while i + 1 < b.count {
        if b[i] == 95 && (b[i + 1] == 120 || b[i + 1] == 88) { return true }
        i += 1
    }
    return false
}

private func hex4(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt16? {
    var v: UInt16 = 0
    for k in 0..<4 {
        let c = b[at + k]
        let d: UInt8
        switch c {
        case 48...57: d = c - 48
        case 65...70: d = c - 55
        case 97...102: d = c - 87
        default: return nil
        }
        v = v << 4 | UInt16(d)
    }
    return v
}

/// `sharedStrings.xml`: the table of strings cells refer to by index. Rich-text runs are
/// concatenated; phonetic runs (`rPh`) are left out. Bounded by `ReadLimits`.
final class SharedStringsHandler: XMLHandler {
    private(set) var strings: [String] = []
    private var buffer = ByteBuffer()
    private var inItem = false
    private var capturing = false
    private var phoneticDepth = 0
    private var totalBytes = 0
    private let limits: ReadLimits
    private let file: String
    private let part: String

    init(file: String, part: String, limits: ReadLimits) {
        self.file = file; self.part = part; self.limits = limits
    }

    deinit { buffer.free() }

    override func start(_ name: XMLName, _ a: XMLAttributes) throws {
        if name.is("si") {
            inItem = true
            buffer.reset()
        } else if name.is("t") {
            capturing = inItem && phoneticDepth == 0
        } else if name.is("rPh") {
            phoneticDepth += 1
        } else if name.is("sst"), let n = a.int("uniqueCount") {
            strings.reserveCapacity(min(n, 1 << 20))
        }
    }

    override func end(_ name: XMLName) throws {
        if name.is("t") {
            capturing = false
        } else if name.is("rPh") {
            phoneticDepth -= 1
        } else if name.is("si") {
            inItem = false
            totalBytes += buffer.count
            if strings.count >= limits.maxSharedStrings || totalBytes > limits.maxSharedStringBytes {
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "shared-string table larger than \(limits.maxSharedStrings) strings or \(limits.maxSharedStringBytes >> 20) MiB")
            }
            strings.append(decodeOOXMLText(buffer.buffer))
        }
    }

    override func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        if capturing { buffer.append(bytes) }
    }
}
