"""A learning problem as one value: the activation, the target network, the sample inputs, the precision and bias.

Functions at the numeric boundary take a :class:`Problem` instead of five loose parameters. Its checks run once,
where it is built (a reducible target, inputs of the wrong length, weights that do not match the inputs, a
precision that is not a positive number of digits); the functions that receive it trust it.

It sits at the bottom of ``numeric`` rather than in ``base`` because its fields are an
:class:`~twolayer.symbolic.activations.Activation` (symbolic) and a
:class:`~twolayer.numeric.network.Network`, and ``base`` may import neither.

>>> from twolayer.symbolic.activations import activation
>>> from twolayer.numeric.network import parse_network
>>> tanh, target = activation("tanh"), parse_network("[[1, 1]]")
>>> problem = Problem(tanh, target, [[1], [2]], dps=30)
>>> problem.n, problem.d, problem.dps, problem.bias
(2, 1, 30, False)
>>> Problem(tanh, target, [[1, 2]])
Traceback (most recent call last):
...
twolayer.base.errors.InputError: dimension mismatch: the target has d = 1 but input 1 has length 2
"""
from dataclasses import dataclass, replace

from ..base.errors import InputError
from ..base.precision import DEFAULT_DPS
from ..symbolic.activations import Activation
from ..symbolic.branches import check_target
from .network import Network


@dataclass(frozen=True, eq=False)
class Problem:
    """Learn ``target`` with a two-layer ``act`` network from ``inputs`` (the empirical loss R_n, or the population
    loss when ``weights`` are quadrature weights), at ``dps`` digits; ``bias`` says the inputs carry a constant 1."""
    act: Activation
    target: Network
    inputs: tuple
    dps: int = DEFAULT_DPS
    bias: bool = False
    weights: tuple | None = None

    def __post_init__(self):
        if not isinstance(self.act, Activation):
            raise InputError(f"a problem needs an Activation, got {type(self.act).__name__}")
        if not isinstance(self.target, Network):
            raise InputError(f"a problem needs a target Network, got {type(self.target).__name__}")
        if isinstance(self.dps, bool) or not isinstance(self.dps, int) or self.dps <= 0:
            raise InputError(f"working precision must be a positive number of digits, got {self.dps!r}")
        check_target(self.act, self.target)
        rows = tuple(tuple(x) for x in self.inputs)
        for i, x in enumerate(rows, 1):
            if len(x) != self.target.d:
                raise InputError(f"dimension mismatch: the target has d = {self.target.d} but input {i} has "
                                 f"length {len(x)}")
        object.__setattr__(self, "inputs", rows)
        if self.weights is not None:
            weights = tuple(self.weights)
            if len(weights) != len(rows):
                raise InputError(f"{len(weights)} sample weights for {len(rows)} inputs")
            object.__setattr__(self, "weights", weights)

    @property
    def n(self) -> int:
        """The number of samples."""
        return len(self.inputs)

    @property
    def d(self) -> int:
        """The input dimension."""
        return self.target.d

    def with_inputs(self, inputs, weights=None) -> "Problem":
        """The same problem on other inputs (checked again, since they are new); their sample weights, if any, are
        given with them (the old weights belong to the old inputs)."""
        return replace(self, inputs=inputs, weights=weights)

    def at(self, dps: int) -> "Problem":
        """The same problem at another precision."""
        return replace(self, dps=dps)
