/// Tables reconstructed from a PDF page's words and ruling lines. A PDF has no tables, only
/// glyphs at positions (and lines drawn): this finds them as a person reading the page does.
///
/// 1. Words (with their boxes, in points, y down) are grouped into text lines by their vertical
///    centres; a line splits into *chunks* where the gap between two words is wider than half the
///    line's height or a vertical ruling line passes between them.
/// 2. A run of lines with two or more chunks each (lines of one chunk between them, such as
///    section headings and wrapped cells, included) is a table when at least two of its lines
///    have several chunks.
/// 3. Columns: the vertical ruling lines that cross the table, when it has them; else the chunks
///    of the lines with the most chunks (in at least two lines) aligned: each column the union of
///    the chunks in that place. Every chunk then goes to the columns it overlaps (several: a
///    merged cell, its text in the first) or, overlapping none, the nearest.
/// 4. Rows: a horizontal ruling line between two lines starts a new row; without ruling lines
///    a line continues the row above (a cell whose text wraps) when it follows at less than a
///    third of a line's height and has text only in columns where that row has text. A cell's
///    lines are joined with spaces.
/// 5. The short lines just above a table (at most three, close above it, at most 120
///    characters, not ending in a full stop) are its caption lines; the page's other lines are
///    running text, grouped into paragraphs by their spacing.
struct PdfLayout {
    struct Word: Equatable {
        var text: String
        var x0: Double, y0: Double, x1: Double, y1: Double
    }
    /// A horizontal (y, x0…x1) or vertical (x, y0…y1) ruling line.
    struct Rule: Equatable {
        var at: Double, from: Double, to: Double
    }
    struct Table: Equatable {
        var captions: [String]
        var cells: [[String?]]
        /// Column spans of the table's columns (x0, x1), left to right.
        var columns: [(Double, Double)]
        var top: Double, bottom: Double
        var merged: [CellRange]
        static func == (a: Table, b: Table) -> Bool {
            a.captions == b.captions && a.cells == b.cells && a.top == b.top && a.bottom == b.bottom
                && a.columns.map(\.0) == b.columns.map(\.0) && a.columns.map(\.1) == b.columns.map(\.1)
        }
    }
    struct Page {
        var tables: [Table] = []
        /// Running text: paragraphs, with the number of this page's tables above each.
        var paragraphs: [(text: String, tablesBefore: Int)] = []
    }

    struct Chunk {
        var text: String
        var x0: Double, x1: Double
    }
    struct Line {
        var words: [Word]
        var top: Double, bottom: Double
        var chunks: [Chunk] = []
        var height: Double { bottom - top }
        var text: String { chunks.map(\.text).joined(separator: " ") }
    }

    let words: [Word]
    let horizontal: [Rule]
    let vertical: [Rule]

    init(words: [Word], horizontal: [Rule] = [], vertical: [Rule] = []) {
        self.words = words; self.horizontal = horizontal; self.vertical = vertical
    }

    func lines() -> [Line] {
        let sorted = words.sorted { ($0.y0 + $0.y1) / 2 < ($1.y0 + $1.y1) / 2 }
        var lines: [Line] = []
        for w in sorted {
            let c = (w.y0 + w.y1) / 2
            if var last = lines.last, c >= last.top, c <= last.bottom, abs(c - (last.top + last.bottom) / 2) < max(1, last.height * 0.5),
               (last.top + last.bottom) / 2 >= w.y0, (last.top + last.bottom) / 2 <= w.y1 {
                last.words.append(w)
                last.top = min(last.top, w.y0); last.bottom = max(last.bottom, w.y1)
                lines[lines.count - 1] = last
            } else {
                lines.append(Line(words: [w], top: w.y0, bottom: w.y1))
            }
        }
        for i in lines.indices {
            lines[i].words.sort { $0.x0 < $1.x0 }
            let h = lines[i].height, mid = (lines[i].top + lines[i].bottom) / 2
            var chunks: [Chunk] = []
            for w in lines[i].words {
                if var last = chunks.last, w.x0 - last.x1 <= h * 0.5,
                   !vertical.contains(where: { $0.at > last.x1 - 0.5 && $0.at < w.x0 + 0.5 && $0.from <= mid && $0.to >= mid }) {
                    last.text += (w.x0 - last.x1 > h * 0.1 ? " " : "") + w.text
                    last.x1 = max(last.x1, w.x1)
                    chunks[chunks.count - 1] = last
                } else {
                    chunks.append(Chunk(text: w.text, x0: w.x0, x1: w.x1))
                }
            }
            lines[i].chunks = chunks
        }
        return lines
    }

    func run() -> Page {
        let lines = lines()
        guard !lines.isEmpty else { return Page() }
        let heights = lines.map(\.height).sorted()
        let h = max(1, heights[heights.count / 2])
        // 2. Blocks of lines.
        var blocks: [Range<Int>] = []
        var i = 0
        while i < lines.count {
            guard lines[i].chunks.count >= 2 else { i += 1; continue }
            var end = i + 1, lastMulti = i
            while end < lines.count, lines[end].top - lines[end - 1].bottom <= 1.6 * h,
                  !(inGrid(lines[end - 1]) && !inGrid(lines[end])) {
                if lines[end].chunks.count >= 2 { lastMulti = end }
                else if end - lastMulti > 3 { break }
                end += 1
            }
            // Trailing one-chunk lines belong only when they continue the last row.
            var stop = lastMulti + 1
            while stop < end, continues(lines[stop - 1], lines[stop], h: h, rows: true) { stop += 1 }
            let multi = lines[i..<stop].filter { $0.chunks.count >= 2 }.count
            if multi >= 2 { blocks.append(i..<stop) }
            i = stop
        }
        var page = Page()
        var used = Set<Int>(), inTable = Set<Int>()
        for b in blocks {
            used.formUnion(b)
            inTable.formUnion(b)
            // 5. Caption lines just above (a caption that wraps is one line of text).
            var captions: [String] = []
            var k = b.lowerBound - 1, above = lines[b.lowerBound].top
            var taken: [Int] = []
            while k >= 0, !used.contains(k), captions.count < 3, lines[k].chunks.count == 1, above - lines[k].bottom <= 2 * h {
                let wraps = !taken.isEmpty && above - lines[k].bottom < h / 3
                let text = wraps ? lines[k].text + " " + captions[0] : lines[k].text
                guard isCaptionLine(text) else { break }
                if wraps { captions[0] = text } else { captions.insert(text, at: 0) }
                taken.append(k)
                above = lines[k].top
                k -= 1
            }
            used.formUnion(taken)
            if var t = table(Array(lines[b]), h: h) {
                t.captions = captions
                page.tables.append(t)
            }
        }
        // Running text.
        var paragraph: [Line] = []
        func flush() {
            guard !paragraph.isEmpty else { return }
            let text = tidyText(paragraph.map(\.text).joined(separator: " "), keepNewlines: false)
            let before = page.tables.filter { $0.top < paragraph[0].top }.count
            if !text.isEmpty { page.paragraphs.append((text, before)) }
            paragraph = []
        }
        // A paragraph ends at a wider gap or after a short line (its last line ends well short of
        // the text's right edge).
        let text = lines.indices.filter { !inTable.contains($0) }.map { lines[$0] }
        let textLeft = text.compactMap { $0.chunks.first?.x0 }.min() ?? 0, textRight = text.compactMap { $0.chunks.last?.x1 }.max() ?? 0
        for (n, line) in lines.enumerated() {
            if inTable.contains(n) { flush(); continue }
            if let last = paragraph.last, line.top - last.bottom > 0.8 * h || (last.chunks.last?.x1 ?? 0) < textRight - 0.15 * (textRight - textLeft) {
                flush()
            }
            paragraph.append(line)
        }
        flush()
        return page
    }

    /// Whether a line lies inside a ruled grid: a vertical ruling line on each side of it.
    func inGrid(_ l: Line) -> Bool {
        let mid = (l.top + l.bottom) / 2
        guard let x0 = l.chunks.first?.x0, let x1 = l.chunks.last?.x1 else { return false }
        return vertical.contains { $0.at <= x0 && $0.from <= mid && $0.to >= mid } && vertical.contains { $0.at >= x1 && $0.from <= mid && $0.to >= mid }
    }

    /// Whether a horizontal ruling line lies between two lines (across at least a few points of them).
    func ruleBetween(_ a: Line, _ b: Line) -> Bool {
        let x0 = min(a.chunks.first?.x0 ?? 0, b.chunks.first?.x0 ?? 0), x1 = max(a.chunks.last?.x1 ?? 0, b.chunks.last?.x1 ?? 0)
        let ca = (a.top + a.bottom) / 2, cb = (b.top + b.bottom) / 2
        return horizontal.contains { $0.at > ca && $0.at < cb && $0.from < x1 && $0.to > x0 }
    }

    /// Whether line `b` continues the row of line `a` (wrapped text) when no ruling lines say.
    func continues(_ a: Line, _ b: Line, h: Double, rows: Bool) -> Bool {
        if !horizontal.isEmpty { return !ruleBetween(a, b) && b.top - a.bottom < 1.6 * h }
        guard b.top - a.bottom < h / 3 else { return false }
        return b.chunks.allSatisfy { c in a.chunks.contains { $0.x0 < c.x1 && c.x0 < $0.x1 } }
    }

    /// 3.–4. A block's columns and rows.
    func table(_ lines: [Line], h: Double) -> Table? {
        let top = lines.map(\.top).min()!, bottom = lines.map(\.bottom).max()!
        let left = lines.flatMap(\.chunks).map(\.x0).min()!, right = lines.flatMap(\.chunks).map(\.x1).max()!
        var columns: [(Double, Double)] = []
        // Vertical ruling lines crossing most of the block.
        let crossing = vertical.filter { $0.from <= top + h && $0.to >= bottom - h && $0.at >= left - 144 && $0.at <= right + 288 }
            .map(\.at).sorted()
        var bounds: [Double] = []
        for x in crossing where bounds.last.map({ x - $0 > 2 }) ?? true { bounds.append(x) }
        if bounds.count >= 3 {
            for (a, b) in zip(bounds, bounds.dropFirst()) {
                if lines.contains(where: { $0.chunks.contains { c in (c.x0 + c.x1) / 2 > a && (c.x0 + c.x1) / 2 < b } }) { columns.append((a, b)) }
            }
        }
        if columns.count < 2 {
            columns = alignedColumns(lines)
        }
        guard columns.count >= 2 else { return nil }
        // Rows.
        var rows: [[[String]]] = []
        var spans: [(row: Int, from: Int, to: Int)] = []
        var previous: Line?
        for line in lines {
            if let p = previous, continues(p, line, h: h, rows: true) {
                // same row
            } else {
                rows.append(Array(repeating: [], count: columns.count))
            }
            let r = rows.count - 1
            for c in line.chunks {
                let hit = columns.indices.filter { columns[$0].0 < c.x1 - 1 && c.x0 + 1 < columns[$0].1 }
                let mid = (c.x0 + c.x1) / 2
                let col: Int
                if let f = hit.first {
                    col = f
                    if hit.count > 1, !bounds.isEmpty || c.x1 > columns[hit.last!].0 + 2 {
                        if !spans.contains(where: { $0.row == r && $0.from == f }) { spans.append((r, f, hit.last!)) }
                    }
                } else {
                    col = columns.indices.min { abs((columns[$0].0 + columns[$0].1) / 2 - mid) < abs((columns[$1].0 + columns[$1].1) / 2 - mid) }!
                }
                rows[r][col].append(c.text)
            }
            previous = line
        }
        let cells: [[String?]] = rows.map { $0.map { $0.isEmpty ? nil : joinWrapped($0) } }
        let merged = spans.filter { $0.to > $0.from }.map { CellRange(start: CellPosition(row: $0.row, column: $0.from), end: CellPosition(row: $0.row, column: $0.to)) }
        return Table(captions: [], cells: cells, columns: columns, top: top, bottom: bottom, merged: merged)
    }

    /// Columns from aligned chunks: the lines with the most chunks that at least two lines have.
    func alignedColumns(_ lines: [Line]) -> [(Double, Double)] {
        var counts: [Int: Int] = [:]
        for l in lines where l.chunks.count >= 2 { counts[l.chunks.count, default: 0] += 1 }
        let candidates = counts.filter { $0.value >= 2 }.keys.sorted(by: >) + counts.keys.sorted(by: >)
        for k in candidates {
            var cols = Array(repeating: (Double.infinity, -Double.infinity), count: k)
            for l in lines where l.chunks.count == k {
                for (i, c) in l.chunks.enumerated() { cols[i] = (min(cols[i].0, c.x0), max(cols[i].1, c.x1)) }
            }
            if zip(cols, cols.dropFirst()).allSatisfy({ $0.1 < $1.0 }) {
                // Widen each column by the other lines' chunks that fall inside one column only.
                for l in lines where l.chunks.count != k {
                    for c in l.chunks {
                        let hit = cols.indices.filter { cols[$0].0 < c.x1 && c.x0 < cols[$0].1 }
                        if hit.count == 1 {
                            let i = hit[0]
                            let lo = i > 0 ? cols[i - 1].1 : -Double.infinity, hi = i + 1 < k ? cols[i + 1].0 : Double.infinity
                            if c.x0 > lo && c.x1 < hi { cols[i] = (min(cols[i].0, c.x0), max(cols[i].1, c.x1)) }
                        }
                    }
                }
                return cols
            }
        }
        return []
    }
}

/// A cell's lines joined: with a space, but none after a line that ends in a dash, a hyphen or
/// a slash (a line break at "2023–" of "2023–2024", or in "Upplands-Bro").
func joinWrapped(_ pieces: [String]) -> String {
    var out = ""
    for p in pieces {
        if let last = out.last, !["-", "\u{2013}", "\u{2014}", "/"].contains(last) { out += " " }
        out += p
    }
    return out
}

/// Joins a table that goes on over a page break: the last table of one page and the first of
/// the next, when the second has no caption and their columns match (each column's edges within
/// a few points). A header row repeated at the top of the second page is dropped.
func joinAcrossPages(_ a: PdfLayout.Table, _ b: PdfLayout.Table) -> PdfLayout.Table? {
    guard b.captions.isEmpty, a.columns.count == b.columns.count else { return nil }
    let tolerance = 6.0
    for (x, y) in zip(a.columns, b.columns) {
        // Left-aligned columns keep their left edge, right-aligned ones their right edge.
        guard abs(x.0 - y.0) <= tolerance || abs(x.1 - y.1) <= tolerance else { return nil }
    }
    var joined = a
    var rest = b.cells
    if let first = rest.first, first == a.cells.first { rest.removeFirst() }
    let offset = a.cells.count - (b.cells.count - rest.count)
    joined.cells += rest
    joined.merged += b.merged.compactMap { m in
        let r0 = m.start.row + offset
        guard r0 >= a.cells.count else { return nil }
        return CellRange(start: CellPosition(row: r0, column: m.start.column), end: CellPosition(row: m.end.row + offset, column: m.end.column))
    }
    return joined
}
