import ArgumentParser
import Foundation
import Godwit
import GodwitCore

/// The custom shell completions (`godwit --generate-completion-script bash|zsh|fish`): environment
/// names and revision ids, read from the project of the working directory (or GODWIT_PROJECT).
/// A missing or broken project completes nothing: a completion never prints an error.
enum Completion {
    /// `-e/--env`, `promote FROM TO`: the environments of the project.
    static let environments = CompletionKind.custom { _, _, _ in
        guard let project = project() else { return [] }
        return project.orderedEnvironments.map(\.name)
    }

    /// Revision arguments (`upgrade`, `downgrade`, `stamp`, `show`, `merge`, `resolve`, `--head`,
    /// `--depends-on`): `head`, `heads`, `base`, then every revision id, newest first.
    static let revisions = CompletionKind.custom { _, _, _ in
        guard let project = project(), let graph = try? project.loadGraph() else { return ["head", "heads", "base"] }
        return ["head", "heads", "base"] + graph.order.reversed()
    }

    /// The project of the working directory, nil when there is none or it does not load.
    static func project() -> Project? {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let variable = ProcessInfo.processInfo.environment["GODWIT_PROJECT"].flatMap { $0.isEmpty ? nil : $0 }
        guard let root = try? Project.locate(explicit: variable, from: cwd) else { return nil }
        return try? Project(root: root)
    }
}
