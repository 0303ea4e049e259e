"""The printed report of ``make bench`` (the same figures bench/results.json holds)."""

from __future__ import annotations

from typing import Any

COLDSTART_TARGETS = {"authorizer": 1.0, "authorizer, access token": 1.0, "api": 1.3}
WARM_AUTHORIZER_TARGET = 1.15
STEPS = ("sign_in", "refresh", "sign_out", "sign_out_everywhere")


def say(text: str = "") -> None:
    print(text, flush=True)


def print_report(r: dict[str, Any]) -> None:
    m = r["machine"]
    say(f"\nMachine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {r['date']}")
    _costs(r["cost"])
    _events(r["events_cost"])
    _cpu(r["cpu"])
    _latency(r["latency"])
    _coldstart(r["coldstart"])
    if "coldstart_deployed" in r:
        _deployed(r["coldstart_deployed"])
    if "authorizer" in r:
        _authorizer(r["authorizer"])
    if "feed" in r:
        _feed(r["feed"], r["feed_fleet"], r["feed_fleet_modes"])
    _cleanup(r["cleanup"])
    _peers(r["peers"])


def _feed(feed: dict[str, Any], fleet: list[dict[str, Any]], modes: list[dict[str, Any]]) -> None:
    say("\nRevocation feed, units as dynalite reports them (reads billed at least 1):")
    say(f"  {'entries':>8} {'design':<18}{'append WCU':>11}{'warm poll RCU':>15}{'cold RCU':>10}")
    for size in ("0", "1000", "10000"):
        for design in ("before", "after"):
            row = feed[design][size]
            say(
                f"  {int(size):>8,} {design:<18}{row['append']['write']:>11g}"
                f"{row['warm_poll']['read']:>15g}{row['cold_start']['read']:>10g}"
            )
    say("  fleet (busiest partition, $ a month, lag):")
    for row, mode in zip(fleet, modes, strict=True):
        say(
            f"    {row['containers']:>6,} containers {row['revocations_per_second']:>5,}/s:"
            f" {row['max_partition_rcu_per_second']:>8g} RCU/s"
            f" {row['max_partition_wcu_per_second']:>6g} WCU/s"
            f" ${row['dollars_per_month']:>10,.0f} {row['lag_seconds']:g} s"
            f" ({mode['mode']}, {mode['replicas']} replica(s))"
        )


def _deployed(d: dict[str, Any]) -> None:
    if "skipped" in d:
        say(f"\nCold start as deployed: skipped ({d['skipped']})")
        return
    say(f"\nCold start as deployed ({d['python']}, read-only bytecode cache; x floor):")
    for name, figure in d.items():
        if isinstance(figure, dict) and "median" in figure:
            say(f"  {name:<58}{figure['median']:>8.1f} ms {figure['over_floor']:>6.2f}x")
    say(f"  artifact sizes: {d['size_mb']} MB")


def _costs(cost: dict[str, Any]) -> None:
    say(f"\nRequests and capacity per operation ({cost['server']}; original from its algorithm):")
    say(f"  {'operation':<44}{'requests':>9}{'RCU':>7}{'WCU':>7}   original (KV)")
    for row in cost["rows"]:
        ops = ", ".join(f"{k} {v}" for k, v in row["by_operation"].items())
        say(
            f"  {row['operation']:<44}{row['requests']:>9}{row['read_units']:>7}"
            f"{row['write_units']:>7}   {row['original']}  [{ops}]"
        )


def _events(e: dict[str, Any]) -> None:
    say("\nEvents function, per 1,000 session changes (moto in process):")
    say(
        f"  {e['dynamodb_requests_per_1000']} DynamoDB requests, {e['write_units_per_1000']} WCU,"
        f" {e['put_events_calls_per_1000']} PutEvents calls for {e['events_per_1000']} events"
    )


def _cpu(c: dict[str, Any]) -> None:
    say("\nCPU per call (in-memory store, no I/O; a figure, no longer a target):")
    say(f"  floor loop      {c['floor_us']['median']:.2f} µs")
    say(f"  validate        {c['validate_us']['median']:.2f} µs = {c['validate_over_floor']:.2f}x")
    say(
        f"  API handler     {c['api_handler_us']['median']:.1f} µs"
        f" = {c['api_handler_over_validate']:.1f}x manager.validate"
    )
    say("  validate by what is presented (two keys in the ring, a rotation in progress):")
    valid = c["hostile_us"]["valid"]["median"]
    for name, figure in c["hostile_us"].items():
        say(f"    {name:<28} {figure['median']:6.2f} µs = {figure['median'] / valid:.2f}x valid")
    tokens = c.get("access_tokens")
    if tokens:
        say("  access tokens (RS256, a local key; KMS signs over the network instead):")
        say(f"    validate (beside them)       {tokens['validate_us']['median']:7.1f} µs")
        say(
            f"    issue = validate + sign      {tokens['issue_us']['median']:7.1f} µs"
            f" = {tokens['issue_over_validate']:.0f}x validate ({tokens['token_bytes']} bytes)"
        )
        say(
            f"    verify, first sight          {tokens['verify_first_sight_us']['median']:7.1f} µs"
            " (no store request)"
        )
        say(
            f"    verify, seen before          {tokens['verify_us']['median']:7.1f} µs"
            f" = {tokens['verify_over_validate']:.1f}x validate"
        )
        say(f"    refuse a forged signature    {tokens['refuse_forged_us']['median']:7.1f} µs")


def _latency(latency: dict[str, Any]) -> None:
    say("\nLatency over protocol servers (median ms; ours / the bare request):")
    for name, f in latency.items():
        if "skipped" in f:
            say(f"  {name}: skipped ({f['skipped']})")
            continue
        say(
            f"  {name:<12} validate {f['validate']['median']:.2f} / get_item"
            f" {f['get_item']['median']:.2f} = {f['validate_over_get_item']:.2f}x;"
            f"  refresh {f['refresh']['median']:.2f} / update_item"
            f" {f['update_item']['median']:.2f} = {f['refresh_over_update_item']:.2f}x"
        )


def _coldstart(c: dict[str, Any]) -> None:
    say("\nCold start, import + first request (dynalite; median of fresh interpreters):")
    for name, fig in c.items():
        if name in {"warm", "top_imports"}:
            continue
        target = COLDSTART_TARGETS.get(name.split(":")[0])
        verdict = ""
        if target is not None:
            verdict = (
                f"  (target <= {target}x: {'met' if fig['over_floor'] <= target else 'missed'})"
            )
        say(
            f"  {name:<38}{fig['median']:7.0f} ms ({fig['min']:.0f}..{fig['max']:.0f})"
            f" = {fig['over_floor']:.2f}x floor{verdict}"
        )
    warm = c["warm"]
    say("  warm, per request (median ms):")
    for name, fig in warm.items():
        say(f"    {name:<26}{fig['median_ms']:.3f} = {fig['over_get_item']:.2f}x get_item")
    ratio = warm["authorizer"]["over_get_item"]
    met = "met" if ratio <= WARM_AUTHORIZER_TARGET else "missed"
    say(f"    authorizer target <= {WARM_AUTHORIZER_TARGET}x get_item: {met}")
    for name, rows in c["top_imports"].items():
        tops = ", ".join(f"{x['module']} {x['self_ms']:.0f} ms" for x in rows[:5])
        say(f"  top imports, {name.split(':')[0]}: {tops}")


def _authorizer(a: dict[str, Any]) -> None:
    requests, cost = a["requests"], a["cost"]
    say("\nThe authorizer per credential (moto; one container at 200 authorizations/s):")
    for name in ("session_token", "access_token"):
        r = requests[name]
        say(
            f"  {name.replace('_', ' '):<14} {r['requests_per_1000']:7.2f} DynamoDB requests,"
            f" {r['keys_per_1000']:7.1f} items read per 1,000 authorizations"
        )
    say(f"  {requests['formula']}")
    say("  Dollars per million authorizations (and a month for 1M MAU, the pattern below):")
    for name, row in cost["per_million"].items():
        say(
            f"    {name:<52} ${row['dollars']:.3f}  ${row['per_month_for_mau']:>9,.0f}/month"
            f"  lag: {row['revocation_lag']}"
        )
    say(
        f"    plus the HTTP API's own ${cost['http_api_per_million']:.2f} per million requests in"
        " every mode; Cognito Essentials for 1M MAU:"
        f" ${cost['cognito_essentials_for_mau']:,.0f}/month"
    )
    assumptions = cost["assumptions"]
    say(
        f"  Assumed: {assumptions['requests_per_mau_per_month']} requests per user a month,"
        f" {assumptions['requests_per_token']} per access token, "
        f"{assumptions['requests_per_cached_answer']} per cached answer, issuing"
        f" {assumptions['issue_ms']} ms; warm ms measured: {assumptions['warm_ms']}"
    )
    say("  Prices used (us-east-1 on-demand; update them in bench/authorizer_cost.py):")
    for name, price in cost["prices"].items():
        say(f"    {name:<34} {price['value']:<14g} {price['source']}")


def _cleanup(cl: dict[str, Any]) -> None:
    say("\nCleanup, 50 expired sessions among N live ones:")
    for key, value in cl.items():
        if key.startswith("live="):
            say(
                f"  {key:<12} deleted {value['deleted']}, {value['requests']} requests,"
                f" {value['items_read']} items read"
            )
    say(f"  cost unchanged when live sessions grow 10x: {cl['unchanged']}")
    idle = cl["after_idle"]
    say(
        f"  after {idle['idle_days']} idle days: deleted {idle['deleted']} in {idle['requests']}"
        f" requests = {idle['beyond_expired']} beyond the expired (target <= 100)"
    )


def _peers(p: dict[str, Any]) -> None:
    say(f"\nPeers, per page view ({p['views']} views after sign-in; latency at the client):")
    for name, version in p["versions"].items():
        say(f"  {name}: {version}")
    header = (
        f"  {'store / setting':<52}{'req':>5}{'RCU':>7}{'WCU':>7}{'w/100':>7}{'p50':>7}{'p99':>7}"
    )
    for server, stores in p.items():
        if server in {"versions", "views"}:
            continue
        if "skipped" in stores:
            say(f"\n  {server}: skipped ({stores['skipped']})")
            continue
        say(f"\n  {server} (capacity {stores['capacity']}):")
        say(header + "   sign in / refresh / sign out / everywhere (req, WCU)")
        for store, settings in stores.items():
            if store == "capacity":
                continue
            for setting, steps in settings.items():
                label = f"{store} / {setting}"
                if setting == "skipped" or "failed" in steps:
                    say(f"  {label:<52}{steps if setting == 'skipped' else steps['failed']}")
                    continue
                v = steps["page_view"]
                others = " / ".join(
                    f"{steps[s]['requests']}, {steps[s]['write_units']:g}" if steps[s] else "cannot"
                    for s in STEPS
                )
                say(
                    f"  {label:<52}{v['requests']:>5.2g}{v['read_units']:>7.3g}{v['write_units']:>7.3g}"
                    f"{v['writes_per_100']:>7.3g}{v['p50_ms']:>7.2f}{v['p99_ms']:>7.2f}   {others}"
                )
