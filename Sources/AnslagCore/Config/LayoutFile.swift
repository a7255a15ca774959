/// A small layout file (YAML or JSON) for sheets the heuristics do not get right:
///
/// ```yaml
/// sheets:
///   - sheet: Budget 2024        # name as in the workbook
///     header-row: 3             # 1-based, as Excel shows it
///     label-column: B
///     total-rows: [12, 20]
///     unit: tkr                 # kr | tkr | mnkr
/// ```
public struct LayoutFile: Sendable {
    public struct SheetLayout: Sendable {
        public var sheet: String
        /// Zero-based.
        public var headerRow: Int?
        public var labelColumn: Int?
        public var totalRows: Set<Int>
        public var unit: AmountUnit?
    }

    public var sheets: [SheetLayout]

    public func sheet(named name: String) -> SheetLayout? { sheets.first { $0.sheet == name } }

    public static func read(path: String) throws -> LayoutFile {
        let bytes: [UInt8]
        do { bytes = try FileInput.read(path: path, limit: 1 << 20) }
        catch { throw RuleError(file: path, rule: nil, path: "", line: nil, problem: (error as? ReadError)?.withoutFile ?? "\(error)") }
        do {
            let first = bytes.first { $0 > 32 }
            guard first != nil else { throw RuleError(rule: nil, path: "", line: nil, problem: "the layout file is empty") }
            let root: ConfigNode
            if first == UInt8(ascii: "{") { root = try ConfigNode.fromJSON(bytes) }
            else {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw RuleError(rule: nil, path: "", line: nil, problem: "not UTF-8 text") }
                root = try ConfigNode.fromYAML(text)
            }
            try root.onlyKeys(["sheets"])
            guard let list = root["sheets"] else { throw root.error("a layout file lists sheets: [...]") }
            var out: [SheetLayout] = []
            for s in try list.list() {
                try s.onlyKeys(["sheet", "header-row", "label-column", "total-rows", "unit"])
                guard let name = try s["sheet"]?.text() else { throw s.error("each entry names its sheet") }
                func row(_ n: ConfigNode) throws -> Int {
                    let v = try n.integer()
                    guard v >= 1 && v <= Int64(SheetLimits.maxRows) else { throw n.error("rows are numbered from 1, as Excel shows them") }
                    return Int(v - 1)
                }
                var layout = SheetLayout(sheet: name, headerRow: try s["header-row"].map(row), labelColumn: nil, totalRows: [], unit: nil)
                if let c = s["label-column"] {
                    let t = try c.text().uppercased()
                    guard let p = CellPosition(a1: Substring(t + "1")) else { throw c.error("\"\(t)\" is not a column letter") }
                    layout.labelColumn = p.column
                }
                if let t = s["total-rows"] { layout.totalRows = Set(try t.list().map(row)) }
                if let u = s["unit"] {
                    switch try u.text() {
                    case "kr", "kronor": layout.unit = .kronor
                    case "tkr": layout.unit = .tkr
                    case "mnkr": layout.unit = .mnkr
                    default: throw u.error("unit: kr, tkr or mnkr")
                    }
                }
                out.append(layout)
            }
            return LayoutFile(sheets: out)
        } catch var e as RuleError {
            e.file = path
            throw e
        }
    }
}
