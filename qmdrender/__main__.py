"""`python -m qmdrender render doc.qmd --to html,pdf --output-dir DIR`: render any .qmd."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qmdrender.engine import ENGINES, FORMATS, RenderError, parse_formats, render

SUFFIX = {"html": ".html", "pdf": ".pdf"}


def parse_inputs(pairs: list[str]) -> dict[str, str]:
    """`--input name=path` pairs as the mapping the document's cells read through REPORT_INPUTS."""
    inputs = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise RenderError(f"--input {pair!r}: expected NAME=PATH")
        inputs[name] = path
    return inputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qmdrender", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("render", help="render a .qmd to HTML and/or PDF")
    run.add_argument("document", type=Path, help="the .qmd file")
    run.add_argument("--to", default=",".join(FORMATS), help="comma-separated formats (default: html,pdf)")
    run.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="where <stem>.html / <stem>.pdf go (default: beside the document)",
    )
    run.add_argument(
        "--engine", choices=ENGINES, default="auto", help="auto: Quarto when on PATH, else offline (default)"
    )
    run.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a file the document's cells may read by name (repeatable)",
    )
    run.add_argument("--inputs-json", type=Path, help="a JSON file mapping names to paths (or lists)")
    run.add_argument("--keep-scratch", action="store_true", help="keep the work folder, for debugging")
    args = parser.parse_args(argv)
    try:
        formats = parse_formats(args.to)
        out_dir = args.output_dir or args.document.parent
        targets = {fmt: out_dir / f"{args.document.stem}{SUFFIX[fmt]}" for fmt in formats}
        inputs = json.loads(args.inputs_json.read_text(encoding="utf-8")) if args.inputs_json else {}
        inputs.update(parse_inputs(args.input))
        engine = render(args.document, targets, inputs, engine=args.engine, keep_scratch=args.keep_scratch)
    except RenderError as error:
        print(f"qmdrender: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("qmdrender: interrupted; earlier outputs left as they were", file=sys.stderr)
        return 130
    for path in targets.values():
        print(path)
    print(f"rendered with {engine}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
