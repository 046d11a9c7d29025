"""Starting and stopping the worker and the console as child processes (demo, benchmark,
integration tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from router.settings import Settings


def worker_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment of a worker process that uses ``settings``' broker and Redis."""
    env = dict(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=settings.kafka_bootstrap_servers,
        REDIS_URL=settings.redis_url,
        HOTLINE_HOME=str(settings.home),
    )
    if settings.model_pinned:
        env["HOTLINE_MODEL_DIR"] = str(settings.model_dir)
    else:  # follow the registry, whatever this process's environment pins
        env.pop("HOTLINE_MODEL_DIR", None)
        env["HOTLINE_MODEL_REGISTRY"] = str(settings.model_registry)
    env.update(overrides)
    return env


def start_worker(env: dict[str, str], *, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``hotline worker`` with ``env``, its output going to ``log_path``."""
    return _start(["worker"], env, log_path)


def start_console(env: dict[str, str], *, log_path: Path, port: int) -> subprocess.Popen[bytes]:
    """Start ``hotline console --port port`` with ``env``, its output going to ``log_path``."""
    return _start(["console", "--port", str(port)], env, log_path)


def _start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [sys.executable, "-m", "router.cli", *command],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C goes to the parent, which stops the worker first
        )


def stop_process(proc: subprocess.Popen[bytes], *, timeout_s: float = 20.0) -> int:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout_s``; returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for pid {pid}")
