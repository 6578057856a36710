"""Build edition folders as DATA for tests: the bundled edition's files re-keyed to another
horizon, with lines, programmes, properties and links added or removed.

Nothing here is model code: it only writes TOML files that ``load_edition`` then reads
like any other edition.  Every table keyed by the bundled years is re-keyed to the new
years (a longer horizon repeats the last year's figure, a shorter one drops the tail).
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from mtfs_model.base.years import fy_label
from mtfs_model.edition.folder import DEFAULT_EDITION as DATA_DIR

FILES = ("edition", "sources", "growth_savings", "revenue", "high_needs", "capital", "cip", "guarantee", "risk")


def _rekey(node: Any, old: list[str], new: list[str]) -> Any:
    if isinstance(node, dict):
        keys = set(node)
        if keys and set(old) <= keys and keys <= set(old) | {"Total", "total"}:
            out = {y: node[old[min(i, len(old) - 1)]] for i, y in enumerate(new)}
            if "Total" in node:
                out["Total"] = sum(out.values())
            return out
        return {k: _rekey(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_rekey(v, old, new) for v in node]
    return node


def make_edition(
    dest: Path,
    *,
    first_year: int,
    n_years: int,
    edition_id: str,
    new_lines: Mapping[str, Mapping[str, Any]] = {},
    new_programmes: list[Mapping[str, Any]] = (),  # type: ignore[assignment]
    properties: list[str] | None = None,
    property_line: str | None = "keep",
    guarantee_programme: str | None = "keep",
) -> Path:
    """Write an edition folder at ``dest`` and return it.

    ``new_lines``: code -> {kind, programme, title, values: [per year]}.  ``properties``:
    which of the bundled properties to keep (None: all).  ``property_line`` /
    ``guarantee_programme``: "keep", None (no link) or another id.
    """
    raw = {n: tomllib.loads((DATA_DIR / f"{n}.toml").read_text(encoding="utf-8")) for n in FILES}
    old = list(raw["edition"]["horizon"]["years"])
    new = [fy_label(first_year + i) for i in range(n_years)]
    data = {n: _rekey(copy.deepcopy(v), old, new) for n, v in raw.items()}
    ed = data["edition"]
    ed["edition"]["id"] = edition_id
    ed["edition"]["title"] = f"Test edition {new[0]}–{new[-1]}"
    ed["horizon"] = {
        "years": new,
        "base_year": fy_label(first_year - 1),
        "appraisal_last_year": fy_label(first_year + 9),
    }
    ed["programmes"] += [dict(p) for p in new_programmes]
    for key, value in (("property_savings_line", property_line), ("guarantee_programme", guarantee_programme)):
        if value is None:
            ed["links"].pop(key, None)
        elif value != "keep":
            ed["links"][key] = value
    for code, spec in new_lines.items():
        data["growth_savings"]["lines"][code] = {
            "kind": spec["kind"],
            "title": spec.get("title", f"Line {code}"),
            "programme": spec["programme"],
            "values": dict(zip(new, spec["values"], strict=True)),
            "source": {"title": "test edition"},
        }
    data["growth_savings"].pop("printed_totals", None)
    hn = data["high_needs"]
    if hn.get("schools_block_transfer", {}).get("year") not in new:
        hn["schools_block_transfer"]["year"] = new[min(1, len(new) - 1)]
    cip = data["cip"]
    cip["defaults"]["investment_date"] = f"{first_year - 1}-12"
    for code in list(cip["properties"]):
        if properties is not None and code not in properties:
            del cip["properties"][code]
        else:
            month = cip["properties"][code]["go_live"][4:]
            cip["properties"][code]["go_live"] = f"{first_year + int(code[-1]) % 2}{month}"
    dest.mkdir(parents=True, exist_ok=True)
    for name, content in data.items():
        (dest / f"{name}.toml").write_text(tomli_w.dumps(content), encoding="utf-8")
    shutil.copy(DATA_DIR / "appendix_a.csv", dest / "appendix_a.csv")
    return dest
