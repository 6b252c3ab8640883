"""The report of ``twolayer verify``: a terminal table, report.md and results.json."""
import json
import math
import os
import sys

from twolayer.claims import registry
from twolayer.claims.paper_map import PAPER_MAP, SCOPES, item_counts, paper_items, paper_map, scope_counts
from twolayer.claims.result import config_label
from twolayer.claims.separation import separation_answer
from twolayer.figures import FIGURES, study_figures
from twolayer.tables import frequency_markdown


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


def markdown(results, figures=None, seconds=None):
    """report.md: the summary table, then one section per claim (statement, counts, figures, evidence).

    ``figures`` maps a claim id to [(file name relative to the report, caption)] already drawn; ``seconds`` a claim
    id to the seconds its jobs took (a column of the summary table).
    FAIL and INCONCLUSIVE results show their evidence in full; passing ones inside a collapsed block.
    """

    figures = figures or {}
    out = ["# twolayer-recovery: verification report", "",
           "Claims as stated in [docs/theory.md](../docs/theory.md); sources: Zhang, Zhang, Luo, arXiv:2309.00508, "
           "and the papers cited there.", "", f"Summary: {summary(results)}.", "",
           _claim_counts(results, seconds)]
    for c in registry.CLAIMS:
        mine = [r for r in results if r.claim == c.id]
        if not mine:
            continue
        out += ["", f"## {c.id}: {c.title}", "", f"{c.statement} ([{c.section}](../docs/theory.md))", "",
                f"Results: {summary(mine)}.", ""]
        if c.id in OVERVIEWS:
            out += [OVERVIEWS[c.id](mine), ""]
        for name, caption in figures.get(c.id, []):
            out += [f"![{c.id}: {caption}]({name})", "", f"*{caption}*", ""]
        out.append(results_markdown(mine))
        failing = [r for r in mine if r.verdict != "PASS"]
        for r in failing:
            out += ["", f"### {r.verdict}: {config_label(r.config)}", "", evidence_markdown(r)]
            if r.notes:
                out += ["", r.notes]
            if r.table:   # the one kind of table a claim reports today: C5's second-order frequencies
                out += ["", frequency_markdown(r.table)]
        passing = [r for r in mine if r.verdict == "PASS"]
        if passing:
            out += ["", f"<details><summary>Evidence of the {len(passing)} passing results</summary>", ""]
            for r in passing:
                out += [f"**{config_label(r.config)}**", "", evidence_markdown(r), ""]
            out.append("</details>")
    return "\n".join(out) + "\n"


def _claim_counts(results, seconds=None):
    claims = sorted({r.claim for r in results}, key=lambda cid: int(cid[1:]))
    timed = bool(seconds)
    lines = ["| claim | PASS | FAIL | INCONCLUSIVE |" + (" seconds |" if timed else ""),
             "|---|---|---|---|" + ("---|" if timed else "")]
    for cid in claims:
        mine = [r.verdict for r in results if r.claim == cid]
        lines.append(f"| {cid} | {mine.count('PASS')} | {mine.count('FAIL')} | {mine.count('INCONCLUSIVE')} |"
                     + (f" {seconds.get(cid, 0):.1f} |" if timed else ""))
    return "\n".join(lines)


def show(value):
    """A check's number, list or dict as compact text."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return "-" if value is None or value == "" else str(value)


def cell(text):
    """Text for one cell of a Markdown table: a literal | (as in |grad R|) escaped, or it would end the cell.

    >>> cell("log |grad R|")
    'log \\\\|grad R\\\\|'
    """
    return str(text).replace("|", "\\|")


def evidence_markdown(result):
    """The evidence of one result as a Markdown table (used by the report and the notebooks)."""
    lines = ["| check | value | reference | tolerance | kind | passed | detail |", "|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell(x) for x in (c.name, show(c.value), show(c.reference), show(c.tolerance), c.kind,
                                                   c.passed, c.detail)) + " |" for c in result.evidence]
    return "\n".join(lines)


def paper_map_markdown(results) -> str:
    """C8's map of checked statements (:func:`twolayer.claims.paper_map.paper_map`) as a Markdown table."""
    counts = scope_counts()
    lines = [f"{len(PAPER_MAP)} rows: " + ", ".join(f"{counts[kind]} {kind}" for kind in SCOPES) +
             " (the scope column says which case, or why).", "",
             "| statement | what it says | how the suite checks it | scope | verdict | evidence |",
             "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell(x) for x in entry) + " |" for entry in paper_map(results)]
    return "\n".join(lines)


def paper_items_markdown(results) -> str:
    """Every item of :func:`twolayer.claims.paper_map.paper_items` as a Markdown table, with the counts first."""
    rows = paper_items(results)
    n = item_counts()
    lines = [f"{n['numbered']} numbered items and {n['examples']} rows for the unnumbered examples; {n['checked']} "
             f"checked here, {n['other claim']} by another claim, {n['definitions']} definitions, "
             f"{n['not checked']} not checked (with the reason).", "",
             "| item | what it says | how it stands | verdict |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(cell(x) for x in entry) + " |" for entry in rows]
    return "\n".join(lines)


def paper_overview_markdown(results) -> str:
    """C8's overview in the report: the map of checked statements, then every numbered item of the paper."""
    return paper_map_markdown(results) + "\n\nEvery numbered item of the paper:\n\n" + paper_items_markdown(results)


#: a claim's overview above its results table in the report, by claim id
OVERVIEWS = {"C8": paper_overview_markdown}


def results_markdown(results):
    """One row per result: claim, verdict, configuration (used by the notebooks)."""
    lines = ["| claim | verdict | configuration |", "|---|---|---|"]
    return "\n".join(lines + [f"| {r.claim} | {r.verdict} | {config_label(r.config)} |" for r in results])


def json_text(data, **kwargs):
    """JSON text with every non-finite float written as null (bare NaN / Infinity are not JSON).

    >>> json_text({"radius": float("inf"), "n": [1, float("nan")]})
    '{"radius": null, "n": [1, null]}'
    """
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value
    return json.dumps(clean(data), allow_nan=False, **kwargs)


def write(results, directory, note=None, seconds=None):
    """DIR/report.md with its figures in DIR/figures/*.png, and DIR/results.json (``note``: e.g. incomplete;
    ``seconds``: per claim, shown in the summary table and stored as ``seconds``)."""

    os.makedirs(os.path.join(directory, "figures"), exist_ok=True)
    drawn = {}
    for claim_id, figures in FIGURES.items():
        for name, draw, caption in figures:
            if draw(results, os.path.join(directory, "figures", name)):
                drawn.setdefault(claim_id, []).append((f"figures/{name}", caption))
    with open(os.path.join(directory, "report.md"), "w") as fh:
        if note:
            fh.write(f"> **{note}**\n\n")
        fh.write(markdown(results, drawn, seconds))
    with open(os.path.join(directory, "results.json"), "w") as fh:
        fh.write(json_text(results_json(results, note, seconds), indent=1))


def results_json(results, note=None, seconds=None):
    data = {"results": [r.to_json() for r in results]}
    if note:
        data["incomplete"] = note
    if seconds:
        data["seconds"] = {cid: round(t, 2) for cid, t in seconds.items()}
    return data


#: seconds one job of each claim takes in ``make verify`` (measured 2026-12-03, one core busy): the weights of the
#: progress bar, so that C5 and C7 (a few jobs, most of the time) move it as much as they take
EXPECTED_SECONDS = {"C1": 1.6, "C2": 0.3, "C3": 0.7, "C4": 0.25, "C5": 12.0, "C6": 3.8, "C7": 25.0, "C8": 4.3}


class Progress:
    """Progress of a verify run on ``stream`` (stderr). On a terminal: one bar, weighted by each job's expected
    seconds. Elsewhere (CI, a pipe, a log file): one line per claim when its last job is done, with its counts and
    seconds, so a long run is never silent.

    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(["C1", "C1", "C4"], out)
    >>> p.finished("C1", "PASS", 0.5); p.finished("C1", "FAIL", 0.25); p.finished("C4", "PASS", 2.0)
    >>> print(out.getvalue().strip())
    C1: 2 jobs, 1 PASS, 1 FAIL, 0 INCONCLUSIVE in 0.8 s
    C4: 1 job, 1 PASS, 0 FAIL, 0 INCONCLUSIVE in 2.0 s
    """

    def __init__(self, claims, stream=sys.stderr):
        self.claims, self.stream = list(claims), stream
        self.active = hasattr(stream, "isatty") and stream.isatty()
        self.total = sum(EXPECTED_SECONDS.get(c, 1.0) for c in self.claims) or 1.0
        self.done, self.index, self.verdicts, self.seconds = 0.0, 0, {}, {}

    def start(self, label):
        """Show the job about to run (terminal only)."""
        if self.active:
            filled = int(30 * self.done / self.total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.index + 1}/{len(self.claims)} "
                              f"{label[:40]:<40}")
            self.stream.flush()

    def finished(self, claim, verdict, seconds):
        """Record one job; off a terminal, print the claim's line after its last job."""
        self.done += EXPECTED_SECONDS.get(claim, 1.0)
        self.index += 1
        self.verdicts.setdefault(claim, []).append(verdict)
        self.seconds[claim] = self.seconds.get(claim, 0.0) + seconds
        last = self.index == len(self.claims) or self.claims[self.index] != claim
        if last and not self.active:
            mine = self.verdicts[claim]
            counts = ", ".join(f"{mine.count(v)} {v}" for v in ("PASS", "FAIL", "INCONCLUSIVE"))
            jobs = f"{len(mine)} job" + ("s" if len(mine) > 1 else "")
            self.stream.write(f"{claim}: {jobs}, {counts} in {self.seconds[claim]:.1f} s\n")
            self.stream.flush()

    def close(self):
        if self.active:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()


def study_markdown(study, figures=None):
    """The study of one configuration as markdown (``twolayer study``; the report's study.md)."""
    lines = [f"# Study: {study['activation']}, target {study['target']}, width {study['width']}"
             + (" (with bias)" if study["bias"] else ""), "",
             f"{study['parameters']} parameters; Q* has {study['branches']} branches in {study['types']} types "
             f"(listed below: {study['listed']}). Optimistic sample size (smallest generic rank): "
             f"{show(study['optimistic_sample_size'])}.", ""]
    if study["listed"] == "types":
        lines += ["Per codimension (a type stands for the branches that differ only in how the extra split neurons "
                  "are shared among the target neurons):", "",
                  "| codim | branches | types | non-degenerate branches | generic ranks | example |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r['codim']} | {r['branches']} | {r['types']} | {r['non_degenerate']} | "
                  f"{', '.join(map(str, r['ranks']))} | {r['example']} |" for r in study["by_codimension"]]
    else:
        lines += ["| branch | dim | codim | generic rank | degenerate |", "|---|---|---|---|---|"]
        lines += [f"| {r['label']} | {r['dim']} | {r['codim']} | {r['rank']} | {r['degenerate']} |"
                  for r in study["table"]]
    for name, caption in (figures or []):
        lines += ["", f"![{caption}]({name})", "", f"*{caption}*"]
    lines += ["", "## Answer", ""] + [
        f"- **{b['label']}** ({'degenerate' if b['degenerate'] else 'non-degenerate'}, codim {b['codim']}): "
        + separation_answer(b["separation"]) for b in study["studied"]]
    degenerate = [b["label"] for b in study["studied"] if b["degenerate"]]
    if degenerate:
        lines += ["", f"On the degenerate branches ({', '.join(degenerate)}) the model rank is below the codimension, "
                  "so no radius is certified; between rank and codimension nothing is stated (docs/theory.md §6)."]
    lines += ["", "## Studied branches", "",
              "Certified rank: C4's bounds at the branch's exact point. Separation: C5's sweep at sample sizes around "
              "n = codim (certified radius by the one-box lemma, exclusion radius by branch and bound, both rounded "
              "down; nearest non-generalizing minimum found by the search). Rate: the local rate 2 lambda of "
              "gradient flow predicted at n = codim (C6), lambda the smallest positive eigenvalue of J^T J / n.", ""]
    for b in study["studied"]:
        rank = b["certified_rank"]
        lines += [f"### {b['label']}" + (f" ({b['count']} branches of this type)" if b["kind"] == "type" else ""), "",
                  f"dim {b['dim']}, codim {b['codim']}, generic rank {b['generic_rank']}, "
                  f"{'degenerate' if b['degenerate'] else 'non-degenerate'}; certified model rank at the point: "
                  + (str(rank["certified"]) if rank["certified"] is not None else
                     f"{rank['lower']} .. {rank['upper']}") + "; predicted rate 2 lambda at n = codim: "
                  + ("none (degenerate: the flow is not predicted to converge exponentially)" if b["degenerate"] else
                     show(b["rate_at_codim"])) + f"; C5 on this sweep: {b['separation_verdict']}; {b['seconds']} s.",
                  "",
                  "| n | rank J_n | separated | certified radius | exclusion radius | nearest found | certified upper "
                  "| why |", "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {r['n']} | {show(r['rank'])} | {show(r['separated'])} | {show(r['certified_radius'])} | "
                  f"{show(r['exclusion_radius'])} | {show(r['nearest_found'])} | {show(r['certified_upper'])} | "
                  f"{r['why']} |" for r in b["separation"]]
        lines.append("")
    return "\n".join(lines)


def write_study(study, directory):
    """DIR/study.md with its figures in DIR/figures/, and DIR/study.json."""
    os.makedirs(os.path.join(directory, "figures"), exist_ok=True)
    drawn = study_figures(study, os.path.join(directory, "figures"))
    with open(os.path.join(directory, "study.md"), "w") as fh:
        fh.write(study_markdown(study, [(f"figures/{name}", caption) for name, caption in drawn]))
    with open(os.path.join(directory, "study.json"), "w") as fh:
        fh.write(json_text(study, indent=1, default=str))
