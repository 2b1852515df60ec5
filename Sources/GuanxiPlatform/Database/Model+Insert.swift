import FluentKit

extension Model {
    /// Inserts the model's row, also when an earlier attempt was rolled back.
    ///
    /// Fluent marks a model saved as soon as its insert statement ran, before anyone knows
    /// whether the transaction commits, and stops the process when asked to create a saved
    /// model again. A shared transaction that fails runs each of its writes again alone
    /// (`GroupCommit`), so a write must be able to insert the same model twice: this one
    /// forgets the mark first. Records created through `GroupCommit` insert this way.
    package func insert(on db: any Database) async throws {
        _$idExists = false
        try await create(on: db)
    }
}
