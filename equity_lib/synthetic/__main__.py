"""``python -m equity_lib.synthetic [OUT_DIR]``: regenerate every synthetic dataset.

OUT_DIR defaults to the repository's ``datasets/`` folder.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from equity_lib.synthetic import write_all


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m equity_lib.synthetic",
        description="Regenerate every synthetic dataset of equity_lib (NOT real data).",
    )
    parser.add_argument(
        "out_dir",
        nargs="?",
        default=None,
        help="folder to write into (default: the repository's datasets/ folder)",
    )
    args = parser.parse_args(argv)
    for path in write_all(args.out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
