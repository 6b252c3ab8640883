"""The one list of claims: each with its check function and built-in configurations.

The CLI (``twolayer verify``), the notebooks and the tests all go through
:func:`run`, so a number shown anywhere is a number the tests check.

>>> [c.id for c in CLAIMS]
['C1', 'C2']
"""
from dataclasses import dataclass
from typing import Callable

from . import derivatives, independence
from .result import Result

ACTIVATIONS = ("tanh", "sigmoid", "softplus", "silu", "gelu", "erf", "sin", "cos", "exp", "gaussian", "tanh_shift")


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    section: str
    check: Callable[..., Result]
    configurations: Callable[[bool], list]


def _c1_check(config):
    if config["activation"] == "generic sigma":
        return derivatives.check_symbolic()
    keys = ("activation", "m", "d", "m*", "n", "seed", "dps")
    activation, width, d, target_width, samples, seed, dps = (config[k] for k in keys)
    return derivatives.check_numeric(activation, width, d, target_width, samples, seed, dps)


def _c1_configurations(quick):
    configs = [{"activation": "generic sigma"}]
    activations = ("tanh", "sigmoid", "gelu", "gaussian", "exp", "sin") if quick else ACTIVATIONS
    sizes = [(1, 2, 1), (2, 3, 2)] if quick else [(1, 2, 1), (2, 3, 2), (2, 4, 3)]
    for act in activations:
        for seed, (target_width, width, d) in enumerate(sizes):
            configs.append({"activation": act, "m*": target_width, "m": width, "d": d,
                            "n": 2 * width * (d + 1), "seed": seed, "dps": 50})
    return configs


def _c2_check(config):
    if config.get("part") == "series":
        return independence.check_series(config["activation"])
    return independence.check_family(config["activation"], config["weights"], config["derivatives"],
                                     dps=config.get("dps", 50), family=config.get("family"))


def _c2_configurations(quick):
    configs = []
    for act in ACTIVATIONS:
        configs.append({"activation": act, "part": "series"})
        families = dict(independence.FAMILIES, **independence.SPECIAL_FAMILIES.get(act, {}))
        for name, (weights, derivatives) in families.items():
            if quick and "d=3" in name:
                continue
            configs.append({"activation": act, "family": name, "weights": weights, "derivatives": derivatives,
                            "dps": 50})
    return configs


CLAIMS = [
    Claim("C1", derivatives.TITLE, "THEORY.md §2", _c1_check, _c1_configurations),
    Claim("C2", independence.TITLE, "THEORY.md §3", _c2_check, _c2_configurations),
]


def claim(claim_id):
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    raise KeyError(claim_id)


def run(claim_id, config):
    """Run one claim on one configuration.

    >>> run("C1", {"activation": "tanh", "m*": 1, "m": 2, "d": 1, "n": 4, "seed": 0, "dps": 30}).verdict
    'PASS'
    """
    return claim(claim_id).check(config)


def jobs(quick):
    """Every (claim id, configuration) of the main job, in a fixed order."""
    return [(c.id, config) for c in CLAIMS for config in c.configurations(quick)]
