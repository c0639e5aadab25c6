import ArgumentParser

/// `--since` and `--until` of the commands that show a stream's history over a time window (`history`, `plot`).
struct WindowOptions: ParsableArguments {
    @Option(
        help: """
            Start of the window (ISO-8601, today, yesterday, -2h…). Without --since and --until: the 24 hours up to \
            the stream's newest data.
            """)
    var since: String?

    @Option(help: "End of the window (default: now when --since is given).")
    var until: String?
}
