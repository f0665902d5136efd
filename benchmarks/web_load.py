"""kneeline web server under load (issue 17): page latency with concurrent clients, concurrent writes.

Run::

    .venv/bin/python benchmarks/web_load.py [--databases sqlite postgresql] [--processes 1 2]
        [--levels 1 10 50] [--seconds 5] [--writers 50] [--postgres-url URL]

Loopback only and bounded: for each database and each count of server processes it starts its own
``kneeline serve`` (a free port on 127.0.0.1, a temporary data folder, a fresh database) and measures

(a) writes: ``--writers`` clients at once each sign up (``POST /signup``: argon2id hash, account,
    sign-in session) and then send an intake (``POST /intake``: red-flag screen, program); every
    answer other than the expected redirect is a failure;
(b) pages: with 1, 10 and 50 (``--levels``) of those signed-in clients, each client requests its
    home, program and progress pages one after the other for ``--seconds``; p50/p95/max latency per
    page, requests per second, errors, and the CPU the server processes and this client used.
    Back to back, N clients wait N / throughput per request on average (Little's law), so at 50
    clients latency measures throughput; a last run at the largest level waits ``--think`` seconds
    (0.5-1.5 times, at random) between pages, as a person reading them would.

PostgreSQL: ``--postgres-url`` or ``$KNEELINE_TEST_POSTGRES_URL`` (a role that may create
databases); without either, a throw-away cluster is started with ``/usr/lib/postgresql/*/bin/initdb``
and ``pg_ctl`` in a temporary folder (as the ``postgres`` user when run as root) and removed after.

The clients (httpx, asyncio, one process) share the machine with the server: on a 2-core machine
their CPU is reported next to the server's.  Figures are measured in one run, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PATIENT = re.compile(r"^/patients/(\d+)/program$")
PAGES = ("home", "program", "progress")
REQUEST_TIMEOUT_S = 120.0
"""A request slower than this counts as failed (the server's SQLite busy timeout is 30 s)."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def intake_form() -> dict[str, object]:
    """A valid intake without red flags (as in the web tests): front-of-knee pain on stairs."""
    from kneeline.assess.intake import RedFlagAnswers

    form: dict[str, object] = {
        "age": "34", "sex": "female", "knee": "right", "pain_locations": ["front"],
        "aggravating": ["stairs", "squatting"], "pain_now": "3", "pain_worst_week": "5",
        "duration_weeks": "12", "recent_injury": "no", "pregnancy": "no",
    }
    form.update({f"rf_{flag}": "no" for flag in RedFlagAnswers.model_fields})
    return form


# ---- PostgreSQL ------------------------------------------------------------------------------------

def _as_pg(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a PostgreSQL cluster in a temporary folder; yield a superuser URL; stop and remove it."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        sys.exit("no PostgreSQL found: install it (apt-get install postgresql) or pass --postgres-url "
                 "postgresql://user:password@host/db (a role that may create databases)")
    bindir = found[-1].parent
    root = Path(tempfile.mkdtemp(prefix="kneeline-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    root.chmod(0o700)
    port = free_port()
    try:
        subprocess.run(_as_pg([str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
                               "--auth-local=trust", "--auth-host=trust", "--encoding=UTF8",
                               "--locale=C.UTF-8"]), check=True, capture_output=True)
        subprocess.run(_as_pg([str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w",
                               "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=200",
                               "start"]), check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_pg([str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new database on ``server_url``'s server for one run (dropped after)."""
    import psycopg
    from sqlalchemy import make_url

    admin = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"kneeline_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---- the server ------------------------------------------------------------------------------------

@dataclass
class Server:
    """A running ``kneeline serve``."""

    url: str
    process: subprocess.Popen[bytes]

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server and its child processes (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextlib.contextmanager
def running_server(data_dir: Path, database_url: str | None, processes: int, writers: int) -> Iterator[Server]:
    """Start ``kneeline serve`` with ``processes`` server processes; stop it at the end."""
    port = free_port()
    args = [str(Path(sys.executable).with_name("kneeline")), "serve", "--port", str(port), "--data-dir",
            str(data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    if processes != 1:
        args += ["--processes", str(processes)]
    # every benchmark client signs up from 127.0.0.1: lift the per-address sign-up limit for the run
    env = {**os.environ, "KNEELINE_WEB__SIGNUP_MAX_PER_CLIENT": str(max(10, 2 * writers))}
    log = (data_dir.parent / "server.log").open("wb")
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"kneeline serve did not start: {_tail(data_dir.parent / 'server.log')}")
            time.sleep(0.2)
        time.sleep(1.0 if processes > 1 else 0.0)  # let every process finish its start
        yield Server(url, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _tail(path: Path, lines: int = 15) -> str:
    """The last lines of the server's log."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# ---- clients ---------------------------------------------------------------------------------------

@dataclass
class Patient:
    """A signed-in benchmark client."""

    client: httpx.AsyncClient
    patient_id: int = 0


@dataclass
class WriteResult:
    """Concurrent sign-ups and intakes."""

    clients: int
    failures: list[str] = field(default_factory=list)
    signup_s: list[float] = field(default_factory=list)
    intake_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0


async def _token(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    found = _CSRF.search(page.text)
    if page.status_code != 200 or not found:
        raise RuntimeError(f"GET {path} answered {page.status_code} without a form")
    return found.group(1)


async def _sign_up_and_intake(patient: Patient, n: int, result: WriteResult) -> None:
    client = patient.client
    try:
        token = await _token(client, "/signup")
        started = time.perf_counter()
        answer = await client.post("/signup", data={"csrf_token": token, "name": f"Load {n}",
                                                    "email": f"load{n}-{secrets.token_hex(3)}@example.org",
                                                    "password": "correct horse battery", "role": "patient"})
        result.signup_s.append(time.perf_counter() - started)
        if answer.status_code != 303:
            result.failures.append(f"signup {answer.status_code}: {_headline(answer.text)}")
            return
        token = await _token(client, "/intake")
        started = time.perf_counter()
        answer = await client.post("/intake", data={"csrf_token": token, **intake_form()})
        result.intake_s.append(time.perf_counter() - started)
        found = _PATIENT.match(answer.headers.get("location", ""))
        if answer.status_code != 303 or not found:
            result.failures.append(f"intake {answer.status_code}: {_headline(answer.text)}")
            return
        patient.patient_id = int(found.group(1))
    except (httpx.HTTPError, RuntimeError) as exc:
        result.failures.append(f"{type(exc).__name__}: {exc}")


def _headline(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>.*?<p[^>]*>(.*?)</p>", html, re.S)
    return " / ".join(found.groups())[:160] if found else html[:160]


async def write_phase(url: str, writers: int) -> tuple[WriteResult, list[Patient]]:
    """``writers`` clients sign up and send an intake, all at once."""
    patients = [Patient(httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_S)) for _ in range(writers)]
    result = WriteResult(writers)
    started = time.perf_counter()
    await asyncio.gather(*(_sign_up_and_intake(p, n, result) for n, p in enumerate(patients)))
    result.wall_s = time.perf_counter() - started
    return result, patients


@dataclass
class PageResult:
    """Page latencies at one level of concurrency."""

    clients: int
    seconds: float
    latencies: dict[str, list[float]]
    errors: int
    server_cpu_s: float
    client_cpu_s: float

    @property
    def requests(self) -> int:
        """Requests answered."""
        return sum(len(v) for v in self.latencies.values())


async def _browse(patient: Patient, until: float, latencies: dict[str, list[float]], errors: list[int],
                  think_s: float = 0.0) -> None:
    rng = random.Random(patient.patient_id)
    paths = {"home": "/home", "program": f"/patients/{patient.patient_id}/program",
             "progress": f"/patients/{patient.patient_id}/progress"}
    if think_s:  # people arrive one by one, not all in the same millisecond
        await asyncio.sleep(think_s * rng.uniform(0.0, 1.0))
    while time.perf_counter() < until:
        for name in PAGES:
            started = time.perf_counter()
            try:
                answer = await patient.client.get(paths[name])
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies[name].append(time.perf_counter() - started)
            else:
                errors[0] += 1
            if think_s:  # a person reading the page: 0.5 to 1.5 times the mean, so clients do not move in step
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


async def page_phase(server: Server, patients: list[Patient], clients: int, seconds: float,
                     think_s: float = 0.0) -> PageResult:
    """``clients`` signed-in clients browse their pages for ``seconds`` (``think_s`` between pages)."""
    chosen = patients[:clients]
    warm: dict[str, list[float]] = {name: [] for name in PAGES}
    await asyncio.gather(*(_browse(p, time.perf_counter() + 0.3, warm, [0]) for p in chosen))
    latencies: dict[str, list[float]] = {name: [] for name in PAGES}
    errors = [0]
    cpu0, own0 = server.cpu_s(), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(_browse(p, started + seconds, latencies, errors, think_s) for p in chosen))
    elapsed = time.perf_counter() - started
    return PageResult(clients, elapsed, latencies, errors[0], server.cpu_s() - cpu0, time.process_time() - own0)


# ---- report ----------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values`` in milliseconds (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def _ms(values: list[float]) -> str:
    return f"{pct(values, 50):.0f} / {pct(values, 95):.0f} / {pct(values, 100):.0f}"


async def one_run(label: str, database_url: str | None, processes: int, args: argparse.Namespace) -> list[str]:
    """Measure one database with ``processes`` server processes; return the table rows."""
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kneeline-bench-web-") as tmp, \
            running_server(Path(tmp) / "data", database_url, processes, args.writers) as server:
        writes, patients = await write_phase(server.url, args.writers)
        signed_in = [p for p in patients if p.patient_id]
        reasons = sorted(set(writes.failures))[:3]
        if writes.failures:
            print(f"server log (end):\n{_tail(Path(tmp) / 'server.log')}", flush=True)
        print(f"{label} x{processes}: {args.writers} sign-ups + intakes at once: {len(writes.failures)} failed "
              f"in {writes.wall_s:.1f} s; sign-up p50/p95/max {_ms(writes.signup_s)} ms, intake "
              f"{_ms(writes.intake_s)} ms{'; e.g. ' + '; '.join(reasons) if reasons else ''}", flush=True)
        rows.append(f"| {label} | {processes} | writes: {args.writers} sign-up + intake at once | "
                    f"**{len(writes.failures)} failed** | sign-up {_ms(writes.signup_s)} | intake "
                    f"{_ms(writes.intake_s)} | {writes.wall_s:.1f} s wall | |")
        for level, think in [(level, 0.0) for level in args.levels] + [(max(args.levels), args.think)] * (
                args.think > 0):
            if level > len(signed_in):
                print(f"  only {len(signed_in)} signed-in clients: level {level} skipped", flush=True)
                continue
            got = await page_phase(server, signed_in, level, args.seconds, think)
            rate = got.requests / got.seconds
            cpu = (f"server {100 * got.server_cpu_s / got.seconds:.0f} %, "
                   f"client {100 * got.client_cpu_s / got.seconds:.0f} %")
            who = f"{level:>3} clients" + (f", {think:g} s between pages" if think else "")
            print(f"  {who}: {rate:6.1f} req/s, p50/p95/max ms home {_ms(got.latencies['home'])}, "
                  f"program {_ms(got.latencies['program'])}, progress {_ms(got.latencies['progress'])}; "
                  f"{got.errors} errors; CPU {cpu}", flush=True)
            rows.append(f"| {label} | {processes} | {who.strip()} | {rate:.0f} req/s, {got.errors} errors | "
                        f"home {_ms(got.latencies['home'])} | program {_ms(got.latencies['program'])} | "
                        f"progress {_ms(got.latencies['progress'])} | {cpu} |")
        await asyncio.gather(*(p.client.aclose() for p in patients))
    return rows


async def main_async(args: argparse.Namespace) -> None:
    rows: list[str] = []
    with contextlib.ExitStack() as stack:
        pg_server = None
        if "postgresql" in args.databases:
            pg_server = args.postgres_url or os.environ.get("KNEELINE_TEST_POSTGRES_URL") or \
                stack.enter_context(throwaway_postgres())
        for database in args.databases:
            for processes in args.processes:
                if database == "sqlite":
                    rows += await one_run("SQLite", None, processes, args)
                else:
                    assert pg_server is not None
                    with fresh_postgres_database(pg_server) as url:
                        rows += await one_run("PostgreSQL", url, processes, args)
    print(f"\n{os.cpu_count()} CPU cores; {args.seconds:g} s per level; latencies p50 / p95 / max in ms\n")
    print("| database | processes | load | result | home | program | progress | CPU |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite", "postgresql"])
    parser.add_argument("--processes", nargs="+", type=int, default=[1, 2], help="server processes to try")
    parser.add_argument("--levels", nargs="+", type=int, default=[1, 10, 50], help="concurrent page clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per level (bounded: at most 60)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a client waits between pages in "
                        "the extra run at the largest level (0: no extra run)")
    parser.add_argument("--writers", type=int, default=50, help="concurrent sign-up + intake clients")
    parser.add_argument("--postgres-url", default=None, help="a PostgreSQL server (role with CREATEDB)")
    args = parser.parse_args()
    if not 0 < args.seconds <= 60 or not 1 <= args.writers <= 200 or max(args.levels) > args.writers:
        parser.error("expected --seconds in (0, 60], --writers in [1, 200] and every level <= --writers "
                     "(the page clients are the writers, signed in)")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
