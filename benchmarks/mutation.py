"""Mutation score of every module of ``domain/``: how many small changes to the rules the tests notice.

    python benchmarks/mutation.py [--module ranking] [--survivors] [--timeout-factor 5]

For each module ``src/grannsamverkan/domain/<name>.py`` the script makes every mutant (one small
change inside one function or method, the kinds listed in :data:`KINDS`) and runs the unit tests
that import the module (``tests/unit/*.py`` naming ``domain.<name>``) against it, stopping at the
first failure. A mutant is *killed* when a test fails or the run times out, *survives* when every
test passes. It prints one line per module and, with ``--survivors``, each surviving mutant with
its line and its key.

Mutants that cannot change behaviour (an equivalent mutant: ``a[:100]`` → ``a[:101]`` on a list
of at most 100, a message nobody reads) are listed with the reason in
``benchmarks/mutation_equivalents.txt``, one key per line, and left out of the score:
``score = killed / (mutants − equivalent)``. The key names the module, the function and the
change, not the line, so it survives edits elsewhere in the file. A listed key that no longer
matches a mutant is reported, so the list does not rot.

How a mutant runs: the parent process imports pytest, the module and its tests once. For each
mutant it compiles the changed module, forks, and the child swaps the changed function's code
object into the live function (``func.__code__ = …``) and runs ``pytest.main`` on the test files
in-process; the parent waits with a timeout. Only function bodies are changed (as mutmut does):
module-level constants, signatures, annotations and docstrings are not. Hypothesis runs
derandomized (profile ``mutation`` in ``tests/conftest.py``) so that two runs give the same score.

This is a small runner of our own on ``ast`` rather than mutmut 3: mutmut 3 copies the project
into ``mutants/`` and rewrites every function into a trampoline, which fights the ``src/`` layout
and the editable install here, while code swapping in a forked child needs neither and runs the
~2,750 mutants of ``domain/`` in about 20 minutes on one core. Its kinds of change follow mutmut's.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import signal
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FunctionType

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "src" / "grannsamverkan" / "domain"
UNIT_TESTS = ROOT / "tests" / "unit"
EQUIVALENTS = Path(__file__).with_name("mutation_equivalents.txt")

KINDS = (
    "number",  # n -> n + 1
    "string",  # "s" -> "XXsXX"
    "constant",  # True <-> False, None -> ""
    "operator",  # + <-> -, * <-> /, // -> /, % -> /, ** -> *, & <-> |, ...
    "comparison",  # < <-> <=, > <-> >=, == <-> !=, in <-> not in, is <-> is not
    "boolean",  # and <-> or
    "unary",  # not x -> x, -x -> x, ~x -> x
    "augmented",  # a += b -> a -= b and a = b
    "assignment",  # a = b -> a = None
    "loop",  # break <-> continue
    "argument",  # f(a, k=b) -> f(None, k=b), f(k=b) -> f()
    "return",  # return x -> return None
)

BINOP_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div,
    ast.Pow: ast.Mult,
    ast.LShift: ast.RShift,
    ast.RShift: ast.LShift,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.BitXor: ast.BitAnd,
    ast.MatMult: ast.Mult,
}
CMP_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True, slots=True)
class Mutant:
    module: str
    function: str  # qualname of the module-level function or method whose code changes
    line: int
    kind: str
    before: str
    after: str
    code: CodeType  # the changed module, compiled

    @property
    def key(self) -> str:
        return f"{self.module}:{self.function}: {self.before}  ->  {self.after}"


# --------------------------------------------------------------------------------------------
# Making mutants


def _is_docstring(node: ast.AST, parent: ast.AST | None) -> bool:
    return isinstance(parent, ast.Expr) and isinstance(node, ast.Constant) and isinstance(node.value, str)


def _variants(node: ast.AST, parent: ast.AST | None) -> Iterator[tuple[str, ast.AST]]:
    """(kind, replacement) for one node; the replacement takes the node's place."""
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            yield "constant", ast.Constant(not v)
        elif v is None:
            yield "constant", ast.Constant("")
        elif isinstance(v, int | float) and not isinstance(v, complex):
            yield "number", ast.Constant(v + 1)
        elif isinstance(v, str) and not _is_docstring(node, parent):
            yield "string", ast.Constant(f"XX{v}XX")
    elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
        yield "operator", ast.BinOp(node.left, BINOP_SWAPS[type(node.op)](), node.right)
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in CMP_SWAPS:
                ops = list(node.ops)
                ops[i] = CMP_SWAPS[type(op)]()
                yield "comparison", ast.Compare(node.left, ops, node.comparators)
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolean", ast.BoolOp(other, node.values)
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.UAdd):
        if not (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
            yield "unary", node.operand
    elif isinstance(node, ast.AugAssign) and type(node.op) in BINOP_SWAPS:
        yield "augmented", ast.AugAssign(node.target, BINOP_SWAPS[type(node.op)](), node.value)
        yield "augmented", ast.Assign([node.target], node.value, lineno=node.lineno)
    elif isinstance(node, ast.Assign) and not (isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "assignment", ast.Assign(node.targets, ast.Constant(None), lineno=node.lineno)
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        yield "assignment", ast.AnnAssign(node.target, node.annotation, ast.Constant(None), node.simple, lineno=node.lineno)
    elif isinstance(node, ast.Break):
        yield "loop", ast.Continue()
    elif isinstance(node, ast.Continue):
        yield "loop", ast.Break()
    elif isinstance(node, ast.Return) and node.value is not None:
        if not (isinstance(node.value, ast.Constant) and node.value.value is None):
            yield "return", ast.Return(ast.Constant(None))
    elif isinstance(node, ast.Call):
        for i, arg in enumerate(node.args):
            if not isinstance(arg, ast.Starred) and not (isinstance(arg, ast.Constant) and arg.value is None):
                args = list(node.args)
                args[i] = ast.Constant(None)
                yield "argument", ast.Call(node.func, args, node.keywords)
        for i, kw in enumerate(node.keywords):
            if kw.arg is not None:
                yield "argument", ast.Call(node.func, node.args, node.keywords[:i] + node.keywords[i + 1 :])


_SKIP_FIELDS = {"annotation", "returns", "decorator_list", "args", "type_comment"}


def _walk_body(
    node: ast.AST, parent: ast.AST | None, statement: ast.AST | None
) -> Iterator[tuple[ast.AST, ast.AST | None, ast.AST | None, str, int | None]]:
    """(node, parent, statement, field, index) for every node of a function body.

    ``statement`` is the expression a mutant is shown by: the outermost expression of the
    statement, or the statement itself for simple statements.
    """
    for field, value in ast.iter_fields(node):
        if field in _SKIP_FIELDS and not isinstance(node, ast.Call):
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and field == "args":
            continue
        items = value if isinstance(value, list) else [value]
        for index, child in enumerate(items):
            if not isinstance(child, ast.AST):
                continue
            if isinstance(child, ast.JoinedStr):
                continue  # f-strings: messages
            shown = statement
            compound = isinstance(statement, ast.If | ast.While | ast.For | ast.With | ast.AsyncFor)
            if isinstance(child, ast.stmt) or (isinstance(child, ast.expr) and compound):
                shown = child
            yield child, node, shown, field, index if isinstance(value, list) else None
            yield from _walk_body(child, node, shown)


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{node.name}.{item.name}", item


def _set(parent: ast.AST, field: str, index: int | None, value: ast.AST) -> None:
    if index is None:
        setattr(parent, field, value)
    else:
        getattr(parent, field)[index] = value


def _shown(node: ast.AST | None) -> str:
    if node is None:
        return "?"
    if isinstance(node, ast.If | ast.While):
        node = node.test
    elif isinstance(node, ast.For):
        return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
    text = ast.unparse(node)
    return re.sub(r"\s+", " ", text.split("\n")[0])


def mutants(module: str) -> Iterator[Mutant]:
    path = DOMAIN / f"{module}.py"
    tree = ast.parse(path.read_text(), str(path))
    seen: dict[str, int] = {}
    for qualname, func in _functions(tree):
        for stmt in func.body:
            if _is_docstring(getattr(stmt, "value", None) or stmt, stmt):
                continue
            for node, parent, shown, field, index in [(stmt, func, stmt, "body", func.body.index(stmt)), *_walk_body(stmt, func, stmt)]:
                if parent is None:
                    continue
                for kind, replacement in list(_variants(node, parent)):
                    before = _shown(shown)
                    _set(parent, field, index, replacement)
                    try:
                        after = _shown(replacement if shown is node else shown)
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", SyntaxWarning)  # x is None -> x is ""
                            code = compile(ast.fix_missing_locations(tree), str(path), "exec")
                    except (SyntaxError, ValueError, TypeError):
                        code = None
                    finally:
                        _set(parent, field, index, node)
                    if code is None or after == before:
                        continue
                    key = f"{module}:{qualname}: {before}  ->  {after}"
                    seen[key] = seen.get(key, 0) + 1
                    if seen[key] > 1:
                        after = f"{after}  #{seen[key]}"
                    yield Mutant(module, qualname, getattr(node, "lineno", func.lineno), kind, before, after, code)


# --------------------------------------------------------------------------------------------
# Running them


def _find_code(code: CodeType, qualname: str) -> CodeType:
    for const in code.co_consts:
        if isinstance(const, CodeType):
            if const.co_qualname == qualname:
                return const
            if qualname.startswith(const.co_qualname + "."):
                return _find_code(const, qualname)
    raise LookupError(qualname)


def _live_function(module: object, qualname: str) -> FunctionType:
    owner: object = module
    parts = qualname.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    obj = vars(owner)[parts[-1]] if isinstance(owner, type) else getattr(owner, parts[-1])
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    while hasattr(obj, "__wrapped__"):
        obj = obj.__wrapped__
    assert isinstance(obj, FunctionType), qualname
    return obj


_APPLY_FAILED = 99
# plain asserts: pytest runs twice in one process (collect in the parent, run in the child), and
# rewriting would warn about modules imported by the first run
PYTEST_ARGS = ("-p", "no:cacheprovider", "--assert=plain")


def _run_tests(tests: list[str], apply: Callable[[], None] | None, timeout: float) -> tuple[bool, float]:
    """(passed, seconds) of the tests in a forked child, with ``apply`` run first."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = _APPLY_FAILED
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if apply is not None:
                apply()
            code = 3
            import pytest

            code = int(pytest.main([*tests, "-x", "-q", *PYTEST_ARGS, "--no-header"]))
        finally:
            os._exit(code)
    deadline = start + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            if code == _APPLY_FAILED:
                raise RuntimeError("could not swap in the mutant's code")
            return code == 0, time.monotonic() - start
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return False, time.monotonic() - start
        time.sleep(0.005)


def tests_for(module: str) -> list[str]:
    """The unit test files that import the module, its own ``test_<module>.py`` first (most
    mutants fail there, and the run stops at the first failure)."""
    pattern = re.compile(rf"domain(\.{module}\b| import [^\n]*\b{module}\b)")
    found = [p for p in UNIT_TESTS.glob("test_*.py") if pattern.search(p.read_text())]
    found.sort(key=lambda p: (p.stem != f"test_{module}", p.name))
    return [str(p.relative_to(ROOT)) for p in found]


def read_equivalents() -> dict[str, str]:
    """key -> reason, from ``mutation_equivalents.txt`` (``key  # reason``; ``#`` lines skipped)."""
    out: dict[str, str] = {}
    if not EQUIVALENTS.exists():
        return out
    for raw in EQUIVALENTS.read_text().splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        key, _, reason = raw.partition("  # ")
        out[key.rstrip()] = reason.strip()
    return out


@dataclass(slots=True)
class Result:
    module: str
    tests: list[str]
    total: int = 0
    killed: int = 0
    equivalent: int = 0
    seconds: float = 0.0

    @property
    def score(self) -> float | None:
        counted = self.total - self.equivalent
        return 100.0 * self.killed / counted if counted else None


def run_module(module: str, equivalents: dict[str, str], timeout_factor: float, survivors: list[Mutant], used: set[str]) -> Result:
    tests = tests_for(module)
    result = Result(module, tests)
    started = time.monotonic()
    live = importlib.import_module(f"grannsamverkan.domain.{module}")
    if Path(live.__file__ or "").resolve() != DOMAIN / f"{module}.py":
        raise SystemExit(f"{live.__name__} is imported from {live.__file__}, not from {DOMAIN}")
    if not tests:
        result.total = sum(1 for _ in mutants(module))
        return result
    import pytest

    # import the tests (and everything they import) once, before any fork
    with open(os.devnull, "w") as devnull:
        stdout, sys.stdout = sys.stdout, devnull
        try:
            pytest.main([*tests, "--collect-only", "-q", *PYTEST_ARGS])
        finally:
            sys.stdout = stdout
    passed, baseline = _run_tests(tests, None, 600)
    if not passed:
        raise SystemExit(f"the tests of {module} fail without any mutant: {' '.join(tests)}")
    timeout = max(10.0, timeout_factor * baseline)
    for mutant in mutants(module):
        result.total += 1
        if mutant.key in equivalents:
            used.add(mutant.key)
            result.equivalent += 1
            continue

        def apply(mutant: Mutant = mutant) -> None:
            _live_function(live, mutant.function).__code__ = _find_code(mutant.code, mutant.function)

        passed, _ = _run_tests(tests, apply, timeout)
        if passed:
            survivors.append(mutant)
        else:
            result.killed += 1
    result.seconds = time.monotonic() - started
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", help="only these modules of domain/ (repeatable)")
    parser.add_argument("--survivors", action="store_true", help="print every surviving mutant")
    parser.add_argument("--timeout-factor", type=float, default=5.0)
    parser.add_argument("--list", action="store_true", help="print the mutants and run nothing")
    args = parser.parse_args()

    os.environ["HYPOTHESIS_PROFILE"] = "mutation"  # registered in tests/conftest.py
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    modules = args.module or sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")
    if args.list:
        for module in modules:
            for m in mutants(module):
                print(f"{m.module}.py:{m.line} [{m.kind}] {m.key}")
        return 0
    equivalents = read_equivalents()
    used: set[str] = set()
    survivors: list[Mutant] = []
    print(f"{'module':<16} {'mutants':>7} {'equiv.':>6} {'killed':>6} {'survived':>8} {'score':>7}  tests")
    for module in modules:
        before = len(survivors)
        r = run_module(module, equivalents, args.timeout_factor, survivors, used)
        score = "  n/a" if r.score is None else f"{r.score:6.1f}%"
        if not r.tests:
            score = "no tests"
        print(
            f"{module:<16} {r.total:>7} {r.equivalent:>6} {r.killed:>6} {len(survivors) - before:>8} "
            f"{score:>7}  {', '.join(Path(t).name for t in r.tests)} ({r.seconds:.0f} s)",
            flush=True,
        )
    if args.survivors:
        for m in survivors:
            print(f"  {m.module}.py:{m.line} [{m.kind}] {m.key}")
    stale = [k for k in equivalents if k.split(":")[0] in modules and k not in used]
    for key in stale:
        print(f"listed as equivalent but no such mutant any more: {key}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
