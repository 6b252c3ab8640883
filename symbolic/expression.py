"""The grammar of a user's activation: the string is data, read by a parser of our own, never evaluated.

Python's :mod:`ast` only *parses* the text; the tree is then walked with a whitelist and the sympy
expression is built node by node. Allowed: number literals (read exactly, bounded by
:func:`twolayer.inputs.exact_number`), the symbol ``z``, the constants ``pi``, ``E`` and ``I`` (the
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
twolayer.errors.InputError: activation "__import__('os').system('true')": an attribute (.system) is not part of
an activation expression
"""
import ast

import sympy as sp

from ..errors import InputError
from ..inputs import exact_number
from .taylor import MAX_INTEGER_POWER

z = sp.Symbol("z", real=True)

FUNCTIONS = {"exp": sp.exp, "log": sp.log, "tanh": sp.tanh, "atan": sp.atan, "erf": sp.erf, "sin": sp.sin,
             "cos": sp.cos, "sinh": sp.sinh, "cosh": sp.cosh, "sqrt": sp.sqrt}
CONSTANTS = {"pi": sp.pi, "E": sp.E, "I": sp.I}
#: Functions that are not analytic: named in the refusal so the user knows why.
NOT_ANALYTIC = ("Abs", "abs", "Max", "Min", "max", "min", "Heaviside", "sign", "Piecewise", "floor", "ceiling",
                "re", "im", "DiracDelta", "relu", "ReLU")
ALLOWED_TEXT = ("+, *, /, rational powers and exp, log, tanh, atan, erf, sin, cos, sinh, cosh (analytic "
                "functions)")

MAX_CHARS = 1000
MAX_NODES = 400
MAX_CALL_DEPTH = 6
MAX_CONSTANT_DIGITS = 2000

_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class _Built:
    """A subexpression: its sympy form, its value at z = 0 (exact, maybe symbolic), whether it is constant,
    a bound on the digits of that value, and whether its Taylor coefficients hold a transcendental function
    value such as e = exp(1) or tanh(1/2) (``nested``)."""
    __slots__ = ("expr", "at_zero", "constant", "digits", "nested")

    def __init__(self, expr, at_zero, constant, digits, nested):
        self.expr, self.at_zero, self.constant, self.digits, self.nested = expr, at_zero, constant, digits, nested


def _number_digits(value):
    value = sp.Rational(value)
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
        return _Built(value, value, True, _number_digits(value), False)

    def name(self, node):
        if node.id == "z":
            return _Built(z, sp.S.Zero, False, 1, False)
        if node.id in CONSTANTS:
            return _Built(CONSTANTS[node.id], CONSTANTS[node.id], True, 1, False)
        if node.id in FUNCTIONS or node.id in NOT_ANALYTIC:
            self.refuse(f"'{node.id}' is a function: call it, e.g. {node.id}(z)")
        raise InputError(f"activation '{self.spec}' has symbols other than z: {node.id}")

    def exponent(self, node):
        """The exponent of a power: a small rational written with literals only."""
        def value(n):
            if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) and not isinstance(n.value, bool):
                return self.literal(n).expr
            if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
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
        if isinstance(node, ast.Expression):
            return self.build(node.body, depth)
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.build(node.operand, depth)
            if isinstance(node.op, ast.UAdd):
                return inner
            return _Built(-inner.expr, -inner.at_zero, inner.constant, inner.digits, inner.nested)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        self.refuse(self.describe(node) + " is not part of an activation expression (allowed: numbers, z, pi, E, "
                    f"{ALLOWED_TEXT})")

    def binary(self, node, depth):
        left = self.build(node.left, depth)
        if isinstance(node.op, ast.Pow):
            k = self.exponent(node.right)
            digits = left.digits * abs(k.p)
            self.check_digits(digits)
            return _Built(left.expr ** k, _safe_power(left.at_zero, k), left.constant, digits, left.nested)
        right = self.build(node.right, depth)
        both = left.constant and right.constant
        # a bound on the digits of the value at z = 0 (the expression itself is only evaluated there)
        digits = (max(left.digits, right.digits) + 1 if isinstance(node.op, (ast.Add, ast.Sub))
                  else left.digits + right.digits)
        self.check_digits(digits)
        op = {ast.Add: lambda u, v: u + v, ast.Sub: lambda u, v: u - v, ast.Mult: lambda u, v: u * v,
              ast.Div: lambda u, v: u / v}[type(node.op)]
        return _Built(op(left.expr, right.expr), op(left.at_zero, right.at_zero), both, digits,
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
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
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
        return _Built(function(arg.expr), value, arg.constant, arg.digits, nested)

    def check_digits(self, digits):
        if digits > MAX_CONSTANT_DIGITS:
            self.refuse(f"a constant of more than {MAX_CONSTANT_DIGITS} digits")

    @staticmethod
    def describe(node):
        if isinstance(node, ast.Attribute):
            return f"an attribute (.{node.attr})"
        names = {ast.Lambda: "a lambda", ast.Subscript: "a subscript", ast.Compare: "a comparison",
                 ast.BoolOp: "a boolean operation", ast.IfExp: "a conditional", ast.Starred: "a starred argument",
                 ast.JoinedStr: "a string", ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict",
                 ast.Set: "a set", ast.NamedExpr: "an assignment", ast.Call: "a call"}
        for kind, text in names.items():
            if isinstance(node, kind):
                return text
        if isinstance(node, ast.BinOp):
            return f"the operator {type(node.op).__name__}"
        if isinstance(node, ast.UnaryOp):
            return f"the operator {type(node.op).__name__}"
        return f"a {type(node).__name__} node"


def _safe_power(base, k):
    if base == 0 and k < 0:
        return sp.zoo
    return base ** k


def parse_activation(spec):
    """The sympy expression in ``z`` that the text ``spec`` describes (see the module text for the grammar)."""
    if len(spec) > MAX_CHARS:
        raise InputError(f"activation '{spec[:40]}...' is refused: the expression is longer than {MAX_CHARS} "
                         "characters")
    try:
        tree = ast.parse(spec, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"activation '{spec}' is not an expression in z ({type(exc).__name__})") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise InputError(f"activation '{spec[:40]}...' is refused: {nodes} syntax nodes exceed the limit {MAX_NODES}")
    for node in ast.walk(tree):   # every node checked before anything is built
        if isinstance(node, (ast.Attribute, ast.Lambda, ast.Subscript, ast.NamedExpr, ast.JoinedStr,
                             ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.Await, ast.Yield,
                             ast.YieldFrom)):
            _Reader(spec).refuse(_Reader.describe(node) + " is not part of an activation expression")
    try:
        return _Reader(spec).build(tree).expr
    except RecursionError:
        raise InputError(f"activation '{spec[:40]}...' is nested too deeply") from None
