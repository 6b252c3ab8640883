"""Markdown tables of results: the claims return data, this module (presentation) writes it as tables.

>>> print(frequency_markdown([{"case": "(1,2,1)", "branch": "s=(2)", "n": 3, "sets": 4,
...                            "separated": [3, 0.3, 0.95], "not separated": [1, 0.05, 0.7],
...                            "inconclusive": [0, 0.0, 0.49]}]))
| case | branch | n | sets | separated | not separated | inconclusive |
|---|---|---|---|---|---|---|
| (1,2,1) | s=(2) | 3 | 4 | 3 (0.30–0.95) | 1 (0.05–0.70) | 0 (0.00–0.49) |
"""
import sys

from twolayer.base.errors import InputError
from twolayer.claims.second_order import SETS, VERDICTS, frequency_table, run_frequencies
from twolayer.claims.separation import certified_radius_of
from twolayer.numeric.precision import decimal_string, lower_bound_string


def _nearest(x):
    return "none found" if x is None else decimal_string(x, 3)


def _lower(x):
    return "none" if x is None else lower_bound_string(x, 3)


def sweep_markdown(rows):
    """A separation sweep (the rows of :func:`twolayer.claims.separation.check_point_sweep`) as a table."""
    lines = ["| n | rank J_n | codim | separated | certified radius (lemma, or second order) "
             "| exclusion radius (branch and bound) "
             "| nearest non-generalizing found | why |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        excluded = None if row.exclusion is None else row.exclusion.radius
        lines.append(f"| {row.n} | {row.rank} | {row.codim} | {row.separated} | "
                     f"{_lower(certified_radius_of(row))} | {_lower(excluded)} | {_nearest(row.search.nearest)} | "
                     f"{row.why} |")
    return "\n".join(lines)


def frequency_markdown(table):
    """The second-order frequencies (:func:`twolayer.claims.second_order.frequency_table`): counts and 95 %
    Wilson intervals."""
    lines = ["| case | branch | n | sets | separated | not separated | inconclusive |", "|---|---|---|---|---|---|---|"]
    for row in table:
        cells = [f"{c} ({lo:.2f}–{hi:.2f})" for c, lo, hi in (row[v] for v in VERDICTS)]
        lines.append(f"| {row['case']} | {row['branch']} | {row['n']} | {row['sets']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    """``python -m twolayer.tables [--workers N | --scheduler ADDRESS] [--sets K]`` (make frequencies): the
    second-order decision over sample sets into the stored table, then its frequencies as a table."""
    import argparse
    parser = argparse.ArgumentParser(description="the second-order decision over sample sets, into "
                                     "data/second_order/frequencies.csv")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler")
    parser.add_argument("--sets", type=int, default=SETS)
    args = parser.parse_args(argv)
    try:
        rows = run_frequencies(sets=args.sets, workers=args.workers, scheduler=args.scheduler)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(frequency_markdown(frequency_table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
