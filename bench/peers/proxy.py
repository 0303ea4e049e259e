"""A counting proxy in front of a local DynamoDB server: every peer and our own API talk
to the server through it, so requests, capacity and items are counted the same way
whoever sends them.

It asks for ``ReturnConsumedCapacity`` on every item operation (local servers do not
check signatures, so the rewritten body still passes) and keeps what the server
reports; with ``computed=True`` (moto_server, whose figures do not follow item sizes) it
computes capacity from item sizes instead, reading the item before a write itself.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bench.capacity import item_size, read_units, write_units

ITEM_OPERATIONS = {
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
}
READS = {"GetItem", "BatchGetItem", "Query", "Scan"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


class Tally:
    """What went through the proxy since the last reset."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.operations: Counter[str] = Counter()
            self.read_units = 0.0
            self.write_units = 0.0

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            item_ops = {k: v for k, v in self.operations.items() if k in ITEM_OPERATIONS}
            return {
                "requests": sum(item_ops.values()),
                "writes": sum(v for k, v in item_ops.items() if k in WRITES),
                "by_operation": dict(item_ops),
                "read_units": round(self.read_units, 2),
                "write_units": round(self.write_units, 2),
            }


class CountingProxy:
    """``url`` forwards to ``upstream`` and counts into ``tally``."""

    def __init__(self, upstream: str, *, computed: bool) -> None:
        self.upstream = urlsplit(upstream)
        self.computed = computed
        self.tally = Tally()
        self._keys: dict[str, list[str]] = {}
        self._local = threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: without TCP_NODELAY, Nagle and the
            # client's delayed ACK would add 40 ms to every answer.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                proxy._handle(self)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- forwarding -------------------------------------------------------------------

    def _send(
        self, headers: dict[str, str], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(
                self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=30
            )
            self._local.connection = connection
        connection.request("POST", "/", body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.getheaders(), answer.read()

    def _call(self, operation: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A request of the proxy's own (uncounted): a key schema, an item's size."""
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
            "X-Amz-Date": "20260101T000000Z",
        }
        _, _, body = self._send(headers, json.dumps(payload).encode())
        answer: dict[str, Any] = json.loads(body or b"{}")
        return answer

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        target = request.headers.get("X-Amz-Target", "")
        operation = target.rpartition(".")[2]
        payload: dict[str, Any] = json.loads(body or b"{}")
        before = {}
        if operation in ITEM_OPERATIONS:
            if self.computed:
                before = self._sizes_before(operation, payload)
            else:
                payload["ReturnConsumedCapacity"] = "TOTAL"
            body = json.dumps(payload).encode()
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}
        }
        headers["Content-Length"] = str(len(body))
        status, answer_headers, answer = self._send(headers, body)
        with self.tally.lock:
            self.tally.operations[operation] += 1
            if operation in ITEM_OPERATIONS and status == 200:
                self._count(operation, payload, json.loads(answer or b"{}"), before)
        request.send_response(status)
        for name, value in answer_headers:
            if name.lower() not in {
                "content-length",
                "transfer-encoding",
                "connection",
                "date",
                "server",
            }:
                request.send_header(name, value)
        request.send_header("Content-Length", str(len(answer)))
        request.end_headers()
        request.wfile.write(answer)

    # -- counting ---------------------------------------------------------------------

    def _count(
        self,
        operation: str,
        payload: dict[str, Any],
        answer: dict[str, Any],
        before: dict[str, int],
    ) -> None:
        tally = self.tally
        if not self.computed:
            consumed = answer.get("ConsumedCapacity") or []
            units = sum(
                float(c.get("CapacityUnits", 0))
                for c in (consumed if isinstance(consumed, list) else [consumed])
            )
            if operation in READS:
                tally.read_units += units
            else:
                tally.write_units += units
            return
        if operation == "GetItem":
            tally.read_units += read_units(
                item_size(answer.get("Item")), bool(payload.get("ConsistentRead"))
            )
        elif operation == "BatchGetItem":
            # A key that finds no item costs what reading a small one does.
            for table, request in payload["RequestItems"].items():
                found = answer.get("Responses", {}).get(table, [])
                sizes = [item_size(i) for i in found] + [0] * (len(request["Keys"]) - len(found))
                consistent = bool(request.get("ConsistentRead"))
                tally.read_units += sum(read_units(size, consistent) for size in sizes)
        elif operation in {"Query", "Scan"}:
            size = sum(item_size(i) for i in answer.get("Items", []))
            tally.read_units += read_units(size, bool(payload.get("ConsistentRead")))
        else:
            after = self._sizes_after(operation, payload)
            for key, size in after.items():
                tally.write_units += write_units(before.get(key, 0), size)

    def _key_of(self, table: str, item: dict[str, Any]) -> dict[str, Any]:
        if table not in self._keys:
            schema = self._call("DescribeTable", {"TableName": table})["Table"]["KeySchema"]
            self._keys[table] = [k["AttributeName"] for k in schema]
        return {name: item[name] for name in self._keys[table]}

    def _writes(
        self, operation: str, payload: dict[str, Any]
    ) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
        """(table, key, new item or None) of each item the write touches."""
        if operation == "BatchWriteItem":
            found = []
            for table, requests in payload["RequestItems"].items():
                for r in requests:
                    if "PutRequest" in r:
                        item = r["PutRequest"]["Item"]
                        found.append((table, self._key_of(table, item), item))
                    else:
                        found.append((table, r["DeleteRequest"]["Key"], None))
            return found
        table = payload["TableName"]
        if operation == "PutItem":
            return [(table, self._key_of(table, payload["Item"]), payload["Item"])]
        return [(table, payload["Key"], None)]

    def _size_now(self, table: str, key: dict[str, Any]) -> int:
        found = self._call("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        return item_size(found.get("Item"))

    def _sizes_before(self, operation: str, payload: dict[str, Any]) -> dict[str, int]:
        if operation in READS:
            return {}
        return {
            json.dumps([t, k], sort_keys=True): self._size_now(t, k)
            for t, k, _ in self._writes(operation, payload)
        }

    def _sizes_after(self, operation: str, payload: dict[str, Any]) -> dict[str, int]:
        sizes = {}
        for table, key, item in self._writes(operation, payload):
            name = json.dumps([table, key], sort_keys=True)
            sizes[name] = (
                item_size(item)
                if item is not None
                else (
                    0
                    if operation in {"DeleteItem", "BatchWriteItem"}
                    else self._size_now(table, key)
                )
            )
        return sizes
