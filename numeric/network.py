"""Networks and sample inputs, parsed exactly.

A network is a list of neurons ``[a, w_1, ..., w_d]``. Entries may be JSON
numbers or strings holding exact rationals (``"7/10"``) or decimals (``"0.7"``,
read exactly as 7/10), so a configuration can be stated exactly.

>>> net = parse_network('[[1, "0.7"], ["-1/2", 2]]')
>>> net.m, net.d, net.neurons[0][1]
(2, 1, Fraction(7, 10))
>>> parse_network('[[1, 2], [3, 4, 5]]')
Traceback (most recent call last):
...
twolayer.base.errors.InputError: network: neuron 2 has 3 entries, neuron 1 has 2; every neuron is [a, w_1, ..., w_d]
"""
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..base.errors import InputError
from ..base.inputs import load_json, parse_number


def _matrix(data, what, row_name):
    if not isinstance(data, list) or not data:
        raise InputError(f"{what}: expected a non-empty JSON list of {row_name}s")
    rows = []
    for r, row in enumerate(data, 1):
        if not isinstance(row, list) or not row:
            raise InputError(f"{what}: {row_name} {r} is not a non-empty list")
        rows.append(tuple(parse_number(v, f"{what}: {row_name} {r}") for v in row))
    return rows


@dataclass(frozen=True)
class Network:
    """Neurons ``(a, w_1, ..., w_d)``, exact rationals or high-precision numbers."""
    neurons: tuple

    @property
    def m(self):
        return len(self.neurons)

    @property
    def d(self):
        return len(self.neurons[0]) - 1

    @property
    def output_weights(self):
        return [nrn[0] for nrn in self.neurons]

    @property
    def input_weights(self):
        return [list(nrn[1:]) for nrn in self.neurons]

    def flat(self):
        """theta = (a_1, w_1, ..., a_m, w_m) as a flat list."""
        return [v for nrn in self.neurons for v in nrn]

    @classmethod
    def from_flat(cls, theta, d):
        theta = list(theta)
        if len(theta) % (d + 1):
            raise InputError(f"parameter vector of length {len(theta)} is not a multiple of d + 1 = {d + 1}")
        return cls(tuple(tuple(theta[s:s + d + 1]) for s in range(0, len(theta), d + 1)))

    def to_json(self):
        return [[str(v) for v in nrn] for nrn in self.neurons]


def parse_network(text, what="network"):
    """A :class:`Network` from JSON text or an already-loaded list of neurons."""
    rows = _matrix(load_json(text, what), what, "neuron")
    for r, row in enumerate(rows, 1):
        if len(row) < 2:
            raise InputError(f"{what}: neuron {r} has {len(row)} entry; every neuron is [a, w_1, ..., w_d]")
        if len(row) != len(rows[0]):
            raise InputError(f"{what}: neuron {r} has {len(row)} entries, neuron 1 has "
                             f"{len(rows[0])}; every neuron is [a, w_1, ..., w_d]")
    return Network(tuple(rows))


def parse_inputs(text, d):
    """The user's sample inputs: a JSON list of vectors of length ``d``, exact."""
    rows = _matrix(load_json(text, "inputs"), "inputs", "input vector")
    for r, row in enumerate(rows, 1):
        if len(row) != d:
            raise InputError(f"inputs: input vector {r} has length {len(row)}, the network has d = {d}")
    return rows


def gaussian_inputs(n, d, seed):
    """``n`` i.i.d. N(0, I_d) inputs from ``numpy.random.default_rng(seed)``, taken exactly (dyadic rationals).

    >>> gaussian_inputs(2, 1, seed=0) == gaussian_inputs(2, 1, seed=0)
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise InputError(f"number of samples must be a positive integer, got {n!r}")
    draws = np.random.default_rng(seed).standard_normal((n, d))
    return [tuple(Fraction(float(v)) for v in row) for row in draws]


def random_network(m, d, seed, scale=1):
    """A network with N(0, scale^2) entries from ``default_rng(seed)``, taken exactly.

    >>> random_network(2, 1, seed=3).m
    2
    """
    draws = np.random.default_rng(seed).standard_normal((m, d + 1)) * scale
    return Network(tuple(tuple(Fraction(float(v)) for v in row) for row in draws))


def parse_weights(text):
    """Input weights w_1..w_K: a JSON list of vectors of one length d, exact.

    >>> parse_weights('[[1, "1/2"], [0, 0]]')[0]
    (Fraction(1, 1), Fraction(1, 2))
    """
    rows = _matrix(load_json(text, "weights"), "weights", "weight vector")
    for r, row in enumerate(rows, 1):
        if len(row) != len(rows[0]):
            raise InputError(f"weights: weight vector {r} has length {len(row)}, weight vector 1 has "
                             f"{len(rows[0])}; all must have the input dimension d")
    return rows
