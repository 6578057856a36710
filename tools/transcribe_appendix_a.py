"""One-off helper kept for auditors: turns the text-extracted Appendix A rows into
``mtfs_model/editions/cfs_2021_22/appendix_a.csv``.  It only splits each printed line into its label and
its twelve printed numbers; ids and the subtotal hierarchy (``parent``) are assigned by
hand below, from the layout of the printed table.  Re-run it to check the CSV still
matches the seed text byte for byte:  python tools/transcribe_appendix_a.py --check
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "004_0c27e174bbfd64a6.txt"
OUT = Path(__file__).resolve().parents[1] / "mtfs_model" / "editions" / "cfs_2021_22" / "appendix_a.csv"

# (id, parent, kind) in printed order; kind is "line" or "subtotal".
ROWS = [
    ("directorate", "total_cfs", "line"),
    ("safeguarding", "siqa", "line"),
    ("lscb", "siqa", "line"),
    ("siqa", "total_csc", "subtotal"),
    ("asylum", "total_cic", "line"),
    ("fostering_adoption", "total_cic", "line"),
    ("operational_placements", "total_cic", "line"),
    ("cic_service", "total_cic", "line"),
    ("education_cic", "total_cic", "line"),
    ("total_cic", "total_csc", "subtotal"),
    ("fieldwork", "field_social_work", "line"),
    ("legal", "field_social_work", "line"),
    ("field_social_work", "total_csc", "subtotal"),
    ("practice_excellence", "total_csc", "line"),
    ("total_csc", "total_cfs", "subtotal"),
    ("cfws", "total_eeh", "line"),
    ("education_sufficiency", "total_eeh", "line"),
    ("learning_0_5", "total_eqi", "line"),
    ("learning_5_19", "total_eqi", "line"),
    ("inclusion", "total_eqi", "line"),
    ("governor_development", "total_eqi", "line"),
    ("pru", "total_eqi", "line"),
    ("total_eqi", "total_eeh", "subtotal"),
    ("sen", "total_send", "line"),
    ("specialist_vulnerable", "total_send", "line"),
    ("psychology", "total_send", "line"),
    ("disabled_children", "total_send", "line"),
    ("hnb_development", "total_send", "line"),
    ("dsg_reserve_income", "total_send", "line"),
    ("total_send", "total_eeh", "subtotal"),
    ("admin_committees", "total_bsc", "line"),
    ("finance", "total_bsc", "line"),
    ("human_resources", "total_bsc", "line"),
    ("commissioning_planning", "total_bsc", "line"),
    ("sub_transformation", "total_bsc", "line"),
    ("total_bsc", "total_eeh", "subtotal"),
    ("total_eeh", "total_cfs", "subtotal"),
    ("isb", "total_dsg_items", "line"),
    ("dsg_recoupment", "total_dsg_items", "line"),
    ("central_charges", "total_dsg_items", "line"),
    ("dsg", "total_dsg_items", "line"),
    ("total_dsg_items", "total_cfs", "subtotal"),
    ("total_cfs", "", "subtotal"),
]
COLUMNS = [
    "budget_2020_21",
    "employees",
    "running_expenses",
    "internal_income",
    "gross_budget",
    "external_income",
    "net_2021_22",
    "schools",
    "early_years",
    "high_needs",
    "dsg_total",
    "la_block",
]
NUM = r"-?[\d,]+"
LINE = re.compile(rf"^({NUM}) (.+?) ((?:{NUM} ){{10}}{NUM})\s*$")


def render() -> str:
    text = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, t in enumerate(text) if "REVENUE BUDGET 2021/22 (1/2)" in t)
    end = next(i for i, t in enumerate(text) if i > start and t.startswith("GROWTH 2021/22"))
    printed = []
    for number, t in enumerate(text[start:end], start=start + 1):
        m = LINE.match(t)
        if m:
            printed.append((number, m.group(2).strip(), [m.group(1), *m.group(3).split()]))
    if len(printed) != len(ROWS):
        raise SystemExit(f"expected {len(ROWS)} rows, found {len(printed)}")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "parent", "kind", "label", *COLUMNS, "source_line"])
    for (rid, parent, kind), (number, label, nums) in zip(ROWS, printed, strict=True):
        w.writerow([rid, parent, kind, label, *[n.replace(",", "") for n in nums], number])
    return buf.getvalue()


if __name__ == "__main__":
    out = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text(encoding="utf-8") == out else "appendix_a.csv differs from the seed")
    OUT.write_text(out, encoding="utf-8")
    print(f"wrote {OUT} ({out.count(chr(10)) - 1} rows)")
