/// A small open-addressing hash table from non-zero 64-bit keys to Int32 values, for the
/// streamed checks' hot path (Swift's Dictionary hashes with SipHash, which dominated there).
struct IntTable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = Array(repeating: 0, count: n)
        values = Array(repeating: 0, count: n)
        mask = n - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// The value for `key`, inserting `make()` when it is new. `key` must not be 0.
    @inline(__always)
    mutating func value(for key: UInt64, orInsert make: () -> Int32) -> Int32 {
        var i = slot(key)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 {
                let v = make()
                keys[i] = key
                values[i] = v
                count += 1
                if count * 2 > keys.count { grow() }
                return v
            }
            i = (i + 1) & mask
        }
    }

    /// Inserts `key`; false if it was there already.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        var inserted = false
        _ = value(for: key) { inserted = true; return 1 }
        return inserted
    }

    mutating func removeAll() {
        if count == 0 { return }
        for i in keys.indices { keys[i] = 0 }
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        values = Array(repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (i, k) in oldKeys.enumerated() where k != 0 {
            var j = slot(k)
            while keys[j] != 0 { j = (j + 1) & mask }
            keys[j] = k
            values[j] = oldValues[i]
            count += 1
        }
    }
}
