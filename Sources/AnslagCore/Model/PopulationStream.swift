/// Dimension values interned as small integers, so a population table can stream through
/// checks and writers without a string per observation.
public final class PopulationKeys {
    public let dimensions: [String]
    public private(set) var values: [[String]]
    private var lookup: [[String: Int32]]
    /// Region id → name, when the table has a region dimension.
    public private(set) var regionNames: [Int32: String] = [:]
    public let regionDimension: Int?

    public init(dimensions: [String]) {
        self.dimensions = dimensions
        values = Array(repeating: [], count: dimensions.count)
        lookup = Array(repeating: [:], count: dimensions.count)
        regionDimension = dimensions.firstIndex(of: "region")
    }

    public func id(_ value: String, dimension d: Int) -> Int32 {
        if let id = lookup[d][value] { return id }
        let id = Int32(values[d].count)
        values[d].append(value)
        lookup[d][value] = id
        return id
    }

    public func value(_ id: Int32, dimension d: Int) -> String { values[d][Int(id)] }

    public func setRegionName(_ name: String?, for id: Int32) {
        if let name, regionNames[id] == nil { regionNames[id] = name }
    }
}

/// Receives a population table as it is read, one observation at a time (`ids` has one
/// interned value per dimension of `keys`).
public protocol PopulationSink: AnyObject {
    func begin(keys: PopulationKeys, metadata: PopulationTable.Metadata) throws
    func observation(_ ids: UnsafeBufferPointer<Int32>, value: Int64?, decimal: String?, symbol: String?, line: Int) throws
    /// The metadata again, now with what only the end of the file tells (footnotes).
    func end(metadata: PopulationTable.Metadata) throws
}

/// Collects a streamed table into a `PopulationTable`.
public final class PopulationCollector: PopulationSink {
    public private(set) var table = PopulationTable(metadata: .init(source: ""), dimensions: [])
    private var keys: PopulationKeys?

    public init() {}

    public func begin(keys: PopulationKeys, metadata: PopulationTable.Metadata) throws {
        self.keys = keys
        table = PopulationTable(metadata: metadata, dimensions: keys.dimensions)
    }

    public func observation(_ ids: UnsafeBufferPointer<Int32>, value: Int64?, decimal: String?, symbol: String?, line: Int) throws {
        let keys = self.keys!
        table.observations.append(Observation(keys: ids.enumerated().map { keys.value($1, dimension: $0) },
                                              value: value, decimal: decimal, symbol: symbol, line: line))
    }

    public func end(metadata: PopulationTable.Metadata) throws {
        table.metadata = metadata
        if let keys, let d = keys.regionDimension {
            for (id, name) in keys.regionNames { table.regionNames[keys.value(id, dimension: d)] = name }
        }
    }
}

/// Sends a stream to several sinks.
public final class PopulationFanOut: PopulationSink {
    let sinks: [any PopulationSink]
    public init(_ sinks: [any PopulationSink]) { self.sinks = sinks }
    public func begin(keys: PopulationKeys, metadata: PopulationTable.Metadata) throws {
        for s in sinks { try s.begin(keys: keys, metadata: metadata) }
    }
    public func observation(_ ids: UnsafeBufferPointer<Int32>, value: Int64?, decimal: String?, symbol: String?, line: Int) throws {
        for s in sinks { try s.observation(ids, value: value, decimal: decimal, symbol: symbol, line: line) }
    }
    public func end(metadata: PopulationTable.Metadata) throws {
        for s in sinks { try s.end(metadata: metadata) }
    }
}

