"""The grammar of a user's activation: the string is data, read by a parser of our own, never evaluated.

Python's :mod:`ast` only *parses* the text; the tree is then walked with a whitelist and the sympy
expression is built node by node. Allowed: number literals (read exactly, bounded by
:func:`twolayer.base.inputs.exact_number`), the symbol ``z``, the constants ``pi``, ``E`` and ``I`` (the
last is refused later as not real), ``+ - * / **``, and calls of the functions in :data:`FUNCTIONS`
with one positional argument. Everything else (attributes, subscripts, lambdas, keywords, strings,
comparisons, other names) is refused before anything is built.

Sizes are checked on the tree, before sympy sees it:

* at most :data:`MAX_NODES` nodes and :data:`MAX_CALL_DEPTH` nested calls;
* an exponent is a rational constant ``p/q`` with ``|p|, q <= MAX_INTEGER_POWER`` written with
  literals (``z**(3/2)``, ``(1 + z**2)**-1``), so ``9**9**9**9`` is refused unread;
* constant subexpressions may not exceed :data:`MAX_CONSTANT_DIGITS` digits;
* no function applied to an argument whose Taylor coefficients already hold a transcendental
  function value: the exact coefficients of ``exp(exp(exp(z)))`` are polynomials in ``e`` times
  ``e^e`` that grow without bound, so that nesting is refused (``exp(exp(z))``, ``tanh(z + 1/2)``
  and ``exp(pi*z)`` are read). What remains slow is stopped by the time budget of
  :func:`twolayer.symbolic.activations.activation`.

>>> parse_activation("tanh(z + 0.5)")
tanh(z + 1/2)
>>> parse_activation("__import__('os').system('true')")
Traceback (most recent call last):
...
twolayer.base.errors.InputError: activation "__import__('os').system('true')": an attribute (.system) is not part of
an activation expression (allowed: numbers, z, pi, E, ...)
"""
import ast
import operator

import sympy as sp

from ..base.errors import InputError
from ..base.inputs import exact_number
from .taylor import MAX_INTEGER_POWER, SUPPORTED_FUNCTIONS

z = sp.Symbol("z", real=True)

#: The functions with a Taylor rule (symbolic/taylor.py), and sqrt, which sympy writes as a power.
FUNCTIONS = {**{name: getattr(sp, name) for name in SUPPORTED_FUNCTIONS}, "sqrt": sp.sqrt}
CONSTANTS = {"pi": sp.pi, "E": sp.E, "I": sp.I}
#: Functions that are not analytic: named in the refusal so the user knows why.
NOT_ANALYTIC = ("Abs", "abs", "Max", "Min", "max", "min", "Heaviside", "sign", "Piecewise", "floor", "ceiling",
                "re", "im", "DiracDelta", "relu", "ReLU")
ALLOWED_TEXT = f"+, *, /, rational powers and {', '.join(SUPPORTED_FUNCTIONS)} (analytic functions)"

MAX_CHARS = 1000
MAX_NODES = 400
MAX_CALL_DEPTH = 6
MAX_CONSTANT_DIGITS = 2000

_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
#: Every syntax node the grammar has; anything else is refused before anything is built.
_GRAMMAR = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Load, ast.Pow,
            ast.USub, ast.UAdd, *_ARITHMETIC)


class _Built:
    """A subexpression: its sympy form, its value at z = 0 (exact, maybe symbolic), a bound on the digits of
    that value, and whether its Taylor coefficients hold a transcendental function value such as e = exp(1) or
    tanh(1/2) (``nested``)."""
    __slots__ = ("expr", "at_zero", "digits", "nested")

    def __init__(self, expr, at_zero, digits, nested):
        self.expr, self.at_zero, self.digits, self.nested = expr, at_zero, digits, nested


def _number_digits(value):
    return max(len(str(abs(value.p))), len(str(value.q)))


class _Reader:
    def __init__(self, spec):
        self.spec = spec

    def refuse(self, why):
        raise InputError(f"activation {self.spec!r}: {why}")

    def literal(self, node):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            kind = "complex number" if isinstance(node.value, complex) else type(node.value).__name__
            self.refuse(f"a {kind} literal is not part of an activation expression")
        text = ast.get_source_segment(self.spec, node)
        value = sp.Rational(exact_number(text, f"activation {self.spec!r}: the number"))
        return _Built(value, value, _number_digits(value), False)

    def name(self, node):
        if node.id == "z":
            return _Built(z, sp.S.Zero, 1, False)
        if node.id in CONSTANTS:
            return _Built(CONSTANTS[node.id], CONSTANTS[node.id], 1, False)
        if node.id in FUNCTIONS or node.id in NOT_ANALYTIC:
            self.refuse(f"'{node.id}' is a function: call it, e.g. {node.id}(z)")
        raise InputError(f"activation '{self.spec}' has symbols other than z: {node.id}")

    def exponent(self, node):
        """The exponent of a power: a small rational written with literals only."""
        def value(n):
            if isinstance(n, ast.Constant):
                return self.literal(n).expr
            if isinstance(n, ast.UnaryOp):
                v = value(n.operand)
                return -v if isinstance(n.op, ast.USub) else v
            if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
                num, den = value(n.left), value(n.right)
                if den == 0:
                    self.refuse("an exponent divides by zero")
                return num / den
            self.refuse(f"an exponent must be a rational number p/q with |p|, q <= {MAX_INTEGER_POWER}, "
                        "written with numbers (e.g. z**2, (1 + z**2)**(3/2))")
        k = sp.Rational(value(node))
        if abs(k.p) > MAX_INTEGER_POWER or k.q > MAX_INTEGER_POWER:
            self.refuse(f"the exponent {k} exceeds the limit: |p|, q <= {MAX_INTEGER_POWER} for p/q")
        return k

    def build(self, node, depth=0):
        """The node, already known to be of the grammar (``_GRAMMAR``)."""
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            inner = self.build(node.operand, depth)
            if isinstance(node.op, ast.UAdd):
                return inner
            return _Built(-inner.expr, -inner.at_zero, inner.digits, inner.nested)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        return self.call(node, depth)

    def binary(self, node, depth):
        left = self.build(node.left, depth)
        if isinstance(node.op, ast.Pow):
            k = self.exponent(node.right)
            digits = self.checked_digits(left.digits * abs(k.p))
            at_zero = sp.zoo if left.at_zero == 0 and k < 0 else left.at_zero ** k
            return _Built(left.expr ** k, at_zero, digits, left.nested)
        right = self.build(node.right, depth)
        # a bound on the digits of the value at z = 0 (the expression itself is only evaluated there)
        digits = self.checked_digits(max(left.digits, right.digits) + 1 if isinstance(node.op, (ast.Add, ast.Sub))
                                     else left.digits + right.digits)
        op = _ARITHMETIC[type(node.op)]
        return _Built(op(left.expr, right.expr), op(left.at_zero, right.at_zero), digits,
                      left.nested or right.nested)

    def call(self, node, depth):
        if not isinstance(node.func, ast.Name):
            self.refuse(self.describe(node.func) + " is not a function name")
        name = node.func.id
        if name in NOT_ANALYTIC:
            raise InputError(f"activation '{self.spec}' is not analytic: '{name}' is not supported: an activation "
                             f"is built from {ALLOWED_TEXT}")
        if name not in FUNCTIONS:
            self.refuse(f"'{name}' is not supported: not a function of the grammar (allowed: {', '.join(FUNCTIONS)})")
        if node.keywords or len(node.args) != 1:
            self.refuse(f"{name} takes exactly one argument")
        if depth + 1 > MAX_CALL_DEPTH:
            self.refuse(f"functions are nested more than {MAX_CALL_DEPTH} deep")
        arg = self.build(node.args[0], depth + 1)
        if arg.nested and name != "sqrt":
            self.refuse(f"{name} is applied to an argument whose Taylor coefficients already hold a transcendental "
                        f"function value ({sp.sstr(arg.at_zero)} at z = 0 or a constant inside it): its exact "
                        "coefficients would be polynomials in nested constants that grow without bound (e.g. "
                        "exp(exp(z)) is read, exp(exp(exp(z))) is not)")
        function = FUNCTIONS[name]
        value = function(arg.at_zero)
        # exp, tanh, sin, ... at a rational point with a rational value (exp(0), tanh(0), log(1)) have rational
        # derivatives there; erf's carry 1/sqrt(pi), and any other point a new constant such as tanh(1/2)
        nested = arg.nested or (name != "sqrt" and (name == "erf" or not value.is_Rational))
        return _Built(function(arg.expr), value, arg.digits, nested)

    def checked_digits(self, digits):
        if digits > MAX_CONSTANT_DIGITS:
            self.refuse(f"a constant of more than {MAX_CONSTANT_DIGITS} digits")
        return digits

    @staticmethod
    def describe(node):
        if isinstance(node, ast.Attribute):
            return f"an attribute (.{node.attr})"
        names = {ast.Lambda: "a lambda", ast.Subscript: "a subscript", ast.Compare: "a comparison",
                 ast.BoolOp: "a boolean operation", ast.IfExp: "a conditional", ast.Starred: "a starred argument",
                 ast.JoinedStr: "a string", ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
                 ast.Set: "a set", ast.NamedExpr: "an assignment", ast.Call: "a call",
                 ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension"}
        for kind, text in names.items():
            if isinstance(node, kind):
                return text
        if isinstance(node, (ast.operator, ast.unaryop)):
            return f"the operator {type(node).__name__}"
        return f"a {type(node).__name__} node"


def parse_activation(spec):
    """The sympy expression in ``z`` that the text ``spec`` describes (see the module text for the grammar)."""
    if len(spec) > MAX_CHARS:
        raise InputError(f"activation '{spec[:40]}...' is refused: the expression is longer than {MAX_CHARS} "
                         "characters")
    try:
        tree = ast.parse(spec, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"activation '{spec}' is not an expression in z ({type(exc).__name__})") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise InputError(f"activation '{spec[:40]}...' is refused: {len(nodes)} syntax nodes exceed the limit "
                         f"{MAX_NODES}")
    for node in nodes:   # the whole tree is checked against the grammar before anything is built
        if not isinstance(node, _GRAMMAR):
            _Reader(spec).refuse(_Reader.describe(node) + " is not part of an activation expression (allowed: "
                                 f"numbers, z, pi, E, {ALLOWED_TEXT})")
    try:
        return _Reader(spec).build(tree).expr
    except RecursionError:
        raise InputError(f"activation '{spec[:40]}...' is nested too deeply") from None
