extension XlsxAnnotator.Edit {
    /// The `Fynd` sheet added to the package: one row per finding, errors first; stated,
    /// computed and difference as numbers in their own columns; the cell a link to it.
    mutating func addFindingsSheet(workbook wb: WorkbookHandler, styles st: inout StylesEdit,
                                   contentTypes: inout XmlBytes, relationships rels: [Relationship]) throws {
        let findings = XlsxAnnotator.ordered(report.findings)
        let taken = Set(sheetOrder.map { $0.lowercased() })
        let name = XlsxWorkbook.sheetName(Messages.text(.findingsSheet, language), taken: taken)
        var k = sheetOrder.count + 1
        while zip.contains("xl/worksheets/sheet\(k).xml") { k += 1 }
        let part = "xl/worksheets/sheet\(k).xml"
        let bold = try st.addFont(bold: true), link = try st.addFont(link: true)
        let header = try st.addXf(numFmt: 0, font: bold, fill: 0)
        let kr = try st.addNumFmt("#,##0 \"kr\""), dec = try st.addNumFmt("#,##0.00")
        let kronor = try st.addXf(numFmt: kr, font: 0, fill: 0), decimal = try st.addXf(numFmt: dec, font: 0, fill: 0)
        let redKronor = try st.addXf(numFmt: kr, font: 0, fill: st.redFillId()), redDecimal = try st.addXf(numFmt: dec, font: 0, fill: st.redFillId())
        let linkStyle = try st.addXf(numFmt: 0, font: link, fill: 0)
        let errorStyle = try st.addXf(numFmt: 0, font: 0, fill: st.redFillId())
        let heads: [TextKey] = [.severity, .code, .sheet, .cell, .stated, .computed, .difference, .lines, .message]
        var widths = heads.map { Double(Messages.text($0, language).count) + 2 }
        var rows = ""
        var links = ""
        func text(_ r: Int, _ c: Int, _ s: String, _ style: Int? = nil) -> String {
            widths[c] = max(widths[c], min(Double(s.count) + 2, c == 8 ? 100 : 40))
            return "<c r=\"\(CellPosition(row: r, column: c).a1)\"\(style.map { " s=\"\($0)\"" } ?? "") t=\"inlineStr\"><is><t xml:space=\"preserve\">\(XmlText.escape(s))</t></is></c>"
        }
        // The provenance block first (not measured: its texts overflow to the right), then the header.
        let block = ReportWriter.provenance(report, made: made, language: language)
        rows += Self.provenanceXml(block, titleStyle: header)
        let top = block.height
        rows += "<row r=\"\(top + 1)\">" + heads.enumerated().map { text(top, $0.offset, Messages.text($0.element, language), header) }.joined() + "</row>"
        for (n, f) in findings.enumerated() {
            let r = top + n + 1
            var row = "<row r=\"\(r + 1)\">"
            row += text(r, 0, Messages.severity(f.severity, language), f.severity == .error ? errorStyle : nil)
            row += text(r, 1, f.code.rawValue)
            if let s = f.sheet { row += text(r, 2, s) }
            if let c = f.cell {
                if let s = f.sheet, sheetParts[s] != nil {
                    row += text(r, 3, c, linkStyle)
                    links += "<hyperlink ref=\"\(CellPosition(row: r, column: 3).a1)\" location=\"\(XmlText.escape("'" + s.replacingApostrophes() + "'!" + c))\" display=\"\(XmlText.escape(c))\"/>"
                } else { row += text(r, 3, c) }
            }
            for (i, m) in [f.stated, f.computed, f.delta].enumerated() {
                guard let m else { continue }
                let whole = m.ore % 100 == 0
                widths[4 + i] = max(widths[4 + i], Double(Messages.amount(m).count) + 2)
                row += "<c r=\"\(CellPosition(row: r, column: 4 + i).a1)\" s=\"\(i == 2 && f.severity != .info ? (whole ? redKronor : redDecimal) : whole ? kronor : decimal)\"><v>\(CSVText.kronor(m))</v></c>"
            }
            if let l = f.lines { row += text(r, 7, l) }
            row += text(r, 8, Messages.render(f, language))
            rows += row + "</row>"
        }
        let cols = widths.enumerated().map { "<col min=\"\($0.offset + 1)\" max=\"\($0.offset + 1)\" width=\"\($0.element)\" customWidth=\"1\"/>" }.joined()
        let footer = "&amp;F – \(Messages.text(.page, language)) &amp;P \(Messages.text(.of, language)) &amp;N"
        let sheet = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<worksheet xmlns=\"\(XlsxAnnotator.mainNS)\" xmlns:r=\"\(XlsxAnnotator.relNS)\"><sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>"
            + "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"\(top + 1)\" topLeftCell=\"A\(top + 2)\" activePane=\"bottomLeft\" state=\"frozen\"/></sheetView></sheetViews>"
            + "<sheetFormatPr defaultRowHeight=\"15\"/><cols>\(cols)</cols><sheetData>\(rows)</sheetData>"
            + (links.isEmpty ? "" : "<hyperlinks>\(links)</hyperlinks>")
            + "<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
            + "<pageSetup paperSize=\"9\" orientation=\"landscape\" fitToWidth=\"1\" fitToHeight=\"0\"/>"
            + "<headerFooter><oddFooter>&amp;L\(footer)</oddFooter></headerFooter></worksheet>"
        put(part, Array(sheet.utf8))
        // The workbook lists it last, under an id and relationship no other sheet has.
        let ids = Set(rels.map(\.id))
        var n = 1
        while ids.contains("rIdAnslagSheet\(n)") { n += 1 }
        try addRelationships("<Relationship Id=\"rIdAnslagSheet\(n)\" Type=\"\(XlsxAnnotator.relNS)/worksheet\" Target=\"/\(part)\"/>", to: workbookPart)
        var book = XmlBytes(try read(workbookPart))
        guard let sheets = book.startTag("sheets", from: 0), let end = book.endTag("sheets", from: sheets.upperBound) else {
            throw WriteError.failed(file: zip.file, reason: "the workbook lists no sheets")
        }
        let sheetId = (wb.sheets.compactMap(\.sheetId).max() ?? wb.sheets.count) + 1
        let p = String(decoding: book.prefix, as: UTF8.self)
        book.insert("<\(p)sheet xmlns:ar=\"\(XlsxAnnotator.relNS)\" name=\"\(XmlText.escape(name))\" sheetId=\"\(sheetId)\" ar:id=\"rIdAnslagSheet\(n)\"/>", at: end)
        put(workbookPart, book.bytes)
        XlsxAnnotator.addContentType(&contentTypes, override: "/" + part,
                                     type: "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")
    }

    /// A provenance block as worksheet rows from row 1, one text in column A each (the title in
    /// `titleStyle`).
    static func provenanceXml(_ block: ProvenanceBlock, titleStyle: Int) -> String {
        block.lines.enumerated().map { r, line in
            "<row r=\"\(r + 1)\"><c r=\"A\(r + 1)\"\(line.bold ? " s=\"\(titleStyle)\"" : "") t=\"inlineStr\"><is><t xml:space=\"preserve\">\(XmlText.escape(line.text))</t></is></c></row>"
        }.joined()
    }
}
