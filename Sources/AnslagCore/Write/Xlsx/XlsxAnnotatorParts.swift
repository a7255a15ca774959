/// The styles part, edited in place: fills, fonts, number formats and cell formats appended,
/// never changed, so every style index already in use keeps meaning what it meant.
struct StylesEdit {
    var xml: XmlBytes
    private var redFill: Int?
    private var clones: [Int: Int] = [:]
    private var added: [String: Int] = [:]

    init(_ xml: XmlBytes) throws {
        self.xml = xml
        guard xml.startTag("styleSheet", from: 0) != nil else {
            throw WriteError.failed(file: "styles", reason: "the styles part has no styleSheet")
        }
    }

    var p: String { String(decoding: xml.prefix, as: UTF8.self) }

    /// Appends `element` to the container `name` (made when missing, before `before`), setting its
    /// count; returns the new child's index.
    mutating func append(_ element: String, child: String, to name: String, after: [String]) throws -> Int {
        if xml.startTag(name, from: 0) == nil {
            // Where the schema wants it: after the last of `after` present, else first in the root.
            var at = xml.startTag("styleSheet", from: 0)!.upperBound
            for prior in after {
                guard let t = xml.startTag(prior, from: 0) else { continue }
                at = xml.selfClosing(t) ? t.upperBound : (xml.endTag(prior, from: t.upperBound).map { $0 + 3 + xml.prefix.count + prior.utf8.count } ?? t.upperBound)
            }
            xml.insert("<\(p)\(name) count=\"0\"></\(p)\(name)>", at: at)
        }
        var tag = xml.startTag(name, from: 0)!
        if xml.selfClosing(tag) {
            let open = Array(xml.bytes[tag.lowerBound..<(tag.upperBound - 2)]) + Array("></\(p)\(name)>".utf8)
            xml.bytes.replaceSubrange(tag, with: open)
            tag = xml.startTag(name, from: 0)!
        }
        guard let end = xml.endTag(name, from: tag.upperBound) else {
            throw WriteError.failed(file: "styles", reason: "<\(name)> is not closed")
        }
        let index = xml.elements(child, from: tag.upperBound, to: end).count
        xml.insert(element, at: end)
        xml.setCount(tag, index + 1)
        return index
    }

    static let order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"]
    func before(_ name: String) -> [String] { Array(StylesEdit.order.prefix { $0 != name }) }

    mutating func redFillId() throws -> Int {
        if let redFill { return redFill }
        let id = try append("<\(p)fill><\(p)patternFill patternType=\"solid\"><\(p)fgColor rgb=\"FFFFC7CE\"/><\(p)bgColor indexed=\"64\"/></\(p)patternFill></\(p)fill>",
                            child: "fill", to: "fills", after: before("fills"))
        redFill = id
        return id
    }

    /// A copy of cell format `xf` with the red fill: same number format, font, border, alignment.
    mutating func red(_ xf: Int) throws -> Int {
        if let c = clones[xf] { return c }
        let fill = try redFillId()
        guard let tag = xml.startTag("cellXfs", from: 0), let end = xml.endTag("cellXfs", from: tag.upperBound) else {
            let id = try addXf(numFmt: 0, font: 0, fill: fill)
            clones[xf] = id
            return id
        }
        let xfs = xml.elements("xf", from: tag.upperBound, to: end)
        var element: [UInt8]
        if xf < xfs.count { element = Array(xml.bytes[xfs[xf]]) }
        else { element = Array("<\(p)xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>".utf8) }
        let startEnd = XmlBytes(element).tagEnd(from: 1) ?? (element.count - 1)
        var start = Array(element[...startEnd])
        start = XmlBytes.setting("fillId", String(fill), in: start)
        start = XmlBytes.setting("applyFill", "1", in: start)
        element = start + Array(element[(startEnd + 1)...])
        let id = try append(String(decoding: element, as: UTF8.self), child: "xf", to: "cellXfs", after: before("cellXfs"))
        clones[xf] = id
        return id
    }

    mutating func addXf(numFmt: Int, font: Int, fill: Int) throws -> Int {
        let key = "xf \(numFmt) \(font) \(fill)"
        if let k = added[key] { return k }
        let id = try append("<\(p)xf numFmtId=\"\(numFmt)\" fontId=\"\(font)\" fillId=\"\(fill)\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyFont=\"1\"\(fill != 0 ? " applyFill=\"1\"" : "")/>",
                            child: "xf", to: "cellXfs", after: before("cellXfs"))
        added[key] = id
        return id
    }

    mutating func addFont(bold: Bool = false, link: Bool = false) throws -> Int {
        let key = "font \(bold) \(link)"
        if let k = added[key] { return k }
        let id = try append("<\(p)font>\(bold ? "<\(p)b/>" : "")\(link ? "<\(p)u/>" : "")<\(p)sz val=\"11\"/>\(link ? "<\(p)color rgb=\"FF0563C1\"/>" : "")<\(p)name val=\"Calibri\"/><\(p)family val=\"2\"/></\(p)font>",
                            child: "font", to: "fonts", after: before("fonts"))
        added[key] = id
        return id
    }

    /// A custom number format with an id no other format has.
    mutating func addNumFmt(_ code: String) throws -> Int {
        if let k = added["fmt " + code] { return k }
        var top = 163
        var i = 0
        while let t = xml.startTag("numFmt", from: i) {
            if let v = XmlBytes.attribute("numFmtId", in: xml.bytes[t]).flatMap({ Int($0) }) { top = max(top, v) }
            i = t.upperBound
        }
        _ = try append("<\(p)numFmt numFmtId=\"\(top + 1)\" formatCode=\"\(XmlText.escape(code))\"/>", child: "numFmt", to: "numFmts", after: [])
        added["fmt " + code] = top + 1
        return top + 1
    }
}

extension XlsxAnnotator.Edit {
    /// Red fill on the error and warning cells of one sheet, and a comment on every finding's cell.
    mutating func annotate(sheet part: String, number: Int, cells: [String: [ReportFinding]],
                           styles: inout StylesEdit, contentTypes: inout XmlBytes) throws {
        var xml = XmlBytes(try read(part))
        let red = Set(cells.filter { $0.value.contains { $0.severity != .info } }.keys.map { $0.uppercased() })
        if !red.isEmpty, let data = xml.startTag("sheetData", from: 0), !xml.selfClosing(data) {
            var i = data.upperBound
            var end = xml.endTag("sheetData", from: i) ?? xml.bytes.count
            while let tag = xml.startTag("c", from: i, before: end) {
                let t = xml.bytes[tag]
                guard let r = XmlBytes.attribute("r", in: t), red.contains(r.uppercased()) else { i = tag.upperBound; continue }
                let s = Int(XmlBytes.attribute("s", in: t) ?? "0") ?? 0
                let newTag = XmlBytes.setting("s", String(try styles.red(s)), in: Array(t))
                xml.bytes.replaceSubrange(tag, with: newTag)
                end += newTag.count - tag.count
                i = tag.lowerBound + newTag.count
            }
        }
        let rels = try relationships(part)
        let hasComments = rels.contains { $0.type.hasSuffix("/comments") || $0.type.hasSuffix("/vmlDrawing") }
            || xml.startTag("legacyDrawing", from: 0) != nil
        if !hasComments {
            var k = number
            while zip.contains("xl/comments\(k).xml") || zip.contains("xl/drawings/vmlDrawing\(k).vml") { k += 1 }
            let sorted = cells.keys.sorted { a, b in
                let pa = CellPosition(a1: Substring(a))!, pb = CellPosition(a1: Substring(b))!
                return (pa.row, pa.column) < (pb.row, pb.column)
            }
            let notes = sorted.map { c in (c, cells[c]!.map { Messages.severity($0.severity, language).capitalizedFirst + ": " + Messages.render($0, language) }.joined(separator: "\n")) }
            put("xl/comments\(k).xml", Array(XlsxAnnotator.commentsXML(notes, author: Messages.text(.commentAuthor, language)).utf8))
            put("xl/drawings/vmlDrawing\(k).vml", Array(XlsxAnnotator.vml(notes.map(\.0), shapeBlock: k).utf8))
            let ids = Set(rels.map(\.id))
            var n = 1
            while ids.contains("rIdAnslag\(n)") || ids.contains("rIdAnslag\(n + 1)") { n += 1 }
            let added = "<Relationship Id=\"rIdAnslag\(n)\" Type=\"\(XlsxAnnotator.relNS)/comments\" Target=\"/xl/comments\(k).xml\"/>"
                + "<Relationship Id=\"rIdAnslag\(n + 1)\" Type=\"\(XlsxAnnotator.relNS)/vmlDrawing\" Target=\"/xl/drawings/vmlDrawing\(k).vml\"/>"
            try addRelationships(added, to: part)
            let after = ["legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"]
            let at = after.compactMap { xml.startTag($0, from: 0)?.lowerBound }.min() ?? xml.endTag("worksheet", from: 0) ?? xml.bytes.count
            let p = String(decoding: xml.prefix, as: UTF8.self)
            xml.insert("<\(p)legacyDrawing xmlns:ar=\"\(XlsxAnnotator.relNS)\" ar:id=\"rIdAnslag\(n + 1)\"/>", at: at)
            XlsxAnnotator.addContentType(&contentTypes, override: "/xl/comments\(k).xml",
                                         type: "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml")
            XlsxAnnotator.addDefault(&contentTypes, extension: "vml", type: "application/vnd.openxmlformats-officedocument.vmlDrawing")
        }
        put(part, xml.bytes)
    }

    /// Adds relationships to a part's `.rels`, making it when there is none.
    mutating func addRelationships(_ elements: String, to part: String) throws {
        let path = relsPath(of: part)
        if zip.contains(path) {
            var rels = XmlBytes(try read(path))
            let p = String(decoding: rels.prefix, as: UTF8.self)
            guard let end = rels.endTag("Relationships", from: 0) else {
                throw WriteError.failed(file: zip.file, reason: "\(path) is not closed")
            }
            rels.insert(p.isEmpty ? elements : elements.replacingOccurrencesOfRelationship(prefix: p), at: end)
            put(path, rels.bytes)
        } else {
            put(path, Array(("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\(elements)</Relationships>").utf8))
        }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }

    /// `<Relationship` as `<p:Relationship` in a prefixed relationships part.
    func replacingOccurrencesOfRelationship(prefix p: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: "<Relationship ") {
            out += rest[..<r.lowerBound] + "<\(p)Relationship "
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension XlsxAnnotator {
    static func addContentType(_ ct: inout XmlBytes, override part: String, type: String) {
        guard ct.find(Array("PartName=\"\(part)\"".utf8), from: 0) == nil, let end = ct.endTag("Types", from: 0) else { return }
        let p = String(decoding: ct.prefix, as: UTF8.self)
        ct.insert("<\(p)Override PartName=\"\(part)\" ContentType=\"\(type)\"/>", at: end)
    }

    static func addDefault(_ ct: inout XmlBytes, extension ext: String, type: String) {
        let lower = String(decoding: ct.bytes, as: UTF8.self).lowercased()
        guard !lower.contains("extension=\"\(ext)\""), let end = ct.endTag("Types", from: 0) else { return }
        let p = String(decoding: ct.prefix, as: UTF8.self)
        // Defaults come before overrides in the schema.
        let at = ct.startTag("Override", from: 0)?.lowerBound ?? end
        ct.insert("<\(p)Default Extension=\"\(ext)\" ContentType=\"\(type)\"/>", at: at)
    }

    static func commentsXML(_ notes: [(String, String)], author: String) -> String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<comments xmlns=\"\(mainNS)\"><authors><author>\(XmlText.escape(author))</author></authors><commentList>"
        for (cell, text) in notes {
            s += "<comment ref=\"\(cell)\" authorId=\"0\"><text><r><rPr><b/><sz val=\"9\"/><rFont val=\"Tahoma\"/></rPr><t>\(XmlText.escape(author)):</t></r>"
            s += "<r><rPr><sz val=\"9\"/><rFont val=\"Tahoma\"/></rPr><t xml:space=\"preserve\">\n\(XmlText.escape(text))</t></r></text></comment>"
        }
        return s + "</commentList></comments>"
    }

    /// The legacy drawing Excel shows comments through: one hidden note shape per cell.
    static func vml(_ cells: [String], shapeBlock: Int) -> String {
        var s = "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\">"
        s += "<o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"\(shapeBlock)\"/></o:shapelayout>"
        s += "<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>"
        for (n, cell) in cells.enumerated() {
            let p = CellPosition(a1: Substring(cell))!
            s += "<v:shape id=\"_x0000_s\(shapeBlock * 1024 + n + 1)\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:80pt;margin-top:2pt;width:260pt;height:90pt;z-index:\(n + 1);visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\">"
            s += "<v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox>"
            s += "<x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>\(p.column + 1), 15, \(p.row), 2, \(p.column + 5), 15, \(p.row + 5), 2</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>\(p.row)</x:Row><x:Column>\(p.column)</x:Column></x:ClientData></v:shape>"
        }
        return s + "</xml>"
    }
}
