"""``python -m equity_lib.synthetic [--out OUT_DIR]``: regenerate every synthetic dataset.

OUT_DIR defaults to the ``datasets/`` folder of the source checkout equity_lib runs from (``make data``).
Installed from a wheel there is no such folder, and OUT_DIR is required: nothing is written into
site-packages.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from equity_lib.synthetic import NotASourceCheckout, default_out_dir, write_all


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m equity_lib.synthetic",
        description="Regenerate every synthetic dataset of equity_lib (NOT real data).",
    )
    parser.add_argument(
        "out_dir",
        nargs="?",
        default=None,
        metavar="OUT_DIR",
        help="folder to write into (the same as --out)",
    )
    parser.add_argument(
        "--out",
        default=None,
        metavar="OUT_DIR",
        help="folder to write into (default: the datasets/ folder of the source checkout; required "
        "when equity_lib is installed from a wheel)",
    )
    args = parser.parse_args(argv)
    if args.out_dir is not None and args.out is not None:
        parser.error("give the output folder once: OUT_DIR or --out OUT_DIR")
    out_dir = args.out if args.out is not None else args.out_dir
    if out_dir is None:
        try:
            out_dir = default_out_dir()
        except NotASourceCheckout as error:
            parser.error(str(error))
    for path in write_all(out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
