"""``python -m bench``: run every benchmark, print the table, write bench/results.json.

The peers (express-session + connect-dynamodb, Flask-Session) are installed from the
package registries on first run and started and stopped here; nothing to do by hand.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from bench.artifact_coldstart import measure_artifact_cold_start
from bench.authorizer_cost import cost_model, measure_authorizer_requests
from bench.cleanup import measure_cleanup, measure_idle_cleanup
from bench.coldstart import measure_cold_start
from bench.cost import measure_costs
from bench.cpu import measure_cpu
from bench.events_cost import measure_events_cost
from bench.feed import measure_feed
from bench.latency import measure_latency
from bench.measure import Clock
from bench.peers.run import measure_peers
from bench.report import print_report, say
from bench.tokens import measure_tokens
from sessions_core.dynamodb.client import make_client
from tests.harness.protocol_servers import ServerUnavailableError, start_dynalite

RESULTS = Path(__file__).resolve().parent / "results.json"
FLEET_COLUMNS = (
    "containers",
    "revocations_per_second",
    "max_partition_rcu_per_second",
    "max_partition_wcu_per_second",
    "dollars_per_month",
    "lag_seconds",
)
FLEET_MODE = ("mode", "replicas", "requests_per_poll")
STEPS = 7


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


def _capacity_server() -> tuple[Any, Any, str]:
    """dynalite computes consumed capacity as DynamoDB does; moto in process otherwise."""
    try:
        server = start_dynalite()
        return server, make_client(endpoint_url=server.url), "dynalite"
    except ServerUnavailableError:
        from moto import mock_aws

        mock = mock_aws()
        mock.start()
        return mock, make_client(), "moto (in process)"


def _events_cost() -> dict[str, Any]:
    """On moto in process: the one server here with a table stream."""
    from moto import mock_aws

    with mock_aws():
        return measure_events_cost(make_client())


def main() -> int:
    started = time.perf_counter()
    # EMF metrics print a JSON blob per flush; a benchmark wants none of that.
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    results: dict[str, Any] = {"machine": _machine(), "date": time.strftime("%Y-%m-%d")}

    say(f"1/{STEPS} DynamoDB requests and capacity per operation ...")
    server, client, where = _capacity_server()
    try:
        results["cost"] = {"server": where, "rows": measure_costs(client, "bench-cost", Clock())}
        say(f"2/{STEPS} cleanup: table size, and one run after 400 idle days ...")
        results["cleanup"] = measure_cleanup(client)
        results["cleanup"]["after_idle"] = measure_idle_cleanup(client)
        say("   the revocation feed in units, before and after, and the fleet table ...")
        feed = measure_feed(client)
        fleet = feed.pop("fleet")
        results["feed"] = feed
        results["feed_fleet"] = [{k: row[k] for k in FLEET_COLUMNS} for row in fleet]
        results["feed_fleet_modes"] = [
            {k: row[k] for k in ("containers", "revocations_per_second", *FLEET_MODE)}
            for row in fleet
        ]
    finally:  # a failed run must not leave a server process behind
        server.stop()
    say(f"3/{STEPS} the events function per 1,000 session changes ...")
    results["events_cost"] = _events_cost()
    say(f"4/{STEPS} CPU on the in-memory store (sessions and access tokens) ...")
    results["cpu"] = measure_cpu()
    results["cpu"]["access_tokens"] = measure_tokens()
    say(f"5/{STEPS} latency over moto_server and dynalite ...")
    results["latency"] = measure_latency()
    say(f"6/{STEPS} cold start and the authorizer per credential, with its cost ...")
    results["coldstart"] = measure_cold_start()
    say(
        "   cold start of the artifact as deployed (the recipes' build, python3.13, read-only cache) ..."
    )
    results["coldstart_deployed"] = measure_artifact_cold_start()
    warm = results["coldstart"]["warm"]
    requests = measure_authorizer_requests()
    results["authorizer"] = {
        "requests": requests,
        "cost": cost_model(
            requests,
            {
                "session_token": warm["authorizer"]["median_ms"],
                "access_token": warm["authorizer, access token"]["median_ms"],
            },
        ),
    }
    say(f"7/{STEPS} peers: express-session + connect-dynamodb, Flask-Session, ours ...")
    results["peers"] = measure_peers()
    results["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print_report(results)
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    say(f"\nwrote {shown} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
