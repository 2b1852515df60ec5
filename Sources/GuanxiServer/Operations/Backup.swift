import Foundation
import SQLKit
import GuanxiCustomerAnalytics
import GuanxiCustomerFile
import GuanxiDataExchange
import GuanxiPlatform
import GuanxiSales

/// Consistent copies of the embedded SQLite database. PostgreSQL is backed up with its
/// own tools (`pg_dump`), as `docs/operations.md` describes.
public enum Backup {
    /// Writes a consistent copy of the live database to `file` while the server runs
    /// (`VACUUM INTO` reads one snapshot). Refuses to overwrite an existing file.
    public static func backup(_ services: AppServices, to file: String) async throws {
        guard services.database.engine == .sqlite else {
            throw GuanxiError(.configuration, "guanxi backup copies the embedded SQLite database. For PostgreSQL use pg_dump; see docs/operations.md.")
        }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw GuanxiError(.configuration, "\(file) already exists; choose a new file name for the backup.")
        }
        try await services.database.sql.raw("VACUUM INTO \(bind: file)").run()
    }

    /// Replaces the database file with a backup. The server must be stopped. The
    /// current file is kept beside it as `guanxi.sqlite.before-restore-<time>`.
    public static func restore(from file: String, config: AppConfig) throws -> String {
        guard case .sqliteFile(let target) = config.database else {
            throw GuanxiError(.configuration, "guanxi restore restores the embedded SQLite database. For PostgreSQL use pg_restore or psql; see docs/operations.md.")
        }
        guard let handle = FileHandle(forReadingAtPath: file) else { throw GuanxiError(.configuration, "Cannot read the backup file \(file).") }
        let header = handle.readData(ofLength: 16)
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else { throw GuanxiError(.configuration, "\(file) is not a SQLite database backup.") }
        let fm = FileManager.default
        var keptAs = ""
        if fm.fileExists(atPath: target) {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            keptAs = "\(target).before-restore-\(stamp)"
            try fm.moveItem(atPath: target, toPath: keptAs)
        }
        for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: target + suffix) }
        try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.copyItem(atPath: file, toPath: target)
        return keptAs
    }
}
