"""The arithmetic of today's generated code against a tree generated before a change, with
the hoisted values' names mapped back to their old positional names (_c0, _k0), the renamed
parameters (hyper, scalar_state, reductions, scalars) to their old ones (h, s, r, k), and
formatting ignored. Issue 12's check that the architecture change left every operation, and
its order, as it was:

    git worktree add /tmp/before e01dbdf
    python tests/golden/compare_arithmetic.py /tmp/before/generated
"""

import difflib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from generator.build import load_specs  # noqa: E402
from generator.ir import lower  # noqa: E402

old_root, new_root = Path(sys.argv[1]), Path("generated")
problems = compared = 0
for spec in load_specs():
    lowered = lower(spec)
    mapping = {}
    for ir in lowered.variants:
        named = 1 + len(ir.variant.step)
        for i, a in enumerate(ir.step[named:]):
            mapping.setdefault(a.symbol.name, f"_c{i}")
        for i, a in enumerate(ir.tensor):
            mapping.setdefault(a.symbol.name, f"_k{i}")
    for kind in [
        "cuda/%s.cuh",
        "cuda/%s.c",
        "cuda/%s.cu",
        "numpy/%s.py",
        "torch/%s.py",
        "host/%s.py",
    ]:
        path = kind % spec.module
        new = (new_root / path).read_text()
        for n, o in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
            new = re.sub(r"\b%s\b" % re.escape(n), o, new)
        old = (old_root / path).read_text()
        # the parameters' new names (hyper, scalar_state, reductions, scalars) back to h, s, r, k
        for long, short in (
            ("hyper", "h"),
            ("scalar_state", "s"),
            ("reductions", "r"),
            ("scalars", "k"),
        ):
            old = re.sub(r"\b%s\[" % short, long + "[", old)

        def statements(text):
            if path.endswith(".py"):
                text = re.sub(r'"""[\s\S]*?"""', "", text)
                items = [l.split("#")[0].strip() for l in text.splitlines()]
                return [
                    s.replace(" ", "")
                    for s in items
                    if re.search(r"np\.|torch\.|^\w+ = .*[-+*/]", s)
                ]
            text = re.sub(r"/\*[\s\S]*?\*/|//[^\n]*", "", text)
            items = re.sub(r"\s+", "", text).split(";")
            items = [s.rsplit("{", 1)[-1] for s in items]  # a statement after a function's header
            return [
                s for s in items if "=" in s and re.search(r"_new_\w+=|_e\d+=|_c\d+=|double\w+=", s)
            ]

        a, b = statements(old), statements(new)
        compared += len(a)
        if a != b:
            problems += 1
            print("DIFF", path)
            for line in list(difflib.unified_diff(a, b, lineterm="", n=0))[2:12]:
                print("  ", line[:200])
print(f"{problems} files differ; {compared} statements compared")
sys.exit(1 if problems else 0)
