"""`make bench SCALE=district|province|national`: measure the issues' figures.

Builds a synthetic ledger of the chosen scale in the (separate) benchmark
database, then reports each figure next to the raw library or database doing
the same work, in the same run. With --write-docs the tables replace the
scale's section of docs/performance.md.
"""

import importlib
import importlib.util
import json
import platform
import re
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench import data, ledger

ROOT = Path(__file__).resolve().parents[3]
LEDGER_PARTS = ("lists", "export", "import")
# The other apps' figures: part name -> module with
#   measure(scale, *, repeat, stdout) -> dict   (JSON-serialisable results)
#   render(result, stamp) -> str                 (a markdown block for docs/performance.md)
APP_PARTS = {
    "complaints": "bench.complaints",
    "property": "bench.propertymgmt",
    "renovation": "bench.renovation",
    "workbook": "bench.workbook",
    "dashboard": "bench.dashboard",
}


def available_parts() -> list[str]:
    return [*LEDGER_PARTS, *(name for name, module in APP_PARTS.items() if importlib.util.find_spec(module))]


class Command(BaseCommand):
    help = "Benchmark the portal at district, province or national scale (PostgreSQL only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(data.SCALES), default="district")
        parser.add_argument("--rebuild", action="store_true", help="regenerate the synthetic ledger")
        parts = ",".join(available_parts())
        parser.add_argument("--only", default=parts, help=f"comma-separated, of: {parts}")
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--write-docs", action="store_true", help="update docs/performance.md")
        parser.add_argument(ledger.EXPORT_MEMORY_FLAG, action="store_true", help="(internal) export probe")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmarks run on PostgreSQL: set DATABASE_URL (make bench does).")
        if options["export_memory_probe"]:
            ledger.export_in_child()
            return
        scale = data.SCALES[options["scale"]]
        if options["rebuild"] or data.existing_scale() != scale.name:
            self.stdout.write(f"Building the {scale.name} ledger ({scale.estates:,} estates)…")
            started = time.perf_counter()
            data.build(scale)
            data.vacuum()
            self.stdout.write(f"  built in {time.perf_counter() - started:.1f} s")
        only = set(options["only"].split(","))
        results = {
            "scale": scale.name,
            "estates": scale.estates,
            "at": timezone.localtime().isoformat(),
            "machine": f"{platform.machine()}, {_cores()} cores, Python {platform.python_version()}",
        }
        if "lists" in only:
            self.stdout.write("Measuring list page and API…")
            results["lists"] = ledger.lists(scale, repeat=options["repeat"])
        if "export" in only:
            self.stdout.write("Measuring the full export…")
            results["export"] = ledger.export()
        if "import" in only:
            self.stdout.write("Measuring the import of 10,000 rows…")
            results["import"] = ledger.import_rows()
        for name, module in APP_PARTS.items():
            if name in only:
                self.stdout.write(f"Measuring {name}…")
                results[name] = importlib.import_module(module).measure(
                    scale, repeat=options["repeat"], stdout=self.stdout
                )
        blocks = render(results)
        self.stdout.write("\n\n".join(blocks.values()))
        out = ROOT / "bench-results"
        out.mkdir(exist_ok=True)
        (out / f"{scale.name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
        if options["write_docs"]:
            write_docs(scale.name, blocks)
            self.stdout.write(f"docs/performance.md: section “{scale.name}” updated.")


def _cores():
    import os

    return os.cpu_count()


def render(results) -> dict:
    """One markdown block per measured part (lists, export, import)."""
    stamp = f"Measured {results['at'][:16]} on {results['machine']}; {results['estates']:,} estates."
    blocks = {}
    if "lists" in results:
        lines = [
            stamp,
            "",
            "| who | what | filter and page | median ms | same SQL, raw driver ms | ratio | queries |"
            " first request ms | its queries |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in results["lists"]:
            params = "&".join(f"{k}={v}" for k, v in row["params"].items())
            lines.append(
                f"| {row['who']} | {row['kind']} | `{params}` | {row['median_ms']} | {row['raw_sql_ms']} | "
                f"{row['ratio']} | {row['queries']} | {row['first_ms']} | {row['queries_first']} |"
            )
        blocks["lists"] = "\n".join(lines)
    if "export" in results:
        e = results["export"]
        blocks["export"] = "\n".join(
            [
                stamp,
                "",
                "| export | rows | seconds | xlsxwriter alone, same cells from tuples, s | ratio | peak memory MB |",
                "|---|---:|---:|---:|---:|---:|",
                f"| whole ledger | {e['rows']:,} | {e['seconds']} | {e['baseline_seconds']} | {e['ratio']} | "
                f"{e['peak_mb']} |",
            ]
        )
    if "import" in results:
        i = results["import"]
        blocks["import"] = "\n".join(
            [
                stamp,
                "",
                "| import | rows | openpyxl read-only rows/s | preview rows/s | commit rows/s | commit ÷ openpyxl |",
                "|---|---:|---:|---:|---:|---:|",
                f"| 10,000 new estates | {i['rows']:,} | {i['openpyxl_rows_per_s']:,} | "
                f"{i['preview_rows_per_s']:,} | {i['commit_rows_per_s']:,} | {i['commit_vs_openpyxl']} |",
            ]
        )
    for name, module in APP_PARTS.items():
        if name in results:
            blocks[name] = importlib.import_module(module).render(results[name], stamp)
    return blocks


def write_docs(scale, blocks):
    """Replace each measured part's block of the scale in docs/performance.md,
    leaving the parts not measured in this run as they were."""
    path = ROOT / "docs" / "performance.md"
    text = path.read_text() if path.exists() else "# Performance\n"
    for part, report in blocks.items():
        start, end = f"<!-- bench:{scale}:{part}:start -->", f"<!-- bench:{scale}:{part}:end -->"
        block = f"{start}\n{report}\n{end}"
        if start in text:
            text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m, b=block: b, text, flags=re.S)
        else:
            text = text.rstrip() + f"\n\n#### {scale}: {part}\n\n{block}\n"
    path.write_text(text)
