"""Real BGP daemons acting as a customer gateway: GoBGP, BIRD and FRR.

Each runs in the foreground from a config written into a temporary directory,
connects to one or more Landbridge tunnel addresses (port 179) from its own
loopback address, and is stopped by PID.  Queries go through each daemon's own
client (`gobgp`, `birdc`, `vtysh`), so what a test asserts is what an operator
of that router would see.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from pathlib import Path

from harness.peers import Netns, Process, ensure_debian_packages, free_loopback_port

PACKAGES = ("gobgpd", "bird2", "frr")


def install() -> None:
    ensure_debian_packages(*PACKAGES)


def _run(cmd: list[str], timeout: float = 30) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stdout}{result.stderr}")
    return result.stdout


def _wait_for_socket(proc: Process, path: Path, name: str, timeout: float = 30) -> None:
    """Wait (bounded) until a daemon has made its control socket: it is ready for its
    client then."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{proc.output_tail()}")
        time.sleep(0.05)


class GoBgp:
    """`gobgpd` with one neighbor per tunnel; it never listens (`port = -1`)."""

    def __init__(
        self,
        asn: int,
        local: str | list[str],
        neighbors: list[str],
        peer_asn: int,
        md5: str | None = None,
        listen: bool = False,
        netns: Netns | None = None,
    ):
        """`local`: the address sessions use, or one per neighbor; `listen`: accept
        sessions on those addresses, port 179, instead of only connecting; `netns`: run
        inside that namespace."""
        self.netns = netns
        self.dir = tempfile.TemporaryDirectory(prefix="lb-gobgp-")
        self.api = free_loopback_port()
        locals_ = [local] * len(neighbors) if isinstance(local, str) else list(local)
        listen_on = ", ".join(f'"{a}"' for a in dict.fromkeys(locals_))
        lines = [
            "[global.config]",
            f"  as = {asn}",
            f'  router-id = "{locals_[0]}"',
            *(["  port = 179", f"  local-address-list = [{listen_on}]"] if listen else ["  port = -1"]),
        ]
        for n, local in zip(neighbors, locals_):
            lines += [
                "[[neighbors]]",
                "  [neighbors.config]",
                f'    neighbor-address = "{n}"',
                f"    peer-as = {peer_asn}",
                *([f'    auth-password = "{md5}"'] if md5 else []),
                "  [neighbors.transport.config]",
                f'    local-address = "{local}"',
                "  [neighbors.timers.config]",
                "    connect-retry = 1",
                "  [[neighbors.afi-safis]]",
                "    [neighbors.afi-safis.config]",
                '      afi-safi-name = "ipv4-unicast"',
            ]
        self.config = Path(self.dir.name) / "gobgpd.toml"
        self.config.write_text("\n".join(lines) + "\n")
        self.proc = Process(
            ["gobgpd", "-f", str(self.config), "-t", "toml", "--api-hosts", f"127.0.0.1:{self.api}"], netns=netns
        )

    def start(self) -> GoBgp:
        self.proc.start()
        self.proc.wait_for_line(r"gobgpd started", timeout=30)
        return self

    def stop(self) -> None:
        self.proc.stop()
        self.dir.cleanup()

    def cli(self, *args: str) -> str:
        cmd = ["gobgp", "-p", str(self.api), *args]
        return _run(self.netns.wrap(cmd) if self.netns else cmd)

    def announce(self, prefix: str) -> None:
        self.cli("global", "rib", "add", prefix, "-a", "ipv4")

    def withdraw(self, prefix: str) -> None:
        self.cli("global", "rib", "del", prefix, "-a", "ipv4")

    def states(self) -> dict[str, str]:
        """Neighbor address -> session state (`established`, `active`, ...)."""
        names = {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm", 6: "established"}
        out = {}
        for n in json.loads(self.cli("-j", "neighbor")):
            state = n["state"].get("session_state", 1)
            out[n["conf"]["neighbor_address"]] = names.get(state, str(state))
        return out

    def received(self) -> dict[str, list[dict]]:
        """Prefixes learned from neighbors -> their paths (as `gobgp -j` shows them)."""
        rib = json.loads(self.cli("-j", "global", "rib", "-a", "ipv4") or "{}")
        out = {}
        for prefix, paths in rib.items():
            learned = [p for p in paths if p.get("neighbor-ip") not in (None, "<nil>", "0.0.0.0", "")]
            if learned:
                out[prefix] = learned
        return out


class Bird:
    """BIRD 2 with a BGP protocol per tunnel and its announced prefixes as static routes."""

    def __init__(
        self,
        asn: int,
        local: str | list[str],
        neighbors: list[str],
        peer_asn: int,
        prefixes: list[str] = (),
        netns: Netns | None = None,
        md5: str | None = None,
    ):
        """`local`: the address the sessions come from, or one per neighbor; `netns`: run
        inside that namespace; `md5`: the TCP-MD5 key of every session."""
        self.md5 = md5
        self.dir = tempfile.TemporaryDirectory(prefix="lb-bird-")
        locals_ = [local] * len(neighbors) if isinstance(local, str) else list(local)
        self.asn, self.locals, self.neighbors, self.peer_asn = asn, locals_, neighbors, peer_asn
        self.config = Path(self.dir.name) / "bird.conf"
        self.ctl = Path(self.dir.name) / "bird.ctl"
        self.prefixes: list[str] = list(prefixes)
        self._write()
        self.proc = Process(
            ["bird", "-f", "-c", str(self.config), "-s", str(self.ctl), "-P", str(Path(self.dir.name) / "bird.pid")],
            netns=netns,
        )

    def _write(self) -> None:
        statics = "".join(f"  route {p} blackhole;\n" for p in self.prefixes)
        protocols = "".join(
            f"""
protocol bgp tunnel{i} {{
  local {local} as {self.asn};
  neighbor {n} as {self.peer_asn};
  multihop 2;
  strict bind yes;{f'{chr(10)}  password "{self.md5}";' if self.md5 else ''}
  connect retry time 1;
  error wait time 1, 2;
  ipv4 {{ import all; export where source = RTS_STATIC; }};
}}
"""
            for i, (n, local) in enumerate(zip(self.neighbors, self.locals), start=1)
        )
        self.config.write_text(
            f"router id {self.locals[0]};\nprotocol device {{}}\nprotocol static {{\n  ipv4;\n{statics}}}\n{protocols}"
        )

    def start(self) -> Bird:
        self.proc.start()
        _wait_for_socket(self.proc, self.ctl, "bird")
        return self

    def stop(self) -> None:
        self.proc.stop()
        self.dir.cleanup()

    def birdc(self, *args: str) -> str:
        return _run(["birdc", "-s", str(self.ctl), *args])

    def set_prefixes(self, prefixes: list[str]) -> None:
        """Announce exactly `prefixes` (reconfigures the running daemon)."""
        self.prefixes = list(prefixes)
        self._write()
        out = self.birdc("configure")
        if "Reconfigured" not in out and "Reconfiguration in progress" not in out:
            raise RuntimeError(f"birdc configure: {out}")

    def states(self) -> dict[str, str]:
        """Protocol name -> BGP state (`Established`, `Active`, `Idle`, ...)."""
        out = {}
        for line in self.birdc("show", "protocols").splitlines():
            m = re.match(r"(tunnel\d+)\s+BGP\s+\S+\s+\S+\s+\S+\s+(\S+)", line)
            if m:
                out[m.group(1)] = m.group(2)
        return out


class Frr:
    """FRR's `bgpd` alone (no zebra), with its vty on a socket directory."""

    def __init__(
        self, asn: int, local: str, neighbors: list[str], peer_asn: int, prefixes: list[str], md5: str | None = None
    ):
        self.dir = tempfile.TemporaryDirectory(prefix="lb-frr-")
        self.asn = asn
        self.neighbors = list(neighbors)
        self.prefixes = list(prefixes)
        d = Path(self.dir.name)
        networks = "".join(f"  network {p}\n" for p in prefixes)
        peers = "".join(
            f""" neighbor {n} remote-as {peer_asn}
 neighbor {n} update-source {local}
 neighbor {n} disable-connected-check
 neighbor {n} timers connect 1
{f" neighbor {n} password {md5}{chr(10)}" if md5 else ""}"""
            for n in neighbors
        )
        (d / "bgpd.conf").write_text(
            f"""router bgp {asn}
 bgp router-id {local}
 no bgp ebgp-requires-policy
 no bgp network import-check
{peers} address-family ipv4 unicast
{networks} exit-address-family
"""
        )
        self.proc = Process(
            [
                "/usr/lib/frr/bgpd", "-f", str(d / "bgpd.conf"), "-i", str(d / "bgpd.pid"),
                "--vty_socket", str(d), "-Z", "-n", "-S", "-A", "127.0.0.1", "-P", "0", "-p", "0",
                "--log", "stdout",
            ]
        )

    def start(self) -> Frr:
        self.proc.start()
        _wait_for_socket(self.proc, Path(self.dir.name) / "bgpd.vty", "bgpd")
        return self

    def stop(self) -> None:
        self.proc.stop()
        self.dir.cleanup()

    def vtysh(self, *commands: str) -> str:
        args = ["vtysh", "--vty_socket", self.dir.name, "-d", "bgpd"]
        for c in commands:
            args += ["-c", c]
        return _run(args)

    def state(self, neighbor: str | None = None) -> str:
        summary = json.loads(self.vtysh("show bgp ipv4 unicast summary json"))
        return summary.get("peers", {}).get(neighbor or self.neighbors[0], {}).get("state", "")

    def received(self, neighbor: str | None = None) -> dict[str, list[dict]]:
        """Prefixes in the BGP table learned from the neighbor (any, by default) -> their paths."""
        table = json.loads(self.vtysh("show bgp ipv4 unicast json")).get("routes", {})
        out = {}
        for prefix, paths in table.items():
            learned = [p for p in paths if p.get("peerId") in ([neighbor] if neighbor else self.neighbors)]
            if learned:
                out[prefix] = learned
        return out

    def set_network(self, prefix: str, on: bool) -> None:
        self.set_networks([prefix] if on else [], [] if on else [prefix])

    def set_networks(self, add: list[str], remove: list[str]) -> None:
        commands = ["configure terminal", f"router bgp {self.asn}", "address-family ipv4 unicast"]
        commands += [f"network {p}" for p in add] + [f"no network {p}" for p in remove]
        self.vtysh(*commands)


# --------------------------------------------------------------------------- gateways
#
# One customer gateway peering with every tunnel it is given, whatever the daemon, so
# that a scenario runs unchanged against each.


class GoBgpGateway:
    """One gobgpd per tunnel, as two routers would be."""

    name = "gobgp"

    def __init__(self, asn: int, locals_: list[str], tunnels: list[str], peer_asn: int, md5: str | None = None):
        self.tunnels = tunnels
        self.routers = [GoBgp(asn, local, [t], peer_asn, md5=md5) for local, t in zip(locals_, tunnels)]
        self.running = [True] * len(tunnels)
        self.prefixes: set[str] = set()

    def start(self) -> GoBgpGateway:
        for r in self.routers:
            r.start()
        return self

    def stop(self) -> None:
        for r, up in zip(self.routers, self.running):
            if up:
                r.stop()

    def set_prefixes(self, prefixes: list[str]) -> None:
        wanted = set(prefixes)
        for r, up in zip(self.routers, self.running):
            if up:
                for p in sorted(self.prefixes - wanted):
                    r.withdraw(p)
                for p in sorted(wanted - self.prefixes):
                    r.announce(p)
        self.prefixes = wanted

    def established(self) -> int:
        return sum(
            1 for r, t, up in zip(self.routers, self.tunnels, self.running) if up and r.states()[t] == "established"
        )

    def received(self) -> dict[str, list[str]]:
        """Prefix learned from Landbridge -> the AS paths it came with."""
        out: dict[str, list[str]] = {}
        for r, up in zip(self.routers, self.running):
            if up:
                for prefix, paths in r.received().items():
                    for p in paths:
                        asns = next(a["as_paths"][0]["asns"] for a in p["attrs"] if a["type"] == 2)
                        out.setdefault(prefix, []).append(" ".join(map(str, asns)))
        return out

    def stop_tunnel(self, i: int) -> None:
        self.routers[i].stop()
        self.running[i] = False


class BirdGateway:
    """One BIRD with a BGP protocol per tunnel."""

    name = "bird"

    def __init__(self, asn: int, locals_: list[str], tunnels: list[str], peer_asn: int, md5: str | None = None):
        self.tunnels = tunnels
        self.bird = Bird(asn, locals_[0], tunnels, peer_asn, md5=md5)

    def start(self) -> BirdGateway:
        self.bird.start()
        return self

    def stop(self) -> None:
        self.bird.stop()

    def set_prefixes(self, prefixes: list[str]) -> None:
        self.bird.set_prefixes(prefixes)

    def established(self) -> int:
        return sum(1 for state in self.bird.states().values() if state == "Established")

    def received(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for i in range(len(self.tunnels)):
            text = self.bird.birdc("show", "route", "protocol", f"tunnel{i + 1}", "all")
            for prefix, path in re.findall(r"^(\d+\.\d+\.\d+\.\d+/\d+).*?BGP\.as_path: ([\d ]*)", text, re.M | re.S):
                out.setdefault(prefix, []).append(path.strip())
        return out

    def stop_tunnel(self, i: int) -> None:
        self.bird.birdc("disable", f"tunnel{i + 1}")


class FrrGateway:
    """One FRR bgpd with a neighbor per tunnel."""

    name = "frr"

    def __init__(self, asn: int, locals_: list[str], tunnels: list[str], peer_asn: int, md5: str | None = None):
        self.tunnels = tunnels
        self.frr = Frr(asn, locals_[0], tunnels, peer_asn, [], md5=md5)
        self.prefixes: set[str] = set()

    def start(self) -> FrrGateway:
        self.frr.start()
        return self

    def stop(self) -> None:
        self.frr.stop()

    def set_prefixes(self, prefixes: list[str]) -> None:
        wanted = set(prefixes)
        self.frr.set_networks(sorted(wanted - self.prefixes), sorted(self.prefixes - wanted))
        self.prefixes = wanted

    def established(self) -> int:
        return sum(1 for t in self.tunnels if self.frr.state(t) == "Established")

    def received(self) -> dict[str, list[str]]:
        return {prefix: [p["path"] for p in paths] for prefix, paths in self.frr.received().items()}

    def stop_tunnel(self, i: int) -> None:
        self.frr.vtysh("configure terminal", f"router bgp {self.frr.asn}", f"neighbor {self.tunnels[i]} shutdown")


GATEWAYS = {g.name: g for g in (GoBgpGateway, BirdGateway, FrrGateway)}


def wait_until(check, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    """Poll `check()` until it returns something truthy (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")
