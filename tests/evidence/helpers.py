"""Reference-class files and edition copies for the evidence tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from mtfs_model import load_edition
from mtfs_model.edition.folder import Edition

EDITION = load_edition()


def record(
    rid: str,
    kind: str,
    value: float,
    *,
    period: str = "2019/20",
    made: str = "2019",
    scope: str = "somewhere",
    council: str | None = "Somewhere Council",
    gss: str | None = None,
    body: str = "A council",
    subject: str = "hn_spend",
) -> str:
    """One ``[[record]]`` (``council``/``gss`` left out when None)."""
    lines = ["[[record]]", f'id = "{rid}"', f'scope = "{scope}"']
    if council:
        lines.append(f'council = "{council}"')
    if gss:
        lines.append(f'gss = "{gss}"')
    lines += [
        f'subject = "{subject}"',
        f'body = "{body}"',
        f'made = "{made}"',
        f'refers_to = "{period}"',
        f'kind = "{kind}"',
        f"value_gbp = {value}",
        f'timing = "{"budget" if kind == "F" else "actual"}"',
        f'source = {{ title = "A page", href = "https://example.org/{rid}", phrase = "a phrase" }}',
    ]
    return "\n".join(lines) + "\n\n"


def pair(
    pid: str,
    forecast: str,
    outturn: str,
    *,
    subject: str = "hn_spend",
    horizon: float = 1.0,
    level: str = "council",
    weight: float | None = None,
) -> str:
    """One ``[[pair]]`` of a spending (``*_spend``) or gap subject."""
    measure = "spend" if subject.endswith("_spend") else "gap"
    lines = [
        "[[pair]]",
        f'id = "{pid}"',
        f'forecast = "{forecast}"',
        f'outturn = "{outturn}"',
        f'subject = "{subject}"',
        f'measure = "{measure}"',
        f"horizon_years = {horizon}",
        f'level = "{level}"',
    ]
    if weight is not None:
        lines += [f"weight = {weight}", 'weight_reason = "a test"']
    return "\n".join(lines) + "\n\n"


def synthetic_class(
    path: Path, errors: Iterable[tuple[str, float, float]], *, subject: str = "hn_spend", made: str = "2019"
) -> Path:
    """A class file of pairs ``(council, horizon, log error)``: forecast 1,000,000, outturn
    1,000,000 x exp(error), every figure published ``made``."""
    import math

    text = ""
    for i, (council, h, e) in enumerate(errors):
        text += record(f"f{i}", "F", 1_000_000, council=council, made=made, subject=subject)
        text += record(f"o{i}", "O", round(1_000_000 * math.exp(e), 3), council=council, made=made, subject=subject)
        text += pair(f"p{i}", f"f{i}", f"o{i}", subject=subject, horizon=h)
    path.write_text(text, encoding="utf-8")
    return path


def edition_copy(tmp_path: Path, *, risk_extra: str = "", replace: tuple[tuple[str, str, str], ...] = ()) -> Edition:
    """The bundled edition copied to ``tmp_path``, with ``risk_extra`` put at the top of
    its ``risk.toml`` and each ``(file, old, new)`` text replacement made."""
    folder = tmp_path / "edition"
    shutil.copytree(EDITION.path, folder)
    if risk_extra:
        risk = folder / "risk.toml"
        risk.write_text(risk_extra + "\n" + risk.read_text(encoding="utf-8"), encoding="utf-8")
    for name, old, new in replace:
        file = folder / name
        text = file.read_text(encoding="utf-8")
        assert old in text, (name, old)
        file.write_text(text.replace(old, new), encoding="utf-8")
    return load_edition(folder)
