"""Small types shared by the edition's file schemas (:mod:`mtfs_model.edition.schema`,
:mod:`mtfs_model.edition.capital_schema`)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mtfs_model.base.schema_types import Money

Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]
"""An id: a letter, then letters, digits, ``_`` or ``-``."""
Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-/]*$", max_length=64)]
"""A key of a table of figures (a year label, ``Total`` or a name)."""
Note = Annotated[str, Field(max_length=4000)]
"""Free text kept with a figure (a note, a reason): never read as a figure."""
Figures = dict[Key, Money]
"""A row of printed figures keyed by year label (and ``Total``), GBP000."""
Years = Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=100.0)]
"""A number of years, above 0."""
