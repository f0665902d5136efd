"""Connecting to a Ray cluster: checked before any work starts, with errors that say what to do.

Ray is an optional dependency (``pip install 'kneeline[cluster]'``) and is imported only here and
in the Ray engines, inside the functions that need it.
"""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from kneeline.errors import InputError

__all__ = ["import_ray", "check_address", "connect"]

_CONNECT_TIMEOUT_S = 5.0


def import_ray() -> Any:
    """Import Ray, or say how to install it.

    Raises
    ------
    InputError
        If Ray is not installed.
    """
    try:
        import ray
    except ImportError as exc:
        raise InputError("the Ray engine needs Ray, which is not installed: pip install 'kneeline[cluster]' "
                         "(or use --engine local).") from exc
    return ray


def _host_port(address: str) -> tuple[str, int]:
    """Host and port of ``ray://HOST:PORT`` (Ray Client, port 10001) or ``HOST:PORT`` (a cluster's GCS)."""
    text = address if "://" in address else f"ray://{address}"
    try:
        parts = urlsplit(text)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise InputError(f"bad Ray address {address!r}: {exc}. Expected HOST:PORT (e.g. 10.0.0.5:6379) or "
                         "ray://HOST:10001.") from exc
    if not host or port is None:
        raise InputError(f"bad Ray address {address!r}: expected HOST:PORT (e.g. 10.0.0.5:6379, the address "
                         "`ray start --head` prints) or ray://HOST:10001.")
    return host, port


def check_address(address: str, timeout_s: float = _CONNECT_TIMEOUT_S) -> None:
    """Check that something answers at a Ray address, within ``timeout_s`` seconds.

    Raises
    ------
    InputError
        If the address is malformed or nothing accepts a connection there.
    """
    host, port = _host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise InputError(f"no Ray cluster answers at {address} ({exc.strerror or exc}). Start one with "
                         f"`ray start --head --port={port}` on {host}, check the address and the firewall, "
                         "or run without --address (a Ray on this machine) or with --engine local.") from exc


def connect(address: str | None, *, num_cpus: int | None = None) -> Any:
    """Connect this process to Ray and return the ``ray`` module.

    Parameters
    ----------
    address
        ``HOST:PORT`` of a running cluster or ``ray://HOST:PORT`` (Ray Client); ``None`` starts a Ray
        on this machine (``num_cpus`` CPUs) unless this process is connected already.
    num_cpus
        CPUs of a Ray started here (None: all).

    Raises
    ------
    InputError
        If Ray is missing or the address does not answer (checked before Ray is asked to connect,
        so a wrong address fails in seconds, before any work starts).
    """
    ray = import_ray()
    if address is not None:
        check_address(address)
    if ray.is_initialized():
        return ray
    if address is not None:
        try:
            ray.init(address=address, include_dashboard=False, logging_level="warning", log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise InputError(f"could not join the Ray cluster at {address}: {exc}. Is it a Ray head node, with "
                             "the same Ray and Python versions as here?") from exc
        return ray
    ray.init(num_cpus=num_cpus, include_dashboard=False, logging_level="warning", log_to_driver=False)
    return ray
