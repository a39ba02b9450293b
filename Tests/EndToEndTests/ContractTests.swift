import Foundation
import Testing

/// What the contract promises about databases Godwit cannot reach and about the commands it has.
@Suite struct ContractTests {
    /// SPEC §8: an unreachable database is exit 1; §2: a password never appears in any output.
    @Test func anUnreachablePostgreSQLDatabaseIsExitOneAndItsPasswordNeverShows() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.initProject()
        try sandbox.write(
            "environments/environments.yaml",
            try sandbox.read("environments/environments.yaml") + "  remote:\n    url: ${GODWIT_E2E_PG_URL}\n")
        let password = "s3cr3t-Pa55word"
        // Port 1 on the loopback refuses connections at once.
        let env = ["GODWIT_E2E_PG_URL": "postgresql://app:\(password)@127.0.0.1:1/shop?connect_timeout=2"]

        for args in [["current"], ["upgrade"], ["upgrade", "--dry-run"], ["downgrade", "base"], ["upgrade", "--json"]] {
            let result = try sandbox.godwit(args + ["-e", "remote"], env: env)
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password), "\(args): the password shows\n\(result)")
            #expect(result.status == 1, "\(args): an unreachable database is exit 1\n\(result)")
            expectNoCrash(result)
            if args.contains("--json") {
                let error = try result.jsonObject()["error"] as? [String: Any]
                #expect(error?["environment"] as? String == "remote", "\(result)")
            } else {
                #expect(result.stderr.contains("remote"), "\(args): names the environment\n\(result)")
            }
        }
        let script = try sandbox.godwit(["upgrade", "--sql", "-e", "remote"], env: env)
        #expect(script.status == 0, "--sql needs no database\n\(script)")
        #expect(!script.stdout.contains(password) && !script.stderr.contains(password), "\(script)")
    }

    /// SPEC §5: the commands of the table, each with its help.
    @Test(arguments: [
        ["init"], ["revision"], ["merge"], ["upgrade"], ["downgrade"], ["stamp"], ["resolve"], ["current"], ["history"],
        ["heads"], ["branches"], ["show"], ["status"], ["promote"], ["check"], ["verify"], ["audit"], ["audit", "verify"],
        ["lint"], ["wait"], ["diff"],
    ])
    func everyCommandOfTheContractExists(_ command: [String]) throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try sandbox.godwit(command + ["--help"])
        #expect(result.status == 0, "godwit \(command.joined(separator: " ")) --help\n\(result)")
        #expect(result.stdout.contains("USAGE: godwit \(command.joined(separator: " "))"), "\(result)")
    }
}
