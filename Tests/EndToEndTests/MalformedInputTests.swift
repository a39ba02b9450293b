import Foundation
import Testing

/// One case of `Tests/Fixtures/malformed/<case>/`: a small project and its `expect.json`.
///
/// `expect.json` holds `args` (the command line), `exit` (the exit code), `stderr_contains`
/// (strings stderr must hold), and optionally `stderr_matches` (regular expressions),
/// `stderr_not_contains` (strings that must never appear, such as a password) and `json_error`
/// (`{"file", "line"}`: the case is run again with `--json` and stdout must be the error document).
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let name: String
    var testDescription: String { name }

    var folder: URL { Paths.fixtures.appendingPathComponent("malformed").appendingPathComponent(name) }

    struct Expectation: Decodable {
        struct JSONError: Decodable {
            var file: String
            var line: Int?
        }
        var args: [String]
        var exit: Int32
        var stderr_contains: [String]
        var stderr_matches: [String]?
        var stderr_not_contains: [String]?
        var json_error: JSONError?
    }

    func expectation() throws -> Expectation {
        let url = folder.appendingPathComponent("expect.json")
        do {
            return try JSONDecoder().decode(Expectation.self, from: Data(contentsOf: url))
        } catch {
            throw HarnessError("cannot read \(url.path): \(error)")
        }
    }

    /// Every case folder, sorted; empty when the fixtures cannot be found.
    static let all: [MalformedCase] = {
        let root = Paths.fixtures.appendingPathComponent("malformed")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.sorted().filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("expect.json").path)
        }.map(MalformedCase.init(name:))
    }()
}

@Suite struct MalformedInputTests {
    @Test func theCorpusIsThere() {
        #expect(
            MalformedCase.all.count >= 25,
            "expected at least 25 cases in \(Paths.fixtures.appendingPathComponent("malformed").path), found \(MalformedCase.all.count)")
    }

    /// Runs a case on a copy of its folder (tests never write into the repository).
    @Test(arguments: MalformedCase.all)
    func aMalformedInputIsAUsageErrorThatSaysWhere(_ testCase: MalformedCase) throws {
        let expectation = try testCase.expectation()
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let project = sandbox.url("project")
        try FileManager.default.copyItem(at: testCase.folder, to: project)
        try FileManager.default.removeItem(at: project.appendingPathComponent("expect.json"))

        let result = try run(expectation.args, in: project)
        #expect(result.status == expectation.exit, "\(testCase.name): exit code\n\(result)")
        for text in expectation.stderr_contains {
            #expect(result.stderr.contains(text), "\(testCase.name): stderr lacks \"\(text)\"\n\(result)")
        }
        for pattern in expectation.stderr_matches ?? [] {
            let regex = try NSRegularExpression(pattern: pattern)
            let range = NSRange(result.stderr.startIndex..., in: result.stderr)
            #expect(regex.firstMatch(in: result.stderr, range: range) != nil, "\(testCase.name): stderr does not match /\(pattern)/\n\(result)")
        }
        for text in expectation.stderr_not_contains ?? [] {
            #expect(!result.stderr.contains(text) && !result.stdout.contains(text), "\(testCase.name): output shows \"\(text)\"\n\(result)")
        }
        #expect(result.stdout.isEmpty, "\(testCase.name): an error prints nothing on stdout\n\(result)")
        expectNoCrash(result)
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("var").path), "\(testCase.name): no database was touched")

        guard let expectedError = expectation.json_error else { return }
        let json = try run(["--json"] + expectation.args, in: project)
        #expect(json.status == expectation.exit, "\(testCase.name) --json: exit code\n\(json)")
        expectNoCrash(json)
        let document = try json.jsonObject()
        #expect(keys(document) == ["error"], "\(testCase.name) --json: stdout is {\"error\": …}\n\(json)")
        let error = try #require(document["error"] as? [String: Any], "\(json)")
        #expect(error["code"] as? Int == Int(expectation.exit), "\(testCase.name) --json: code\n\(json)")
        #expect((error["message"] as? String)?.isEmpty == false, "\(testCase.name) --json: message\n\(json)")
        #expect(error["file"] as? String == expectedError.file, "\(testCase.name) --json: file\n\(json)")
        if let line = expectedError.line {
            #expect(error["line"] as? Int == line, "\(testCase.name) --json: line\n\(json)")
        }
        for absent in error where absent.value is NSNull {
            Issue.record("\(testCase.name) --json: absent fields are left out, not null: \(absent.key)")
        }
    }
}
