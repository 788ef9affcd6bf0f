"""`python -m tests.hostile.public_stand_in <stage> [args]`: the stage, with the SSRF guard on
and exactly one loopback address, 127.0.0.2, treated as if it were a public host.

The guard refuses every loopback address, so with it on, a test on loopback can reach nothing,
and a redirect *to* a refused address cannot be shown (the first hop is refused already). Here
127.0.0.2 plays the public site that redirects; 127.0.0.1 and `localhost` stay refused by the
unchanged rules, which is what the tests assert.
"""

from __future__ import annotations

import ipaddress
import runpy
import sys

from services.kit import netguard

STAND_IN = ipaddress.ip_address("127.0.0.2")
_refusal = netguard.refusal


def _refusal_but_stand_in(address: netguard.IPAddress) -> str | None:
    return None if address == STAND_IN else _refusal(address)


if __name__ == "__main__":
    netguard.refusal = _refusal_but_stand_in
    stage = sys.argv.pop(1)
    runpy.run_module(f"services.{stage}", run_name="__main__", alter_sys=True)
