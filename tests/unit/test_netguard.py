"""The SSRF guard, proven against a real loopback server: refused while the guard is on (the
request never reaches the server), served when private networks are allowed."""

from __future__ import annotations

import ipaddress

import pytest
from aiohttp import web

from services.kit.errors import BlockedAddress
from services.kit.httpfetch import HttpLimits, fetch, make_http_client
from services.kit.netguard import refusal
from tests.loopback import Origin

LIMITS = HttpLimits(user_agent="sitrep-test", total_timeout_s=5)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
async def test_loopback_refused_when_guard_is_on(origin: Origin, host: str) -> None:
    origin.routes["/secret"] = _hello
    port = origin.base.rsplit(":", 1)[1]
    async with make_http_client(LIMITS, allow_private_networks=False) as client:
        with pytest.raises(BlockedAddress, match="private networks are not allowed"):
            await fetch(client, f"http://{host}:{port}/secret", LIMITS)
    assert origin.paths == []


async def test_allowed_when_private_networks_are_allowed(origin: Origin) -> None:
    port = origin.base.rsplit(":", 1)[1]

    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://localhost:{port}/final")

    origin.routes |= {"/hop": hop, "/final": _hello}
    async with make_http_client(LIMITS, allow_private_networks=True) as client:
        response = await fetch(client, f"{origin.base}/hop", LIMITS)
    assert response.status == 200
    assert response.content == b"hello"
    assert response.final_url.endswith("/final")
    assert origin.paths == ["/hop", "/final"]


async def _hello(_: web.Request) -> web.Response:
    return web.Response(text="hello")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "ff02::1",
    ],
)
def test_refused_ranges(address: str) -> None:
    # Classification of literal addresses only: nothing is sent anywhere.
    assert refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None
