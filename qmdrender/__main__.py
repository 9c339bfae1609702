"""`python -m qmdrender render doc.qmd --to html,pdf --output-dir DIR`: render any .qmd.
`python -m qmdrender typst-server stop|status|where`: the typst server renders keep warm."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from qmdrender import typst_server
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


def parse_metadata(pairs: list[str], files: list[Path]) -> dict[str, object]:
    """`--metadata-file FILE` (YAML mappings, in order), then `-M KEY:VALUE` pairs, whose value is a
    string, or a boolean for true and false, as pandoc's `-M` reads it: the metadata render() gives
    the prose and pandoc (over the document's own keys, as Quarto does), never the cells."""
    metadata: dict[str, object] = {}
    for file in files:
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise RenderError(f"--metadata-file {file}: {error}") from error
        if not isinstance(loaded, dict):
            raise RenderError(f"--metadata-file {file}: expected a YAML mapping")
        metadata.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition(":")
        if not sep or not key:
            raise RenderError(f"--metadata {pair!r}: expected KEY:VALUE")
        metadata[key] = {"true": True, "false": False}.get(value.strip().lower(), value)
    return metadata


def typst_server_command(action: str) -> int:
    """`stop` ends this environment's typst server; `status` gives its process and compiles; `where`
    its socket. See qmdrender/typst_server.py."""
    try:
        if action == "where":
            print(typst_server.socket_path())
        elif action == "status":
            status = typst_server.status()
            print(
                f"running: process {status['pid']}, {status['compiles']} compiles"
                if status
                else "not running"
            )
        else:
            print("stopped" if typst_server.stop() else "no server was running")
    except typst_server.Unavailable as error:
        print(f"qmdrender: {error}", file=sys.stderr)
        return 1
    return 0


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
    run.add_argument(
        "-M",
        "--metadata",
        action="append",
        default=[],
        metavar="KEY:VALUE",
        help="document metadata for the prose's {{< meta KEY >}} and pandoc, never the cells (repeatable)",
    )
    run.add_argument(
        "--metadata-file",
        action="append",
        default=[],
        type=Path,
        help="a YAML file of such metadata (repeatable)",
    )
    run.add_argument("--keep-scratch", action="store_true", help="keep the work folder, for debugging")
    server = commands.add_parser(
        "typst-server", help="the typst server renders keep warm: stop it, or say where"
    )
    server.add_argument("action", choices=["stop", "status", "where"])
    args = parser.parse_args(argv)
    if args.command == "typst-server":
        return typst_server_command(args.action)
    try:
        formats = parse_formats(args.to)
        out_dir = args.output_dir or args.document.parent
        targets = {fmt: out_dir / f"{args.document.stem}{SUFFIX[fmt]}" for fmt in formats}
        inputs = json.loads(args.inputs_json.read_text(encoding="utf-8")) if args.inputs_json else {}
        inputs.update(parse_inputs(args.input))
        metadata = parse_metadata(args.metadata, args.metadata_file)
        engine = render(
            args.document,
            targets,
            inputs,
            engine=args.engine,
            keep_scratch=args.keep_scratch,
            metadata=metadata,
        )
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
