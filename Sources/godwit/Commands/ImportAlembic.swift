import ArgumentParser
import Foundation
import Godwit
import GodwitCore

extension GodwitCommand {
    struct ImportAlembic: ProjectCommand {
        static let configuration = CommandConfiguration(
            commandName: "alembic",
            abstract: "Import an Alembic project's revisions, with the SQL its own alembic prints offline.",
            discussion: """
                Runs the project's alembic (from PATH, or $VIRTUAL_ENV/bin) once per revision and direction: \
                'alembic upgrade PARENT:REV --sql' and 'alembic downgrade REV:PARENT --sql', in the folder of the \
                config file, and keeps each revision's SQL without Alembic's bookkeeping (alembic_version, BEGIN/COMMIT). \
                Ids, down_revisions, branch labels, depends_on, messages and dates are kept. The SQL is in the dialect of \
                sqlalchemy.url (or what -x makes env.py use). Nothing is written unless every revision converts, or --skip-bad.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: ArgumentHelp("The Alembic configuration file.", valueName: "alembic.ini")) var config = "alembic.ini"
        @Option(name: .customShort("x"), help: ArgumentHelp("An argument for env.py, given to alembic as -x (repeatable).", valueName: "key=value"))
        var xArguments: [String] = []
        @Flag(name: .customLong("skip-bad"), help: "Write the revisions that convert, and list the others.") var skipBad = false

        func run(in workspace: Workspace, console: Console) throws {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let history = try AlembicImport(configFile: URL(fileURLWithPath: config, relativeTo: cwd).standardizedFileURL, xArguments: xArguments).read()
            let result = try ImportWriter(project: workspace.project).write(history, format: "alembic", isSkippingBad: skipBad)
            renderImport(result, console: console)
        }
    }
}
