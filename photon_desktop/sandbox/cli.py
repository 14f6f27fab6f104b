"""``photon-sandbox``: serve a local Photon (sign-in + Clinical API) on a loopback port.

When the socket is listening and the demo data is built, exactly one JSON line goes to stdout
(endpoints, the per-run M2M secret and admin key); everything else goes to stderr, and no
token, secret or code is ever logged. SIGINT/SIGTERM stop it cleanly with exit code 0.

``--exit-with-parent`` (what the app passes) makes a child that outlives its parent impossible:
stdin is watched and its end (the parent's write end closed, as the OS does when the parent
dies, even by ``kill -9``) stops the server; on Linux ``PR_SET_PDEATHSIG`` also delivers SIGTERM
when the parent dies, in case the pipe was shared with another process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import ipaddress
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Generator, Sequence

import uvicorn

from photon_desktop.sandbox.clock import Clock
from photon_desktop.sandbox.faults import FaultConfig, Faults, quiet_dropped_connections
from photon_desktop.sandbox.oauth import CODE_TTL_S
from photon_desktop.sandbox.organizations import Directory
from photon_desktop.sandbox.pharmacy import PharmacyRates
from photon_desktop.sandbox.server import build_sandbox

log = logging.getLogger("photon_desktop.sandbox")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="photon-sandbox", description="A local Photon sandbox: Auth0-like sign-in and API."
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (loopback by default)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    p.add_argument("--seed", type=int, default=1, help="seed of the demo data")
    p.add_argument("--patients", type=int, default=200, help="number of demo patients")
    p.add_argument("--token-ttl", type=int, default=86400, help="access token lifetime (s)")
    p.add_argument("--code-ttl", type=float, default=CODE_TTL_S, help="auth code lifetime (s)")
    p.add_argument("--clock-speed", type=float, default=1.0, help="simulated s per real s")
    p.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when stdin closes or (Linux) the parent process dies",
    )
    events = p.add_argument_group("pharmacy events (changeable at run time via /admin/pharmacy)")
    events.add_argument(
        "--exception-rate",
        type=float,
        default=0.0,
        help="share of orders the pharmacy raises an exception on",
    )
    events.add_argument(
        "--pharmacy-error-rate",
        type=float,
        default=0.0,
        help="share of orders that fail at the pharmacy",
    )
    events.add_argument(
        "--pickup-wait-days",
        type=float,
        default=0.0,
        help="longest wait at READY before pick-up (0: one hour)",
    )
    faults = p.add_argument_group("fault injection (changeable at run time via /admin/faults)")
    faults.add_argument("--fault-scope", choices=("graphql", "token", "both"), default="graphql")
    faults.add_argument("--latency-ms", type=int, default=0)
    faults.add_argument("--jitter-ms", type=int, default=0)
    faults.add_argument("--error-rate", type=float, default=0.0, help="share of 5xx answers")
    faults.add_argument("--rate-limit-rate", type=float, default=0.0, help="share of 429 answers")
    faults.add_argument("--retry-after", type=int, default=1, help="Retry-After of a 429 (s)")
    faults.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped answers")
    faults.add_argument("--malformed-rate", type=float, default=0.0, help="share of bad JSON")
    faults.add_argument("--log-level", default="info", choices=("debug", "info", "warning"))
    return p


def _check_host(host: str, allow_remote: bool) -> str | None:
    """Why ``host`` may not be bound, or None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"--host must be an IP address, not {host!r}"
    if not address.is_loopback and not allow_remote:
        return f"refusing to listen on non-loopback {host}; pass --allow-remote to do that"
    return None


def _fault_config(args: argparse.Namespace) -> FaultConfig:
    config = FaultConfig(
        scope=args.fault_scope,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        error_rate=args.error_rate,
        rate_limit_rate=args.rate_limit_rate,
        retry_after=args.retry_after,
        drop_rate=args.drop_rate,
        malformed_rate=args.malformed_rate,
    )
    config.validate()
    return config


_TICK_S = 0.1  # uvicorn's tick (it refreshes the Date header every tenth)


class _Server(uvicorn.Server):
    """uvicorn, minus its habit of re-raising the stop signal (we want exit code 0), and stopping
    as soon as it is told to: uvicorn notices a stop on its 0.1 s tick and then sleeps a fixed
    0.1 s before looking at the open connections, which made every stop take 0.2-0.3 s."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._stopping = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """SIGINT and SIGTERM stop the server while it serves; the handlers from before (a quiet
        exit 0) come back after it. Each is swapped for the other in one ``signal.signal``: the
        loop's own ``remove_signal_handler`` first restores the default action (die by the
        signal), and a second stop signal, which a parent may send while this process ends,
        landing in that moment turned exit 0 into -15."""
        loop = asyncio.get_running_loop()

        def stop(_signum: int, _frame: object) -> None:
            loop.call_soon_threadsafe(self._stop)  # the handler runs between two bytecodes

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True
        self._stopping.set()

    async def main_loop(self) -> None:
        """uvicorn's loop (its tick keeps the ``Date`` header current), woken by a stop at once."""
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), _TICK_S)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop listening, close the idle connections at once, and give a request in flight up
        to ``timeout_graceful_shutdown`` to be answered (checked every few milliseconds)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        grace = self.config.timeout_graceful_shutdown
        deadline = time.monotonic() + (grace if grace is not None else float("inf"))
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            if time.monotonic() >= deadline:
                log.error("stopping with %d request(s) unanswered", len(self.server_state.tasks))
                for task in self.server_state.tasks:
                    task.cancel()
                break
            await asyncio.sleep(0.005)
        for server in self.servers:
            await server.wait_closed()


async def _serve(args: argparse.Namespace, fault_config: FaultConfig, rates: PharmacyRates) -> int:
    started = time.monotonic()
    clock = Clock(speed=args.clock_speed)
    api = Directory(seed=args.seed, patients=args.patients, clock=clock, pharmacy=rates)
    log.info("demo data built: %d patients in %.2f s", args.patients, time.monotonic() - started)

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on connections whose socket says
    # so, and without it every answer waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if family == socket.AF_INET6 else args.host
    issuer = f"http://{host}:{port}/"

    faults = Faults(fault_config, seed=args.seed)
    sandbox = build_sandbox(
        api,
        issuer=issuer,
        clock=clock,
        token_ttl=args.token_ttl,
        code_ttl=args.code_ttl,
        faults=faults,
    )
    config = uvicorn.Config(
        sandbox.app,
        lifespan="off",
        timeout_graceful_shutdown=3,  # a stop signal never waits on a slow client for long
        access_log=False,
        log_level=args.log_level if args.log_level != "info" else "warning",
        log_config=None,
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
            return 1
        await asyncio.sleep(0.005)
    sys.stdout.write(json.dumps(sandbox.announcement()) + "\n")
    sys.stdout.flush()
    log.info("listening at %s (ready in %.2f s)", issuer, time.monotonic() - started)
    await task
    log.info("stopped")
    return 0


def exit_with_parent() -> None:
    """Stop (SIGTERM to ourselves) when the parent dies: see the module docstring."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
    # A parent that died before prctl ran is caught here: its end of the pipe is already closed.
    threading.Thread(target=_watch_stdin, name="parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _watch_stdin() -> None:
    """Read (and ignore) stdin until it ends, then stop the process."""
    try:
        fd = sys.stdin.fileno()
        while os.read(fd, 65536):
            pass
    except (OSError, ValueError, AttributeError):
        pass  # no usable stdin: its absence is the end too
    log.info("stdin closed: the parent has gone, stopping")
    os.kill(os.getpid(), signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    problem = _check_host(args.host, args.allow_remote)
    if problem is None and args.patients < 0:
        problem = "--patients must be >= 0"
    if problem is None and args.token_ttl <= 0:
        problem = "--token-ttl must be positive"
    if problem:
        print(f"photon-sandbox: {problem}", file=sys.stderr)
        return 2
    try:
        fault_config = _fault_config(args)
        rates = PharmacyRates(
            exception_rate=args.exception_rate,
            error_rate=args.pharmacy_error_rate,
            pickup_wait_days=args.pickup_wait_days,
        )
    except ValueError as exc:
        print(f"photon-sandbox: {exc}", file=sys.stderr)
        return 2
    quiet_dropped_connections()
    # Until the server installs its own handlers (after the data is built), stop quietly too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.exit_with_parent:
        exit_with_parent()
    try:
        return asyncio.run(_serve(args, fault_config, rates))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"photon-sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # already stopping: more asks change nothing
            signal.signal(sig, signal.SIG_IGN)
