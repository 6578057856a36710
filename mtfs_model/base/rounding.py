"""Rounding as the papers and Excel round: half up (away from zero), decimal-exact.

Python's ``round`` and ``format`` round half to even on the binary float, so 13,950
(£000) would print as £13.9m where the council's tables, and Excel's ``ROUND``, say
£14.0m.  Every figure a reader sees goes through these helpers: the float is first read
as the decimal it prints as (``repr``), cleared of float summation noise below a
millionth of a unit, then rounded half away from zero.

>>> gbp_m(13950), gbp_m(8775), gbp_m(-2250), gbp_m(13949.999)
('£14.0m', '£8.8m', '-£2.3m', '£14.0m')
>>> number(1234.5), number(-0.4), pct(0.1845)
('1,235', '0', '18.5%')
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

NOISE = Decimal("1e-6")
"""Float noise cleared before rounding: far below any printed precision (£000 to the
pound is 1e-3)."""


def half_up(x: Any, places: int = 0) -> Decimal:
    """``x`` rounded half away from zero to ``places`` decimals, as a Decimal."""
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    d = d.quantize(NOISE, rounding=ROUND_HALF_UP) if d.as_tuple().exponent < -6 else d  # type: ignore[operator]
    out = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return out if out != 0 else abs(out)  # never -0


def number(x: Any, places: int = 0, *, separators: bool = True) -> str:
    """``x`` half up to ``places`` decimals, with thousands separators; ``inf`` ->
    ``never``, NaN -> ``""``."""
    v = float(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "never" if v > 0 else "-never"
    d = half_up(v, places)
    return f"{d:,.{places}f}" if separators else f"{d:.{places}f}"


def scaled(x: Any, divisor: int) -> Decimal:
    """``x / divisor`` exactly (``13950 / 1000`` is 13.95, not 13.949999...)."""
    return Decimal(repr(float(x))) / Decimal(divisor)


def gbp_m(x_gbp000: Any, places: int = 1) -> str:
    """A £000 figure as £m in prose: ``13950`` -> ``£14.0m``; a negative ``-£2.3m``.
    The figure is first rounded to the £000 the tables print (13,949.999 prints 13,950,
    so £14.0m), so prose never disagrees with the table beside it."""
    d = half_up(scaled(half_up(x_gbp000), 1000), places)
    sign = "-" if d < 0 else ""
    return f"{sign}£{abs(d):,.{places}f}m"


def millions(x_gbp000: Any, places: int = 1) -> str:
    """A £000 figure in £m without the symbol: ``13950`` -> ``14.0`` (rounded via the
    printed £000, as :func:`gbp_m`)."""
    return f"{half_up(scaled(half_up(x_gbp000), 1000), places):,.{places}f}"


def pct(share: Any, places: int = 1) -> str:
    """A share as a percentage: ``0.1845`` -> ``18.5%``."""
    v = float(share)
    if not math.isfinite(v):
        return ""
    return f"{half_up(scaled(v, 1) * 100, places):,.{places}f}%"
