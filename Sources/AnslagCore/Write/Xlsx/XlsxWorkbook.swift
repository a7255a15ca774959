import CXlsxWriter
#if canImport(Glibc)
import Glibc
#endif

/// An xlsx workbook written through libxlsxwriter, the way a careful person makes one:
/// numbers as numbers with Swedish formats, codes as text, bold frozen headers with
/// autofilters, document properties, valid and unique sheet names.
public final class XlsxWorkbook {
    public enum Style: Hashable, Sendable {
        case plain, header, text, kronor, thousands, integer, decimal, date, dateTime, time, duration, link
        /// Bold without the header's border (a provenance block's title).
        case bold
        /// A number format code of the source (a new workbook written from an ods or xls).
        case custom(String)
        /// The same with a warning fill (cells a finding points at).
        indirect case highlighted(Style)
    }

    private let workbook: UnsafeMutablePointer<lxw_workbook>
    var workbookPointer: UnsafeMutablePointer<lxw_workbook> { workbook }
    private let path: String
    private var formats: [Style: UnsafeMutablePointer<lxw_format>] = [:]
    private var names: Set<String> = []
    private var closed = false

    /// Starts a workbook at `path` (use `AtomicFile.writePath` for an atomic result).
    /// Rows must be written in order (`constantMemory`): nothing can be added above the last row.
    public let constantMemory: Bool

    /// `constantMemory` keeps memory flat for large sheets: rows must then be written in order.
    public init(path: String, constantMemory: Bool = false, title: String? = nil, subject: String? = nil) throws {
        self.constantMemory = constantMemory
        self.path = path
        var options = lxw_workbook_options(constant_memory: constantMemory ? 1 : 0, tmpdir: nil, use_zip64: 1)
        guard let wb = path.withCString({ workbook_new_opt($0, &options) }) else {
            throw WriteError.failed(file: path, reason: "cannot start an xlsx workbook")
        }
        workbook = wb
        // Properties are copied by libxlsxwriter when the workbook closes: keep the C strings alive until then.
        props = [strdup(title ?? ""), strdup(subject ?? ""), strdup("Anslag"), strdup("Anslag")]
        var p = lxw_doc_properties()
        if title != nil { p.title = props[0] }
        if subject != nil { p.subject = props[1] }
        p.author = props[2]
        p.company = props[3]
        workbook_set_properties(wb, &p)
    }

    private var props: [UnsafeMutablePointer<CChar>?] = []

    deinit {
        // Abandoned (a write failed): freed without writing the file.
        if !closed { lxw_workbook_free(workbook) }
        props.forEach { free($0) }
    }

    /// Formats of the plain styles by ordinal: no hashing per cell.
    private var simple = [UnsafeMutablePointer<lxw_format>?](repeating: nil, count: 16)

    private static func ordinal(_ s: Style) -> Int? {
        switch s {
        case .plain: return 0
        case .header: return 1
        case .text: return 2
        case .kronor: return 3
        case .thousands: return 4
        case .integer: return 5
        case .decimal: return 6
        case .date: return 7
        case .dateTime: return 8
        case .time: return 9
        case .duration: return 10
        case .link: return 11
        case .bold: return 12
        case .highlighted, .custom: return nil
        }
    }

    func format(_ style: Style) -> UnsafeMutablePointer<lxw_format>? {
        if let k = Self.ordinal(style) {
            if k == 0 { return nil }
            if let f = simple[k] { return f }
            let f = makeFormat(style)
            simple[k] = f
            return f
        }
        return makeFormat(style)
    }

    private func makeFormat(_ style: Style) -> UnsafeMutablePointer<lxw_format>? {
        if let f = formats[style] { return f }
        let f = workbook_add_format(workbook)!
        func apply(_ s: Style) {
            switch s {
            case .plain: break
            case .header: format_set_bold(f); format_set_bottom(f, UInt8(LXW_BORDER_THIN.rawValue))
            case .bold: format_set_bold(f)
            case .custom(let code): format_set_num_format(f, code)
            case .text: format_set_num_format(f, "@")
            case .kronor: format_set_num_format(f, "#,##0 \"kr\"")
            case .thousands, .integer: format_set_num_format(f, "#,##0")
            case .decimal: format_set_num_format(f, "#,##0.00")
            case .date: format_set_num_format(f, "yyyy-mm-dd")
            case .dateTime: format_set_num_format(f, "yyyy-mm-dd hh:mm:ss")
            case .time: format_set_num_format(f, "hh:mm:ss")
            case .duration: format_set_num_format(f, "[h]:mm:ss")
            case .link: format_set_underline(f, UInt8(LXW_UNDERLINE_SINGLE.rawValue)); format_set_font_color(f, 0x0563C1)
            case .highlighted(let inner):
                apply(inner)
                format_set_pattern(f, UInt8(LXW_PATTERN_SOLID.rawValue))
                format_set_bg_color(f, 0xFFC7CE)
                format_set_font_color(f, 0x9C0006)
            }
        }
        apply(style)
        formats[style] = f
        return f
    }

    /// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not empty, unique.
    public static func sheetName(_ wanted: String, taken: Set<String>) -> String {
        var base = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        while base.hasPrefix("'") { base.removeFirst() }
        while base.hasSuffix("'") { base.removeLast() }
        if base.isEmpty { base = "Blad" }
        var name = String(base.prefix(31))
        var n = 2
        while taken.contains(name.lowercased()) {
            let suffix = " (\(n))"
            name = String(base.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        return name
    }

    public func addSheet(_ wanted: String) throws -> XlsxSheet {
        let name = Self.sheetName(wanted, taken: names)
        names.insert(name.lowercased())
        guard let ws = name.withCString({ workbook_add_worksheet(workbook, $0) }) else {
            throw WriteError.failed(file: path, reason: "cannot add the sheet \"\(name)\"")
        }
        return XlsxSheet(sheet: ws, name: name, owner: self)
    }

    public func close() throws {
        guard !closed else { return }
        closed = true
        // libxlsxwriter prints its own [ERROR] lines; they are captured and the one line the
        // user sees says why (the system's reason, e.g. "No space left on device").
        let ((rc, error), said) = StandardErrorCapture.capture { () -> (lxw_error, Int32) in
            errno = 0
            let rc = workbook_close(workbook)
            return (rc, errno)
        }
        if rc != LXW_NO_ERROR {
            throw WriteError.failed(file: path, reason: Self.reason(rc, errno: error, said: said))
        }
    }
}

extension XlsxWorkbook {
    /// Why closing failed: the system's reason when there is one (the file could not be
    /// created or written), else libxlsxwriter's.
    static func reason(_ rc: lxw_error, errno error: Int32, said: String) -> String {
        let systemCaused = rc == LXW_ERROR_CREATING_XLSX_FILE || rc == LXW_ERROR_CREATING_TMPFILE || rc == LXW_ERROR_READING_TMPFILE
            || rc == LXW_ERROR_ZIP_FILE_OPERATION || rc == LXW_ERROR_ZIP_CLOSE || rc == LXW_ERROR_ZIP_FILE_ADD
            || rc == LXW_ERROR_ZIP_PARAMETER_ERROR || rc == LXW_ERROR_ZIP_BAD_ZIP_FILE || rc == LXW_ERROR_ZIP_INTERNAL_ERROR
        if systemCaused && error != 0 { return String(cString: strerror(error)) }
        if let r = said.firstRange(of: "System error = ") {
            let rest = said[r.upperBound...].prefix { $0 != "\n" && $0 != "\r" }
            if !rest.isEmpty { return String(rest) }
        }
        return String(cString: lxw_strerror(rc))
    }
}

/// One worksheet of an `XlsxWorkbook`. Rows and columns are zero-based.
public final class XlsxSheet {
    let sheet: UnsafeMutablePointer<lxw_worksheet>
    public let name: String
    unowned let owner: XlsxWorkbook
    private var widths: [Int: Double] = [:]

    init(sheet: UnsafeMutablePointer<lxw_worksheet>, name: String, owner: XlsxWorkbook) {
        self.sheet = sheet; self.name = name; self.owner = owner
    }

    private func check(_ rc: lxw_error, _ row: Int, _ col: Int) throws {
        if rc != LXW_NO_ERROR {
            throw WriteError.failed(file: name, reason: "cell \(CellPosition(row: row, column: col).a1): \(String(cString: lxw_strerror(rc)))")
        }
    }

    /// Off when the caller sets the widths itself (large streamed sheets): saves measuring
    /// every cell.
    public var measuresWidths = true

    private func note(width text: String, _ col: Int) {
        guard measuresWidths else { return }
        let w = min(Double(text.utf8.count) + 2, 60)
        if w > widths[col] ?? 0 { widths[col] = w }
    }

    public func write(_ row: Int, _ col: Int, string: String, _ style: XlsxWorkbook.Style = .plain) throws {
        note(width: string, col)
        try write(row, col, overflowing: string, style)
    }

    /// A text that overflows over the empty cells to its right: not measured for the column's
    /// width (a provenance line; a long file name must not widen column A).
    public func write(_ row: Int, _ col: Int, overflowing string: String, _ style: XlsxWorkbook.Style = .plain) throws {
        try check(string.withCString { worksheet_write_string(sheet, lxw_row_t(row), lxw_col_t(col), $0, owner.format(style)) }, row, col)
    }

    public func write(_ row: Int, _ col: Int, number: Double, _ style: XlsxWorkbook.Style = .plain) throws {
        if measuresWidths { note(width: Self.shown(number, style), col) }
        try check(worksheet_write_number(sheet, lxw_row_t(row), lxw_col_t(col), number, owner.format(style)), row, col)
    }

    /// A number as wide as its format shows it, with room to spare: `25000` in `#,##0 "kr"` is
    /// `25 000 kr` (so a column of amounts is not narrower than its amounts and the next column's
    /// text does not run into them).
    static func shown(_ number: Double, _ style: XlsxWorkbook.Style) -> String {
        let digits = CellText.number(number)
        var inner = style
        if case .highlighted(let s) = style { inner = s }
        let grouped: Bool, suffix: Int
        switch inner {
        case .kronor: grouped = true; suffix = 3
        case .thousands, .integer, .decimal: grouped = true; suffix = inner == .decimal && !digits.contains(".") ? 3 : 0
        default: grouped = false; suffix = 0
        }
        let whole = digits.prefix { $0 != "." }.filter(\.isNumber).count
        let separators = grouped && whole > 3 ? (whole - 1) / 3 : 0
        return digits + String(repeating: " ", count: separators + suffix + 3)
    }

    public func write(_ row: Int, _ col: Int, bool: Bool) throws {
        try check(worksheet_write_boolean(sheet, lxw_row_t(row), lxw_col_t(col), bool ? 1 : 0, nil), row, col)
    }

    /// A live formula with its value cached, so readers that do not recalculate see it too.
    public func write(_ row: Int, _ col: Int, formula: String, cached: Double, _ style: XlsxWorkbook.Style = .plain) throws {
        if measuresWidths { note(width: Self.shown(cached, style), col) }
        try check(formula.withCString { worksheet_write_formula_num(sheet, lxw_row_t(row), lxw_col_t(col), $0, owner.format(style), cached) }, row, col)
    }

    /// A live formula whose cached result is text.
    public func write(_ row: Int, _ col: Int, formula: String, cachedText: String, _ style: XlsxWorkbook.Style = .plain) throws {
        note(width: cachedText, col)
        try check(formula.withCString { f in cachedText.withCString { v in
            worksheet_write_formula_str(sheet, lxw_row_t(row), lxw_col_t(col), f, owner.format(style), v)
        } }, row, col)
    }

    /// A link inside the workbook, e.g. to `'Befolkning'!F12`.
    public func write(_ row: Int, _ col: Int, link target: String, text: String) throws {
        note(width: text, col)
        let url = "internal:" + target
        try check(url.withCString { u in text.withCString { t in
            worksheet_write_url_opt(sheet, lxw_row_t(row), lxw_col_t(col), u, owner.format(.link), t, nil)
        } }, row, col)
    }

    /// Bold header row (at `at`), frozen below it, with an autofilter over `columns` and `rows` data rows.
    public func header(_ titles: [String], rows: Int, at r: Int = 0) throws {
        for (c, t) in titles.enumerated() { try write(r, c, string: t, .header) }
        worksheet_freeze_panes(sheet, lxw_row_t(r + 1), 0)
        if !titles.isEmpty {
            _ = worksheet_autofilter(sheet, lxw_row_t(r), 0, lxw_row_t(r + max(rows, 1)), lxw_col_t(titles.count - 1))
        }
    }

    /// Column widths from what was written (call before closing; in constant-memory mode,
    /// call with known widths before the rows).
    public func fitColumns(minimum: Double = 8) {
        for (c, w) in widths { _ = worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), max(w, minimum), nil) }
    }

    public func setWidth(_ col: Int, _ width: Double) {
        _ = worksheet_set_column(sheet, lxw_col_t(col), lxw_col_t(col), width, nil)
    }

    public func hide() { worksheet_hide(sheet) }

    /// Hides columns `first...last` (chart data a person need not see).
    public func hideColumns(_ first: Int, _ last: Int) {
        var o = lxw_row_col_options(hidden: 1, level: 0, collapsed: 0)
        _ = worksheet_set_column_opt(sheet, lxw_col_t(first), lxw_col_t(last), 9, nil, &o)
    }

    /// Page setup for handing on: A4 landscape, one page wide (as many tall as it takes), the
    /// `headerRows` rows from `firstHeaderRow` repeated on every page, a footer with the file
    /// and the page.
    public func boardPage(headerRows: Int, from firstHeaderRow: Int = 0, language: Language = .sv) {
        worksheet_set_landscape(sheet)
        worksheet_set_paper(sheet, 9)
        worksheet_fit_to_pages(sheet, 1, 0)
        if headerRows > 0 { _ = worksheet_repeat_rows(sheet, lxw_row_t(firstHeaderRow), lxw_row_t(firstHeaderRow + headerRows - 1)) }
        let footer = "&L&F&R\(Messages.text(.page, language)) &P \(Messages.text(.of, language)) &N"
        _ = footer.withCString { worksheet_set_footer(sheet, $0) }
    }

    /// A frozen header row (written by the caller at `row`) for `columns` columns.
    public func freezeHeader(columns: Int, at row: Int = 0) { worksheet_freeze_panes(sheet, lxw_row_t(row + 1), 0) }

    /// An autofilter over the header at `row` and the rows below it down to `last` (zero-based).
    public func autofilter(through last: Int, columns: Int, from row: Int = 0) {
        guard columns > 0 else { return }
        _ = worksheet_autofilter(sheet, lxw_row_t(row), 0, lxw_row_t(max(last, row + 1)), lxw_col_t(columns - 1))
    }
}

extension XlsxWorkbook {
    public enum ChartKind: Sendable { case bar, column }

    /// A native Excel chart on `sheet`: one series per value column over the category column,
    /// rows `firstRow...lastRow` (zero-based), anchored at `anchor`.
    public func addChart(_ kind: ChartKind, title: String, on sheet: XlsxSheet, categoryColumn: Int,
                         series: [(name: String, column: Int)], firstRow: Int, lastRow: Int,
                         anchor: (row: Int, column: Int), size: (width: Int, height: Int)? = nil,
                         showHiddenData: Bool = false, data: XlsxSheet? = nil) throws {
        _ = try addSizedChart(kind, title: title, on: sheet, categoryColumn: categoryColumn, series: series, firstRow: firstRow,
                              lastRow: lastRow, anchor: anchor, size: size, showHiddenData: showHiddenData, data: data)
    }

    /// `addChart`, returning how many rows (of the default 20 pixels) the chart covers.
    @discardableResult
    public func addSizedChart(_ kind: ChartKind, title: String, on sheet: XlsxSheet, categoryColumn: Int,
                              series: [(name: String, column: Int)], firstRow: Int, lastRow: Int,
                              anchor: (row: Int, column: Int), size: (width: Int, height: Int)? = nil,
                              showHiddenData: Bool = false, data: XlsxSheet? = nil) throws -> Int {
        guard lastRow >= firstRow, !series.isEmpty else { return 0 }
        guard let chart = workbook_add_chart(workbookPointer, UInt8(kind == .bar ? LXW_CHART_BAR.rawValue : LXW_CHART_COLUMN.rawValue)) else {
            throw WriteError.failed(file: sheet.name, reason: "cannot add a chart")
        }
        let quoted = "'" + (data ?? sheet).name.replacingApostrophes() + "'"
        func range(_ col: Int) -> String {
            let c = CellPosition.columnName(col)
            return "=\(quoted)!$\(c)$\(firstRow + 1):$\(c)$\(lastRow + 1)"
        }
        for s in series {
            let added = range(categoryColumn).withCString { cat in range(s.column).withCString { val in chart_add_series(chart, cat, val) } }
            if let added { s.name.withCString { chart_series_set_name(added, $0) } }
        }
        title.withCString { chart_title_set_name(chart, $0) }
        // Amounts on the value axis as the cells show them: 7 000 000, not 7000000.
        // (A bar chart's value axis is libxlsxwriter's x axis, a column chart's its y axis; a
        // number format on the category axis of text categories changes nothing.)
        "#,##0".withCString { f in
            chart_axis_set_num_format(chart.pointee.x_axis, f)
            chart_axis_set_num_format(chart.pointee.y_axis, f)
        }
        if showHiddenData { chart_show_hidden_data(chart) }
        if series.count == 1 { chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue)) }
        var options = lxw_chart_options()
        options.x_scale = 1.6
        options.y_scale = max(1.5, min(8, Double(lastRow - firstRow + 1) / 10))
        if let size { options.x_scale = Double(size.width) / 480; options.y_scale = Double(size.height) / 288 }
        let rc = worksheet_insert_chart_opt(sheet.sheet, lxw_row_t(anchor.row), lxw_col_t(anchor.column), chart, &options)
        if rc != LXW_NO_ERROR { throw WriteError.failed(file: sheet.name, reason: "chart: \(String(cString: lxw_strerror(rc)))") }
        return Int((options.y_scale * 288 / 20).rounded(.up))
    }
}

