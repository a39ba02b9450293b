import ArgumentParser

/// Puts arguments where ArgumentParser reads them, asking ArgumentParser itself which options
/// take a value: no list here needs to know a command's options.
enum ArgumentOrder {
    /// The three moves below, in order.
    static func normalized(_ arguments: [String]) -> [String] {
        // The shell completion protocol (`godwit ---completion upgrade -- …`) is left as it is.
        if arguments.first == "---completion" { return arguments }
        return movingNegativeTargets(nestingAuditVerify(hoistingGlobalOptions(arguments)))
    }

    /// Moves global options written before the subcommand (`godwit --json heads`) behind it, where
    /// the subcommand's option group reads them. The subcommand is the first subcommand name
    /// before which every argument parses as `GlobalOptions` (so `godwit -e heads heads` works).
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        let names = Set(GodwitCommand.configuration.subcommands.compactMap { $0.configuration.commandName })
        for index in arguments.indices where names.contains(arguments[index]) {
            guard index > 0 else { return arguments }
            let leading = Array(arguments[..<index])
            guard (try? GlobalOptions.parse(leading)) != nil else { continue }
            var result = [arguments[index]]
            var rest = Array(arguments[(index + 1)...])
            // A nested subcommand (`audit verify`, `schema dump`, `import alembic`) stays first.
            let command = GodwitCommand.configuration.subcommands.first { $0.configuration.commandName == arguments[index] }
            if let next = rest.first, command?.configuration.subcommands.contains(where: { $0.configuration.commandName == next }) == true {
                result.append(rest.removeFirst())
            }
            // So does the format of `import` (`godwit --json import flyway DIR`).
            if arguments[index] == "import", let format = rest.first, !format.hasPrefix("-") {
                result.append(rest.removeFirst())
            }
            return result + leading + rest
        }
        return arguments
    }

    /// Moves `verify` right behind `audit` when options stand between them (`godwit audit -e prod
    /// verify`), so that they reach `audit verify` and not the listing, which would ignore them.
    static func nestingAuditVerify(_ arguments: [String]) -> [String] {
        guard arguments.first == "audit" else { return arguments }
        for index in arguments.indices.dropFirst(2) where arguments[index] == "verify" {
            guard (try? GodwitCommand.Audit.parse(Array(arguments[1..<index]))) != nil else { continue }
            var moved = arguments
            moved.remove(at: index)
            moved.insert("verify", at: 1)
            return moved
        }
        return arguments
    }

    /// Moves relative targets such as `-1` behind `--`, so that they are read as the target and not
    /// as an option: `godwit downgrade -1 -e dev` works as a user expects.
    static func movingNegativeTargets(_ arguments: [String]) -> [String] {
        guard !arguments.contains("--") else { return arguments }
        let isNegative = { (text: String) in text.count > 1 && text.hasPrefix("-") && text.dropFirst().allSatisfy(\.isNumber) }
        let targets = arguments.filter(isNegative)
        guard !targets.isEmpty else { return arguments }
        return arguments.filter { !isNegative($0) } + ["--"] + targets
    }
}
