"""``python -m bench [import|weekly|all] [--no-iexport]``: run the benchmarks, print figures."""

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "which", nargs="?", default="all", choices=["import", "weekly", "dashboards", "all"]
    )
    parser.add_argument(
        "--no-iexport", action="store_true", help="skip the slow django-import-export baseline"
    )
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


if __name__ == "__main__":
    main()
