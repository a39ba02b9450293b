import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTestSupport
import Testing

extension ContractDriver {
    /// PostgreSQL under the contract: each case gets a schema of its own on the test server
    /// (`search_path` set to it); without a server, making one throws `MissingServer`.
    static let postgresql = ContractDriver(
        rawValue: "postgresql", duplicateKeyCode: "23505", missingTableCode: "42P01", syntaxErrorCode: "42601"
    ) { kind in
        let url = try PostgresTestServer.url()
        return ContractDatabase(
            kind, driver: PostgresDriver(), url: url, schema: PostgresTestServer.uniqueName("godwit_contract"),
            admin: try PostgresConnection(url: url, options: ConnectionOptions(applicationName: "godwit contract admin")))
    }
}

/// The driver contract suite (GodwitTestSupport's `DriverContract`) on the PostgreSQL server.
@Suite("Driver contract on PostgreSQL", .enabled(if: PostgresTestServer.isEnabled, PostgresTestServer.disabledComment))
struct PostgresContractTests {
    @Test func executeAndQuery() throws {
        try DriverContract.executeAndQuery(.postgresql)
    }

    @Test func withTransactionCommitsOrRollsBack() throws {
        try DriverContract.withTransactionCommitsOrRollsBack(.postgresql)
    }

    @Test(arguments: [LockMode.advisory, .table])
    func lockIsExclusiveTimesOutAndNamesTheHolder(mode: LockMode) throws {
        try DriverContract.lockIsExclusiveTimesOutAndNamesTheHolder(.postgresql, mode: mode)
    }

    @Test func errorsCarryTheirCodeAndThePositionOfTheFailingStatement() throws {
        try DriverContract.errorsCarryTheirCodeAndThePositionOfTheFailingStatement(.postgresql)
    }

    @Test func godwitsOwnTables() throws {
        try DriverContract.godwitsOwnTables(.postgresql)
    }

    @Test func splitStatementsBasics() throws {
        try DriverContract.splitStatementsBasics(.postgresql)
    }

    @Test func readOnlyConnectionCreatesNothing() throws {
        try DriverContract.readOnlyConnectionCreatesNothing(.postgresql)
    }
}
