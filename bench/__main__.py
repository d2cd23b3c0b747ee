"""``python -m bench [import|weekly|dashboards|digests|all] [--no-iexport]``: run the
benchmarks, print figures. ``python -m bench load [--users N] [--seconds S] [--think T]``
drives gunicorn with logged-in people (bench/load.py); ``python -m bench matrix`` renders the
district checklist matrix for 300 and 30 organisations in a throwaway database
(bench/rollout_matrix.py); "all" leaves those two out."""

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=["import", "weekly", "dashboards", "digests", "all", "load", "matrix"],
    )
    parser.add_argument(
        "--no-iexport", action="store_true", help="skip the slow django-import-export baseline"
    )
    parser.add_argument("--users", type=int, default=50, help="load: people logged in")
    parser.add_argument("--seconds", type=int, default=60, help="load: measured window")
    parser.add_argument("--think", type=float, default=1.0, help="load: mean pause per page, s")
    args = parser.parse_args()
    if args.which in ("import", "all"):
        from . import imports

        imports.main(with_iexport=not args.no_iexport)
    if args.which in ("weekly", "all"):
        from . import weekly

        weekly.main()
    if args.which in ("dashboards", "all"):
        from . import dashboards

        dashboards.main()
    if args.which in ("digests", "all"):
        from . import digests

        digests.main()
    if args.which == "matrix":
        from . import rollout_matrix

        rollout_matrix.main()
    if args.which == "load":
        from . import load

        load.main(users=args.users, seconds=args.seconds, think=args.think)


if __name__ == "__main__":
    main()
