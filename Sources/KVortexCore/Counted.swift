/// A count followed by its noun, in the singular for exactly one: "1 object", "0 objects",
/// "3 partition copies". What log lines and command output use wherever a count may be 1.
///
/// Interpolate it (`"\(Counted(objects, "object")) handed off"`). Not for the request path: it builds
/// a `String`.
public struct Counted: CustomStringConvertible, Sendable {
    /// The noun alone, agreeing with the count: for "0 of 1 seed", where the count is printed apart.
    public let noun: String
    public let description: String

    /// `plural` defaults to `singular` + "s"; give it for any other plural ("copy", "copies").
    public init(_ count: some BinaryInteger, _ singular: String, plural: String? = nil) {
        noun = count == 1 ? singular : plural ?? singular + "s"
        description = "\(count) \(noun)"
    }
}
