/// What a cell's number format makes of a number: a plain number, a date/time, or an
/// elapsed duration (`[h]:mm:ss`).
enum NumberKind: Equatable, Sendable {
    case number, date, duration

    /// Excel's built-in format ids (ECMA-376 §18.8.30 plus the CJK date ids Excel uses).
    static func builtin(_ id: Int) -> NumberKind {
        switch id {
        case 14...22, 27...36, 45, 47, 50...58, 71...81: return .date
        case 46: return .duration
        default: return .number
        }
    }

    /// Decides from a format code. Quoted literals, backslash-escaped characters, `_x` and
    /// `*x` padding, and bracketed colours, conditions and locales are stripped first; an
    /// elapsed bracket (`[h]`, `[mm]`, `[ss]`) makes a duration; any remaining d, m, y, h
    /// or s makes a date.
    static func of(formatCode code: String) -> NumberKind {
        let c = Array(code.unicodeScalars)
        let general = Array("general".unicodeScalars)
        var isDate = false
        var i = 0
        while i < c.count {
            let ch = c[i]
            i += 1
            switch ch {
            case "\"":
                while i < c.count && c[i] != "\"" { i += 1 }
                i += 1
            case "\\", "_", "*":
                i += 1
            case "[":
                var inner = ""
                while i < c.count && c[i] != "]" { inner.unicodeScalars.append(c[i]); i += 1 }
                i += 1
                let lower = inner.lowercased()
                if let f = lower.first, "hms".contains(f), lower.allSatisfy({ $0 == f }) {
                    return .duration
                }
            case "G", "g":
                // "General" is a number whatever its section and colour.
                if i + 6 <= c.count, c[(i - 1)..<(i + 6)].map({ Character($0).lowercased() }).joined() == String(String.UnicodeScalarView(general)) {
                    i += 6
                }
            case "d", "D", "m", "M", "y", "Y", "h", "H", "s", "S":
                isDate = true
            default:
                break
            }
        }
        return isDate ? .date : .number
    }
}

/// Converts spreadsheet serial numbers to calendar values.
enum SerialDate {
    /// Days from 0001-01-01 (proleptic Gregorian) to a civil date, and back (Howard Hinnant's
    /// algorithms), so no Foundation calendar or time zone is involved.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    /// A serial date to a calendar value, rounded to the millisecond. Values below 1 are times
    /// of day (negative ones: the time their fraction means), whole numbers dates, the rest
    /// date-times, in both date systems, as calamine and openpyxl show them. The 1900 system keeps Excel's
    /// phantom 1900-02-29: serials below 61 are one day later than a true calendar gives.
    /// Nil for absurd serials.
    static func dateTime(serial: Double, date1904: Bool) -> DateTimeValue? {
        guard serial.isFinite, serial > -2_958_466, serial < 2_958_466 else { return nil }
        if serial < 0 {
            // Before the epoch there are no dates; show the time of day the fraction means.
            return dateTime(serial: serial - serial.rounded(.down), date1904: date1904).map {
                var t = $0; t.kind = .time; t.year = 0; t.month = 0; t.day = 0; return t
            }
        }
        let totalMs = Int((serial * 86_400_000).rounded())
        var days = totalMs / 86_400_000
        let msOfDay = totalMs % 86_400_000
        let kind: DateTimeValue.Kind = days == 0 ? .time : (msOfDay == 0 ? .date : .dateTime)
        let epoch: Int
        if date1904 {
            epoch = daysFromCivil(1904, 1, 1)
        } else {
            epoch = daysFromCivil(1899, 12, 30)
            if days < 61 { days += 1 }
            if days == 61 && serial < 61 { days = 60 }  // serial 60, the phantom leap day
        }
        let (y, m, d) = kind == .time ? (0, 0, 0) : civil(fromDays: epoch + days)
        return DateTimeValue(year: y, month: m, day: d, hour: msOfDay / 3_600_000,
                             minute: msOfDay / 60_000 % 60, second: msOfDay / 1000 % 60,
                             microsecond: msOfDay % 1000 * 1000, kind: kind)
    }

    /// An ISO 8601 date, date-time or time (`t="d"` cells, ODS values). Nil if malformed.
    static func parseISO(_ text: String) -> DateTimeValue? {
        let s = text.trimmingCharacters()
        func num(_ sub: Substring) -> Int? { Int(sub) }
        var datePart: Substring? = nil
        var timePart: Substring? = nil
        if let t = s.firstIndex(where: { $0 == "T" || $0 == " " }) {
            datePart = s[..<t]; timePart = s[s.index(after: t)...]
        } else if s.contains(":") {
            timePart = Substring(s)
        } else {
            datePart = Substring(s)
        }
        var v = DateTimeValue(year: 0, month: 0, day: 0, kind: .date)
        if let dp = datePart {
            let f = dp.split(separator: "-")
            guard f.count == 3, let y = num(f[0]), let m = num(f[1]), let d = num(f[2]),
                  (1...12).contains(m), (1...31).contains(d) else { return nil }
            v.year = y; v.month = m; v.day = d
        }
        if var tp = timePart {
            if let z = tp.firstIndex(where: { $0 == "Z" || $0 == "+" }) { tp = tp[..<z] }
            let f = tp.split(separator: ":")
            guard f.count >= 2, let h = num(f[0]), let mi = num(f[1]) else { return nil }
            v.hour = h; v.minute = mi
            if f.count >= 3 {
                let sec = f[2].split(separator: ".", maxSplits: 1)
                guard let ss = num(sec[0]) else { return nil }
                v.second = ss
                if sec.count == 2 {
                    let digits = String(sec[1].prefix(6))
                    guard let frac = Int(digits) else { return nil }
                    var us = frac
                    for _ in digits.count..<6 { us *= 10 }
                    v.microsecond = us
                }
            }
            v.kind = datePart == nil ? .time : .dateTime
            if datePart != nil, v.hour == 0, v.minute == 0, v.second == 0, v.microsecond == 0 { v.kind = .date }
        }
        return v
    }
}

/// A reader that knows the number format each number or date cell of a sheet shows with (ods:
/// the cell's style's data style; xls: the XF's FORMAT record), as an Excel format code, so that
/// a new workbook written from the values can keep them.
public protocol NumberFormatsReading {
    /// Cell → format code for the sheet at `index`; cells in the general format are left out.
    func numberFormats(at index: Int) throws -> [CellPosition: String]
}

/// Excel's built-in number formats by id (ECMA-376 §18.8.30). The locale's own ones (the short
/// date 14, 22, the currencies 5–8) and General are nil: the writer's defaults stand for them.
enum BuiltinFormats {
    static func code(_ id: Int) -> String? {
        switch id {
        case 1: return "0"
        case 2: return "0.00"
        case 3: return "#,##0"
        case 4: return "#,##0.00"
        case 9: return "0%"
        case 10: return "0.00%"
        case 11: return "0.00E+00"
        case 12: return "# ?/?"
        case 13: return "# ??/??"
        case 15: return "d-mmm-yy"
        case 16: return "d-mmm"
        case 17: return "mmm-yy"
        case 18: return "h:mm AM/PM"
        case 19: return "h:mm:ss AM/PM"
        case 20: return "h:mm"
        case 21: return "h:mm:ss"
        case 37: return "#,##0 ;(#,##0)"
        case 38: return "#,##0 ;[Red](#,##0)"
        case 39: return "#,##0.00;(#,##0.00)"
        case 40: return "#,##0.00;[Red](#,##0.00)"
        case 45: return "mm:ss"
        case 46: return "[h]:mm:ss"
        case 47: return "mm:ss.0"
        case 48: return "##0.0E+0"
        case 49: return "@"
        default: return nil
        }
    }
}
