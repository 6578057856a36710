"""Where the tests' data lives, whatever folder a test module sits in."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
"""``tests/``: the bad-input corpus, the second edition, the edition factory."""
REPO = TESTS.parent
"""The repository: ``schemas/``, ``scenarios/``, ``README.md``."""
SHARED = REPO.parent / "shared"
"""``../shared/``: the seeds (the papers) and the evidence, beside the clone in CI."""
