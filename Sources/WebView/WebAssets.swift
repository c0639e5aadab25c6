/// The web view's HTML, CSS and JavaScript, served by barnnd itself: no CDN, no font or image from elsewhere.
///
/// The script builds every element with `textContent` and `setAttribute`, never from HTML text, because stream
/// names come from MQTT topics; links carry names through `encodeURIComponent`. Fan charts arrive as SVG drawn
/// by the server (``WebAPI/chart(_:)``, the same as `barnnd plot`) and are parsed as XML, not HTML.
public enum WebAssets {
    /// The one page both views share; the script picks the view from the path. `refreshMs` is the polling period.
    public static func page(refreshMs: Int) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>barnnd</title>
        <link rel="stylesheet" href="/assets/barnnd.css">
        <script src="/assets/barnnd.js" defer></script>
        </head>
        <body data-refresh-ms="\(refreshMs)" data-updates="0">
        <header>
        <a class="brand" href="/">barnnd</a>
        <span id="live" class="live" title="the page asks barnnd for new data every \(refreshMs) ms">live</span>
        <span id="updated" class="muted"></span>
        </header>
        <div id="error" class="error" hidden></div>
        <main id="app"><p class="muted">loading…</p></main>
        <noscript>This page needs JavaScript; the same data is at /api/streams.</noscript>
        </body>
        </html>

        """
    }

    /// The style sheet.
    public static let style = """
        :root { --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3; --bg: #f6f7f9; --blue: #1f5fa8;
          --orange: #d9700f; --red: #b3261e; --green: #1e7b34; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--fg);
          background: var(--bg); }
        header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #fff;
          border-bottom: 1px solid var(--line); }
        .brand { font-weight: bold; font-size: 18px; color: var(--fg); text-decoration: none; }
        .live { color: var(--green); font-size: 12px; }
        .live::before { content: "● "; }
        .live.stale { color: var(--red); }
        main { padding: 16px 20px; max-width: 1240px; }
        h1 { font-size: 18px; margin: 0 0 12px; word-break: break-all; }
        h2 { font-size: 15px; margin: 20px 0 8px; }
        .muted { color: var(--muted); }
        .error { margin: 12px 20px 0; padding: 8px 12px; background: #fdecea; color: var(--red);
          border: 1px solid #f5c2bd; }
        .toolbar { display: flex; gap: 12px; align-items: center; margin-bottom: 10px; }
        input[type=search] { width: 320px; padding: 5px 8px; border: 1px solid var(--line); font: inherit; }
        table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); width: 100%; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        th { background: #eef1f4; font-weight: 600; font-size: 12px; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.detail { white-space: normal; word-break: break-all; font-family: monospace; font-size: 12px; }
        a { color: var(--blue); }
        .badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; }
        .badge.ok { background: #e3f3e6; color: var(--green); }
        .badge.alarm { background: #fdecea; color: var(--red); font-weight: bold; }
        .badge.none { color: var(--muted); }
        .stats { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 12px; }
        .stat { background: #fff; border: 1px solid var(--line); padding: 6px 12px; min-width: 120px; }
        .stat .label { display: block; font-size: 11px; color: var(--muted); text-transform: uppercase; }
        .chart { background: #fff; border: 1px solid var(--line); padding: 6px; }
        .chart svg { display: block; width: 100%; max-width: 1000px; height: auto; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }

        """

    /// The script: routing by path, polling, rendering.
    public static let script = #"""
        "use strict";
        (function () {
          const body = document.body;
          const refreshMs = Number(body.dataset.refreshMs) || 2000;
          const app = document.getElementById("app");
          let updates = 0;
          let lastKey = null;
          let failures = 0;

          // Builds an element; strings become text nodes, so untrusted names are never parsed as HTML.
          function el(tag, attributes, ...children) {
            const node = document.createElement(tag);
            for (const [name, value] of Object.entries(attributes || {})) {
              if (value !== null && value !== undefined) node.setAttribute(name, String(value));
            }
            for (const child of children) {
              if (child === null || child === undefined) continue;
              node.append(child instanceof Node ? child : String(child));
            }
            return node;
          }

          async function fetchText(url) {
            const response = await fetch(url, { cache: "no-store" });
            const text = await response.text();
            if (!response.ok) {
              let message = text;
              try { message = JSON.parse(text).error; } catch (_) {}
              throw new Error(message || ("HTTP " + response.status));
            }
            return text;
          }
          const fetchJSON = async (url) => JSON.parse(await fetchText(url));

          const streamURL = (name) => "/stream?name=" + encodeURIComponent(name);
          const shortTime = (iso) => iso ? iso.replace("T", " ").replace(/(:\d\d)(\.\d+)?Z$/, "$1") : "-";
          function number(value, digits) {
            if (value === null || value === undefined) return "-";
            return Number(value).toFixed(digits === undefined ? 3 : digits);
          }
          // The coverage closest to the nominal 90%, as the CLI's table shows it.
          function headlineCoverage(window) {
            if (!window || !window.coverage) return "-";
            let best = null;
            for (const [level, value] of Object.entries(window.coverage)) {
              if (best === null || Math.abs(Number(level) - 0.9) < Math.abs(Number(best[0]) - 0.9)) {
                best = [level, value];
              }
            }
            return best ? Math.round(Number(best[0]) * 100) + "%: " + number(best[1], 2) : "-";
          }
          function driftBadge(state) {
            const kind = state === "alarm" ? "alarm" : state === "ok" ? "ok" : "none";
            return el("span", { class: "badge " + kind, "data-drift": state }, state);
          }
          function model(row) {
            if (!row.model) return "-";
            return row.model_version === null ? row.model : row.model + " v" + row.model_version;
          }
          function table(id, headers, rows) {
            const head = el("tr", {}, ...headers.map(([label, numeric]) =>
              el("th", numeric ? { class: "num" } : {}, label)));
            return el("table", { id }, el("thead", {}, head), el("tbody", {}, ...rows));
          }

          function showError(error) {
            const box = document.getElementById("error");
            if (error) {
              box.textContent = String(error.message || error);
              box.hidden = false;
            } else {
              box.hidden = true;
            }
          }

          // Marks that new data was drawn: a counter and a time that tests and people can watch.
          function drawn() {
            updates += 1;
            body.dataset.updates = String(updates);
            document.getElementById("updated").textContent = "updated " + new Date().toISOString().slice(11, 19);
          }

          // ---- The streams view: search, last seen, model, coverage, CRPS, drift.
          function applySearch() {
            const needle = (document.getElementById("search").value || "").toLowerCase();
            let shown = 0;
            for (const row of document.querySelectorAll("#streams tbody tr")) {
              const match = row.dataset.stream.toLowerCase().includes(needle);
              row.hidden = !match;
              if (match) shown += 1;
            }
            document.getElementById("count").textContent = shown + " of " +
              document.querySelectorAll("#streams tbody tr").length + " streams";
          }

          async function refreshStreams() {
            const text = await fetchText("/api/streams");
            if (text === lastKey) return;
            lastKey = text;
            const streams = JSON.parse(text).streams;
            let search = document.getElementById("search");
            if (!search) {
              search = el("input", { id: "search", type: "search", placeholder: "search streams", autofocus: "" });
              search.addEventListener("input", applySearch);
              app.replaceChildren(el("div", { class: "toolbar" }, search, el("span", { id: "count", class: "muted" })),
                el("div", { id: "streams-table" }));
              const initial = new URLSearchParams(location.search).get("q");
              if (initial) search.value = initial;
            }
            const rows = streams.map((row) => el("tr", { class: "stream-row", "data-stream": row.stream },
              el("td", {}, el("a", { href: streamURL(row.stream) }, row.stream)),
              el("td", {}, shortTime(row.last_seen)),
              el("td", { class: "num" }, row.observations),
              el("td", {}, model(row)),
              el("td", { class: "num" }, headlineCoverage(row.window)),
              el("td", { class: "num" }, row.window ? number(row.window.crps) : "-"),
              el("td", {}, driftBadge(row.drift))));
            const headers = [["stream"], ["last seen (UTC)"], ["observations", true], ["model"],
              ["coverage", true], ["CRPS", true], ["drift"]];
            document.getElementById("streams-table").replaceChildren(
              streams.length ? table("streams", headers, rows) : el("p", { class: "muted" }, "no streams stored yet"));
            if (streams.length) applySearch();
            drawn();
          }

          // ---- The stream view: headline numbers, the fan chart, the latest horizon, events, checkpoints.
          async function refreshStream(name) {
            const all = (await fetchJSON("/api/streams")).streams;
            const row = all.find((candidate) => candidate.stream === name);
            if (!row) throw new Error("unknown stream " + name);
            const key = JSON.stringify(row);
            if (key === lastKey) return;
            const q = "stream=" + encodeURIComponent(name);
            const [svgText, forecast, events, checkpoints] = await Promise.all([
              fetchText("/api/chart.svg?" + q),
              fetchJSON("/api/forecast?" + q),
              fetchJSON("/api/events?since=1970-01-01&limit=50&" + q +
                (row.model ? "&model=" + encodeURIComponent(row.model) : "")),
              row.model ? fetchJSON("/api/checkpoints?model=" + encodeURIComponent(row.model))
                .catch(() => ({ checkpoints: [] })) : Promise.resolve({ checkpoints: [] }),
            ]);
            lastKey = key;
            document.title = name + " · barnnd";

            const stat = (label, value, id) => el("div", { class: "stat" }, el("span", { class: "label" }, label),
              el("span", { id }, value));
            const stats = el("div", { class: "stats" },
              stat("last seen (UTC)", shortTime(row.last_seen), "last-seen"),
              stat("observations", row.observations, "observations"),
              stat("model", model(row), "model"),
              stat("coverage", headlineCoverage(row.window), "coverage"),
              stat("CRPS", row.window ? number(row.window.crps) : "-", "crps"),
              el("div", { class: "stat" }, el("span", { class: "label" }, "drift"), driftBadge(row.drift)));

            const chart = el("div", { id: "chart", class: "chart" });
            const parsed = new DOMParser().parseFromString(svgText, "image/svg+xml");
            if (parsed.getElementsByTagName("parsererror").length === 0) {
              chart.append(document.importNode(parsed.documentElement, true));
            } else {
              chart.append(el("p", { class: "muted" }, "the chart could not be drawn"));
            }

            let horizon;
            if (forecast.latest) {
              const levels = forecast.latest.levels.map(String);
              const low = levels.includes("0.05") ? "0.05" : levels[0];
              const high = levels.includes("0.95") ? "0.95" : levels[levels.length - 1];
              horizon = table("horizon",
                [["step", true], ["time (UTC)"], ["median", true], ["low " + low, true], ["high " + high, true]],
                forecast.latest.points.map((point) => el("tr", {},
                  el("td", { class: "num" }, point.step), el("td", {}, shortTime(point.t)),
                  el("td", { class: "num" }, number(point.median === null ? point.mean : point.median)),
                  el("td", { class: "num" }, number(point.quantiles[low])),
                  el("td", { class: "num" }, number(point.quantiles[high])))));
              horizon = el("div", {}, el("p", { class: "muted" }, "issued " + shortTime(forecast.latest.issued_at)),
                horizon);
            } else {
              horizon = el("p", { class: "muted" }, "no forecast issued yet");
            }

            const eventRows = events.events.map((event) => el("tr", { class: "event-row" },
              el("td", {}, shortTime(event.time)), el("td", {}, event.kind), el("td", {}, event.model || "-"),
              el("td", { class: "detail" }, event.detail)));
            const checkpointRows = checkpoints.checkpoints.map((info) => el("tr", { class: "checkpoint-row" },
              el("td", {}, info.model), el("td", { class: "num" }, info.version), el("td", {}, info.kind),
              el("td", {}, shortTime(info.created_at)), el("td", {}, info.active ? "active" : ""),
              el("td", { class: "detail" }, info.validation_metrics)));

            app.replaceChildren(
              el("p", {}, el("a", { href: "/" }, "← all streams")),
              el("h1", { id: "stream-name" }, name),
              stats,
              chart,
              el("div", { class: "columns" },
                el("section", {}, el("h2", {}, "Latest forecast"), horizon),
                el("section", {}, el("h2", {}, "Checkpoints of " + (row.model || "its model")),
                  checkpointRows.length ? table("checkpoints", [["model"], ["version", true], ["kind"],
                    ["created (UTC)"], ["active"], ["validation"]], checkpointRows)
                    : el("p", { class: "muted" }, "no checkpoints yet"))),
              el("h2", {}, "Events"),
              eventRows.length ? table("events", [["time (UTC)"], ["kind"], ["model"], ["detail"]], eventRows)
                : el("p", { class: "muted" }, "no events yet"));
            drawn();
          }

          async function tick() {
            const name = location.pathname === "/stream" ? new URLSearchParams(location.search).get("name") : null;
            try {
              if (name !== null) await refreshStream(name); else await refreshStreams();
              failures = 0;
              showError(null);
              document.getElementById("live").classList.remove("stale");
            } catch (error) {
              failures += 1;
              showError(error);
              document.getElementById("live").classList.add("stale");
            }
            // Back off while barnnd does not answer, up to ten periods.
            setTimeout(tick, refreshMs * Math.min(10, 1 + failures));
          }
          tick();
        })();

        """#
}
