"""Running one probe against a container's process: exec, httpGet on localhost, tcpSocket.

Each returns (ok, message), the message shaped like the kubelet's probe output.
"""
from __future__ import annotations

import http.client
import socket
import subprocess


def _port(value, ctr: dict) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    for p in ctr.get("ports") or []:
        if p.get("name") == value:
            return p.get("containerPort")
    return None


def run(probe: dict, ctr: dict, env: dict, cwd: str, host: str = "127.0.0.1") -> tuple[bool, str]:
    timeout = float(probe.get("timeoutSeconds") or 1)
    if probe.get("exec"):
        cmd = (probe["exec"] or {}).get("command") or []
        try:
            p = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired:
            return False, f"command {cmd!r} timed out"
        except OSError as e:
            return False, f'exec: "{cmd[0] if cmd else ""}": {(e.strerror or str(e)).lower()}'
        if p.returncode == 0:
            return True, ""
        return False, (p.stdout + p.stderr).decode("utf-8", "replace").strip()[:1024]
    if probe.get("httpGet"):
        g = probe["httpGet"]
        port = _port(g.get("port"), ctr)
        target = g.get("host") or host
        path = g.get("path") or "/"
        scheme = (g.get("scheme") or "HTTP").lower()
        url = f"{scheme}://{target}:{port}{path}"
        if port is None:
            return False, f"port {g.get('port')!r} is not a port of container {ctr['name']}"
        conn_cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        kwargs = {"timeout": timeout}
        if scheme == "https":
            import ssl
            kwargs["context"] = ssl._create_unverified_context()  # the kubelet skips verification too
        conn = conn_cls(target, port, **kwargs)
        try:
            headers = {"User-Agent": "kube-probe/1.32", "Accept": "*/*"}
            headers.update({h.get("name", ""): h.get("value", "") for h in g.get("httpHeaders") or []})
            conn.request("GET", path, headers=headers)
            status = conn.getresponse().status
        except OSError as e:
            return False, f'Get "{url}": {_why(e)}'
        finally:
            conn.close()
        if 200 <= status < 400:
            return True, ""
        return False, f"HTTP probe failed with statuscode: {status}"
    if probe.get("tcpSocket"):
        t = probe["tcpSocket"]
        port = _port(t.get("port"), ctr)
        target = t.get("host") or host
        if port is None:
            return False, f"port {t.get('port')!r} is not a port of container {ctr['name']}"
        try:
            socket.create_connection((target, port), timeout=timeout).close()
        except OSError as e:
            return False, f"dial tcp {target}:{port}: {_why(e)}"
        return True, ""
    return False, "probe has no exec, httpGet or tcpSocket handler this runtime supports"


def _why(e: OSError) -> str:
    if isinstance(e, ConnectionRefusedError):
        return "connect: connection refused"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
    return (e.strerror or str(e)).lower()
