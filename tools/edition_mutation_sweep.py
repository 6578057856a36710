"""Mutate the bundled edition N times, one change each, and count what happens.

    python tools/edition_mutation_sweep.py 2000 5

Each mutant (``tests/edition/mutants.py``: a value of another type, huge, negative, zero,
NaN or infinite; a key dropped, added or renamed; an array item dropped or duplicated;
``appendix_a.csv`` rows, cells, header or encoding broken) goes through
``tests/edition/test_mutations.outcome``: load, run, reconcile, simulate.  Printed: every
mutant that ends in anything but an InputError naming a file of the folder or finite
figures, then the counts (``refused`` at load, ``refused late``, ``ran``, ``CRASH``).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.edition import mutants
from tests.edition.mutants import CSV_CELLS, CSV_FILE, CSV_OPS, NEW_KEYS, TOML_FILES, TOML_OPS, VALUES, Mutation
from tests.edition.test_mutations import PATHS, outcome


def draw(rnd: random.Random) -> Mutation:
    name = rnd.choice([*TOML_FILES, CSV_FILE, CSV_FILE])
    if name == CSV_FILE:
        return Mutation(name, rnd.choice(CSV_OPS), (rnd.randrange(60), rnd.randrange(20)), rnd.choice(CSV_CELLS))
    op = rnd.choice(TOML_OPS)
    return Mutation(name, op, rnd.choice(PATHS[name]), rnd.choice(NEW_KEYS if op in ("rename", "add") else VALUES))


def main(n: int, seed: int) -> dict[str, int]:
    rnd = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="mtfs-mutants-"))
    counts: dict[str, int] = {}
    try:
        for k in range(n):
            mutation = draw(rnd)
            folder = mutants.make(tmp / f"e{k}", mutation)
            try:
                result = outcome(folder, n=100)
            except Exception as exc:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                result = "CRASH"
                print(
                    f"{mutation}: {type(exc).__name__}: {str(exc)[:160]} @ {Path(where.filename).name}:{where.lineno}"
                )
            counts[result] = counts.get(result, 0) + 1
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return counts


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, int(sys.argv[2]) if len(sys.argv) > 2 else 1))
