"""Bounded reading of the user's numbers and JSON: sizes are checked before any work is done.

Every number a user writes (in a network, an input vector, an activation expression) is read
exactly, as a :class:`~fractions.Fraction`, by :func:`exact_number`. It accepts integers,
decimals with an optional exponent and ``p/q``; it refuses, *before* building the number, a
literal longer than :data:`MAX_NUMBER_CHARS` characters or with a decimal exponent beyond
:data:`MAX_EXPONENT` (``Fraction("1e100000000")`` would otherwise expand a hundred million
digits), and a value outside ``[-MAX_MAGNITUDE, MAX_MAGNITUDE]``.

>>> exact_number("0.7"), exact_number("-3/4"), exact_number("2.5e-3")
(Fraction(7, 10), Fraction(-3, 4), Fraction(1, 400))
>>> exact_number("1e100000000")
Traceback (most recent call last):
...
twolayer.base.errors.InputError: value: '1e100000000' has a decimal exponent beyond 400
>>> load_json("[" * 60000, "network")
Traceback (most recent call last):
...
twolayer.base.errors.InputError: network: JSON nested deeper than 64 levels
"""
import contextlib
import json
import re
import signal
import threading
from fractions import Fraction

from .errors import InputError

#: A number literal has at most this many characters (a 60-digit rational is far beyond any use here).
MAX_NUMBER_CHARS = 200
#: Largest |decimal exponent| of a literal such as ``1e-40``.
MAX_EXPONENT = 400
#: Largest magnitude of a number in a network, an input vector or an expression.
MAX_MAGNITUDE = Fraction(10**8)
#: Longest JSON text accepted (a network of 2100 parameters written with 40 digits each is ~100 kB).
MAX_JSON_CHARS = 2_000_000
#: Deepest JSON nesting (networks are lists of lists: depth 2).
MAX_JSON_DEPTH = 64

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_RATIO = re.compile(r"[+-]?\d+/\d+")


def exact_number(text, where="value", magnitude=MAX_MAGNITUDE):
    """The exact value of the literal ``text`` (an integer, a decimal ``1.5e-3`` or a ratio ``p/q``)."""
    if not isinstance(text, str):
        raise InputError(f"{where}: {text!r} is not a number")
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise InputError(f"{where}: a number of {len(text)} characters exceeds the limit {MAX_NUMBER_CHARS}")
    decimal = _DECIMAL.fullmatch(text)
    if decimal:
        if decimal.group(1) is not None and abs(int(decimal.group(1))) > MAX_EXPONENT:
            raise InputError(f"{where}: {text!r} has a decimal exponent beyond {MAX_EXPONENT}")
        value = Fraction(text)
    elif _RATIO.fullmatch(text):
        numerator, denominator = text.split("/")
        if int(denominator) == 0:
            raise InputError(f"{where}: {text!r} divides by zero")
        value = Fraction(int(numerator), int(denominator))
    else:
        raise InputError(f"{where}: {text!r} is not a rational or decimal number")
    if abs(value) > magnitude:
        raise InputError(f"{where}: {text!r} exceeds the limit {magnitude} in absolute value")
    return value


def _depth(text):
    """The deepest nesting of [ and { in JSON text, skipping strings (a linear scan, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def load_json(text, what):
    """JSON text parsed with every number exact and bounded (see :func:`exact_number`)."""
    if not isinstance(text, str):
        return text
    if len(text) > MAX_JSON_CHARS:
        raise InputError(f"{what}: JSON of {len(text)} characters exceeds the limit {MAX_JSON_CHARS}")
    if _depth(text) > MAX_JSON_DEPTH:
        raise InputError(f"{what}: JSON nested deeper than {MAX_JSON_DEPTH} levels")

    def number(literal):
        return exact_number(literal, what)

    def constant(name):   # NaN, Infinity, -Infinity: not JSON numbers
        raise InputError(f"{what}: {name} is not a finite number")

    try:
        return json.loads(text, parse_float=number, parse_int=number, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}: malformed JSON ({exc.msg} at position {exc.pos})") from None
    except RecursionError:
        raise InputError(f"{what}: JSON nested too deeply") from None


def parse_number(value, where="value"):
    """An exact Fraction from an int, a JSON number already read, or a string 'p/q' / decimal.

    >>> parse_number("7/10"), parse_number(3)
    (Fraction(7, 10), Fraction(3, 1))
    """
    if isinstance(value, bool):
        raise InputError(f"{where}: {value!r} is not a number")
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, int):
        if value.bit_length() > 4 * MAX_NUMBER_CHARS:
            raise InputError(f"{where}: an integer of {value.bit_length()} bits is too large")
        result = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(f"{where}: {value!r} is not finite")
        result = Fraction(repr(value))
    elif isinstance(value, str):
        return exact_number(value, where)
    else:
        raise InputError(f"{where}: {value!r} is not a number")
    if abs(result) > MAX_MAGNITUDE:
        raise InputError(f"{where}: {value} exceeds the limit {MAX_MAGNITUDE} in absolute value")
    return result


def sample_sizes(text, largest):
    """Sample sizes from '1,2,3' or '1-6' (or both), each in 1..largest, checked before a range is expanded.

    >>> sample_sizes("1-3,7", 10)
    [1, 2, 3, 7]
    """
    sizes = set()
    parts = str(text).split(",")
    if len(parts) > 1000:
        raise InputError("--samples: more than 1000 parts")
    for part in parts:
        low, dash, high = part.strip().partition("-")
        if not re.fullmatch(r"\d{1,18}", low) or (dash and not re.fullmatch(r"\d{1,18}", high)):
            raise InputError(f"--samples: '{text[:60]}' is not a list of sizes such as '1,2,3' or '1-6'")
        a, b = int(low), int(high) if dash else int(low)
        if not 1 <= a <= b <= largest:
            raise InputError(f"--samples: sizes must be between 1 and {largest} and ranges increasing, "
                             f"got '{part.strip()}'")
        sizes.update(range(a, b + 1))
    return sorted(sizes)


class _Budget:
    active = False


@contextlib.contextmanager
def time_budget(seconds, what):
    """Refuse (InputError) work on a user's input that takes longer than ``seconds`` of wall time.

    Exact symbolic work (Taylor coefficients in transcendental constants, sympy proofs) has no size
    bound that predicts its time, so this is the last guard after the structural limits. It uses
    SIGALRM, so it applies in the main thread only (elsewhere, e.g. in a Dask worker, the input was
    already read once under the budget); an inner budget inside an outer one does not restart the clock.

    >>> with time_budget(5, "a quick step"):
    ...     1 + 1
    2
    """
    if _Budget.active or threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise InputError(f"{what}: not finished within {seconds} s (exact symbolic work on this input grows too "
                         "fast; write it more simply)")

    previous = signal.signal(signal.SIGALRM, expired)
    _Budget.active = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _Budget.active = False
