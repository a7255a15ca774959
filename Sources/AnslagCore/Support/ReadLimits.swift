/// Safety limits for reading untrusted spreadsheets. Every reader enforces them while it
/// streams, so a hostile file fails fast with `ReadError.limitExceeded` instead of eating
/// memory or time. The defaults are documented in README.md ("Safety limits").
public struct ReadLimits: Sendable, Equatable {
    /// Largest inflated size of one zip entry.
    public var maxEntryBytes: Int64 = 2 << 30            // 2 GiB
    /// Largest inflated size of all entries read from one package.
    public var maxTotalBytes: Int64 = 8 << 30            // 8 GiB
    /// Largest inflated/compressed ratio of one entry, checked once the entry is past `ratioGraceBytes`.
    public var maxCompressionRatio: Int64 = 1_000
    public var ratioGraceBytes: Int64 = 16 << 20         // 16 MiB
    /// Largest number of entries in the shared-string table, and their total UTF-8 size.
    public var maxSharedStrings: Int = 16_000_000
    public var maxSharedStringBytes: Int = 1 << 30       // 1 GiB
    /// Largest file read whole into memory (standard input, CSV).
    public var maxInputBytes: Int64 = 4 << 30            // 4 GiB
    /// Largest number of cells one ODS row may materialise through repeat counts,
    /// and of rows one sheet may materialise through repeated non-empty rows.
    public var maxRepeatedCells: Int = 2_000_000
    /// A sheet read whole is a dense grid: values far apart (one cell in column XFD on every
    /// row) would make a huge grid of a small file. Above `gridCellsFree` cells, a grid may
    /// hold at most `maxGridCellsPerValue` cells per value. (Streaming never builds a grid.)
    public var gridCellsFree: Int = 1_000_000
    public var maxGridCellsPerValue: Int = 64
    /// Largest SCB PX or JSON-stat file, read whole.
    public var maxScbFileBytes: Int = 512 << 20          // 512 MiB
    /// Largest number of cells a PX or JSON-stat table may declare (the product of its
    /// dimension sizes, computed with overflow checks before anything is allocated).
    public var maxScbCells: Int = 50_000_000
    /// A JSON-stat `value` object lists only the cells it has (sparse): above
    /// `scbSparseCellsFree` declared cells, at most `maxScbCellsPerValue` cells per value given,
    /// so memory follows the values present, not the declared size.
    public var scbSparseCellsFree: Int = 1_000_000
    public var maxScbCellsPerValue: Int = 64

    /// Longest record (one line, quotes included, in UTF-8) of a CSV read as a spreadsheet;
    /// a record may also have at most `SheetLimits.maxColumns` fields (column XFD).
    public var maxCsvRecordBytes: Int = 16 << 20         // 16 MiB
    /// PDF documents (Spreadsheet/Documents): pages, objects (the cross-reference `/Size`), the
    /// inflated size of one compressed stream (checked before poppler reads the file), and the
    /// time one page's text and ruling lines may take (checked after each page: poppler cannot
    /// be stopped inside a page, so a slow page is the last one read).
    public var maxPdfPages: Int = 2_000
    public var maxPdfObjects: Int = 1_000_000
    public var maxPdfStreamBytes: Int64 = 256 << 20      // 256 MiB
    public var maxPdfSecondsPerPage: Double = 10

    public init() {}
    public static let `default` = ReadLimits()
}
