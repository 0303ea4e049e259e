"""The tables in docs/ that quote ``make bench``: made from ``bench/results.json``, the
committed record of the run they quote, so a figure in the docs is always one that run
printed (``make bench`` then ``make docs`` updates both together)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMES = "\u00d7"  # the multiplication sign the docs print
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results.json"


def _results() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
    return loaded


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _source(results: dict[str, Any]) -> str:
    machine = results["machine"]
    return (
        f"From `make bench` on {results['date']} ({machine['cpu']}, {machine['cores']} cores,"
        f" Python {machine['python']}; `bench/results.json`)."
    )


def credentials(_: Any) -> str:
    """Per credential and authorizer: requests, dollars and revocation lag."""
    results = _results()
    cost = results["authorizer"]["cost"]
    requests = results["authorizer"]["requests"]
    per_mode = {
        "session token, our authorizer": (
            "session token",
            "our `SessionAuthorizer`",
            "session_token",
        ),
        "access token, our authorizer": ("access token", "our `SessionAuthorizer`", "access_token"),
        "access token, our authorizer, 300 s result cache": (
            "access token",
            "our `CachedSessionAuthorizer`, 300 s",
            "access_token",
        ),
        "access token, API Gateway's JWT authorizer": (
            "access token",
            "API Gateway's JWT authorizer",
            None,
        ),
    }
    rows = [
        "| send | to | DynamoDB read units (requests) per 1,000 calls | $ per million calls"
        " | a revoked credential stops working |",
        "| --- | --- | --- | --- | --- |",
    ]
    for mode, (credential, where, counted) in per_mode.items():
        row = cost["per_million"][mode]
        reads = "0"
        if counted is not None:
            units = _number(requests[counted]["read_units_per_1000"])
            reads = f"{units} ({_number(requests[counted]['requests_per_1000'])})"
        if "cache" in mode:
            reads = f"at most {reads}"
        rows.append(
            f"| {credential} | {where} | {reads} | ${row['dollars']:.2f}"
            f" | {row['revocation_lag']} |"
        )
    note = (
        f"\nFrom `make bench` ({results['date']}): one container at 200 authorizations a second;"
        f" dollars add Lambda, DynamoDB and, for access tokens, issuing them (KMS), to the HTTP"
        f" API's own ${cost['http_api_per_million']:.2f} per million in every row; prices and"
        " the usage assumed are printed by `make bench` (docs/performance.md).\n"
    )
    return "\n".join(rows) + "\n" + note


def operations(_: Any) -> str:
    """DynamoDB requests and capacity per operation, beside the original's KV calls."""
    results = _results()
    rows = [
        "| operation | requests | RCU | WCU | original (Workers KV) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in results["cost"]["rows"]:
        split = " + ".join(f"{n} {op}" for op, n in row["by_operation"].items())
        shown = f"{row['requests']} ({split})" if split else "0"
        rows.append(
            f"| {row['operation']} | {shown} | {row['read_units']:g} | {row['write_units']:g}"
            f" | {row['original']} |"
        )
    events = results["events_cost"]
    rows.append(
        f"| events function, per 1,000 session changes | {events['dynamodb_requests_per_1000']:,}"
        f" (activity items, is-the-user-erased reads) + {events['put_events_calls_per_1000']}"
        " PutEvents; stream reads are free | | "
        f"{events['write_units_per_1000']:,} (each activity item and its"
        f" {events['indexes_written']} indexes) | none |"
    )
    return "\n".join(rows) + "\n\nCapacity as dynalite reports it. " + _source(results) + "\n"


def peers(_: Any) -> str:
    """The page-view workload through each store, on dynalite."""
    results = _results()
    found = results["peers"]["dynalite"]
    rows = [
        "| store / setting | requests | RCU | WCU | writes per 100 views | p50 ms | p99 ms"
        " | sign out everywhere |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for store, settings in found.items():
        if store == "capacity":
            continue
        for setting, steps in settings.items():
            label = f"{store}, {setting}"
            if setting == "skipped" or "failed" in steps:
                reason = steps if setting == "skipped" else steps["failed"]
                rows.append(f"| {label} | did not finish: {reason} | | | | | | |")
                continue
            view = steps["page_view"]
            everywhere = steps["sign_out_everywhere"]
            last = (
                "cannot"
                if everywhere is None
                else f"{everywhere['requests']} requests, {everywhere['write_units']:g} WCU"
            )
            rows.append(
                f"| {label} | {view['requests']:g} | {view['read_units']:g}"
                f" | {view['write_units']:g} | {view['writes_per_100']:g} | {view['p50_ms']:.2f}"
                f" | {view['p99_ms']:.2f} | {last} |"
            )
    return "\n".join(rows) + "\n\n" + _source(results) + "\n"


def _verdict(value: float, target: float) -> str:
    return f"≤ {target:g}{TIMES} — {'met' if value <= target else '**missed**'}"


def floors(_: Any) -> str:
    """Latency, cold start and CPU against their floors and targets."""
    results = _results()
    cold = results["coldstart"]
    warm = cold["warm"]
    latency = results["latency"]
    by_name = {row["operation"]: row for row in results["cost"]["rows"]}
    floor = cold["floor: boto3 client + get_item"]
    rows = [
        "| figure | measured | target |",
        "| --- | --- | --- |",
        f"| validate, DynamoDB requests | {by_name['validate']['requests']} | 1 |",
        f"| malformed token, requests | {by_name['malformed token']['requests']} | 0 |",
        f"| refresh / create, requests | {by_name['refresh']['requests']}"
        f" / {by_name['create']['requests']} | ≤ 2 / ≤ 2 |",
        "| validate / bare `get_item`, moto_server · dynalite"
        f" | {latency['moto_server']['validate_over_get_item']:.2f}{TIMES}"
        f" · {latency['dynalite']['validate_over_get_item']:.2f}{TIMES} | |",
        f'| cold start, floor: `import boto3; boto3.client("dynamodb").get_item(...)`'
        f" | {floor['median']:.0f} ms | floor |",
    ]
    targets = {
        "authorizer: import + first request": ("authorizer, session token", 1.0),
        "authorizer, access token: import + first": ("authorizer, access token", 1.0),
        "api: import + GET /me/session": ("API, `GET /me/session`", 1.3),
    }
    for key, (label, target) in targets.items():
        entry = cold[key]
        rows.append(
            f"| cold start, {label}: import + first request | {entry['median']:.0f} ms ="
            f" {entry['over_floor']:.2f}{TIMES} | {_verdict(entry['over_floor'], target)} |"
        )
    session, access = warm["authorizer"], warm["authorizer, access token"]
    rows += [
        f"| authorizer, warm, session token, vs bare `GetItem` | {session['median_ms']:.2f} ms ="
        f" {session['over_get_item']:.2f}{TIMES} (bare 2-key `BatchGetItem`:"
        f" {warm['batch_get_item (2 keys)']['over_get_item']:.2f}{TIMES})"
        f" | {_verdict(session['over_get_item'], 1.15)} |",
        f"| authorizer, warm, access token | {access['median_ms'] * 1000:.0f} µs, no request"
        f" | ≤ 100 µs — {'met' if access['median_ms'] <= 0.1 else '**missed**'} |",
        f"| validate CPU, in-memory store, vs floor loop"
        f" | {results['cpu']['validate_us']['median']:.1f} µs ="
        f" {results['cpu']['validate_over_floor']:.1f}{TIMES} | a figure |",
    ]
    cleanup = results["cleanup"]
    idle = cleanup["after_idle"]
    rows += [
        f"| cleanup, 50 expired among 200 vs 2,000 live | {cleanup['live=200']['requests']}"
        f" vs {cleanup['live=2000']['requests']} requests | unchanged |",
        f"| cleanup, one run after {idle['idle_days']} idle days ({idle['deleted']} expired)"
        f" | {idle['requests']} requests = {idle['beyond_expired']} beyond the expired | ≤ 100 |",
    ]
    return "\n".join(rows) + "\n\n" + _source(results) + "\n"


def feed_units(_: Any) -> str:
    """The revocation feed in units, before and after the feed table."""
    results = _results()
    feed = results["feed"]
    rows = [
        "| live entries | design | append: WCU | warm poll, nothing new: RCU (requests)"
        " | cold start: RCU (requests) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size in ("0", "1000", "10000"):
        for design, label in (("before", "shard items"), ("after", "an item per entry")):
            row = feed[design][size]
            rows.append(
                f"| {int(size):,} | {label} | {_number(row['append']['write'])}"
                f" | {_number(row['warm_poll']['read'])} ({row['warm_poll']['requests']})"
                f" | {_number(row['cold_start']['read'])} ({row['cold_start']['requests']}) |"
            )
    after = feed["after"]["10000"]
    unpacked = _number(after["cold_start_unpacked"]["read"])
    fresh = _number(after["warm_poll_1000_new"]["read"])
    packed = _number(after["packed_poll"]["read"])
    note = (
        "\nOn dynalite with `ReturnConsumedCapacity`, every read billed at least DynamoDB's"
        " minimum. After, a cold start reads the packed seconds (8 bytes an entry); before the"
        f" compactor has packed them it reads the entries: {unpacked} RCU at 10,000. A warm"
        f" poll with 1,000 new entries: {fresh} RCU; a poll of packed seconds with nothing"
        f" new: {packed}. {_source(results)}\n"
    )
    return "\n".join(rows) + "\n" + note


def feed_fleet(_: Any) -> str:
    """The fleet table: what the feed costs a fleet of authorizers, and its lag."""
    results = _results()
    modes = {(m["containers"], m["revocations_per_second"]): m for m in results["feed_fleet_modes"]}
    rows = [
        "| containers | revocations/s | busiest partition RCU/s | busiest partition WCU/s"
        " | $ a month | lag s | reads | requests a poll |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results["feed_fleet"]:
        mode = modes[(row["containers"], row["revocations_per_second"])]
        reads = "entries" if mode["mode"] == "entries" else f"packed, {mode['replicas']} replicas"
        rows.append(
            f"| {row['containers']:,} | {row['revocations_per_second']:,}"
            f" | {_number(row['max_partition_rcu_per_second'])}"
            f" | {_number(row['max_partition_wcu_per_second'])}"
            f" | {row['dollars_per_month']:,.0f} | {_number(row['lag_seconds'])} | {reads}"
            f" | {mode['requests_per_poll']} |"
        )
    rates = results["feed"]["rates"]
    note = (
        f"\nFrom the measured units ({_number(rates['direct_units_per_entry'] * 1000)} RCU per"
        f" 1,000 entries read as items, {_number(rates['packed_units_per_entry'] * 1000)} per"
        " 1,000 packed), polls every 5 s (4 s for packed reads), each partition kept under"
        " half its limit (1,500 RCU/s, 500 WCU/s), strongly consistent reads at $0.125 and"
        " writes at $0.625 per million units (us-east-1 on-demand). " + _source(results) + "\n"
    )
    return "\n".join(rows) + "\n" + note


def deployed_cold_start(_: Any) -> str:
    """Cold starts of the artifact as deployed, with and without its bytecode."""
    results = _results()
    found = results["coldstart_deployed"]
    rows = [
        "| first request | ms (median) | x the floor | without bytecode |",
        "| --- | --- | --- | --- |",
    ]
    floor = found["floor: boto3 client + get_item"]
    rows.append(f"| floor: boto3 client + get_item | {floor['median']:.0f} | 1.00 | |")
    for name in (
        "authorizer: import + first request",
        "authorizer, access token: import + first",
        "api: import + GET /me/session",
    ):
        row, bare = found[name], found[f"{name} (no bytecode)"]
        rows.append(
            f"| {name} | {row['median']:.0f} | {row['over_floor']:.2f} | {bare['over_floor']:.2f} |"
        )
    sizes = ", ".join(f"{k} {v} MB" for k, v in found["size_mb"].items())
    note = (
        f"\nEach artifact built by the Makefile's recipe (x86_64 wheels, to run here), started"
        f" by {found['python']} with `PYTHONDONTWRITEBYTECODE=1` (Lambda's /var/task is"
        " read-only), boto3 precompiled as the runtime's; import + first request on dynalite,"
        f" interleaved. Artifacts: {sizes}. " + _source(results) + "\n"
    )
    return "\n".join(rows) + "\n" + note


BENCH_GENERATORS: dict[str, Callable[[Any], str]] = {
    "credentials": credentials,
    "operations": operations,
    "peers": peers,
    "floors": floors,
    "feed-units": feed_units,
    "feed-fleet": feed_fleet,
    "deployed-cold-start": deployed_cold_start,
}
