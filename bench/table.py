#!/usr/bin/python3
"""Joins benchmark rows into one table: bench/run.sh's last step (standard library only).

    bench/table.py ROWS.jsonl                          the markdown table
    bench/table.py ROWS.jsonl --json                   every row as one JSON array
    bench/table.py ROWS.jsonl --write-docs SECTION --doc docs/performance.md --header TEXT
                                                       (re)writes the doc's section SECTION with the table

ROWS holds JSON arrays of rows, one array per line (what `trm bench --json` and the peer scripts print), each row
{"workload", "impl", "metric", "value"} plus "repeat" (which interleaved repeat measured it; bench/run.sh adds it).
A cell's value is the median over the repeats. A ratio "A / B" is taken per repeat (A and B from the same repeat,
measured minutes apart at most) and shown as median (min-max) over the repeats: throughput A/B, latency and memory
B/A, so above 1 means A is better. A doc section lies between the lines
<!-- WRITER --write-docs SECTION: begin --> and <!-- WRITER --write-docs SECTION: end --> (WRITER: --writer, by
default bench/run.sh); a section not yet in the doc is added at its end.
"""
import argparse
import json
import statistics
import sys

# Columns in this order when present; ratios between these pairs when both are present.
IMPLS = ["trm", "pytorch", "trm-bf16", "pytorch-bf16", "tfjs-wasm"]
RATIOS = [("trm", "pytorch"), ("trm-bf16", "pytorch-bf16"), ("trm-bf16", "pytorch"), ("trm-bf16", "trm"), ("trm", "tfjs-wasm")]
HIGHER_IS_BETTER = {"samples_per_s", "gflops"}


class RowsError(Exception):
    pass


def read_rows(path):
    rows = []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise RowsError(f"{path}: cannot read ({e.strerror})")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError as e:
            raise RowsError(f"{where}: not JSON ({e.msg})")
        if not isinstance(parsed, list):
            raise RowsError(f"{where}: not an array of rows")
        for i, r in enumerate(parsed, 1):
            if not isinstance(r, dict):
                raise RowsError(f"{where}: row {i} is not an object")
            for key in ("workload", "impl", "metric"):
                if not isinstance(r.get(key), str):
                    raise RowsError(f'{where}: row {i}: "{key}" is missing or not a string')
            if not isinstance(r.get("value"), (int, float)) or isinstance(r.get("value"), bool):
                raise RowsError(f'{where}: row {i}: "value" is missing or not a number')
            rows.append(dict(r, repeat=int(r.get("repeat", 1))))
    if not rows:
        raise RowsError(f"{path}: no rows")
    return rows


def fmt(v):
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def better(metric, a, b):
    """How many times better a is than b."""
    return a / b if metric in HIGHER_IS_BETTER else b / a


def table(rows, extra_ratios=()):
    # (workload, metric) -> impl -> repeat -> value, in the order first seen
    cells = {}
    for r in rows:
        cells.setdefault((r["workload"], r["metric"]), {}).setdefault(r["impl"], {})[r["repeat"]] = r["value"]
    present = [i for i in IMPLS if any(i in v for v in cells.values())]
    present += sorted({i for v in cells.values() for i in v} - set(present))
    ratios = [(a, b) for a, b in list(RATIOS) + list(extra_ratios) if a in present and b in present]
    header = ["workload", "metric"] + present + [f"{a} / {b}" for a, b in ratios]
    lines = ["| " + " | ".join(header) + " |", "|---|---|" + "---:|" * (len(header) - 2)]
    repeats = 1
    for (workload, metric), by_impl in cells.items():
        out = [workload, metric]
        for impl in present:
            values = list(by_impl.get(impl, {}).values())
            repeats = max(repeats, len(values))
            out.append(fmt(statistics.median(values)) if values else "-")
        for a, b in ratios:
            common = sorted(set(by_impl.get(a, {})) & set(by_impl.get(b, {})))
            each = [better(metric, by_impl[a][k], by_impl[b][k]) for k in common if by_impl[a][k] > 0 and by_impl[b][k] > 0]
            if not each:
                out.append("-")
            elif len(each) == 1:
                out.append(fmt(each[0]) + "x")
            else:
                out.append(f"{fmt(statistics.median(each))}x ({fmt(min(each))}-{fmt(max(each))})")
        lines.append("| " + " | ".join(out) + " |")
    note = (f"Values: median of {repeats} interleaved repeats. " if repeats > 1 else "Values: one run. ")
    note += ("A / B: how many times better A is (throughput and GFLOP/s A/B; latency and peak RSS B/A)"
             + (", median (min-max) of the per-repeat ratios." if repeats > 1 else "."))
    return "\n".join(lines) + "\n\n" + note + "\n"


def write_docs(doc, section, text, writer="bench/run.sh"):
    begin = f"<!-- {writer} --write-docs {section}: begin -->"
    end = f"<!-- {writer} --write-docs {section}: end -->"
    try:
        content = open(doc, encoding="utf-8").read()
    except OSError as e:
        raise RowsError(f"{doc}: cannot read ({e.strerror})")
    block = f"{begin}\n{text}{end}"
    if begin in content and end in content and content.index(begin) < content.index(end):
        content = content[: content.index(begin)] + block + content[content.index(end) + len(end):]
    else:
        content = content.rstrip("\n") + "\n\n" + block + "\n"
    with open(doc, "w", encoding="utf-8") as f:
        f.write(content)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rows")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write-docs", metavar="SECTION")
    ap.add_argument("--doc", default="docs/performance.md")
    ap.add_argument("--writer", default="bench/run.sh", help="the script named in the section's markers")
    ap.add_argument("--header", default="", help="a paragraph above the table: when, where, which command")
    ap.add_argument("--ratio", action="append", default=[], metavar="A/B", help="another ratio column (impl names)")
    a = ap.parse_args()
    try:
        rows = read_rows(a.rows)
        if a.json:
            print(json.dumps(rows))
            return 0
        extra = [tuple(r.split("/", 1)) for r in a.ratio if "/" in r]
        text = (a.header.strip() + "\n\n" if a.header.strip() else "") + table(rows, extra)
        print(text, end="")
        if a.write_docs:
            write_docs(a.doc, a.write_docs, text, a.writer)
            print(f"bench: wrote section {a.write_docs} of {a.doc}", file=sys.stderr)
    except RowsError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
