"""twolayer-recovery: symbolic-numeric verification of the geometry of global
minima of two-layer networks (Zhang, Zhang, Luo, arXiv:2309.00508).

Layers: ``twolayer.symbolic`` derives, ``twolayer.numeric`` evaluates and
certifies, ``twolayer.claims`` decides claims C1..C6 and C8, ``twolayer.cli`` is the
command line.
"""

__version__ = "0.1.0"
