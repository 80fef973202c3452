/// "did you mean …?" for an id typed by hand: a change file's reference or a command-line
/// option such as `rinban deputy --patient`.
public enum IdentifierSuggestion {
    /// The id within edit distance 2 of `text` (Unicode scalars, case kept), if exactly one
    /// is closest; nil when none is that close or two are equally close.
    ///
    /// Complexity: O(ids × |text| × |id|); ids are at most 64 characters.
    public static func nearest(to text: String, among ids: some Sequence<String>) -> String? {
        var best: (id: String, distance: Int)?
        var tied = false
        for id in ids where id != text {
            let distance = editDistance(text, id)
            guard distance <= 2 else { continue }
            if best == nil || distance < best!.distance {
                best = (id, distance)
                tied = false
            } else if distance == best!.distance {
                tied = true
            }
        }
        return tied ? nil : best?.id
    }

    /// `unknown home-care patient "hp3"` with ` (did you mean "hp03"?)` when one id is close.
    public static func unknown(_ what: String, _ text: String, among ids: some Sequence<String>) -> String {
        "unknown \(what) \"\(text)\"" + (nearest(to: text, among: ids).map { " (did you mean \"\($0)\"?)" } ?? "")
    }
}
