import Testing

@testable import Godwit

/// Cutting one revision's SQL out of what `alembic … --sql` prints: literal outputs of Alembic
/// 1.x (PostgreSQL with one transaction, with `transaction_per_migration`, SQLite without).
struct AlembicScriptTests {
    static let oneTransaction = """
        BEGIN;

        CREATE TABLE alembic_version (
            version_num VARCHAR(32) NOT NULL, 
            CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
        );

        -- Running upgrade  -> a1

        CREATE TABLE users (
            id SERIAL NOT NULL, 

            PRIMARY KEY (id)
        );

        INSERT INTO alembic_version (version_num) VALUES ('a1') RETURNING alembic_version.version_num;

        -- Running upgrade a1 -> b2

        COMMIT;

        UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';

        -- Running upgrade b2, x9 -> c3

        UPDATE users SET id = id;

        DELETE FROM alembic_version WHERE alembic_version.version_num = 'x9';

        UPDATE alembic_version SET version_num='c3' WHERE alembic_version.version_num = 'b2';

        COMMIT;

        """

    @Test func keepsTheRevisionsStatementsByteForByteWithoutBookkeepingOrFraming() {
        #expect(AlembicScript.sql(of: "a1", .upgrade, in: Self.oneTransaction) == "CREATE TABLE users (\n    id SERIAL NOT NULL, \n\n    PRIMARY KEY (id)\n);\n")
        // A COMMIT the revision itself runs is kept; only the script's last one is framing.
        #expect(AlembicScript.sql(of: "b2", .upgrade, in: Self.oneTransaction) == "COMMIT;\n")
        #expect(AlembicScript.sql(of: "c3", .upgrade, in: Self.oneTransaction) == "UPDATE users SET id = id;\n")
        #expect(AlembicScript.sql(of: "d4", .upgrade, in: Self.oneTransaction) == nil)
        #expect(AlembicScript.sql(of: "a1", .downgrade, in: Self.oneTransaction) == nil)
    }

    @Test func dropsTheFramingOfEachRevisionWithTransactionPerMigration() {
        let output = """
            BEGIN;

            CREATE TABLE app.alembic_version (
                version_num VARCHAR(32) NOT NULL
            );

            -- Running downgrade c3 -> b2

            DROP INDEX ix_users_email;

            UPDATE app.alembic_version SET version_num='b2' WHERE app.alembic_version.version_num = 'c3';

            COMMIT;

            BEGIN;

            -- Running downgrade b2 -> 

            DELETE FROM app.alembic_version WHERE app.alembic_version.version_num = 'b2';

            DROP TABLE app.alembic_version;

            COMMIT;

            """
        #expect(AlembicScript.sql(of: "c3", .downgrade, in: output) == "DROP INDEX ix_users_email;\n")
        #expect(AlembicScript.sql(of: "b2", .downgrade, in: output) == "")
    }

    @Test func keepsStatementsOnOtherTablesThatStartAlike() {
        let output = """
            -- Running upgrade  -> a1

            INSERT INTO alembic_versions_archive (v) VALUES ('a1');

            UPDATE "alembic_version" SET version_num='a1';

            CREATE TABLE alembic_version_notes (id INTEGER);

            """
        #expect(AlembicScript.sql(of: "a1", .upgrade, in: output)
            == "INSERT INTO alembic_versions_archive (v) VALUES ('a1');\n\nCREATE TABLE alembic_version_notes (id INTEGER);\n")
    }

    @Test func autocommitBlocksBecomeARevisionOutsideATransaction() {
        let output = """
            BEGIN;

            -- Running upgrade a1 -> b2

            UPDATE users SET name = 'a' WHERE name IS NULL;

            COMMIT;

            CREATE INDEX CONCURRENTLY ix_users_name ON users (name);

            BEGIN;

            UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';

            COMMIT;

            """
        let sql = AlembicScript.sql(of: "b2", .upgrade, in: output)
        #expect(sql == "UPDATE users SET name = 'a' WHERE name IS NULL;\n\nCOMMIT;\n\nCREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n\nBEGIN;\n")
        #expect(AlembicScript.withoutAutocommitBlocks(sql ?? "")
            == "UPDATE users SET name = 'a' WHERE name IS NULL;\n\nCREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n")
        #expect(AlembicScript.withoutAutocommitBlocks("COMMIT;\n\nVACUUM users;\n\nBEGIN;\n") == "VACUUM users;\n")
        #expect(AlembicScript.withoutAutocommitBlocks("UPDATE users SET id = id;\n") == nil)
        #expect(AlembicScript.withoutAutocommitBlocks("COMMIT;\n") == nil)
    }
}
