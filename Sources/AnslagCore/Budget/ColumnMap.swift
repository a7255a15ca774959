extension Array {
    /// Moves the elements in `range` into a new array, leaving `filler` in their places: no
    /// copies, so no reference counting of what the elements hold.
    mutating func moveOut(_ range: Range<Int>, filler: Element) -> [Element] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        guard !range.isEmpty else { return [] }
        return withUnsafeMutableBufferPointer { buf in
            [Element](unsafeUninitializedCapacity: range.count) { dst, n in
                dst.baseAddress!.moveInitialize(from: buf.baseAddress! + range.lowerBound, count: range.count)
                (buf.baseAddress! + range.lowerBound).initialize(repeating: filler, count: range.count)
                n = range.count
            }
        }
    }
}

/// Values by column number: the first `ColumnMap.dense` columns (where a table's columns are)
/// in an array rather than a hash table, any further right in a dictionary, so a value in
/// column XFD costs one entry, not 16 384 slots. Iterates in column order.
struct ColumnMap<Value>: Sequence, ExpressibleByDictionaryLiteral {
    static var dense: Int { 64 }
    private var slots: [Value?] = []
    private var far: [Int: Value] = [:]

    init(dictionaryLiteral elements: (Int, Value)...) {
        for (k, v) in elements { self[k] = v }
    }

    subscript(_ c: Int) -> Value? {
        get { c >= 0 && c < slots.count ? slots[c] : c >= Self.dense ? far[c] : nil }
        set {
            guard c >= 0 else { return }
            if c >= Self.dense { far[c] = newValue; return }
            if c >= slots.count {
                guard newValue != nil else { return }
                slots += repeatElement(nil, count: c - slots.count + 1)
            }
            slots[c] = newValue
        }
    }

    /// Removes and returns the value in column `c`, so that the caller holds the only
    /// reference to it and can change it without a copy.
    mutating func take(_ c: Int) -> Value? {
        if c >= 0 && c < slots.count {
            let v = slots[c]
            slots[c] = nil
            return v
        }
        return c >= Self.dense ? far.removeValue(forKey: c) : nil
    }

    /// Modified in place (`map[c, default: []].append(x)` copies nothing).
    subscript(_ c: Int, default value: @autoclosure () -> Value) -> Value {
        get { self[c] ?? value() }
        _modify {
            precondition(c >= 0)
            if c >= Self.dense {
                yield &far[c, default: value()]
            } else {
                if c >= slots.count { slots += repeatElement(nil, count: c - slots.count + 1) }
                if slots[c] == nil { slots[c] = value() }
                yield &slots[c]!
            }
        }
    }

    var count: Int { slots.reduce(far.count) { $0 + ($1 == nil ? 0 : 1) } }
    /// Array slots in use (at most `dense`).
    var denseSlots: Int { slots.count }
    var isEmpty: Bool { far.isEmpty && !slots.contains { $0 != nil } }
    var values: [Value] { map(\.value) }

    func makeIterator() -> IndexingIterator<[(key: Int, value: Value)]> {
        var all: [(key: Int, value: Value)] = []
        for (i, v) in slots.enumerated() { if let v { all.append((i, v)) } }
        all += far.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
        return all.makeIterator()
    }
}
