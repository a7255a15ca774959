/// Every code a finding can carry, in one place: the stable kebab-case text is what JSON
/// reports and tests use (`Schemas/report.schema.json`).
public enum FindingCode: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    public var description: String { rawValue }

    // Budget recognition (anslag-import).
    case sumMismatch = "sum-mismatch"
    case changeMismatch = "change-mismatch"
    case allocationResidual = "allocation-residual"
    case amountUnparsed = "amount-unparsed"
    case unitAssumed = "unit-assumed"
    case formulaEvaluated = "formula-evaluated"
    case noTotalFound = "no-total-found"
    case crossSheetMismatch = "cross-sheet-mismatch"
    // Checking a stated allocation (anslag-allocate --check).
    case allocationMismatch = "allocation-mismatch"
    case totalMismatch = "total-mismatch"
    case noRecipientsFound = "no-recipients-found"
    case recipientDuplicate = "recipient-duplicate"
    case recipientMissing = "recipient-missing"
    case recipientUnmatched = "recipient-unmatched"
    // Reconciling a batch (anslag-reconcile).
    case budgetBelowAllocation = "budget-below-allocation"
    case budgetExceedsAllocation = "budget-exceeds-allocation"
    case fileUnreadable = "file-unreadable"
    case recipientMatchedLoosely = "recipient-matched-loosely"
    case reportGrantMismatch = "report-grant-mismatch"
    case unusedMismatch = "unused-mismatch"
    // Totals in running text of documents.
    case textTotalAgrees = "text-total-agrees"
    case textTotalDiffers = "text-total-differs"
    case textVaravMismatch = "text-varav-mismatch"
    // Reading a population table (anslag-scb).
    case raggedRow = "ragged-row"
    case notANumber = "not-a-number"
    case encodingSwitched = "encoding-switched"
    case regionCodePadded = "region-code-padded"
    case regionUnknown = "region-unknown"
    case regionNameDiffers = "region-name-differs"
    // Checking a population table's totals.
    case sexSumMismatch = "sex-sum-mismatch"
    case ageSumMismatch = "age-sum-mismatch"
    case countySumMismatch = "county-sum-mismatch"
    case riketSumMismatch = "riket-sum-mismatch"
    case ckmDeviation = "ckm-deviation"
}
