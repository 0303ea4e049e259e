"""``python -m bench``: run every benchmark, print the table, write bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.cleanup import measure_cleanup
from bench.coldstart import measure_cold_start
from bench.cost import measure_costs
from bench.cpu import measure_cpu
from bench.latency import measure_latency
from bench.measure import Clock
from sessions_cli.protocol_servers import ServerUnavailableError, start_dynalite
from sessions_core.dynamodb.client import make_client

RESULTS = Path(__file__).resolve().parent / "results.json"


def _machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
    }


def say(text: str = "") -> None:
    print(text, flush=True)


def _capacity_server() -> tuple[Any, Any, str]:
    """dynalite computes consumed capacity as DynamoDB does; moto in process otherwise."""
    try:
        server = start_dynalite()
        return server, make_client(endpoint_url=server.url), "dynalite"
    except ServerUnavailableError:
        from moto import mock_aws

        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        mock = mock_aws()
        mock.start()
        return mock, make_client(), "moto (in process)"


def main() -> int:
    started = time.perf_counter()
    # EMF metrics print a JSON blob per flush; a benchmark wants none of that.
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    results: dict[str, Any] = {"machine": _machine(), "date": time.strftime("%Y-%m-%d")}

    say("1/5 DynamoDB requests and capacity per operation ...")
    server, client, where = _capacity_server()
    try:
        results["cost"] = {"server": where, "rows": measure_costs(client, "bench-cost", Clock())}
        say("5/5 cleanup scaling (run early, on the same server) ...")
        results["cleanup"] = measure_cleanup(client)
    finally:  # a failed run must not leave a server process behind
        server.stop()
    say("2/5 CPU overhead on the in-memory store ...")
    results["cpu"] = measure_cpu()
    say("3/5 latency over moto_server and dynalite ...")
    results["latency"] = measure_latency()
    say("4/5 cold start (fresh interpreters) ...")
    results["cold_start"] = measure_cold_start()
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_report(results)
    say(
        f"\nwrote {RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS}"
        f" in {results['seconds']} s"
    )
    return 0


def print_report(r: dict[str, Any]) -> None:
    m = r["machine"]
    say(f"\nMachine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {r['date']}")
    say(
        f"\nRequests and capacity per operation ({r['cost']['server']}; original column from its algorithm):"
    )
    say(f"  {'operation':<44}{'requests':>9}{'RCU':>7}{'WCU':>7}   original (KV)")
    for row in r["cost"]["rows"]:
        ops = ", ".join(f"{k} {v}" for k, v in row["by_operation"].items())
        say(
            f"  {row['operation']:<44}{row['requests']:>9}{row['read_units']:>7}{row['write_units']:>7}"
            f"   {row['original']}  [{ops}]"
        )
    c = r["cpu"]
    say("\nCPU per call (in-memory store, no I/O):")
    say(f"  floor loop      {c['floor_us']['median']:.2f} µs")
    say(
        f"  validate        {c['validate_us']['median']:.2f} µs   = {c['validate_over_floor']:.2f}x floor (target <= 3x)"
    )
    say(
        f"  API handler     {c['api_handler_us']['median']:.1f} µs   = {c['api_handler_over_validate']:.1f}x manager.validate"
    )
    say("\nLatency over protocol servers (median ms; ours / the bare request):")
    for name, figures in r["latency"].items():
        if "skipped" in figures:
            say(f"  {name}: skipped ({figures['skipped']})")
            continue
        say(
            f"  {name:<12} validate {figures['validate']['median']:.2f} / get_item {figures['get_item']['median']:.2f}"
            f" = {figures['validate_over_get_item']:.2f}x;  refresh {figures['refresh']['median']:.2f}"
            f" / update_item {figures['update_item']['median']:.2f} = {figures['refresh_over_update_item']:.2f}x"
        )
    say("\nCold start (median of fresh interpreters):")
    for name, fig in r["cold_start"].items():
        if name == "top_imports":
            continue
        say(
            f"  {name:<24}{fig['median']:7.0f} ms  ({fig['min']:.0f}..{fig['max']:.0f})  = {fig['over_floor']:.2f}x floor"
        )
    for name, rows in r["cold_start"]["top_imports"].items():
        say(
            f"  top imports, {name}: "
            + ", ".join(f"{x['module']} {x['self_ms']:.0f} ms" for x in rows[:5])
        )
    cl = r["cleanup"]
    say("\nCleanup, 50 expired sessions among N live ones:")
    for key, value in cl.items():
        if key.startswith("live="):
            say(
                f"  {key:<12} deleted {value['deleted']}, {value['requests']} requests, {value['items_read']} items read"
            )
    say(f"  cost unchanged when live sessions grow 10x: {cl['unchanged']}")


if __name__ == "__main__":
    sys.exit(main())
