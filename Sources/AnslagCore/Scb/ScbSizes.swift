/// The number of cells a PX or JSON-stat table declares: the product of its dimension sizes,
/// multiplied with overflow checks and compared with `ReadLimits.maxScbCells` before anything
/// is allocated, so a file declaring absurd sizes is refused instead of trapping or eating memory.
enum ScbSizes {
    /// `sizes` named by `names` (for the message); `what` says where they were declared.
    static func cells(_ sizes: [Int], names: [String], limit: Int, file: String, part: String?, what: String) throws -> Int {
        var product = 1
        for (n, size) in sizes.enumerated() {
            guard size >= 0 else {
                throw ReadError.malformed(file: file, part: part, detail: "\(names[n]) has a negative size \(size)")
            }
            let (p, overflow) = product.multipliedReportingOverflow(by: size)
            if overflow || p > limit {
                let shown = zip(names, sizes).prefix(n + 1).map { "\($0.0) \($0.1)" }.joined(separator: " × ")
                throw ReadError.limitExceeded(file: file, part: part,
                    detail: "\(what) declare more than \(limit) cells (\(shown)\(n + 1 < sizes.count ? " × …" : ""))")
            }
            product = p
        }
        return product
    }

    /// The next cell's position in a table of `sizes` (the last dimension varying fastest);
    /// past the last cell, all zeros again.
    @inline(__always)
    static func advance(_ index: inout [Int], sizes: [Int]) {
        var j = index.count - 1
        while j >= 0 { index[j] += 1; if index[j] < sizes[j] { break }; index[j] = 0; j -= 1 }
    }
}
