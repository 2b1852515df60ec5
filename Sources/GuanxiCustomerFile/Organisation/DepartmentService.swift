import FluentKit
import Foundation
import GuanxiPlatform

/// The department tree. Departments are organisation structure, readable by anyone
/// granted `departments: read`; the data scope of that grant does not narrow them.
public struct DepartmentService: Sendable {
    package let database: DatabaseService
    package let permissions: PermissionService
    package let audit: AuditLog
    package let clock: any Clock

    public func list(for actor: Principal) async throws -> [Department] {
        try permissions.require(actor, .read, on: .departments)
        return try await Department.query(on: database.db).sort(\.$name).all()
    }

    public func get(_ id: UUID, for actor: Principal) async throws -> Department {
        try permissions.require(actor, .read, on: .departments)
        guard let department = try await Department.find(id, on: database.db) else { throw GuanxiError.notFound("Department") }
        return department
    }

    public func create(name: String?, parentID: UUID?, by actor: Principal) async throws -> Department {
        try permissions.require(actor, .create, on: .departments)
        let department = Department()
        department.id = UUID()
        department.name = try Validate.requiredText(name, field: "name", max: 100)
        department.parentID = try await checkedParent(parentID, for: department.id!)
        try await checkUniqueName(department)
        department.createdAt = clock.now()
        department.updatedAt = department.createdAt
        try await database.db.transaction { tx in
            try await department.create(on: tx)
            try await audit.created(on: tx, actor: actor, kind: .departments, id: department.id!.uuidString, label: department.name, snapshot: department.auditSnapshot)
        }
        return department
    }

    /// `parentID` of `.some(nil)` moves the department to the top of the tree.
    public func update(_ id: UUID, name: String?, parentID: UUID??, by actor: Principal) async throws -> Department {
        try permissions.require(actor, .update, on: .departments)
        guard let department = try await Department.find(id, on: database.db) else { throw GuanxiError.notFound("Department") }
        let before = department.auditSnapshot
        if let name { department.name = try Validate.requiredText(name, field: "name", max: 100) }
        if let parentID { department.parentID = try await checkedParent(parentID, for: id) }
        try await checkUniqueName(department)
        department.updatedAt = clock.now()
        try await database.db.transaction { tx in
            try await department.update(on: tx)
            try await audit.updated(on: tx, actor: actor, kind: .departments, id: id.uuidString, label: department.name, old: before, new: department.auditSnapshot)
        }
        return department
    }

    public func delete(_ id: UUID, by actor: Principal) async throws {
        try permissions.require(actor, .delete, on: .departments)
        guard let department = try await Department.find(id, on: database.db) else { throw GuanxiError.notFound("Department") }
        if try await Department.query(on: database.db).filter(\.$parentID == id).count() > 0 {
            throw GuanxiError(.conflict, "The department \"\(department.name)\" has sub-departments; move or delete them first.").localized("msg.department_has_children", ["name": department.name])
        }
        if try await User.query(on: database.db).filter(\.$departmentID == id).count() > 0 {
            throw GuanxiError(.conflict, "The department \"\(department.name)\" still has members; move them to another department first.").localized("msg.department_has_members", ["name": department.name])
        }
        try await database.db.transaction { tx in
            try await department.delete(on: tx)
            try await audit.deleted(on: tx, actor: actor, kind: .departments, id: id.uuidString, label: department.name, snapshot: department.auditSnapshot)
        }
    }

    private func checkedParent(_ parentID: UUID?, for id: UUID) async throws -> UUID? {
        guard let parentID else { return nil }
        var current: UUID? = parentID
        var seen: Set<UUID> = []
        while let step = current, !seen.contains(step) {
            if step == id { throw GuanxiError.invalid("parentId", "parentId would place the department inside itself.").localized("msg.department_cycle", [:]) }
            seen.insert(step)
            guard let parent = try await Department.find(step, on: database.db) else {
                throw GuanxiError.invalid("parentId", "parentId does not name an existing department.").localized("msg.unknown_reference", ["field": "parentId"])
            }
            current = parent.parentID
        }
        return parentID
    }

    private func checkUniqueName(_ department: Department) async throws {
        let siblings = try await Department.query(on: database.db).filter(\.$parentID == department.parentID).filter(\.$name == department.name).all()
        if siblings.contains(where: { $0.id != department.id }) {
            throw GuanxiError(.conflict, "A department named \"\(department.name)\" already exists at that place in the tree.", field: "name").localized("msg.name_taken", ["name": department.name])
        }
    }
}
