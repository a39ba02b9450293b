import GodwitCore

/// The HTML page of `report`: one self-contained file, readable with no script and no network —
/// inline CSS, the graph inline as SVG (or as an HTML list without Graphviz), every piece of user
/// text (messages, reasons, actors, errors) escaped, and no external URL at all.
public struct ReportPage: Sendable {
    /// What the page shows.
    public var report: EstateReport

    /// Creates a page.
    public init(_ report: EstateReport) {
        self.report = report
    }

    /// The whole page.
    public var html: String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        // The page forbids itself every script and every load: nothing runs, nothing is fetched.
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(Self.contentSecurityPolicy)\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>Godwit report: \(escape(report.project))</title>\n<style>\n\(Self.style)</style>\n</head>\n<body>\n"
        out += "<header>\n<h1>Godwit report <span class=\"project\">\(escape(report.project))</span></h1>\n"
        let heads = report.heads.map { "<code>\(escape(GraphPicture.short($0)))</code>" }.joined(separator: ", ")
        out += "<p class=\"meta\">Read \(escape(report.generatedAt)) · \(report.revisionCount) revision\(report.revisionCount == 1 ? "" : "s") · "
        out += "head\(report.heads.count == 1 ? "" : "s") \(heads.isEmpty ? "none" : heads)</p>\n</header>\n<main>\n"
        out += environments + graph + timelines
        return out + "</main>\n</body>\n</html>\n"
    }

    /// The environments side by side, one card each.
    var environments: String {
        var out = "<section id=\"environments\">\n<h2>Environments</h2>\n<div class=\"cards\">\n"
        for status in report.environments {
            out += "<article class=\"card\">\n<h3>\(escape(status.name))"
            if status.isProtected { out += " <span class=\"tag\">protected</span>" }
            if status.targets != nil { out += " <span class=\"tag\">fleet</span>" }
            out += "</h3>\n"
            let (state, kind) = Self.state(of: status)
            out += "<p class=\"state \(kind)\">\(escape(state))</p>\n<dl>\n"
            guard status.isReachable else {
                out += row("Error", escape(status.error ?? "unreachable"))
                out += "</dl>\n</article>\n"
                continue
            }
            if status.targets != nil {
                let counts = status.targetHeadCounts.map { "<code>\(escape($0.heads))</code> (\($0.count))" }
                out += row("Heads", counts.isEmpty ? "none" : counts.joined(separator: "<br>"))
            } else {
                out += row("Heads", status.heads.isEmpty ? "base" : ids(status.heads))
            }
            out += row("Pending", status.pending.isEmpty ? "none" : "\(status.pending.count): " + ids(status.pending.prefix(8)) + (status.pending.count > 8 ? " …" : ""))
            out += row("Failed", status.failed.isEmpty ? "none" : ids(status.failed))
            if !status.checksumMismatches.isEmpty { out += row("Changed files", ids(status.checksumMismatches)) }
            if status.targets == nil {
                out += row("Lock", escape(status.lockHolder ?? "free"))
                out += row("Last change", status.lastAudit.map(Self.lastChange) ?? "none")
            }
            if let url = status.url { out += row("URL", "<code>\(escape(url))</code>") }
            out += "</dl>\n</article>\n"
        }
        return out + "</div>\n</section>\n"
    }

    /// The graph: Graphviz's SVG inline, or the HTML list drawing.
    var graph: String {
        var out = "<section id=\"graph\">\n<h2>Revision graph</h2>\n"
        if let svg = report.svg {
            out += "<div class=\"svg\">\n\(Self.inline(svg))</div>\n"
        } else {
            out += "<p class=\"note\">The graph as a list, newest first: a drawing needs Graphviz's dot, and at most \(ReportReader.svgNodeLimit) nodes.</p>\n" + list
        }
        return out + "</section>\n"
    }

    /// The graph as a list, newest first, with each node's parents and the environments at it.
    var list: String {
        var out = "<ol class=\"graph\">\n"
        let parents = Dictionary(grouping: report.picture.edges, by: \.from)
        for node in report.picture.nodes {
            let at = report.picture.markers.filter { marker in marker.heads.contains { $0.revision == node.id } }
            switch node {
            case .revision(let revision):
                out += "<li\(revision.isShaded ? " class=\"pending\"" : "")><code>\(escape(GraphPicture.short(revision.id)))</code> "
                out += escape(revision.message)
                for label in revision.branchLabels { out += " <span class=\"tag\">\(escape(label))</span>" }
                let lines = GraphPicture.lines(of: revision)
                if lines.count > 2, let roles = lines.last { out += " <span class=\"role\">\(escape(roles))</span>" }
            case .run(let run):
                out += "<li class=\"run\(run.isShaded ? " pending" : "")\">\(escape(GraphPicture.label(of: run)))"
            }
            for marker in at { out += " <span class=\"env\">\(escape(marker.name))</span>" }
            let down = (parents[node.id] ?? []).map { GraphPicture.short($0.to) }
            if !down.isEmpty { out += " <span class=\"parents\">← \(escape(down.joined(separator: ", ")))</span>" }
            out += "</li>\n"
        }
        return out + "</ol>\n"
    }

    /// No script, no fetch: only the inline style and images inline as `data:`.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

    /// Each environment's audit timeline with its verification.
    var timelines: String {
        var out = "<section id=\"audit\">\n<h2>Audit</h2>\n"
        for timeline in report.timelines {
            out += "<article class=\"timeline\">\n<h3>\(escape(timeline.environment))</h3>\n"
            if let error = timeline.error {
                out += "<p class=\"note\">\(escape(error))</p>\n</article>\n"
                continue
            }
            if let verification = timeline.verification {
                if verification.isOK {
                    out += "<p class=\"state ok\">Audit chain verified: \(verification.records) record\(verification.records == 1 ? "" : "s")</p>\n"
                } else {
                    out += "<p class=\"state bad\">Audit chain: \(verification.problems.count) problem\(verification.problems.count == 1 ? "" : "s")</p>\n<ul class=\"problems\">\n"
                    for problem in verification.problems.prefix(20) { out += "<li>\(escape(problem.message))</li>\n" }
                    out += "</ul>\n"
                }
                for note in verification.notes { out += "<p class=\"note\">\(escape(note))</p>\n" }
            } else if let error = timeline.verificationError {
                out += "<p class=\"state warn\">Audit chain not verified: \(escape(error))</p>\n"
            }
            guard !timeline.records.isEmpty else {
                out += "<p class=\"note\">No audit records yet.</p>\n</article>\n"
                continue
            }
            if timeline.total > timeline.records.count {
                out += "<p class=\"note\">The newest \(timeline.records.count) of \(timeline.total) records.</p>\n"
            }
            out += "<div class=\"scroll\"><table>\n<thead><tr><th>#</th><th>When (UTC)</th><th>Who</th><th>What</th><th>Outcome</th><th>Reason</th><th>Commit</th></tr></thead>\n<tbody>\n"
            for record in timeline.records {
                let outcome = record.outcome ?? "running"
                let steps = record.steps.map { "\($0.direction.rawValue) <code>\(escape(GraphPicture.short($0.revision)))</code>" }
                var what = escape(record.operation) + (record.target.map { " <span class=\"steps\">on \(escape($0))</span>" } ?? "")
                if !steps.isEmpty { what += "<br><span class=\"steps\">" + steps.joined(separator: ", ") + "</span>" }
                if let error = record.error { what += "<br><span class=\"error\">\(escape(error))</span>" }
                out += "<tr><td>\(record.id)</td><td>\(escape(Self.when(record.startedAt)))</td><td>\(escape(record.actor))</td><td>\(what)</td>"
                out += "<td class=\"\(outcome == "succeeded" ? "ok" : outcome == "failed" ? "bad" : "warn")\">\(escape(outcome))</td>"
                out += "<td>\(escape(record.reason ?? ""))</td><td>\(record.gitCommit.map { "<code>\(escape(String($0.prefix(12))))</code>" } ?? "")</td></tr>\n"
            }
            out += "</tbody>\n</table></div>\n</article>\n"
        }
        return out + "</section>\n"
    }

    func row(_ term: String, _ html: String) -> String { "<dt>\(term)</dt><dd>\(html)</dd>\n" }

    func ids(_ list: some Sequence<String>) -> String {
        list.map { "<code>\(escape(GraphPicture.short($0)))</code>" }.joined(separator: ", ")
    }

    /// `status`'s state of an environment, and its CSS class.
    static func state(of status: EnvironmentStatus) -> (String, String) {
        guard status.isReachable else { return ("unreachable", "bad") }
        if let targets = status.targets {
            let counts = status.targetStateCounts.map { "\($0.count) \($0.state.rawValue)" }.joined(separator: ", ")
            let isUpToDate = targets.allSatisfy { TargetState($0) == .upToDate }
            return ("\(targets.count) targets: " + (counts.isEmpty ? "none" : counts), isUpToDate ? "ok" : "warn")
        }
        if !status.failed.isEmpty { return ("\(status.failed.count) failed", "bad") }
        if !status.checksumMismatches.isEmpty || !status.unknown.isEmpty {
            return ("\(status.checksumMismatches.count + status.unknown.count) mismatch", "warn")
        }
        return status.pending.isEmpty ? ("up to date", "ok") : ("\(status.pending.count) pending", "warn")
    }

    /// The last change of an environment as HTML: operation, outcome, who and when.
    static func lastChange(_ record: AuditRecord) -> String {
        var text = "\(record.operation) \(record.outcome ?? "running") by \(record.actor), \(when(record.finishedAt ?? record.startedAt))"
        if let reason = record.reason { text += " — " + reason }
        return escape(text)
    }

    /// `2026-11-25T20:12:19.392Z` as `2026-11-25 20:12:19`.
    static func when(_ timestamp: String) -> String {
        guard timestamp.count >= 19 else { return timestamp }
        return String(timestamp.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    /// Graphviz's SVG made fit to sit inside HTML: no XML prolog, doctype or comments, and no
    /// namespace URLs (an inline `<svg>` in HTML needs none).
    static func inline(_ svg: String) -> String {
        var text = svg
        if let start = text.range(of: "<svg") { text = String(text[start.lowerBound...]) }
        while let open = text.range(of: "<!--"), let close = text.range(of: "-->", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        for attribute in [" xmlns=\"http://www.w3.org/2000/svg\"", " xmlns:xlink=\"http://www.w3.org/1999/xlink\""] {
            text = text.replacingOccurrences(of: attribute, with: "")
        }
        return text
    }

    /// The page's style: system fonts, cards that wrap at phone width, tables that scroll, print-ready.
    static let style = """
        :root { color-scheme: light; --ink: #1f2933; --muted: #62707d; --line: #d9dee3; --ok: #166534; --warn: #92400e; --bad: #b91c1c; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f7f8fa; }
        header, main { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
        header { padding-top: 1.5rem; }
        h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
        h1 .project { color: var(--muted); font-weight: 400; }
        h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
        code { font: .85em/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        .meta, .note { color: var(--muted); margin: .25rem 0; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; }
        .card, .timeline { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem; break-inside: avoid; }
        .timeline { margin-bottom: 1rem; }
        .tag, .env { font-size: .75rem; border-radius: 4px; padding: 0 .35rem; background: #e5e7eb; color: var(--ink); font-weight: 500; }
        .env { background: #dbeafe; color: #1d4ed8; }
        .state { font-weight: 600; margin: 0 0 .5rem; }
        .ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .75rem; margin: 0; }
        dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
        .svg { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; overflow: auto; }
        .svg svg { max-width: 100%; height: auto; }
        ol.graph { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
        ol.graph li { position: relative; padding: .3rem .5rem .3rem 1.2rem; }
        ol.graph li::before { content: ""; position: absolute; left: -7px; top: .75rem; width: 12px; height: 12px; border-radius: 50%; background: #fff; border: 2px solid #555; }
        ol.graph li.run::before { border-style: dashed; }
        ol.graph li.pending { background: #fef3c7; }
        .role, .parents, .steps { color: var(--muted); font-size: .85em; }
        .error { color: var(--bad); font-size: .85em; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
        th { color: var(--muted); font-weight: 600; white-space: nowrap; }
        td:nth-child(2) { white-space: nowrap; }
        @media (max-width: 40rem) { body { font-size: 14px; } .cards { grid-template-columns: 1fr; } th, td { padding: .3rem; } }
        @media print { body { background: #fff; font-size: 11pt; } .card, .timeline, .svg { border-color: #999; } .scroll { overflow: visible; } tr { break-inside: avoid; } h2 { break-after: avoid; } }

        """
}

/// Text made safe inside HTML, in elements and in quoted attributes.
fileprivate func escape(_ text: String) -> String {
    text.escaped(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])
}
