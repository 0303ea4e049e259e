"""A device people recognise, from a user agent: parsed by ua-parser (the maintained
uap-core rules), not by regexes of our own.

ua-parser is imported on the first parse, never at import: only creating a session
parses a user agent, so the authorizer's cold start does not carry it. The first parse
also compiles ua-parser's rules (about 0.1 s, once per process).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from sessions_core.limits import MAX_USER_AGENT_CHARS
from sessions_core.models import Device, DeviceType

if TYPE_CHECKING:
    from ua_parser import Result

# uap-core's names, as people say them.
_OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS", "Windows Phone": "Windows Phone"}
_BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Samsung Internet": "Samsung Internet",
}
_DESKTOP_OS = frozenset(
    {"Windows", "Mac OS X", "Linux", "Ubuntu", "Fedora", "Debian", "Chrome OS", "FreeBSD"}
)
_MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "KaiOS", "BlackBerry OS"})
_TABLET_FAMILIES = frozenset({"iPad", "Kindle", "Generic Tablet"})
_SPIDER = "Spider"  # uap-core's device family for crawlers and bots
_APPLE_DEVICES = frozenset({"iPhone", "iPad"})


def parse_device(user_agent: str | None) -> Device | None:
    """The device a user agent names, or None without one."""
    if not user_agent or not user_agent.strip():
        return None
    return _parse(user_agent[:MAX_USER_AGENT_CHARS])


@cache
def _parser() -> object:
    from ua_parser import parse  # noqa: PLC0415 - see the module docstring

    return parse


def _parse(user_agent: str) -> Device:
    parse = _parser()
    result: Result = parse(user_agent)  # type: ignore[operator]
    browser_family = result.user_agent.family if result.user_agent else None
    os_family = result.os.family if result.os else None
    device = result.device
    kind = _kind(device.family if device else None, device.brand if device else None, os_family)
    browser = (
        _BROWSER_NAMES.get(browser_family or "", browser_family)
        if browser_family != "Other"
        else None
    )
    os = _os_name(os_family)
    # "Safari on iPhone" says more than "Safari on iOS"; the os field stays "iOS".
    family = device.family if device else None
    shown = family if os_family == "iOS" and family in _APPLE_DEVICES else os
    return Device(browser=browser, os=os, type=kind, label=_label(browser, shown, kind))


def _kind(family: str | None, brand: str | None, os_family: str | None) -> DeviceType:
    if family == _SPIDER:
        return "bot"
    if family in _TABLET_FAMILIES or (brand or "").endswith("Tablet"):
        return "tablet"
    if os_family in _MOBILE_OS:
        return "mobile"
    if os_family in _DESKTOP_OS:
        return "desktop"
    return "unknown"


def _os_name(os_family: str | None) -> str | None:
    if not os_family or os_family == "Other":
        return None
    return _OS_NAMES.get(os_family, os_family)


def _label(browser: str | None, os: str | None, kind: DeviceType) -> str:
    name = browser or ("Bot" if kind == "bot" else "Unknown browser")
    if kind == "bot":
        return name if name.lower().endswith("bot") else f"{name} (bot)"
    return f"{name} on {os}" if os else name
