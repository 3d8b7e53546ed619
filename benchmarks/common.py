"""What every benchmark shares: statistics, the machine's description, Markdown tables."""

from __future__ import annotations

import gc
import math
import os
import platform
import resource
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Section:
    """One benchmark's part of RESULTS.md, and its key figures for the summary."""

    title: str
    markdown: str
    headline: dict[str, str]


@dataclass(frozen=True, slots=True)
class Summary:
    """Durations in seconds."""

    n: int
    median: float
    p95: float
    p99: float
    max: float
    mean: float


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarise(values: Sequence[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Summary(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.95),
                   percentile(ordered, 0.99), ordered[-1], sum(ordered) / len(ordered))


def us(seconds: float) -> str:
    """A duration for a table, in the unit that keeps it short."""
    if math.isnan(seconds):
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:,.2f} ms" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"
    if seconds < 120:
        return f"{seconds:,.2f} s"
    if seconds < 7200:
        return f"{seconds / 60:,.1f} min"
    return f"{seconds / 3600:,.1f} h"


def ratio(a: float, b: float) -> str:
    if not b or math.isnan(a) or math.isnan(b):
        return "n/a"
    value = a / b
    return f"{value:.2f}×" if value < 10 else f"{value:,.0f}×"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def rss_bytes() -> int:
    """Resident set size of this process now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mib(size: float) -> str:
    return f"{size / 2**20:,.1f} MiB"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Timed loops run without the cyclic collector, as a fair ground for all contenders."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, str]:
    return {
        "cores (nproc)": str(os.cpu_count()),
        "usable cores": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
        "python-telegram-bot": _version("python-telegram-bot"),
        "rapidfuzz": _version("rapidfuzz"),
        "httpx": _version("httpx"),
        "PyYAML": _version("PyYAML"),
        "numpy": _version("numpy"),
    }


def timed(call: Callable[[], object]) -> float:
    """Wall time of one call, in seconds."""
    from time import perf_counter

    start = perf_counter()
    call()
    return perf_counter() - start
