"""What goal seek and data tables can aim at (standard library only: the CLI's parser reads it)."""

from __future__ import annotations

__all__ = ["BOUNDS", "GRID_FORMATS", "TARGETS"]

TARGETS = ("net_budget", "net_vs_mtfs", "gap", "hn_deficit", "p_exceeds_mtfs")
"""Target figures: the net budget, its excess over the MTFS, the cumulative gap, the
High Needs deficit (GBP000), and the chance the net budget ends above the MTFS (0-1)."""
BOUNDS = {"equal": "=", "at_most": "≤", "at_least": "≥"}
"""How a target is met, with the sign shown."""
GRID_FORMATS = ("table", "csv", "json", "markdown")
"""Output formats of ``mtfs grid``."""
