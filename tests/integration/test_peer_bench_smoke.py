"""A smoke of the peer benchmark's measuring parts (the benchmark itself runs in
`make bench`, not here): the capacity rules, and the counting proxy in front of
moto_server (computed) and dynalite (reported), with our API driven through it."""

from __future__ import annotations

from typing import Any

import pytest

from bench.capacity import item_size, read_units, write_units
from bench.peers.proxy import CountingProxy
from sessions_core.dynamodb.client import client_config, make_client
from tests.support import running_server


def test_capacity_rules_follow_dynamodb_sizing() -> None:
    assert item_size({"id": {"S": "abc"}, "n": {"N": "12345"}}) == 2 + 3 + 1 + 4
    assert item_size({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1
    assert read_units(4096, consistent=True) == 1 and read_units(4097, consistent=True) == 2
    assert read_units(100, consistent=False) == 0.5
    assert write_units(0, 1024) == 1 and write_units(3000, 10) == 3


def _table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    # dynalite answers CreateTable before the table is ACTIVE (even with
    # --createTableMs 0 the switch is asynchronous), and a PutItem in between is a
    # ResourceNotFoundException, so wait as a real deployment would.
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
    )


@pytest.mark.parametrize("server", ["moto_server", "dynalite"])
def test_proxy_counts_requests_and_capacity(protocol_servers: dict[str, Any], server: str) -> None:
    upstream = running_server(protocol_servers, server)
    proxy = CountingProxy(upstream.url, computed=server == "moto_server")
    try:
        client = make_client(endpoint_url=proxy.url, config=client_config(max_attempts=1))
        _table(client, f"smoke-{server}")
        proxy.tally.reset()
        big = {"id": {"S": "a"}, "v": {"S": "x" * 3000}}
        client.put_item(TableName=f"smoke-{server}", Item=big)
        client.get_item(TableName=f"smoke-{server}", Key={"id": {"S": "a"}}, ConsistentRead=True)
        figures = proxy.tally.snapshot()
    finally:
        proxy.stop()
    assert figures["by_operation"] == {"PutItem": 1, "GetItem": 1}
    assert figures["requests"] == 2 and figures["writes"] == 1
    assert figures["write_units"] == 3.0 and figures["read_units"] == 1.0
