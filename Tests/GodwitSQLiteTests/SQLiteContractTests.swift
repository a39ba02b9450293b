import Foundation
import GodwitCore
import GodwitSQLite
import GodwitTestSupport
import Testing

extension ContractDriver {
    /// SQLite under the contract: each case gets a database file in a temporary folder of its own.
    static let sqlite = ContractDriver(
        rawValue: "sqlite", duplicateKeyCode: "SQLITE_CONSTRAINT_PRIMARYKEY", missingTableCode: "SQLITE_ERROR",
        syntaxErrorCode: "SQLITE_ERROR"
    ) { kind in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("db.sqlite3").path
        return ContractDatabase(
            kind, driver: SQLiteDriver(), url: DatabaseURL(kind: .sqlite(path: path), text: "sqlite://" + path), folder: folder)
    }
}

/// The driver contract suite (GodwitTestSupport's `DriverContract`) on SQLite files.
@Suite("Driver contract on SQLite")
struct SQLiteContractTests {
    @Test func executeAndQuery() throws {
        try DriverContract.executeAndQuery(.sqlite)
    }

    @Test func withTransactionCommitsOrRollsBack() throws {
        try DriverContract.withTransactionCommitsOrRollsBack(.sqlite)
    }

    @Test(arguments: [LockMode.advisory, .table])
    func lockIsExclusiveTimesOutAndNamesTheHolder(mode: LockMode) throws {
        try DriverContract.lockIsExclusiveTimesOutAndNamesTheHolder(.sqlite, mode: mode)
    }

    @Test func errorsCarryTheirCodeAndThePositionOfTheFailingStatement() throws {
        try DriverContract.errorsCarryTheirCodeAndThePositionOfTheFailingStatement(.sqlite)
    }

    @Test func godwitsOwnTables() throws {
        try DriverContract.godwitsOwnTables(.sqlite)
    }

    @Test func splitStatementsBasics() throws {
        try DriverContract.splitStatementsBasics(.sqlite)
    }

    @Test func readOnlyConnectionCreatesNothing() throws {
        try DriverContract.readOnlyConnectionCreatesNothing(.sqlite)
    }
}
