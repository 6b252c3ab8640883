"""The base layer: what every other layer may use and what uses nothing of theirs.

``errors`` (the one exception for refused input), ``inputs`` (bounded parsing of the user's numbers and JSON),
``precision`` (the working-precision policy) and ``tolerance`` (every threshold, derived from the precision).
It imports no other part of the suite.
"""
