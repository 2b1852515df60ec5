/// Why an analysis could not run. Each case names the input at fault so the app can
/// show it to the user as it is.
public enum AnalyticsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input has too little data for the method (for example no repeat purchases for
    /// a lifetime model).
    case insufficientData(String)
    /// An argument is outside its documented range.
    case invalidArgument(name: String, reason: String)
    /// A purchase that breaks the rules (unknown customer index, non-finite amount).
    case invalidPurchase(index: Int, reason: String)

    public var description: String {
        switch self {
        case .insufficientData(let what): return "not enough data: \(what)"
        case .invalidArgument(let name, let reason): return "\(name): \(reason)"
        case .invalidPurchase(let index, let reason): return "purchase \(index): \(reason)"
        }
    }
}

func require(_ condition: Bool, _ name: String, _ reason: @autoclosure () -> String) throws {
    if !condition { throw AnalyticsError.invalidArgument(name: name, reason: reason()) }
}
