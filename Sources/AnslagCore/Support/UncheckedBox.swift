/// Carries a value that is not Sendable (a reader, a closure) to the one other thread that uses
/// it. Sendable because the value is immutable here and the code that boxes it hands it over:
/// the sending side does not touch it again until the receiving side is done (a `Handoff`
/// or `inTurn` join orders the two).
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
