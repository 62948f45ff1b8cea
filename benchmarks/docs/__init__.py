"""Every doc's measured numbers, written by the command that measured them, never by hand.

    uv run python -m benchmarks.docs [NAME...] --run        run each block's commands (timed), then write
    uv run python -m benchmarks.docs NAME --from DIR        write from existing output folders
    uv run python -m benchmarks.docs [NAME...] --check      exit 1 when a doc's block is not its stored numbers
    uv run python -m benchmarks.docs [NAME...]              render the blocks again from the stored numbers

A block's numbers are stored in docs/generated/NAME.json, keyed by run, each with the command that
produced it and the commit it ran at, and rendered between two markers in its doc;
tests/test_generated_docs.py fails when a doc's block is not the rendering of its stored numbers.
"""

from __future__ import annotations

from benchmarks import optimization_doc
from benchmarks.docs import calibration, performance, readme, report_page, rivals, uncertainty
from benchmarks.docs.blocks import Block, Run

BLOCKS: dict[str, Block] = {
    block.name: block
    for block in [
        Block(
            "optimization",
            "docs/optimization.md",
            {"optimize": Run(f"adoptsim optimize {optimization_doc.FASTEST} --workers 2", optimization_doc.fastest)},
            lambda runs: optimization_doc.render_fastest(runs["optimize"]),
        ),
        Block(
            "optimization_best_net_value",
            "docs/optimization.md",
            {
                "optimize": Run(
                    f"adoptsim optimize {optimization_doc.NET_VALUE} --workers 2", optimization_doc.net_value
                )
            },
            lambda runs: optimization_doc.render_net_value(runs["optimize"]),
        ),
        Block(
            "optimization_dominated_lever",
            "docs/optimization.md",
            {
                f"seed_{seed}": Run(
                    f"python -m benchmarks.dominated_lever --workers 2 --seed {seed}",
                    optimization_doc.dominated_numbers,
                )
                for seed in optimization_doc.SEEDS
            },
            optimization_doc.render_dominated,
        ),
        Block("readme", "README.md", {"compare": Run(readme.COMMAND, readme.numbers)}, readme.render),
        Block("rivals", "docs/rivals.md", {"compare": Run(rivals.COMMAND, rivals.numbers)}, rivals.render),
        Block(
            "report_page",
            "docs/report.md",
            {"page": Run(report_page.COMMAND, report_page.numbers)},
            report_page.render,
        ),
        Block(
            "uncertainty",
            "docs/uncertainty.md",
            {"compare": Run(uncertainty.COMMAND, uncertainty.numbers)},
            uncertainty.render,
        ),
        Block("calibration", "docs/calibration.md", calibration.SINGLE, calibration.render_single),
        Block("markets", "docs/calibration.md", calibration.MARKETS, calibration.render_markets),
        Block(
            "performance",
            "docs/performance.md",
            {"targets": Run(performance.COMMAND, performance.numbers)},
            performance.render,
        ),
    ]
}
