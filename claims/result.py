"""What a claim check returns: a verdict with its evidence.

>>> r = Result("C1", "demo", {"activation": "tanh"}, [Check("x = 1", "1", "1", "exact", True, "exact")])
>>> r.verdict
'PASS'
>>> Result("C1", "demo", {}, [Check("s", "1e-20", "1e-33 .. 1e-17", "gap rule", None, "estimate")]).verdict
'INCONCLUSIVE'
"""
from dataclasses import asdict, dataclass, field

PASS, FAIL, INCONCLUSIVE = "PASS", "FAIL", "INCONCLUSIVE"
KINDS = ("exact", "certificate", "estimate")
#: what a check compares: an int, a decimal or exact string ("1/2"), a list of these, or None (nothing measured)
Value = int | float | str | list | None


@dataclass(frozen=True)
class Check:
    """One comparison: ``value`` against ``reference`` within ``tolerance``.

    ``value``, ``reference`` and ``tolerance`` are numbers (ints, decimal strings of reals,
    exact strings such as "1/2", or lists of these), so the JSON evidence can be recomputed
    and compared by a reader; ``detail`` carries the prose. ``passed`` is True, False, or
    None (undecided); ``kind`` says whether the comparison is exact (symbolic / rational), a
    certificate (every number behind it exact or enclosed in interval arithmetic) or an
    estimate (floating point at high precision, a gap-rule rank, a search).
    """
    name: str
    value: Value
    reference: Value
    tolerance: Value
    passed: bool | None
    kind: str
    detail: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if self.passed not in (True, False, None):
            raise ValueError(f"passed must be True, False or None, got {self.passed!r}")


@dataclass
class Result:
    claim: str
    title: str
    config: dict
    evidence: list = field(default_factory=list)
    notes: str = ""
    #: rows of a table the claim reports (dicts of plain values); the presentation layer writes them out
    table: list = field(default_factory=list)

    @property
    def verdict(self):
        outcomes = [c.passed for c in self.evidence]
        if not outcomes or any(o is False for o in outcomes):
            return FAIL if outcomes else INCONCLUSIVE
        return INCONCLUSIVE if any(o is None for o in outcomes) else PASS

    def to_json(self):
        out = {"claim": self.claim, "title": self.title, "config": self.config, "verdict": self.verdict,
               "evidence": [asdict(c) for c in self.evidence], "notes": self.notes}
        if self.table:
            out["table"] = self.table
        return out


def config_label(config):
    """A short, stable description of a configuration."""
    return ", ".join(f"{k}={v}" for k, v in config.items())
