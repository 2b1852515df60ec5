import Foundation
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Files bundled with the server (templates, locales, static assets).
public enum Resources {
    public static var root: URL? { Bundle.module.bundleURL.appendingPathComponent("Resources") }
    public static func url(_ path: String) -> URL? {
        guard let url = root?.appendingPathComponent(path), FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }
}

extension Localizer {
    /// The texts bundled with the server.
    public static func load() throws -> Localizer { try load(from: Resources.url("Locales")) }
}
