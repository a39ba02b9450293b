import GodwitCore
import Testing

@Suite struct IgnoreDirectiveTests {
    @Test(arguments: [
        ("-- godwit:ignore drop-table", ["drop-table"]),
        ("--godwit:ignore drop-table,drop-column", ["drop-table", "drop-column"]),
        ("-- godwit:ignore drop-table, drop-column: unused since v2", ["drop-table", "drop-column"]),
        ("-- godwit:ignore DROP-TABLE because it is empty", ["drop-table"]),
        ("/* godwit:ignore set-not-null */", ["set-not-null"]),
    ])
    func readsTheRules(_ comment: String, _ rules: [String]) {
        #expect(IgnoreDirective(comment: comment)?.ruleIDs == rules)
    }

    @Test(arguments: ["-- godwit:ignore", "-- godwit:ignored drop-table", "-- see godwit:ignore drop-table", "-- drop-table", "# godwit:ignore drop-table"])
    func isNotADirective(_ comment: String) {
        #expect(IgnoreDirective(comment: comment) == nil)
    }

    @Test func silencesTheRulesItNames() throws {
        let directive = try #require(IgnoreDirective(comment: "-- godwit:ignore drop-table, nonsense"))
        #expect(directive.silences(.dropTable))
        #expect(!directive.silences(.dropColumn))
    }

    @Test func everyRuleHasAKebabCaseIDAndASummary() {
        for rule in LintRule.allCases {
            #expect(LintRule(id: rule.id) == rule)
            #expect(rule.id.allSatisfy { $0.isLowercase || $0 == "-" })
            #expect(!rule.summary.isEmpty)
        }
    }
}
