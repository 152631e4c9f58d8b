"""Every bench's short mode (`--short`): the same measurements on small sizes, so that `make
bench` runs every bench on every landing (in CI) and a bench that breaks fails there. The
figures quoted in notes come from the full sizes."""

import argparse


def parse(parser: argparse.ArgumentParser, **short: object) -> argparse.Namespace:
    """The bench's arguments; with ``--short``, the sizes of ``short`` for those not given."""
    parser.add_argument("--short", action="store_true", help="small sizes, as `make bench` runs")
    args = parser.parse_args()
    if args.short:
        for name, value in short.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args
