import FluentKit
import Foundation
import SQLKit
import GuanxiDataExchange
import GuanxiPlatform

/// An import's stored file is kept deflated (`Deflate`): the pieces of a million-contact
/// CSV took 130 MB of the file for the 30 days it is kept, and take about 32 MB deflated.
/// `import_job_chunks.deflated` tells which pieces are; those an older build stored stay
/// as they were and read as they are. Reverting inflates the deflated pieces again, for the
/// older build that reads every piece as it is.
struct M0048_DeflateImportFiles: GuanxiMigration {
    let name = "0048_DeflateImportFiles"

    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("ALTER TABLE import_job_chunks ADD COLUMN deflated BOOLEAN NOT NULL DEFAULT FALSE").run()
    }

    func revert(on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        // One piece at a time: a file's pieces together are as large as the file.
        let pieces = try await sql.select().columns("job_id", "position").from("import_job_chunks").where("deflated", .equal, true).all()
            .map { (try $0.decode(column: "job_id", as: UUID.self), try $0.decode(column: "position", as: Int.self)) }
        for (job, position) in pieces {
            let stored = try await sql.select().column("data").from("import_job_chunks").where("job_id", .equal, job).where("position", .equal, position)
                .first(decodingColumn: "data", as: Data.self) ?? Data()
            guard let bytes = Deflate.decompress([UInt8](stored), limit: ImportJobStore.chunkSize) else {
                throw GuanxiError(.internal, "Piece \(position) of import \(job)'s file is damaged; it cannot be inflated for an older version.")
            }
            try await sql.update("import_job_chunks").set("data", to: SQLBind(Data(bytes))).where("job_id", .equal, job).where("position", .equal, position).run()
        }
        try await sql.raw("ALTER TABLE import_job_chunks DROP COLUMN deflated").run()
    }
}
