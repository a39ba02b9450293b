import GodwitCore
import Testing

/// Every error case renders the message users see, word for word: end-to-end tests and scripts
/// compare these texts, so a change here is a change of the product.
@Suite struct ErrorMessageTests {
    static let graphMessages: [(GraphError.Code, String)] = [
        (.duplicateRevision("a", otherPath: "versions/a_x.sql"), "revision 'a' is defined twice, here and in versions/a_x.sql"),
        (.unknownDownRevision("p", of: "b"), "down_revision 'p' of revision 'b' is not a revision of this project"),
        (.unknownDependency("p", of: "b"), "depends_on 'p' of revision 'b' is not a revision of this project"),
        (.branchLabelTaken("billing", owner: "a"), "branch label 'billing' is already used by revision 'a'"),
        (.branchLabelIsRevision("a"), "branch label 'a' is also a revision id; choose another label"),
        (.invalidBranchLabel("a-b"), "branch label 'a-b' may only hold letters, digits and '_'"),
        (.cycle(["a", "b", "a"]), "the revisions form a cycle: 'a' -> 'b' -> 'a'; a revision cannot descend from itself"),
        (.missingVersionsFolder("migrations"), "the versions folder 'migrations' does not exist; create it or set 'versions:' in environments/environments.yaml"),
        (.unknownRevision("zz"), "no revision 'zz': no id starts with it and no branch label has that name; 'godwit history' lists them"),
        (.ambiguousPrefix("3f", matches: ["3fa", "3fb"]), "'3f' is ambiguous: it is a prefix of 2 revisions (3fa, 3fb); give more characters"),
        (.emptyTarget, "an empty target; give 'head', 'heads', 'base', a revision, 'LABEL@head', '+N' or '-N'"),
        (.invalidBranchHeadTarget("a-b@head", label: "a-b"), "'a-b@head' is not a valid target: 'a-b' is not a branch label"),
        (.invalidRelativeTarget("+0"), "'+0' is not a valid relative target; write '+N', '-N', 'REV+N' or 'REV-N' with N ≥ 1"),
        (.invalidRelativeBase("a.b+1", base: "a.b"), "'a.b+1' is not a valid target: 'a.b' is not a revision"),
        (.invalidTarget("a b"), "'a b' is not a valid target; give 'head', 'heads', 'base', a revision, 'LABEL@head', '+N' or '-N'"),
        (.noRevisions, "there are no revisions yet; create one with 'godwit revision -m MESSAGE'"),
        (.multipleHeads(["d1", "d2"]), "the graph has 2 heads (d1, d2); name one, use 'heads' for all of them or 'LABEL@head', or join them with 'godwit merge -m MESSAGE heads'"),
        (.unknownBranchLabel("nope", labels: ["billing", "shipping"]), "no branch label 'nope'; labels are billing, shipping"),
        (.unknownBranchLabel("nope", labels: []), "no branch label 'nope'"),
        (.multipleBranchHeads(label: "billing", heads: ["c1", "c2"]), "branch 'billing' has 2 heads (c1, c2); name one of them"),
        (.ambiguousCurrentHead(target: "+1", heads: ["c1", "c2"]), "'+1' is ambiguous: the environment has 2 heads (c1, c2); write 'REV+1' with one of them"),
        (.pastHead(target: "+3", possible: 1), "'+3' goes past the head: only 1 step up are possible"),
        (.pastHead(target: "+3", possible: 2), "'+3' goes past the head: only 2 steps up are possible"),
        (.ambiguousBranch(target: "+1", children: ["c1", "c2"]), "'+1' is ambiguous: the graph branches into c1, c2; name the revision or write 'REV+N' from one of them"),
        (.belowBase(target: "-5", possible: 4), "'-5' goes below base: only 4 steps down are possible"),
        (.ambiguousMerge(target: "-2", revision: "d", parents: ["c1", "c2"]), "'-2' is ambiguous: 'd' is a merge of c1, c2; name the revision or write 'REV-N' from one of them"),
        (.namesNoRevision(target: "x"), "'x' names no revision"),
        (.nothingApplied(target: "-1"), "'-1' goes below base: nothing is applied"),
        (.upgradeBelowCurrentHead(target: "-1"), "'-1' lies below the current head; use 'godwit downgrade -1'"),
        (.upgradeBelowBase(target: "a-1"), "'a-1' lies below base; use 'godwit downgrade a-1'"),
        (.downgradeAboveCurrentHead(target: "+1"), "'+1' lies above the current head; use 'godwit upgrade +1'"),
        (.notApplied("c"), "revision 'c' is not applied, so there is nothing to go back to; 'godwit current' shows what is"),
        (.appliedWithoutFile(environment: "prod", versionsPath: "versions", revisions: ["x", "y"]),
         "environment 'prod' has revisions applied that are not in versions/: x, y; restore their files (e.g. check out the branch that has them) or adopt the state with 'godwit stamp --purge'"),
        (.unreplayable(environment: "prod", versionsPath: "versions", revision: "x"),
         "environment 'prod' has revision 'x' applied, which has no file in versions/; its expected schema cannot be replayed"),
        (.multipleHeadsForNewRevision(["a", "b"]),
         "the graph has 2 heads (a, b); pass --head with the one to build on, or join them first with 'godwit merge -m MESSAGE heads'"),
        (.nothingToMerge(head: "a"), "the graph has only one head ('a'); there is nothing to merge"),
        (.mergeNeedsTwoRevisions, "a merge needs at least two different revisions"),
    ]

    @Test(arguments: graphMessages)
    func graphErrorMessages(_ code: GraphError.Code, _ message: String) {
        #expect(GraphError(code).message == message)
        #expect(GraphError(code).exitCode == .usage)
    }

    static let fileMessages: [(RevisionFileError.Code, String)] = [
        (.unreadable, "cannot read the file"),
        (.invalidUTF8(0xFF), "the file is not valid UTF-8 (byte 0xFF); save it as UTF-8"),
        (.invalidUTF8(nil), "the file is not valid UTF-8; save it as UTF-8"),
        (.nulByte, "a NUL byte; remove it: a revision file is text, and a database would silently drop the SQL after it"),
        (.controlCharacter(0x1B), "control character 0x1B; remove it: tabs and line breaks are the only control characters a revision file may hold"),
        (.downgradeBeforeUpgrade, "'-- +downgrade' comes before '-- +upgrade'; put the upgrade section first"),
        (.sqlBeforeUpgrade, "SQL before the '-- +upgrade' marker; put the statements of the upgrade below a line '-- +upgrade'"),
        (.unknownKey("mesage", suggestion: "message"), "unknown header key 'mesage'; did you mean 'message'?"),
        (.unknownKey("colour", suggestion: nil),
         "unknown header key 'colour'; valid keys are revision, down_revision, message, create_date, branch_labels, depends_on, transactional, lock_timeout, statement_timeout"),
        (.duplicateKey("message", firstLine: 3), "header key 'message' is given twice (first on line 3)"),
        (.missingUpgradeMarker, "no '-- +upgrade' marker; a revision file needs a line '-- +upgrade' before its SQL"),
        (.repeatedUpgradeMarker(firstLine: 5), "a second '-- +upgrade' marker (the first is on line 5)"),
        (.repeatedDowngradeMarker(firstLine: 6), "a second '-- +downgrade' marker (the first is on line 6)"),
        (.missingRevision, "missing '-- revision: <id>' in the header"),
        (.invalidID("a-b"), "revision id 'a-b' may only hold letters, digits and '_'"),
        (.reservedID("head"), "revision id 'head' is reserved: 'base', 'head' and 'heads' name targets; choose another id"),
        (.missingDownRevision, "missing '-- down_revision:' in the header; leave it empty for a base revision"),
        (.selfParent("a"), "revision 'a' names itself as its down_revision"),
        (.invalidTransactional("maybe"), "transactional must be 'true' or 'false', not 'maybe'"),
        (.invalidDuration(key: "lock_timeout", text: "0x10s"), "lock_timeout '0x10s' is not a duration; write e.g. 500ms, 2s, 5m or 1h"),
        (.fileNameMismatch(fileName: "b_m.sql", id: "a"), "file name 'b_m.sql' does not match revision 'a'; name it 'a_<slug>.sql'"),
        (.emptyListItem(key: "depends_on", list: "a,,b"), "depends_on has an empty item in 'a,,b'"),
        (.invalidListItem(key: "depends_on", item: "a.b"), "depends_on item 'a.b' may only hold letters, digits and '_'"),
        (.repeatedListItem(key: "depends_on", item: "a"), "depends_on names 'a' twice"),
    ]

    @Test(arguments: fileMessages)
    func revisionFileErrorMessages(_ code: RevisionFileError.Code, _ message: String) {
        let error = RevisionFileError(code, file: "versions/a_m.sql", line: 2)
        #expect(error.message == message)
        #expect(error.description == "versions/a_m.sql:2: \(message)")
        #expect(error.exitCode == .usage)
    }

    // MARK: - Text faults

    @Test(arguments: [
        ([UInt8]("ok\n".utf8), nil),
        ([UInt8]("a\tb\r\nc\rd\n".utf8), nil),
        ([0x61, 0x0A, 0x62, 0x00], TextFault(.nul, line: 2, column: 2)),
        ([0x61, 0x0D, 0x0A, 0x62, 0x1B], TextFault(.controlCharacter(0x1B), line: 2, column: 2)),
        ([0x61, 0x0D, 0x62, 0x0D, 0x0A, 0x63, 0xFF], TextFault(.invalidUTF8(0xFF), line: 3, column: 2)),
        ([UInt8]("é\n€".utf8) + [0xE2, 0x82], TextFault(.invalidUTF8(0xE2), line: 2, column: 4)),
    ] as [([UInt8], TextFault?)])
    func textFaultsNameTheLineAndByteColumn(_ bytes: [UInt8], _ expected: TextFault?) {
        #expect(TextFault(firstIn: bytes) == expected)
    }
}
