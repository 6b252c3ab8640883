"""The layer contract, read from the source: base < symbolic < numeric < orchestration < claims < presentation.

Each layer imports only itself and the layers below it (at module level, inside functions and under
``TYPE_CHECKING`` alike), the module graph has no cycle, and imports placed inside functions outside the command
line are held to a ratchet (they are how a cycle hides; the count may fall, never rise). The README's "Layout"
section says what each layer holds and why the order is this one.
"""
import ast
from collections import Counter, defaultdict
from pathlib import Path

import flint
import mpmath
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: source folder -> package, as mapped in pyproject.toml
PACKAGES = {"base": "twolayer.base", "symbolic": "twolayer.symbolic", "numeric": "twolayer.numeric",
            "orchestration": "twolayer.orchestration", "claims": "twolayer.claims", "twolayer": "twolayer"}
#: the layers from the bottom up; a module may import its own layer and those before it
LAYERS = ("base", "symbolic", "numeric", "orchestration", "claims", "presentation")
#: imports inside functions outside twolayer.cli: the count today. Lower it when you remove some; never raise it.
INNER_IMPORTS_RATCHET = 0
#: the command line: its handlers import their claims when chosen, so that `twolayer --help` stays fast
COMMAND_LINE = ("twolayer.cli", "twolayer.commands", "twolayer.protocol_commands", "twolayer.command_checks")


def layer_of(module: str) -> str:
    """>>> layer_of("twolayer.numeric.rank"), layer_of("twolayer.report"), layer_of("twolayer.base.errors")
    ('numeric', 'presentation', 'base')"""
    parts = module.split(".")
    if len(parts) > 2 and parts[1] in LAYERS:
        return parts[1]
    return "presentation"


def modules() -> dict[str, Path]:
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).glob("*.py")):
            found[package if path.stem == "__init__" else f"{package}.{path.stem}"] = path
    return found


def _target(module: str, is_package: bool, node: ast.ImportFrom, names: set) -> list[str]:
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in names else prefix for a in node.names]


def import_graph():
    """(edges: module -> {imported suite modules}, inner: [(module, imported)] for imports inside functions)."""
    mods = modules()
    edges, inner = defaultdict(set), []
    for module, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        in_functions = {id(node) for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
                        for node in ast.walk(fn)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                targets = _target(module, path.stem == "__init__", node, set(mods))
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target in mods and target != module:
                    edges[module].add(target)
                    if id(node) in in_functions:
                        inner.append((module, target))
    return edges, inner


def _cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_no_upward_import():
    edges, _ = import_graph()
    upward = sorted((a, b) for a, targets in edges.items() for b in targets
                    if LAYERS.index(layer_of(b)) > LAYERS.index(layer_of(a)))
    assert not upward, f"imports from a lower layer into a higher one: {upward}"


def test_no_import_cycle():
    edges, _ = import_graph()
    assert not _cycles(edges), f"import cycles: {_cycles(edges)}"


def test_imports_inside_functions_do_not_grow():
    _, inner = import_graph()
    counted = [(a, b) for a, b in inner if a not in COMMAND_LINE]
    assert len(counted) <= INNER_IMPORTS_RATCHET, (
        f"{len(counted)} imports inside functions outside the command line (ratchet {INNER_IMPORTS_RATCHET}); "
        f"most in {Counter(a for a, _ in counted).most_common(3)}: import at module level")


@pytest.mark.parametrize("edges, cyclic", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(edges, cyclic):
    assert _cycles(defaultdict(set, edges)) == cyclic


def test_the_graph_sees_imports_inside_functions_and_relative_imports():
    edges, inner = import_graph()
    assert "twolayer.base.errors" in edges["twolayer.numeric.network"]          # from ..base.errors import ...
    assert ("twolayer.commands", "twolayer.claims.registry") in inner
    assert all(layer_of(m) in LAYERS for m in modules())


def test_a_test_that_changes_the_global_precision_leaves_it_for_the_fixture_to_restore():
    mpmath.mp.dps = 77            # restored by conftest.restore_global_precision; the next test checks it


def test_the_global_precision_was_restored():
    assert mpmath.mp.dps == 15 and flint.ctx.dps == 15


def test_the_re_verification_imports_nothing_of_what_it_re_checks():
    """The second-order re-verification shares no code with the search, the decision or the third-order bounds:
    a wrong bound there would otherwise reach a decision and its re-check together."""
    edges, _ = import_graph()
    searched = {"twolayer.numeric.second_order", "twolayer.numeric.second_order_forms", "twolayer.numeric.third_order"}
    assert not searched & edges["twolayer.numeric.reverify_second_order"]
    assert not any("twolayer.numeric.reverify_second_order" in edges[m] for m in searched)
