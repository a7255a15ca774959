#if canImport(Glibc)
import Glibc
#endif

/// A PDF page's ruling lines, found on the page rendered by poppler through cairo at one pixel a
/// point without anti-aliasing (poppler widens a stroke thinner than a pixel to one pixel and
/// aligns it to the pixel grid, so a rule is a solid run of dark pixels at any scale), into one
/// buffer reused for every page of a document (filled white by `memset`, no surface zeroing).
/// Rendering also gives poppler-glib the page's text, which `poppler_page_get_text` then reuses
/// instead of reading the page's content a second time.
///
/// A rule is a run of dark pixels at least 20 pt (horizontal) or 24 pt (vertical) long and at
/// most 3 pt thick at two of the three points a quarter, half and three quarters along it (a
/// cell fill is thicker, and a fill cut by its text's glyphs is thin at one point at most).
/// Every threshold is in points, so the scale can change without retuning. A page larger than
/// 2²⁵ pixels at that scale is rendered smaller (a 134 MB buffer at most).
final class PdfRaster {
    let scale: Double
    /// The scale the last page was rendered at: `scale`, or less for a page so large that it
    /// would take more than `maxPixels` (thresholds are in points, so the scan follows).
    private(set) var pageScale = 1.0
    let maxPixels = 1 << 25
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0
    private(set) var width = 0, height = 0, stride = 0

    let pop: Poppler

    init(_ pop: Poppler, scale: Double = 1) { self.pop = pop; self.scale = scale }
    deinit { free(buffer) }

    /// Renders the page into the buffer; false when the page is empty or too large to render.
    func rasterize(_ page: OpaquePointer) -> Bool {
        var pw = 0.0, ph = 0.0
        pop.poppler_page_get_size(page, &pw, &ph)
        guard pw.isFinite, ph.isFinite, pw >= 1, ph >= 1 else { width = 0; height = 0; return false }
        pageScale = min(scale, (Double(maxPixels) / (pw * ph)).squareRoot())
        guard pw * pageScale <= 20_000, ph * pageScale <= 20_000 else { width = 0; height = 0; return false }
        let w = Int((pw * pageScale).rounded(.up)), h = Int((ph * pageScale).rounded(.up))
        let rowBytes = Int(pop.cairo_format_stride_for_width(Poppler.formatRGB24, Int32(w)))
        if rowBytes * h > capacity {
            free(buffer)
            buffer = malloc(rowBytes * h)
            capacity = buffer == nil ? 0 : rowBytes * h
        }
        guard let buffer else { width = 0; height = 0; return false }
        memset(buffer, 0xFF, rowBytes * h)
        width = w; height = h; stride = rowBytes
        let surface = pop.cairo_image_surface_create_for_data(buffer.assumingMemoryBound(to: UInt8.self), Poppler.formatRGB24,
                                                          Int32(w), Int32(h), Int32(rowBytes))
        defer { pop.cairo_surface_destroy(surface) }
        guard let cr = pop.cairo_create(surface) else { return false }
        pop.cairo_set_antialias(cr, Poppler.antialiasNone)
        if let options = pop.cairo_font_options_create() {
            pop.cairo_font_options_set_antialias(options, Poppler.antialiasNone)
            pop.cairo_set_font_options(cr, options)
            pop.cairo_font_options_destroy(options)
        }
        pop.cairo_scale(cr, pageScale, pageScale)
        pop.poppler_page_render(page, cr)
        pop.cairo_destroy(cr)
        pop.cairo_surface_flush(surface)
        return true
    }

    /// The rendered page's horizontal and vertical ruling lines, in points. A run whose middle
    /// lies inside one of the page's words is a glyph's stroke (a large title's bar, a fill seen
    /// between the letters of its white text), not a line.
    func rulingLines(words: [PdfLayout.Word]) -> ([PdfLayout.Rule], [PdfLayout.Rule]) {
        guard let buffer, width > 0, height > 0 else { return ([], []) }
        let pixels = PdfPixels(base: UnsafeRawPointer(buffer), width: width, height: height, stride: stride,
                               maxThick: max(1, Int((3 * pageScale).rounded())))
        let glyph = { (x: Double, y: Double) -> Bool in
            words.contains { w in
                let inset = (w.y1 - w.y0) * 0.15
                return x > w.x0 + 1 && x < w.x1 - 1 && y > w.y0 + inset && y < w.y1 - inset
            }
        }
        return (horizontalRules(pixels, glyph: glyph), verticalRules(pixels, glyph: glyph))
    }

    /// Every pixel row, white stretches skipped eight pixels at a time.
    private func horizontalRules(_ px: PdfPixels, glyph: (Double, Double) -> Bool) -> [PdfLayout.Rule] {
        let minRun = Int((20 * pageScale).rounded())
        var rules: [PdfLayout.Rule] = []
        for y in 0..<px.height {
            let row = px.row(y)
            var x = 0
            while x < px.width {
                if x + 8 <= px.width, PdfPixels.white8(row + x) { x += 8; continue }
                guard PdfPixels.isDark(row[x]) else { x += 1; continue }
                let start = x
                while x < px.width, PdfPixels.isDark(row[x]) { x += 1 }
                if x - start >= minRun, px.thinRun(along: y, from: start, to: x, vertical: false),
                   !glyph(Double(start + x) / 2 / pageScale, (Double(y) + 0.5) / pageScale) {
                    mergeRule(PdfLayout.Rule(at: (Double(y) + 0.5) / pageScale, from: Double(start) / pageScale, to: Double(x) / pageScale), into: &rules)
                }
            }
        }
        return rules
    }

    /// Vertical runs: every `step`-th row sampled (a rule is far longer than the step), a column
    /// dark in enough consecutive samples followed pixel by pixel to its exact ends.
    private func verticalRules(_ px: PdfPixels, glyph: (Double, Double) -> Bool) -> [PdfLayout.Rule] {
        let minRun = Int((24 * pageScale).rounded()), step = max(2, Int((4 * pageScale).rounded()))
        var sampled = [Int32](repeating: 0, count: px.width + 8)
        var runs: [(x: Int, from: Int, to: Int)] = []
        for y in Swift.stride(from: 0, to: px.height + step, by: step) {
            let row = px.row(min(y, px.height - 1)), inside = y < px.height
            var x = 0
            while x < px.width {
                if inside, x + 8 <= px.width, PdfPixels.white8(row + x), PdfPixels.noneSampled(sampled, at: x) { x += 8; continue }
                defer { x += 1 }
                if inside && PdfPixels.isDark(row[x]) { sampled[x] += 1; continue }
                if Int(sampled[x]) * step >= minRun - step, let run = px.columnRun(x, near: y - Int(sampled[x]) * step, upTo: min(y, px.height) - step),
                   run.to - run.from >= minRun {
                    runs.append((x, run.from, run.to))
                }
                sampled[x] = 0
            }
        }
        var rules: [PdfLayout.Rule] = []
        for r in runs.sorted(by: { ($0.x, $0.from) < ($1.x, $1.from) })
        where px.thinRun(along: r.x, from: r.from, to: r.to, vertical: true) && !glyph((Double(r.x) + 0.5) / pageScale, Double(r.from + r.to) / 2 / pageScale) {
            mergeRule(PdfLayout.Rule(at: (Double(r.x) + 0.5) / pageScale, from: Double(r.from) / pageScale, to: Double(r.to) / pageScale), into: &rules)
        }
        return rules
    }

    /// Adds a rule, joined to an earlier one beside it (within 1.5 pt) that it overlaps.
    private func mergeRule(_ rule: PdfLayout.Rule, into rules: inout [PdfLayout.Rule]) {
        if let i = rules.lastIndex(where: { rule.at - $0.at <= 1.5 && $0.from < rule.to && rule.from < $0.to }) {
            rules[i].from = min(rules[i].from, rule.from); rules[i].to = max(rules[i].to, rule.to)
            rules[i].at = rule.at
        } else {
            rules.append(rule)
        }
    }
}

/// The rendered page's pixels (cairo RGB24: 0x00RRGGBB in a 32-bit word, the top byte unused).
struct PdfPixels {
    let base: UnsafeRawPointer
    let width: Int, height: Int, stride: Int, maxThick: Int

    @inline(__always) func row(_ y: Int) -> UnsafePointer<UInt32> {
        (base + y * stride).assumingMemoryBound(to: UInt32.self)
    }

    @inline(__always) func pixelDark(_ x: Int, _ y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height && Self.isDark(row(y)[x])
    }

    /// Darker than light grey: the channels' sum under 3 × 230.
    @inline(__always) static func isDark(_ v: UInt32) -> Bool {
        (v & 0xFF) + ((v >> 8) & 0xFF) + ((v >> 16) & 0xFF) < 3 * 230
    }

    /// Whether eight pixels from `p` are all white.
    @inline(__always) static func white8(_ p: UnsafePointer<UInt32>) -> Bool {
        let q = UnsafeRawPointer(p)
        let a = q.loadUnaligned(as: UInt64.self), b = q.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let c = q.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d = q.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        let white: UInt64 = 0x00FF_FFFF_00FF_FFFF
        return a & b & c & d & white == white
    }

    @inline(__always) static func noneSampled(_ s: [Int32], at x: Int) -> Bool {
        s[x] | s[x + 1] | s[x + 2] | s[x + 3] | s[x + 4] | s[x + 5] | s[x + 6] | s[x + 7] == 0
    }

    /// Column `x`'s dark run from about `top` to about `bottom`, followed to its exact ends.
    func columnRun(_ x: Int, near top: Int, upTo bottom: Int) -> (from: Int, to: Int)? {
        var t = max(0, top), b = min(bottom, height - 1)
        guard t <= b else { return nil }
        while t > 0 && pixelDark(x, t - 1) { t -= 1 }
        while b + 1 < height && pixelDark(x, b + 1) { b += 1 }
        return (t, b + 1)
    }

    /// Whether a run (at row or column `at`, from…to along it) is thin across at two of the
    /// points a quarter, half and three quarters along, each tried also just before and after
    /// (so a rule crossing there, thin itself, is stepped over).
    func thinRun(along at: Int, from: Int, to: Int, vertical: Bool) -> Bool {
        var thin = 0
        for k in 1...3 {
            let p = from + (to - from) * k / 4
            for q in [p, p - maxThick - 1, p + maxThick + 1] where q >= from && q < to {
                let across = vertical ? thickness(x: at, y: q, dx: 1, dy: 0) : thickness(x: q, y: at, dx: 0, dy: 1)
                if across <= maxThick { thin += 1; break }
            }
        }
        return thin >= 2
    }

    /// Dark pixels through (x, y) along (dx, dy), both ways, up to just past the thickness limit.
    func thickness(x: Int, y: Int, dx: Int, dy: Int) -> Int {
        var n = 1
        for sign in [-1, 1] {
            var k = 1
            while k <= maxThick + 1, pixelDark(x + sign * k * dx, y + sign * k * dy) { n += 1; k += 1 }
        }
        return n
    }
}
