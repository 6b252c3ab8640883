"""Benchmark: the cost of claim C7's gradient-descent runs (issue 10).

For each built-in setup: one cell of 8 seeds at its largest sample size and smallest scale (the slowest kind:
runs that use the whole step budget), serially, hence the cost of one run; the full sweep's cost estimated as
cells x (cost of that cell) / 2 workers (`make experiments` prints the time it really took). Targets: each
full sweep under 30 minutes on 2 cores; C7's quick subset (in `make verify`) under 60 s.
"""
import json
import time

from twolayer.claims import experiments as c7
from twolayer.numeric.experiment import run_cell
from twolayer.orchestration.sweep import SEED_BLOCK


def run():
    print("Gradient-descent experiments (C7): cost of one cell of 8 seeds, serially")
    for setup in c7.SETUPS.values():
        n, scale = max(setup.sizes), min(setup.scales)
        t0 = time.perf_counter()
        rows = run_cell(setup.spec, n, scale, tuple(range(SEED_BLOCK)))
        cell = time.perf_counter() - t0
        blocks = -(-setup.seeds // SEED_BLOCK)
        cells = len(setup.sizes) * len(setup.scales) * blocks
        M = setup.spec.width * len(json.loads(setup.spec.target)[0])
        print(f"  {setup.key:20s} M = {M:3d}, n = {n:3d}, scale {scale:.0e}: {cell:6.1f} s per cell, "
              f"{cell / len(rows):5.2f} s per run; full sweep {cells} cells, about {cells * cell / 2 / 60:5.1f} min "
              f"on 2 workers at this cell's cost (an estimate: cells whose runs use the whole step budget cost "
              "most; target < 30 min)")
    t0 = time.perf_counter()
    result = c7.check_setup("zbz_example1")
    print(f"  C7 quick subset ({len(result.rows)} runs + the 50-digit local check): "
          f"{time.perf_counter() - t0:.1f} s, {result.verdict} (target < 60 s)")


if __name__ == "__main__":
    run()
