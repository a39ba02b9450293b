import Foundation
import GodwitCore

/// Everything `report` shows (SPEC §13): every environment's status, the graph with every
/// environment on it, and each environment's audit timeline with its chain's verification.
public struct EstateReport: Sendable {
    /// One environment's audit timeline and the result of `audit verify` on it.
    public struct Timeline: Sendable {
        /// The environment.
        public var environment: String
        /// The newest records, newest first, at most `ReportReader.timelineLimit`.
        public var records: [AuditRecord]
        /// How many records the audit table holds.
        public var total: Int
        /// Why the records could not be read (unreachable, a fleet); nil when they were.
        public var error: String?
        /// The result of `audit verify`; nil when it could not run.
        public var verification: AuditVerification?
        /// Why the chain could not be verified; nil when it was.
        public var verificationError: String?

        /// Creates a timeline.
        public init(
            environment: String, records: [AuditRecord], total: Int, error: String? = nil, verification: AuditVerification? = nil,
            verificationError: String? = nil
        ) {
            self.environment = environment
            self.records = records
            self.total = total
            self.error = error
            self.verification = verification
            self.verificationError = verificationError
        }
    }

    /// The project folder's name.
    public var project: String
    /// When the report was read (ISO 8601 UTC).
    public var generatedAt: String
    /// How many revisions the graph has.
    public var revisionCount: Int
    /// The graph's heads.
    public var heads: [String]
    /// Every environment, promotion order first.
    public var environments: [EnvironmentStatus]
    /// The graph with every environment's marker.
    public var picture: GraphPicture
    /// The graph as SVG when Graphviz is installed and it has at most `ReportReader.svgNodeLimit`
    /// nodes; nil draws it as an HTML list.
    public var svg: String?
    /// One timeline per environment, in the order of `environments`.
    public var timelines: [Timeline]

    /// Creates a report.
    public init(
        project: String, generatedAt: String, revisionCount: Int, heads: [String], environments: [EnvironmentStatus],
        picture: GraphPicture, svg: String?, timelines: [Timeline]
    ) {
        self.project = project
        self.generatedAt = generatedAt
        self.revisionCount = revisionCount
        self.heads = heads
        self.environments = environments
        self.picture = picture
        self.svg = svg
        self.timelines = timelines
    }
}

/// Reads what `graph` and `report` draw, through `StatusReader` and `AuditReader`.
public struct ReportReader: Sendable {
    /// The workspace.
    public let workspace: Workspace

    /// The most audit records a timeline shows, newest first.
    public static let timelineLimit = 200

    /// The most nodes drawn as SVG: Graphviz lays out a thousand in tens of seconds; more are a list.
    public static let svgNodeLimit = 400

    /// Creates a reader.
    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The graph picture: every environment read live as a marker,
    /// what the `shaded` environments lack filled.
    /// - Throws: `ConfigurationError` for an unknown environment name; `GraphError` or
    ///   `RevisionFileError` for a bad graph.
    public func picture(shaded: [String], isFull: Bool, connectTimeout: Int = 5) throws -> GraphPicture {
        for name in shaded { _ = try workspace.project.environment(name) }
        let graph = try workspace.graph()
        let statuses = try StatusReader(workspace: workspace).status(connectTimeout: connectTimeout)
        return GraphPicture(graph: graph, markers: statuses.map(EnvironmentMarker.init), shaded: shaded, isFull: isFull)
    }

    /// The whole report: statuses, the picture (as SVG with `svg` when it is available), and the
    /// timelines. An environment that cannot be read is shown so, never thrown.
    /// - Throws: `GraphError` or `RevisionFileError` for a bad graph.
    public func report(svg renderer: SVGRenderer = SVGRenderer(), isFull: Bool = false, connectTimeout: Int = 5) throws -> EstateReport {
        let graph = try workspace.graph()
        let statuses = try StatusReader(workspace: workspace).status(connectTimeout: connectTimeout)
        let picture = GraphPicture(graph: graph, markers: statuses.map(EnvironmentMarker.init), isFull: isFull)
        let svg = renderer.isAvailable && picture.nodes.count <= Self.svgNodeLimit ? try? renderer.render(picture) : nil
        let timelines = statuses.map { timeline(of: $0) }
        return EstateReport(
            project: workspace.project.root.lastPathComponent, generatedAt: Timestamp.iso8601(Date(), fractionalSeconds: false), revisionCount: graph.revisions.count,
            heads: graph.heads, environments: statuses, picture: picture, svg: svg, timelines: timelines)
    }

    /// One environment's timeline; an unreachable environment or a fleet has none, with why.
    func timeline(of status: EnvironmentStatus) -> EstateReport.Timeline {
        guard status.isReachable else {
            return EstateReport.Timeline(environment: status.name, records: [], total: 0, error: "unreachable: " + (status.error ?? ""))
        }
        let reader = AuditReader(workspace: workspace)
        if status.targets != nil { return fleetTimeline(of: status.name, reader: reader) }
        do {
            let environment = try workspace.project.environment(status.name)
            let records = try reader.records(of: environment)
            var timeline = EstateReport.Timeline(environment: status.name, records: Array(records.prefix(Self.timelineLimit)), total: records.count)
            do {
                timeline.verification = try reader.verify(environment)
            } catch {
                timeline.verificationError = (error as? any GodwitError)?.message ?? "\(error)"
            }
            return timeline
        } catch {
            return EstateReport.Timeline(environment: status.name, records: [], total: 0, error: (error as? any GodwitError)?.message ?? "\(error)")
        }
    }

    /// A fleet's timeline: the records of every target, newest first, each marked with its target,
    /// and its targets' chains verified, a problem led by its target. A target that cannot be read
    /// is a verification error naming it.
    func fleetTimeline(of name: String, reader: AuditReader) -> EstateReport.Timeline {
        do {
            let environment = try workspace.project.environment(name)
            let fleetReads = FleetReads(workspace: workspace)
            let reads = try fleetReads.each(environment) { member in
                (try reader.records(of: member.environment), try reader.verify(member.environment))
            }
            let records = FleetReads.records(reads.map { FleetReads.Read(target: $0.target, value: $0.value.map(\.0)) }, limit: nil)
            var timeline = EstateReport.Timeline(environment: name, records: Array(records.prefix(Self.timelineLimit)), total: records.count)
            var verification = AuditVerification(environment: name, records: 0, logPath: nil, problems: [])
            var unreadable: [String] = []
            for read in reads {
                guard case .success(let (_, checked)) = read.value else {
                    unreadable.append("\(read.target): \(read.error ?? "")")
                    continue
                }
                verification.records += checked.records
                verification.problems += checked.problems.map { problem in
                    var problem = problem
                    problem.message = "target '\(read.target)': " + problem.message
                    return problem
                }
            }
            timeline.verification = verification
            if !unreadable.isEmpty { timeline.verificationError = "cannot be read: " + unreadable.joined(separator: "; ") }
            return timeline
        } catch {
            return EstateReport.Timeline(environment: name, records: [], total: 0, error: (error as? any GodwitError)?.message ?? "\(error)")
        }
    }
}
