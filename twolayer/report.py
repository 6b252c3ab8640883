"""The report of ``twolayer verify``: a terminal table, report.md and results.json."""
import json
import os
import sys

from twolayer.claims.result import config_label


def table(results):
    """A plain-text table, one row per result."""
    rows = [("claim", "verdict", "configuration")]
    rows += [(r.claim, r.verdict, config_label(r.config)) for r in results]
    widths = [max(len(row[c]) for row in rows) for c in range(2)]
    lines = [f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}" for row in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(lines)


def summary(results):
    counts = {v: sum(r.verdict == v for r in results) for v in ("PASS", "FAIL", "INCONCLUSIVE")}
    return ", ".join(f"{n} {v}" for v, n in counts.items())


def markdown(results):
    out = ["# twolayer-recovery: verification report", "",
           "Claims as stated in docs/theory.md; sources: Zhang, Zhang, Luo, arXiv:2309.00508, "
           "and the papers cited there.",
           "", f"Summary: {summary(results)}.", "", results_markdown(results)]
    for r in results:
        out += ["", f"## {r.claim} ({r.verdict}): {r.title}", "", f"Configuration: {config_label(r.config)}", "",
                evidence_markdown(r)]
        if r.notes:
            out += ["", r.notes]
    return "\n".join(out) + "\n"


def show(value):
    """A check's number, list or dict as compact text."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return "-" if value is None or value == "" else str(value)


def evidence_markdown(result):
    """The evidence of one result as a Markdown table (used by the report and the notebooks)."""
    lines = ["| check | value | reference | tolerance | kind | passed | detail |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {c.name} | {show(c.value)} | {show(c.reference)} | {show(c.tolerance)} | {c.kind} | {c.passed} | "
              f"{c.detail} |" for c in result.evidence]
    return "\n".join(lines)


def results_markdown(results):
    """One row per result: claim, verdict, configuration (used by the notebooks)."""
    lines = ["| claim | verdict | configuration |", "|---|---|---|"]
    return "\n".join(lines + [f"| {r.claim} | {r.verdict} | {config_label(r.config)} |" for r in results])


def write(results, directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "report.md"), "w") as fh:
        fh.write(markdown(results))
    with open(os.path.join(directory, "results.json"), "w") as fh:
        json.dump(results_json(results), fh, indent=1)


def results_json(results):
    return {"results": [r.to_json() for r in results]}


class Progress:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.active = hasattr(stream, "isatty") and stream.isatty()

    def step(self, label):
        self.done += 1
        if self.active:
            filled = int(30 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {label[:40]:<40}")
            self.stream.flush()

    def close(self):
        if self.active:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()
