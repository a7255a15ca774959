/// Reads JSON-stat as the PxWeb API serves it: version 2.0 (`id`, `size`, `dimension`, `value`
/// at the top; PxWeb API v2's default) and the 1.x `{"dataset": …}` wrapping of API v1. Values
/// are an array or an object keyed by position; `status` (array or object) gives the symbols.
public enum JsonStatReader {
    public static func read(bytes: [UInt8], file: String, options: ScbReadOptions = ScbReadOptions()) throws -> ScbImport {
        var reader = try JsonStatTableReader(bytes: bytes, file: file, options: options)
        return try reader.read()
    }

    /// `1.2345e4` → 12345 exactly (JSON numbers may have exponents).
    static func exponentNumber(_ text: String) -> (integer: Int64?, decimal: String?)? {
        let parts = text.lowercased().split(separator: "e")
        guard parts.count == 2, let exp = Int(parts[1]), abs(exp) < 30 else { return nil }
        var mantissa = String(parts[0])
        var negative = false
        if mantissa.hasPrefix("-") { negative = true; mantissa.removeFirst() }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { return nil }
        var digits = String(pieces[0]) + (pieces.count == 2 ? String(pieces[1]) : "")
        var point = pieces[0].count + exp
        if point < 0 { digits = String(repeating: "0", count: -point) + digits; point = 0 }
        if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
        let intPart = digits.prefix(point), frac = digits.dropFirst(point)
        return ScbCsvReader.parseValue((negative ? "-" : "") + (intPart.isEmpty ? "0" : String(intPart)) + (frac.isEmpty ? "" : "." + frac))
    }
}
