"""C5's sweep over sample sizes at one point of Q*: for each n every separation tool of ``twolayer.numeric`` in
turn (the interval lemma's radius, the nearest non-generalizing minimum a search finds and its certificate, the
constructive sequence below the model rank, the second-order test at degenerate points, the branch-and-bound
exclusion radius), and the verdict they give together.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..base.errors import InputError
from ..numeric.classify import require_on_branch
from ..numeric.exclusion import exclusion_radius
from ..numeric.krawczyk import certified_upper_bound
from ..numeric.model_rank import model_rank, structural_rank
from ..numeric.population import population_points
from ..numeric.precision import distance, to_mpf
from ..numeric.problem import Problem
from ..numeric.second_order import second_order
from ..numeric.separation import (
    RadiusCertificate,
    Search,
    certified_radius,
    jacobian_rank,
    nearest_nongeneralizing,
    non_separation_sequence,
)
from ..symbolic.branches import require_bias_structure

if TYPE_CHECKING:  # for annotations only
    from ..numeric.exclusion import Exclusion
    from ..numeric.krawczyk import UpperBound
    from ..numeric.network import Network
    from ..numeric.second_order import SecondOrder
    from ..numeric.separation import NonSeparation


@dataclass
class SweepRow:
    n: int
    rank: int | None             # rank J_n(theta°) (gap rule)
    codim: int
    model_rank: int              # r(theta°)
    separated: bool | None       # True (certified radius) / False (constructive sequence, n < r) / None
    radius: RadiusCertificate
    search: Search
    sequence: NonSeparation | None = None # NonSeparation for n < r(theta°)
    why: str = ""
    upper: UpperBound | None = None # UpperBound: a certified non-generalizing minimum (delta-bar), or None
    exclusion: Exclusion | None = None # exclusion.Exclusion: the branch-and-bound radius (n >= codim), or None
    second: SecondOrder | None = None # second_order.SecondOrder at a degenerate point for n >= r, or None


EPSILONS = ("1e-2", "1e-3", "1e-4", "1e-5", "1e-6")


def separation_sweep(problem: Problem, point: Network, sizes, starts=20, seed=0, radius='0.5',
                     exclusion_boxes: int = 1000) -> list[SweepRow]:
    """For each n in ``sizes``: rank J_n, certified radius, branch-and-bound exclusion radius (within a budget
    of ``exclusion_boxes`` boxes; 0 skips it), constructive non-separation, nearest search.

    ``inputs`` are nested: the sample set of size n is ``inputs[:n]``, so an exclusion radius carries over to
    every larger n (Q_n ⊆ Q_k). With ``bias`` their last entry is the constant 1 and the last weight of every
    neuron is its bias.
    """
    act, target, inputs, dps, bias = problem.act, problem.target, problem.inputs, problem.dps, problem.bias
    if bias:
        require_bias_structure(act, point.m - target.m)
    rows_c = require_on_branch(act, point, target)
    codim = len(rows_c)
    r = structural_rank(act, point) if not bias else model_rank(act, point, bias=True).certified
    if r is None:
        raise InputError("the model rank at this point (with a bias) is only bracketed; no sweep without it")
    population, _, _ = population_points(point.d, dps, bias)
    rows, inside = [], None
    for n in sorted(sizes):
        xs = inputs[:n]
        sub = problem.with_inputs(xs)
        row = SweepRow(n, jacobian_rank(act, point, xs, dps), codim, r, None, certified_radius(sub, point),
                       nearest_nongeneralizing(sub, point, starts=starts, seed=seed, radius=radius))
        if n < r:
            row.sequence = non_separation_sequence(sub, point, population, EPSILONS)
        if not bias:   # the mismatch probes are Gaussian-side inputs; with a bias they would need the constant 1
            row.upper = _nearest_certified(sub, point, candidates=row.search.points)
        if r <= n and r < codim:
            row.second = second_order(sub, point)
        if n >= codim and exclusion_boxes:
            row.exclusion = exclusion_radius(sub.at(30), point, reach=radius, max_boxes=exclusion_boxes, inside=inside,
                                             model_rank=r)
            inside = row.exclusion.radius if row.exclusion.radius is not None else inside
        if row.radius.radius is not None:
            row.separated, row.why = True, "certified radius"
        elif row.second is not None and row.second.separated is not None:
            row.separated, row.why = row.second.separated, f"second order: {row.second.reason}"
        elif n < r:
            row.separated = False
            row.why = "global minima theta_eps -> theta° with positive generalization error"
        elif n < codim:
            # r <= n < codim: neither the lemma (it needs rank J_n = codim) nor the constructive sequence (n < r)
            # applies. A dimension count does not decide it: over the reals the zero set of F_n near theta° can be
            # smaller than M - n when J_n is not onto (x^2 + y^2 = 0), so nothing is stated.
            row.why = (f"not decided: r = {r} <= n < codim = {codim}, where neither the interval lemma (needs "
                       "rank J_n = codim) nor the constructive sequence (needs n < r) applies, and the second-order "
                       f"test was inconclusive ({row.second.reason})")
        elif row.second is not None:
            row.why = f"degenerate point, second order inconclusive: {row.second.reason}"
        else:
            row.why = "no radius certified (rank J_n < codim)" if row.rank is not None and row.rank < codim \
                else row.radius.reason
        rows.append(row)
    return rows


def _nearest_certified(problem: Problem, point, candidates, tries=3):
    """The certified upper bound of the nearest of the first ``tries`` candidates (by distance) that verifies."""
    base = [to_mpf(v) for v in point.flat()]
    ordered = sorted(candidates, key=lambda c: distance(c.flat(), base))[:tries]
    for candidate in ordered:
        upper = certified_upper_bound(problem, point, candidate)
        if upper is not None:
            return upper
    return None
