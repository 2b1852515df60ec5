import Foundation

/// An address on this site. A page family declares its address once, where its routes
/// are (`CustomerPages.url`), and links and redirects build on it: a record's page is
/// `CustomerPages.url.appending(id)`, a notice after a save `.notice("saved")`. Each path
/// segment and query value is percent-escaped, so an id, a view name or a search term
/// can never break out of its place.
public struct SiteURL: Sendable, Equatable, CustomStringConvertible {
    public private(set) var segments: [String]
    public private(set) var query: [URLQueryItem] = []

    /// `path` as routes write it: "/customers", "/admin/users", "/" for the home page.
    public init(_ path: String) {
        segments = path.split(separator: "/").map(String.init)
    }

    /// An address of this site that a form sent back (the page a switch was used on), or
    /// nil when it is not one: only a path from the site's root, with its query, is
    /// taken, so a redirect to it can never leave the site.
    public init?(local text: String?) {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count <= 2_000,
              let parts = URLComponents(string: text), parts.scheme == nil, parts.host == nil else { return nil }
        self.init(parts.path)
        self = with(rawQuery: parts.percentEncodedQuery)
    }

    /// The address one level down: a record's page under its kind's, an action under a record's.
    public func appending(_ segment: String) -> SiteURL {
        var url = self
        url.segments.append(segment)
        return url
    }

    public func appending(_ id: UUID) -> SiteURL { appending(id.uuidString) }

    /// The address with `name=value` in its query; a nil value leaves it out.
    public func with(_ name: String, _ value: String?) -> SiteURL {
        guard let value else { return self }
        var url = self
        url.query.append(URLQueryItem(name: name, value: value))
        return url
    }

    public func with(_ name: String, _ value: some BinaryInteger) -> SiteURL { with(name, String(value)) }

    /// The address with the page's notice (`saved`, `claimed` …), which the page shows once.
    public func notice(_ key: String) -> SiteURL { with("notice", key) }

    /// The address with a query string received as is (the filters of the list being exported).
    public func with(rawQuery: String?) -> SiteURL {
        guard let rawQuery, !rawQuery.isEmpty else { return self }
        var url = self
        var parts = URLComponents()
        parts.percentEncodedQuery = rawQuery
        url.query += parts.queryItems ?? []
        return url
    }

    public var description: String {
        let path = "/" + segments.map(Self.escape).joined(separator: "/")
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { item in
            Self.escape(item.name) + "=" + Self.escape(item.value ?? "")
        }.joined(separator: "&")
    }

    /// Unreserved characters (RFC 3986) stay; everything else is escaped.
    private static let segmentCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Most segments (kinds, ids) need no escaping: they are handed back as they are
    /// without Foundation's slower character-set walk — a list page builds hundreds.
    private static func escape(_ text: String) -> String {
        guard !text.utf8.allSatisfy(isUnreserved) else { return text }
        return text.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? text
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}

extension SiteURL {
    /// The sign-in pages, which the session checks send a visitor to.
    public static let signIn = SiteURL("/login")
    public static let secondFactor = SiteURL("/login/totp")
    public static let passwordChange = SiteURL("/password")
}
