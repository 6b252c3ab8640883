"""Figures of the verify report, drawn from the same results (and evidence) the table shows.

Each figure function takes the list of results and a PNG path, draws what it finds, and returns False when
the results hold nothing to draw (e.g. ``twolayer verify --claim C1``). C4 and C5 figures read only the
evidence, so they can be redrawn from ``results.json``; the C6 figure needs the trajectories, which exist
only in the run that computed them.
"""
import math
from dataclasses import asdict

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

RANK_CHECK = "certified model rank <= codim of the branch"
RADII_CHECK = "(b) every certified radius re-verified"
TRANSITION_CHECK = "(b) transition"
SHIFT = 1e3  # the predicted-rate guide is drawn this factor above the run's end, or it would hide under the curve


def _evidence(result):
    """Checks as dicts, from a Result or from its JSON form."""
    if isinstance(result, dict):
        return result["evidence"]
    return [asdict(c) for c in result.evidence]


def _claim(result):
    return result["claim"] if isinstance(result, dict) else result.claim


def _config(result):
    return result["config"] if isinstance(result, dict) else result.config


def _finish(fig, ax, path, xlabel, ylabel, title, legend):
    """Label the axes, add the legend (font size, location) and write the PNG."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=legend[0], loc=legend[1])
    _save(fig, path)
    return True


def _subplots(*grid, figsize, squeeze=True):
    """A figure that only writes files: matplotlib's Figure without pyplot, so that importing the report leaves a
    notebook's backend (and its inline figures) alone."""
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*grid, squeeze=squeeze)


def _save(fig, path):
    fig.savefig(path, dpi=90, bbox_inches="tight", metadata={"Software": None})


def rank_codim(results, path):
    """C4: certified model rank against the codimension of each branch (degenerate branches fall below)."""
    points = {}
    for r in results:
        if _claim(r) != "C4":
            continue
        for c in _evidence(r):
            if c["name"].endswith(RANK_CHECK):
                key = (int(c["reference"]), int(c["value"]))
                points[key] = points.get(key, 0) + 1
    if not points:
        return False
    fig, ax = _subplots(figsize=(4.8, 4.2))
    top = max(max(k) for k in points) + 1
    ax.plot([0, top], [0, top], color="0.6", lw=1, label="rank = codim (non-degenerate)")
    for (codim, rank), count in sorted(points.items()):
        ax.scatter([codim], [rank], s=30 + 12 * count, color="C0" if rank == codim else "C3", zorder=3)
        ax.annotate(str(count), (codim, rank), textcoords="offset points", xytext=(6, -10), fontsize=8)
    return _finish(fig, ax, path, "codimension of the branch of Q*", "certified model rank at its point",
                   "C4: rank vs codim (number = branches)", (8, "upper left"))


EXCLUSION_CHECK = "(f) exclusion radius r_n"


def separation(results, path):
    """C5: per swept branch, the certified radius rho_n (the lemma, one box) and the exclusion radius r_n (branch
    and bound, the headline number) against n, the codimension marked; the legend sits below the axes."""
    rows = []
    for r in results:
        if _claim(r) != "C5":
            continue
        checks = _evidence(r)
        radii = next((c for c in checks if c["name"].startswith(RADII_CHECK)), None)
        sizes = next((c for c in checks if c["name"].startswith(TRANSITION_CHECK)), None)
        excluded = next((c for c in checks if c["name"].startswith(EXCLUSION_CHECK)), None)
        if radii and sizes and radii["value"]:
            config = _config(r)
            label = f"{config.get('activation')} {config.get('target')} m={config.get('m')} {config.get('branch')}"
            exclusion = sorted((int(n), float(v)) for n, v in (excluded["value"] if excluded else {}).items())
            rows.append((label, config.get("codim"), [int(n) for n in sizes["value"]],
                         [float(v) for v in radii["value"]], exclusion))
    if not rows:
        return False
    fig, ax = _subplots(figsize=(6.4, 4.2))
    for index, (label, codim, ns, radii, exclusion) in enumerate(rows[:10]):
        line, = ax.semilogy(ns, radii, "o-", ms=4, lw=1, label=f"{label}: rho_n (lemma)")
        if exclusion:
            ax.semilogy(*zip(*exclusion), "^--", ms=4, lw=1, color=line.get_color(),
                        label=f"{label}: r_n (branch and bound)")
        if codim is not None:
            ax.axvline(codim + 0.04 * index, color=line.get_color(), lw=0.6, ls=":")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("sample size n (dotted: codim of the branch)")
    ax.set_ylabel("radius around the branch point (rounded down)")
    ax.set_title("C5: every global minimum within the radius generalizes", fontsize=10)
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    _save(fig, path)
    return True


def flow(results, path):
    """C6: R(t) of each run with the predicted local rate. Runs decaying exponentially are drawn against 2 lambda t,
    the time in units of the predicted rate, so runs of very different lengths share one axis and the prediction
    is the same line exp(-x) for all; algebraic (split-branch) runs on log-log axes with the t^-2 guide."""
    runs = [r for r in results if _claim(r) == "C6" and getattr(r, "run", None) is not None
            and len(r.run.record.times) > 3]
    if not runs:
        return False
    cases = sorted({_config(r).get("case", "run") for r in runs})
    fig, axes = _subplots(1, len(cases), figsize=(3.6 * len(cases), 3.9), squeeze=False)
    for ax, case in zip(axes[0], cases):
        scaled = False
        for index, r in enumerate(r for r in runs if _config(r).get("case", "run") == case):
            times = [float(t) for t in r.run.record.times]
            losses = [max(float(v), 1e-300) for v in r.run.record.losses]
            decay, rate = r.analysis.decay, r.analysis.predicted_rate
            label = _config(r).get("branch", f"run {index + 1}")
            if decay == "algebraic":
                line, = ax.loglog(times[1:], losses[1:], lw=1, label=label)
                t_end, r_end = times[-1], losses[-1]
                ax.loglog([t_end / 100, t_end], [SHIFT * r_end * 1e4, SHIFT * r_end], "--", color=line.get_color(),
                          lw=0.9)
            elif rate is not None and decay == "exponential":
                scaled = True
                x = [float(rate) * t for t in times]
                line, = ax.semilogy(x, losses, lw=1, label=label)
                x_start = x[-1] - min(x[-1], 0.5 * (x[-1] - x[0]))
                ax.semilogy([x_start, x[-1]], [SHIFT * losses[-1] * math.exp(x[-1] - x_start), SHIFT * losses[-1]],
                            "--", color=line.get_color(), lw=0.9)
            else:
                ax.semilogy(times, losses, lw=1, label=label)
        ax.set_title(f"{case} (dashed: predicted, x1000)", fontsize=9)
        ax.set_xlabel("2 lambda t (time in units of the predicted rate)" if scaled else "t", fontsize=8)
        ax.legend(fontsize=6, loc="upper right")
    axes[0][0].set_ylabel("R(t)")
    fig.suptitle("C6: gradient flow, loss against time", fontsize=10)
    fig.tight_layout()
    _save(fig, path)
    return True


def recovery_map(ax, rows, pred, title=""):
    """Recovery rate over (n, scale) as a heat map, each cell labelled recovered/decided (undecided: +k),
    with the predicted optimistic (dashed) and least separation (dotted) sample sizes drawn between columns."""
    sizes = sorted({r["n"] for r in rows})
    scales = sorted({r["scale"] for r in rows})
    rate = [[math.nan] * len(sizes) for _ in scales]
    for i, scale in enumerate(scales):
        for j, n in enumerate(sizes):
            cell = [r["outcome"] for r in rows if r["n"] == n and r["scale"] == scale]
            won, decided = cell.count("recovered"), cell.count("recovered") + cell.count("not recovered")
            if decided:
                rate[i][j] = won / decided
            label = f"{won}/{decided}" + (f"\n+{len(cell) - decided}" if len(cell) > decided else "")
            dark = decided and won / decided > 0.6
            ax.text(j, i, label, ha="center", va="center", fontsize=7, color="white" if dark else "black")
    image = ax.imshow(rate, origin="lower", aspect="auto", cmap="Greens", vmin=0, vmax=1)
    ax.set_xticks(range(len(sizes)), [str(n) for n in sizes])
    ax.set_yticks(range(len(scales)), [f"{s:.0e}" for s in scales])
    where = [None if pred[key] is None else _column(sizes, pred[key]) for key in ("optimistic", "separation")]
    if where[0] is not None and where[0] == where[1]:   # one gap between columns: drawn apart, or one would hide
        where = [where[0] - 0.04, where[1] + 0.04]
    for x, style, colour in zip(where, ("--", ":"), ("k", "C3")):
        if x is not None:
            ax.axvline(x, color=colour, ls=style, lw=1.6)
    ax.set_xlabel("sample size n")
    ax.set_ylabel("initialization scale")
    # the legend would cover cells: the predicted sizes go into the title
    ax.set_title(f"{title}\n(black dashed: optimistic {pred['optimistic']}, red dotted: separation "
                 f"{pred['separation']})",
                 fontsize=8)
    return image


def _column(sizes, value):
    """The x position of sample size ``value`` on a categorical axis of ``sizes``: just before its column.

    >>> _column([2, 3, 4], 3), _column([2, 4, 6], 3), _column([2, 4, 6], 4), _column([2, 4], 9)
    (0.5, 0.5, 0.5, 1.5)
    """
    for j, n in enumerate(sizes):
        if n >= value:
            return j - 0.5
    return len(sizes) - 0.5


def experiments(results, path):
    """C7: one recovery heat map per setup that carries its runs (the [ZBZ] protocol's results are drawn by
    notebook 07 in the paper's own form, not here)."""
    found = [r for r in results if _claim(r) == "C7" and getattr(r, "rows", None) and "setup" in _config(r)]
    if not found:
        return False
    fig, axes = _subplots(1, len(found), figsize=(5.2 * len(found), 3.8), squeeze=False)
    for ax, r in zip(axes[0], found):
        recovery_map(ax, r.rows, r.predictions, f"{_config(r)['setup']} ({_config(r)['source'].split(' (')[0]})")
    fig.suptitle("C7: gradient descent recovers the target (rate per cell)", fontsize=10)
    fig.tight_layout()
    _save(fig, path)
    return True


#: claim -> [(file name, figure function, caption)]
FIGURES = {
    "C4": [("C4_rank_codim.png", rank_codim,
            "Certified model rank at a point of each branch against the branch's codimension: on the diagonal the "
            "branch is non-degenerate (rank = codim), below it degenerate.")],
    "C5": [("C5_separation.png", separation,
            "Certified radii against n for each swept branch: rho_n from the lemma on one box (solid) and the "
            "exclusion radius r_n from branch and bound (dashed, the larger); none exists below the codimension "
            "(dotted), where the suite instead constructs non-generalizing minima.")],
    "C6": [("C6_flow.png", flow,
            "Loss along each gradient-flow run (one colour per branch); dashed, in the run's colour and drawn 1000 "
            "times higher so that it does not hide under the curve, the rate the theory predicts at the limit: "
            "exp(-2 lambda t) on non-degenerate branches, drawn against 2 lambda t so that it is exp(-x) for every "
            "run, and t^-2 (slope -2 on log-log axes) on split branches.")],
    "C7": [("C7_recovery.png", experiments,
            "Share of gradient-descent runs that recover the target, per sample size and initialization scale "
            "(recovered/decided, +undecided); black dashed: the optimistic sample size, red dotted: the least "
            "separation sample size (both predicted exactly), each drawn just before the first column it admits "
            "(side by side when that is the same column).")],
}


def study_figures(study, folder):
    """``twolayer study``: codim and generic rank of every listed branch (or type), and the certified radii
    against n around each studied branch's codimension. Returns [(file name, caption)]."""
    import os
    drawn = []
    fig, ax = _subplots(figsize=(6, 3.6))
    rows = study["table"]
    for degenerate, marker, label in ((False, "o", "non-degenerate"), (True, "x", "degenerate (rank < codim)")):
        chosen = [r for r in rows if r["degenerate"] == degenerate]
        if chosen:
            ax.scatter([r["codim"] for r in chosen], [r["rank"] for r in chosen], marker=marker, label=label)
    top = max(r["codim"] for r in rows)
    ax.plot([0, top], [0, top], color="grey", lw=0.8, label="rank = codim")
    _finish(fig, ax, os.path.join(folder, "study_rank_codim.png"), "codimension of the branch", "generic model rank",
            f"{len(rows)} {study['listed']}", (8, "upper left"))
    drawn.append(("study_rank_codim.png", "Generic model rank against codimension for every listed branch (or "
                  "type); below the diagonal the branch is degenerate."))
    studied = [b for b in study["studied"] if any(r["certified_radius"] or r["exclusion_radius"]
                                                  for r in b["separation"])]
    if studied:
        fig, ax = _subplots(figsize=(6, 3.6))
        for b in studied:
            ns = [r["n"] - b["codim"] for r in b["separation"]]
            radius = [float(r["certified_radius"]) if r["certified_radius"] else math.nan for r in b["separation"]]
            excluded = [float(r["exclusion_radius"]) if r["exclusion_radius"] else math.nan for r in b["separation"]]
            line, = ax.semilogy(ns, radius, "o-", label=f"{b['label']}: lemma")
            ax.semilogy(ns, excluded, "^--", color=line.get_color(), label=f"{b['label']}: branch and bound")
        ax.axvline(-0.5, color="grey", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _finish(fig, ax, os.path.join(folder, "study_separation.png"), "n - codim", "certified radius",
                "separation around n = codim", (7, "lower right"))
        drawn.append(("study_separation.png", "Certified radii against n - codim for the studied branches: none "
                      "exists below the codimension (left of the line)."))
    picture = branch_pictures(study, os.path.join(folder, "study_branches.png"))
    if picture:
        drawn.append(("study_branches.png", picture))
    return drawn


def branch_pictures(study, path, most=6):
    """Where the input dimension is 1 or 2 (without the bias): one panel per studied branch with the neurons of its
    exact point, input weight w (d = 1: against the output weight a; d = 2: in the plane, marker area ~ |a|)
    beside the target's neurons (stars). Returns the caption, or None when d > 2."""
    import json
    target = json.loads(study["target"])
    d = len(target[0]) - 1 - (1 if study["bias"] else 0)
    branches = study["studied"][:most]
    if d > 2 or not branches:
        return None

    def neurons(rows):
        from fractions import Fraction
        return [[float(Fraction(str(v))) for v in row[:1 + d]] for row in rows]
    stars = neurons(target)
    fig, axes = _subplots(1, len(branches), figsize=(3.0 * len(branches), 3.0), squeeze=False)
    for ax, b in zip(axes[0], branches):
        points = neurons(b["point"])
        if d == 1:
            ax.scatter([w for _, w in stars], [a for a, _ in stars], marker="*", s=160, color="C3", label="target")
            ax.scatter([w for _, w in points], [a for a, _ in points], s=30, color="C0", label="student", zorder=3)
            ax.set_xlabel("input weight w")
            ax.set_ylabel("output weight a")
        else:
            ax.scatter([w[0] for _, *w in stars], [w[1] for _, *w in stars], marker="*", s=160, color="C3",
                       label="target")
            ax.scatter([w[0] for _, *w in points], [w[1] for _, *w in points], color="C0", label="student",
                       s=[20 + 80 * min(abs(a), 2) for a, *_ in points], zorder=3)
            ax.set_xlabel("w_1")
            ax.set_ylabel("w_2")
        ax.axhline(0, color="0.8", lw=0.6)
        ax.axvline(0, color="0.8", lw=0.6)
        ax.set_title(b["label"], fontsize=8)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    _save(fig, path)
    return ("The exact point of each studied branch: the student's neurons (dots) beside the target's (stars); "
            + ("input weight against output weight." if d == 1 else "input weights in the plane, dot area growing "
               "with |a|.") + " Split neurons share a target's weight, null neurons have a = 0, zero neurons w = 0.")
