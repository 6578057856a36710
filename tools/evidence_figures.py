"""Draw the evidence page's figures (docs/explanation/evidence.md) from the calibration.

    python tools/evidence_figures.py [OUTPUT_FOLDER]

Writes, into ``docs/_static/`` by default:

* ``evidence_pit.png`` -- the leave-one-council-out PIT histogram: where each council-level
  pair fell in the fan calibrated without its council (tenths; flat if calibrated), with
  the count a calibrated fan would give in each tenth.
* ``evidence_fan_by_horizon.png`` -- the bundled edition's predictive for High Needs and
  children's social care spend, P10/P50/P90 of outturn / forecast by years ahead, beside
  the same with every pair published since (the evidence date lifted).

Prints the figures it drew from (coverage, pairs, councils), so the page's numbers can be
checked against the command.  Same inputs, same bytes: the PNGs carry no date.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtfs_model import load_edition
from mtfs_model.evidence.checks import PIT_BINS, coverage_line, leave_one_council_out
from mtfs_model.evidence.context import EvidenceContext

OUT = Path(__file__).resolve().parent.parent / "docs" / "_static"
ALL_EVIDENCE = dt.date(2026, 12, 31)


def pit_figure(out: Path) -> Path:
    ctx = EvidenceContext.for_edition(load_edition())
    check = leave_one_council_out(ctx.rc, ctx.own)
    counts = check.pit_histogram()
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=120)
    edges = np.linspace(0, 1, PIT_BINS + 1)
    ax.bar(edges[:-1], counts, width=1 / PIT_BINS, align="edge", color="#4C72B0", edgecolor="white")
    ax.axhline(check.n_pairs / PIT_BINS, color="#C44E52", linestyle="--", label="a calibrated fan")
    ax.axvspan(0.1, 0.9, color="#999999", alpha=0.12, label="inside P10-P90")
    ax.set_xlim(0, 1)
    ax.set_xlabel("Where the outturn fell in the fan calibrated without its council (PIT)")
    ax.set_ylabel("Council-level pairs")
    ax.set_title(
        f"Leave one council out: {check.n_pairs} pairs, {check.n_councils} councils, "
        f"{check.coverage * 100:.0f} % inside P10-P90",
        fontsize=10,
    )
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    fig.tight_layout()
    path = out / "evidence_pit.png"
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    print(coverage_line(check))
    print("PIT counts by tenth:", " ".join(str(int(c)) for c in counts))
    return path


def fan_figure(out: Path) -> Path:
    edition = load_edition()
    views = {
        f"As it stood ({EvidenceContext.for_edition(edition).as_of:%d %b %Y})": EvidenceContext.for_edition(edition),
        f"All evidence published by {ALL_EVIDENCE:%b %Y}": EvidenceContext.for_edition(edition, as_of=ALL_EVIDENCE),
    }
    horizons = np.linspace(0.25, 4.0, 16)
    fig, axes = plt.subplots(1, 2, figsize=(8.0, 3.6), dpi=120, sharey=True)
    for ax, subject, title in zip(axes, ("hn_spend", "csc_spend"), ("High Needs spend", "Children's social care spend"),
                                  strict=True):  # fmt: skip
        for (label, ctx), colour in zip(views.items(), ("#4C72B0", "#DD8452"), strict=True):
            p = ctx.predictive(subject)
            q = np.array([p.ppf(np.array([0.1, 0.5, 0.9]), h) for h in horizons])
            ax.fill_between(horizons, q[:, 0], q[:, 2], color=colour, alpha=0.2)
            ax.plot(horizons, q[:, 1], color=colour, label=f"{label}: P50, P10-P90")
            print(f"{subject} {label}: 1 year {p.ppf(np.array([0.1, 0.5, 0.9]), 1.0).round(3)}, "
                  f"4 years {p.ppf(np.array([0.1, 0.5, 0.9]), 4.0).round(3)}, df {p.df:.1f}")  # fmt: skip
        ax.axhline(1.0, color="black", linewidth=0.6)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("Years ahead")
    axes[0].set_ylabel("Outturn / forecast")
    axes[0].legend(loc="upper left", fontsize=7, frameon=False)
    fig.tight_layout()
    path = out / "evidence_fan_by_horizon.png"
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in (pit_figure(out), fan_figure(out)):
        print(f"wrote {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
