import Crypto
import FluentKit
import Foundation
import SQLKit
import GuanxiPlatform

/// A file attached to a record, without its content.
public struct Attachment: Sendable, Equatable {
    public var id: UUID
    public var recordKind: RecordKind
    public var recordID: UUID
    public var filename: String
    public var contentType: String
    public var size: Int
    public var sha256: String
    public var uploadedBy: UUID?
    public var createdAt: Date
}

/// Attaching files to customers, contacts, leads and opportunities. Who may change a
/// record may attach to it and remove its files; who may read it may download them.
/// Each upload and removal is recorded in the record's own history.
public struct AttachmentService: Sendable {
    package let services: CustomerFileServices

    public init(services: CustomerFileServices) { self.services = services }

    /// The largest file accepted, in bytes.
    public var largest: Int { services.config.maxUploadBytes }

    package static let columns = ["id", "record_kind", "record_id", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at"]

    public func list(_ kind: RecordKind, _ id: UUID, for actor: Principal) async throws -> [Attachment] {
        _ = try await services.records.find(kind, id, for: actor)
        return try await list(ofRead: id)
    }

    /// The files of a record the caller has just read for its reader (a record page).
    package func list(ofRead id: UUID) async throws -> [Attachment] {
        try await services.database.sql.select().columns(Self.columns).from("attachments").where("record_id", .equal, id)
            .orderBy("created_at", .descending).all().map(Self.attachment)
    }

    public func add(to kind: RecordKind, _ id: UUID, filename: String, contentType: String, data: Data, by actor: Principal) async throws -> Attachment {
        let record = try await services.records.find(kind, id, for: actor, action: .update)
        let name = try Self.cleanName(filename)
        guard !data.isEmpty else { throw GuanxiError.invalid("file", "The file is empty.").localized("msg.empty_file", [:]) }
        guard data.count <= largest else {
            throw GuanxiError(.payloadTooLarge, "The file is larger than \(largest / 1_048_576) MB.", field: "file")
                .localized("msg.file_too_large", ["max": String(largest / 1_048_576)])
        }
        let type = contentType.count <= 100 && contentType.contains("/") && !contentType.contains(where: \.isNewline) ? contentType : "application/octet-stream"
        let a = Attachment(id: UUID(), recordKind: kind, recordID: id, filename: name, contentType: type, size: data.count,
                           sha256: SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), uploadedBy: actor.channel == .console ? nil : actor.userID,
                           createdAt: services.clock.now())
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).insert(into: "attachments").columns(Self.columns + ["content"])
                .values(SQLBind(a.id), SQLBind(kind.rawValue), SQLBind(id), SQLBind(name), SQLBind(type), SQLBind(a.size), SQLBind(a.sha256),
                        SQLBind(a.uploadedBy), SQLBind(a.createdAt), SQLBind(data)).run()
            try await services.audit.record(on: tx, actor: actor, action: .update, kind: kind, id: id.uuidString, label: record.name,
                                            changes: [FieldChange(field: "attachments", old: nil, new: "\(name) (\(a.size) B)")])
        }
        return a
    }

    /// The attachment and its content, if the actor may read its record.
    public func download(_ attachmentID: UUID, for actor: Principal) async throws -> (Attachment, Data) {
        guard let row = try await services.database.sql.select().columns(Self.columns + ["content"]).from("attachments")
            .where("id", .equal, attachmentID).first() else { throw GuanxiError.notFound("Attachment") }
        let a = try Self.attachment(row)
        do { _ = try await services.records.find(a.recordKind, a.recordID, for: actor) } catch { throw GuanxiError.notFound("Attachment") }
        return (a, try row.decode(column: "content", as: Data.self))
    }

    /// Removes the file and returns what it was (for going back to its record).
    @discardableResult
    public func remove(_ attachmentID: UUID, by actor: Principal) async throws -> Attachment {
        guard let row = try await services.database.sql.select().columns(Self.columns).from("attachments").where("id", .equal, attachmentID).first()
        else { throw GuanxiError.notFound("Attachment") }
        let a = try Self.attachment(row)
        let record: FoundRecord
        do { record = try await services.records.find(a.recordKind, a.recordID, for: actor, action: .update) } catch {
            throw GuanxiError.notFound("Attachment")
        }
        try await services.database.db.transaction { tx in
            try await (tx as! any SQLDatabase).delete(from: "attachments").where("id", .equal, attachmentID).run()
            try await services.audit.record(on: tx, actor: actor, action: .update, kind: a.recordKind, id: a.recordID.uuidString, label: record.name,
                                            changes: [FieldChange(field: "attachments", old: "\(a.filename) (\(a.size) B)", new: nil)])
        }
        return a
    }

    /// Drops a deleted record's files (inside the deletion's transaction; registered as a
    /// step of every record's deletion, `RecordKinds.register(deletion:)`).
    @Sendable package static func removeAll(of kind: RecordKind, _ recordIDs: [UUID], on tx: any Database) async throws {
        guard !recordIDs.isEmpty else { return }
        try await (tx as! any SQLDatabase).delete(from: "attachments").where("record_kind", .equal, kind.rawValue).where("record_id", .in, recordIDs).run()
    }

    /// A file name as stored and offered for download: no folders, no control characters.
    package static func cleanName(_ name: String) throws -> String {
        let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = base.filter { !$0.isNewline && $0.unicodeScalars.allSatisfy { $0.value >= 0x20 } && $0 != "\"" }
        guard let text = try Validate.text(clean, field: "file", required: false, max: 200) else {
            throw GuanxiError.invalid("file", "Choose a file with a name.").localized("msg.required", ["field": "file"])
        }
        return text
    }

    package static func attachment(_ row: any SQLRow) throws -> Attachment {
        Attachment(id: try row.decode(column: "id", as: UUID.self), recordKind: RecordKind(rawValue: try row.decode(column: "record_kind", as: String.self)),
                   recordID: try row.decode(column: "record_id", as: UUID.self), filename: try row.decode(column: "filename", as: String.self),
                   contentType: try row.decode(column: "content_type", as: String.self), size: try row.decode(column: "size", as: Int.self),
                   sha256: try row.decode(column: "sha256", as: String.self), uploadedBy: try row.decode(column: "uploaded_by", as: UUID?.self),
                   createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}
