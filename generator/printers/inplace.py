"""In-place schedules of element programs, for targets whose operations update an operand in
place: torch's ``torch._foreach_*_`` over lists and ``out=`` per tensor.

The element program is lowered as for NumPy (``arrays.lower_values``: the same operations in
the same order, so the same rounding), and then:

1. **Accumulations are fused** into the operation that adds them: ``b + x*s`` is torch's
   ``add(b, x, alpha=s)``, ``b + (y*z)*s`` ``addcmul`` and ``b + (y/z)*s`` ``addcdiv`` (``s`` a
   scalar, 1 when absent). The fused operation reads ``x``, ``y`` and ``z``, so a product used
   by several sums (SGD's ``-lr*g``, Adadelta's ``(1-rho)*g**2``) is recomputed inside each of
   them instead of being kept in a buffer. Of two terms that could both be fused, the one
   kept as the base is the one that rescales a state or the parameter (``beta_1*m`` in
   ``m = beta_1*m + (1-beta_1)*g``), so that the sum is built in that array's own storage.
2. **A schedule is searched**: an order of the operations and, for each, where its result goes:
   in place over an operand (``_foreach_mul_(m, beta_1)``), into a new scratch list
   (``torch._foreach_sqrt(v)``: an allocation), or into a storage whose value is dead (a
   scratch list, or a state or the parameter whose old value nothing reads any more: a copy
   first, then in place; per tensor ``out=`` writes anywhere). A value may be overwritten
   while still needed if it can be computed again from what is still held (Adadelta
   recomputes ``d + eps`` rather than keep a third list). Finals not built in their own
   storage are copied there. The cost is allocations (scratch storages the size of the
   parameters) first, then passes over memory: a greedy schedule in program order, then a
   depth-first branch and bound per allocation budget (none, one, ...) that memoises states
   and stops after a fixed number of expansions, keeping the best found (``Schedule.complete``
   says whether the search finished, i.e. whether the schedule is proven the cheapest). It
   is deterministic, and programs of more than ``SEARCHED`` operations keep the greedy one.

The target supplies a ``Costs`` object: which operand positions an operation can update in
place, and how many passes each form takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .arrays import COMMUTATIVE, Operand

_PRODUCTS = {"multiply": "addcmul", "square": "addcmul", "divide": "addcdiv"}


@dataclass(frozen=True)
class Node:
    """``value = func(*args)``; an argument is an array value or scalar code. Beyond the
    lowering's functions: ``add_scaled(b, x, s)`` = b + s*x, ``addcmul(b, y, z, s)`` =
    b + s*y*z and ``addcdiv(b, y, z, s)`` = b + s*y/z."""

    value: int
    func: str
    args: tuple[Operand, ...]

    @cached_property
    def arrays(self) -> tuple[int, ...]:
        return tuple(a.value for a in self.args if a.is_array)


def negated(code: str) -> str:
    """Scalar code for minus the scalar ``code`` (exact: a sign change)."""
    if code.startswith("-") and code[1:].isidentifier():
        return code[1:]
    return f"-{code}" if code.isidentifier() or code.replace(".", "", 1).isdigit() else f"-({code})"


def fuse(ops, finals, persistent_inputs: set[int]) -> list[Node]:
    """The lowering's operations with accumulations fused (see the module docstring), dead
    operations dropped; in program order."""
    op_of = {op.result: op for op in ops}

    def term(operand: Operand):
        """``operand`` as a fusable term: (func, array operands, scale code), or None."""
        op = op_of.get(operand.value) if operand.is_array else None
        if op is None:
            return None
        args = op.args
        if op.func == "square":
            return "addcmul", (args[0], args[0]), "1"
        if op.func in ("multiply", "divide") and all(a.is_array for a in args):
            return _PRODUCTS[op.func], tuple(args), "1"
        if op.func == "multiply" and sum(a.is_array for a in args) == 1:
            x, s = (args[0], args[1]) if args[0].is_array else (args[1], args[0])
            inner = op_of.get(x.value)
            if inner is not None and inner.func in _PRODUCTS:
                pair = (inner.args[0],) * 2 if inner.func == "square" else tuple(inner.args)
                if all(a.is_array for a in pair):
                    return _PRODUCTS[inner.func], pair, s.code
            return "add_scaled", (x,), s.code
        return None

    def rescales_input(operand: Operand) -> bool:
        op = op_of.get(operand.value)
        return (
            op is not None
            and op.func == "multiply"
            and any(a.is_array and a.value in persistent_inputs for a in op.args)
        )

    nodes = []
    for op in ops:
        func, args = op.func, tuple(op.args)
        if func in COMMUTATIVE and len(args) == 2 and not args[0].is_array and args[1].is_array:
            args = args[::-1]  # the array first: it is what an in-place form updates
        if func in ("add", "subtract") and all(a.is_array for a in args):
            first, second = term(args[0]), term(args[1])
            base = fused = None
            if func == "subtract":
                if second is not None:
                    kind, operands, scale = second
                    base, fused = args[0], (kind, operands, negated(scale))
            elif first is not None and second is not None:
                if rescales_input(args[1]) and not rescales_input(args[0]):
                    base, fused = args[1], first
                else:
                    base, fused = args[0], second
            elif second is not None:
                base, fused = args[0], second
            elif first is not None:
                base, fused = args[1], first
            if fused is not None:
                kind, operands, scale = fused
                func, args = kind, (base, *operands, Operand(code=scale))
        nodes.append(Node(op.result, func, args))
    needed = {operand.value for _, operand in finals if operand.is_array}
    kept = []
    for node in reversed(nodes):
        if node.value in needed:
            kept.append(node)
            needed |= set(node.arrays)
    return kept[::-1]


class Costs:
    """What a target can do; ``foreach``: lists (no ``out=``: writing into an existing
    storage is a copy, then in place), else per tensor (``out=`` anywhere)."""

    foreach: bool

    def inplace_positions(self, node: Node) -> tuple[int, ...]:
        raise NotImplementedError

    def passes(self, node: Node, how: str) -> int:
        """Passes of ``node`` printed ``how``: "inplace", "fresh" or (per tensor) "out"."""
        raise NotImplementedError

    def fill_passes(self) -> int:
        raise NotImplementedError


@dataclass(frozen=True)
class Step:
    """One printed step. ``op``: ``node`` into ``target`` (``how``: "inplace", the target holds
    ``args[position]``; "fresh": a new scratch list; "into": copy ``args[position]`` into the
    target, then in place; "out": per tensor, ``out=target``); ``copy``: ``source`` into
    ``target`` (``how`` "fresh": a new scratch); ``fill``: the scalar ``source`` into
    ``target``."""

    kind: str
    target: str
    node: Node | None = None
    how: str = ""
    position: int | None = None
    args: tuple[str, ...] = ()  # per node argument: a storage name or scalar code
    source: str | None = None


@dataclass
class Schedule:
    steps: list[Step]
    scratch: int  # scratch storages (_s0, _s1, ...)
    allocations: int  # of them, how many are new lists (foreach) or new arrays (per tensor)
    passes: int
    complete: bool = True  # False: the search stopped at its limit (the best found is kept)


@dataclass
class _Problem:
    nodes: list[Node]  # in program order (operands first)
    storages: list[str]  # inputs' names, in order; scratch storages follow them
    writable: frozenset[int]  # storage indices
    final_of: dict[int, int]  # storage index -> the value it must end with
    fills: dict[int, str]  # storage index -> the scalar code it must end with
    costs: Costs
    min_passes: dict[int, int]  # node value -> its cheapest form's passes
    limit: int
    max_allocations: int = 0
    node_of: dict[int, Node] = field(default_factory=dict)
    backwards: tuple = ()  # (value, its array operands) per node, last first
    required_of: dict = field(default_factory=dict)
    best: tuple | None = None
    best_steps: list | None = None
    seen: dict = field(default_factory=dict)
    expansions: int = 0


_FILL = -1  # the value of a storage filled with its scalar final


SEARCHED = 32  # operations: larger programs get the greedy schedule only (complete=False)


def schedule(nodes, inputs: dict[int, str], finals, writable: set[str], costs: Costs, limit=20000):
    """The cheapest schedule found for ``nodes`` (see the module docstring); ``inputs``:
    value -> storage name, ``finals``: (storage name, Operand) in order; ``limit``: expansions
    of the search."""
    storages = list(inputs.values())
    index = {name: i for i, name in enumerate(storages)}
    final_of, fills = {}, {}
    for name, operand in finals:
        if operand.is_array:
            final_of[index[name]] = operand.value
        else:
            final_of[index[name]] = _FILL
            fills[index[name]] = operand.code
    for value, name in inputs.items():  # a state no output names keeps its value
        if name in writable:
            final_of.setdefault(index[name], value)
    min_passes = {}
    for n in nodes:
        forms = [costs.passes(n, "fresh" if costs.foreach else "out")]
        if costs.inplace_positions(n):
            forms.append(costs.passes(n, "inplace"))
        min_passes[n.value] = min(forms)
    problem = _Problem(
        nodes=list(nodes),
        storages=storages,
        writable=frozenset(index[n] for n in writable),
        final_of=final_of,
        fills=fills,
        costs=costs,
        min_passes=min_passes,
        limit=limit,
        node_of={n.value: n for n in nodes},
        backwards=tuple((n.value, n.arrays) for n in reversed(nodes)),
    )
    # The greedy schedule first (program order, the cheapest target of each result, no
    # recomputation): one to improve on. Then the fewest allocations: a search per budget
    # below the greedy one's, from none up (each budget's search is small: a new scratch is
    # the branching move), stopping at the first that works; if none does, a search for fewer
    # passes with the greedy allocations. The expansions of all of them are limited; past
    # the limit, or for a program of more than SEARCHED operations, the best found is kept.
    greedy = _greedy(problem, tuple(inputs))
    problem.limit = limit * min(1, (16 / max(1, len(nodes))) ** 3)  # expansions cost ~ size**2
    problem.best, problem.best_steps = greedy
    complete = False
    if len(nodes) <= SEARCHED:
        start = _canonical(problem, tuple(inputs))
        for budget in range(greedy[0][0]):
            problem.max_allocations, problem.seen, problem.best = budget, {}, None
            _search(problem, start, 0, 0, [])
            if problem.best is not None or problem.expansions >= problem.limit:
                break
        if problem.best is None:
            (problem.best, problem.best_steps), problem.seen = greedy, {}
            problem.max_allocations = greedy[0][0]
            _search(problem, start, 0, 0, [])
        complete = problem.expansions < problem.limit
    steps = _named(problem, problem.best_steps)
    scratch = len({s.target for s in steps if s.target.startswith("_s")})
    allocations, passes = problem.best
    return Schedule(steps, scratch, allocations, passes, complete)


def _greedy(problem: _Problem, occupants):
    """A schedule in program order, linear in its length: each result in place over an operand
    read for the last time, else in its own final storage, else in a dead storage, else in a
    new scratch; then the finals copied home (a value still needed set aside first)."""
    costs, nodes = problem.costs, problem.nodes
    last_use = {}
    for i, node in enumerate(nodes):
        for v in node.arrays:
            last_use[v] = i
    finals = set(problem.final_of.values())
    home_of = {}
    for i, f in problem.final_of.items():
        home_of.setdefault(f, i)
    occupants = list(occupants)
    moves, allocations, passes = [], 0, 0

    def free(target, i) -> bool:
        """Whether ``target`` may be overwritten by node ``i`` (after it reads its operands)."""
        if target < len(problem.storages) and target not in problem.writable:
            return False
        value = occupants[target]
        if value is None:
            return True
        if problem.final_of.get(target) == value:
            return False
        dead = last_use.get(value, -1) <= i and value not in finals
        return dead or occupants.count(value) > 1

    for i, node in enumerate(nodes):
        location = {v: k for k, v in reversed(list(enumerate(occupants))) if v is not None}
        args = tuple(location[a.value] if a.is_array else a.code for a in node.args)
        choice = None
        if costs.foreach:
            for position in costs.inplace_positions(node):
                if free(args[position], i):
                    choice = ("inplace", args[position], position)
                    break
        else:
            operands = sorted({a for a, arg in zip(args, node.args) if arg.is_array})
            target = next((t for t in operands if free(t, i)), None)
            choice = None if target is None else ("out", target, None)
        if choice is None and (costs.inplace_positions(node) or not costs.foreach):
            home = home_of.get(node.value)
            others = [t for t in range(len(occupants)) if t != home]
            for target in ([home] if home is not None else []) + others:
                if free(target, i) and occupants[target] not in node.arrays:
                    position = costs.inplace_positions(node)[:1] or (None,)
                    choice = ("into" if costs.foreach else "out", target, position[0])
                    break
        if choice is None:
            choice = ("fresh", len(occupants), None)
            occupants.append(None)
            allocations += 1
        how, target, position = choice
        occupants[target] = node.value
        if how == "fresh":
            passes += costs.passes(node, "fresh" if costs.foreach else "out")
        else:
            passes += costs.passes(node, "inplace" if costs.foreach else "out")
            passes += how == "into"
        moves.append(("op", target, node, how, position, args))
    for home, final in problem.final_of.items():
        if occupants[home] == final:
            continue
        waiting = [f for h, f in problem.final_of.items() if occupants[h] != f and h != home]
        value = occupants[home]
        if value is not None and value in waiting and occupants.count(value) == 1:
            moves.append(("copy", len(occupants), home))  # set aside
            occupants.append(value)
            allocations += 1
            passes += 1
        if final == _FILL:
            moves.append(("fill", home, problem.fills[home]))
            passes += costs.fill_passes()
        else:
            moves.append(("copy", home, occupants.index(final)))
            passes += 1
        occupants[home] = final
    return (allocations, passes), moves


def _required(problem: _Problem, occupants) -> frozenset:
    """The values still to be made or kept: finals not yet in their storage, and, for every
    required node no storage holds, its operands."""
    cached = problem.required_of.get(occupants)
    if cached is not None:
        return cached
    present = set(occupants)
    required = {f for i, f in problem.final_of.items() if occupants[i] != f}
    for value, operands in problem.backwards:
        if value in required and value not in present:
            required.update(operands)
    out = problem.required_of[occupants] = frozenset(required)
    return out


def _home(problem, occupants, i) -> bool:
    """Whether storage ``i`` holds its final value (which stays there)."""
    final = problem.final_of.get(i)
    return final is not None and occupants[i] == final


def _canonical(problem, occupants):
    """Values nothing requires forgotten (None), so that equal futures meet in the memo."""
    required = _required(problem, occupants)
    return tuple(
        v if v is None or v in required or _home(problem, occupants, i) else None
        for i, v in enumerate(occupants)
    )


def _viable(problem, occupants, required) -> bool:
    """Whether every required value is held or can still be computed (recomputed: a value
    whose operands are at hand may be overwritten and made again)."""
    computable = set(occupants)
    for value, operands in reversed(problem.backwards):
        if value not in computable and all(v in computable for v in operands):
            computable.add(value)
    return required <= computable


def _key(problem, occupants):
    fixed = occupants[: len(problem.storages)]
    scratch = tuple(sorted(occupants[len(problem.storages) :], key=lambda v: (v is None, v or 0)))
    return fixed, scratch


def _search(problem, occupants, allocations, passes, steps):
    if problem.expansions >= problem.limit:
        return
    problem.expansions += 1
    required = _required(problem, occupants)
    cost = (allocations, passes)
    present = set(occupants)
    todo = sum(problem.min_passes[v] for v in required if v in problem.node_of and v not in present)
    if problem.best is not None and (allocations, passes + todo) >= problem.best:
        return
    key = _key(problem, occupants)
    previous = problem.seen.get(key)
    if previous is not None and previous <= cost:
        return
    problem.seen[key] = cost
    if all(occupants[i] == f for i, f in problem.final_of.items()):
        problem.best, problem.best_steps = cost, list(steps)
        return
    moves = []
    for move, new, extra_alloc, extra_passes in _moves(problem, occupants, required):
        if allocations + extra_alloc > problem.max_allocations:
            continue
        new = _canonical(problem, new)
        new_required = _required(problem, new)
        if not _viable(problem, new, new_required):
            continue
        lost = sum(1 for v in set(occupants) if v in new_required and v not in new)
        moves.append((lost, len(moves), move, new, extra_alloc, extra_passes))
    moves.sort(key=lambda m: m[:2])  # moves that lose nothing still required first
    for _, _, move, new, extra_alloc, extra_passes in moves:
        _search(problem, new, allocations + extra_alloc, passes + extra_passes, steps + [move])


def _moves(problem, occupants, required):
    """Every next step, the promising first: in place, into the result's own storage, into
    another storage, into a new scratch; then the copies and fills of finals."""
    costs = problem.costs
    location = {}
    for i, v in enumerate(occupants):
        if v is not None:
            location.setdefault(v, i)
    home_of = {}
    for i, f in problem.final_of.items():
        home_of.setdefault(f, i)

    def writable(i):
        return (i in problem.writable or i >= len(problem.storages)) and not _home(
            problem, occupants, i
        )

    for node in problem.nodes:
        if node.value not in required or node.value in location:
            continue
        if any(v not in location for v in node.arrays):
            continue
        args = tuple(location[a.value] if a.is_array else a.code for a in node.args)
        candidates = []  # (rank, how, target, position)
        home = home_of.get(node.value)
        if costs.foreach:
            for position in costs.inplace_positions(node):
                if writable(args[position]):
                    candidates.append((0, "inplace", args[position], position))
        else:  # out= one of its operands
            for target in sorted({a for a, arg in zip(args, node.args) if arg.is_array}):
                if writable(target):
                    candidates.append((0, "out", target, None))
        first_scratch = True  # dead scratch storages are alike: the first stands for all
        for target in range(len(occupants)):
            if not writable(target) or occupants[target] is not None:
                continue  # overwriting a value still required is left to in-place forms
            if target >= len(problem.storages):
                if not first_scratch:
                    continue
                first_scratch = False
            rank = 0.5 if target == home else 1
            if costs.foreach:
                if occupants[target] in node.arrays:
                    continue  # in place above, or its value is read after the copy
                for position in costs.inplace_positions(node)[:1]:
                    candidates.append((rank, "into", target, position))
            else:
                candidates.append((rank, "out", target, None))
        candidates.append((2, "fresh", None, None))
        candidates.sort(key=lambda c: c[0])
        for _, how, target, position in candidates:
            new = list(occupants)
            extra_alloc = 0
            if how == "fresh":
                target = len(occupants)
                new.append(node.value)
                extra_alloc = 1
                extra = costs.passes(node, "fresh" if costs.foreach else "out")
            else:
                new[target] = node.value
                extra = costs.passes(node, "inplace" if costs.foreach else "out")
                extra += 1 if how == "into" else 0
            yield ("op", target, node, how, position, args), tuple(new), extra_alloc, extra
    for i, f in problem.final_of.items():
        if occupants[i] == f or i not in problem.writable:
            continue
        if occupants[i] is not None and occupants[i] in required:  # set it aside first
            new = list(occupants) + [occupants[i]]
            yield ("copy", len(occupants), i), tuple(new), 1, 1
        new = list(occupants)
        new[i] = f
        if f == _FILL:
            yield ("fill", i, problem.fills[i]), tuple(new), 0, costs.fill_passes()
        elif f in location:
            yield ("copy", i, location[f]), tuple(new), 0, 1


def _named(problem, raw) -> list[Step]:
    names = list(problem.storages)
    out = []
    for move in raw:
        if move[0] == "op":
            _, target, node, how, position, args = move
            while target >= len(names):
                names.append(f"_s{len(names) - len(problem.storages)}")
            printed = tuple(names[a] if arg.is_array else a for a, arg in zip(args, node.args))
            out.append(Step("op", names[target], node, how, position, printed))
        elif move[0] == "copy":
            how = "fresh" if move[1] == len(names) else ""  # set aside into a new scratch
            if how:
                names.append(f"_s{len(names) - len(problem.storages)}")
            out.append(Step("copy", names[move[1]], how=how, source=names[move[2]]))
        else:
            out.append(Step("fill", names[move[1]], source=move[2]))
    return out
