"""Powertools Logger and Metrics shared by the API and cleanup functions.

The logger never receives a token: handlers log ids, routes and outcomes only.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "sessions"

# Routes such as /openapi.json emit no metric; that is expected, not worth a warning.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service=SERVICE)
# The alarms (template.yaml) read this namespace.
NAMESPACE = "ServerlessSessions"
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


# With POWERTOOLS_METRICS_DISABLED, Powertools' flush neither prints nor clears, so
# values pile up and add_metric prints EMF anyway at the 100th: add none at all then.
_METRICS = {"on": not is_metrics_disabled()}


def count(name: str, value: int = 1) -> None:
    """Add ``value`` to the metric ``name`` (EMF, flushed at the end of the invocation)."""
    if _METRICS["on"]:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def quiet() -> None:
    """No metrics and warnings only, for a local server (`sessions serve`)."""
    _METRICS["on"] = False
    logger.setLevel("WARNING")


def manager_event(event: str) -> None:
    """Observer for `SessionConfig.observer`: counts what the manager reports."""
    # ReuseDetected itself is counted once, by the events function, from the stream
    # (it sees replays caught by the authorizer too); this is the API's own share.
    names = {
        "reuse_detected": "ReplaysRevoked",
        "sliding_extended": "SlidingExtended",
        "session_evicted": "SessionsEvicted",
    }
    if event in names:
        count(names[event])
    if event == "reuse_detected":
        logger.warning("refresh token reuse detected; session revoked")
