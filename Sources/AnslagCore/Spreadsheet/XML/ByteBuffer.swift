/// A growable byte buffer for the parsers' hot paths: appends without copy-on-write checks.
/// Owned by one handler object and freed with it.
struct ByteBuffer {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    func free() { pointer.deallocate() }

    @inline(__always)
    mutating func reset() { count = 0 }

    @inline(__always)
    mutating func truncate(to n: Int) { count = min(count, n) }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        pointer[count] = byte
        count += 1
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (pointer + count).update(from: src, count: bytes.count)
        count += bytes.count
    }

    private mutating func grow(to needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        p.update(from: pointer, count: count)
        pointer.deallocate()
        pointer = p
        capacity = c
    }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: pointer, count: count) }
    var bytes: [UInt8] { Array(buffer) }
    var string: String { String(decoding: buffer, as: UTF8.self) }
}
