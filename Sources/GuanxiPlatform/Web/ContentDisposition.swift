import Foundation
import HTTPTypes

/// The `Content-Disposition` of a download, as RFC 6266 has it: a plain ASCII `filename`
/// for old clients, and `filename*=UTF-8''…` with the real name, Chinese included.
package enum ContentDisposition {
    package static func attachment(_ filename: String) -> String {
        let fallback = String(filename.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    /// The OpenAPI runtime writes every response header as a URI component, so its
    /// downloads arrive as `attachment%3B%20filename…`, which no browser or client reads.
    /// Answers from the API get the header back as it was made.
    package static func restore(in headers: inout HTTPFields) {
        guard let value = headers[.contentDisposition], !value.contains(";"), value.contains("%"),
              let decoded = value.removingPercentEncoding else { return }
        headers[.contentDisposition] = decoded
    }
}
