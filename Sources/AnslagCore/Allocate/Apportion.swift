/// Splits whole kronor in proportion to bases, exactly.
///
/// Each quota is `total × basis / Σ basis`, computed in 128-bit integers (no floating point).
/// Every share first gets its quota rounded down. With `.largestRemainder` (Hamilton's method)
/// the kronor left, `total − Σ floor`, go one each to the shares with the largest remainders;
/// equal remainders are ordered by the tie-break (default: larger basis first, then id
/// ascending), so the result never depends on the order recipients are listed in. With
/// `.floorReportResidual` nothing more is handed out and the caller reports the residual.
public enum Apportion {
    public struct Share: Sendable, Equatable {
        public var floor: Int64
        public var remainder: Int128
        public var roundedUp: Bool
        public var amount: Int64 { floor + (roundedUp ? 1 : 0) }
    }

    public enum Problem: Error, Equatable {
        case zeroBasis
        case negative
    }

    /// `bases` and `ids` are parallel; ids order ties and must be distinct.
    public static func split(_ total: Int64, bases: [Int128], ids: [String], rounding: Rounding = .largestRemainder,
                             tieBreak: TieBreak = .basisThenCode) throws(Problem) -> (shares: [Share], denominator: Int128) {
        guard total >= 0, bases.allSatisfy({ $0 >= 0 }) else { throw .negative }
        if bases.isEmpty { return ([], 1) }
        let sum = bases.reduce(Int128(0), +)
        guard sum > 0 else {
            if total == 0 { return (bases.map { _ in Share(floor: 0, remainder: 0, roundedUp: false) }, 1) }
            throw .zeroBasis
        }
        let t = Int128(total)
        var shares = bases.map { b -> Share in
            // total < 2^63 and b ≤ sum; b × t fits in 128 bits as long as sum < 2^64.
            let p = b * t
            return Share(floor: Int64(p / sum), remainder: p % sum, roundedUp: false)
        }
        guard rounding == .largestRemainder else { return (shares, sum) }
        let handedOut = shares.reduce(Int64(0)) { $0 + $1.floor }
        let left = Int(total - handedOut)   // < number of shares
        if left > 0 {
            let order = shares.indices.sorted { a, b in
                if shares[a].remainder != shares[b].remainder { return shares[a].remainder > shares[b].remainder }
                if tieBreak == .basisThenCode && bases[a] != bases[b] { return bases[a] > bases[b] }
                return ids[a] < ids[b]
            }
            for i in order.prefix(left) { shares[i].roundedUp = true }
        }
        return (shares, sum)
    }
}
