"""Runs one container instance and records what became of it. Started by the process
runtime as `python -I wrapper.py DIR N`, in a new session; imports nothing of kubelite.

DIR/N.spec.json (written by the runtime) says what to run. The wrapper writes
DIR/N.pid (its pid, start time and boot id, then the container's pid), copies the
container's stdout and stderr into the log file in the CRI format the kubelet writes
(`<RFC 3339 nano> <stream> <F|P> <text>`), and DIR/N.exit with the exit status when it
ends. The container runs in its own process group; when its main process exits, the
rest of that group is killed, as when a container's pid 1 exits.
"""
import datetime
import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import time

MAX_LINE = 16 * 1024  # longer lines are split into partial (P) records, as the kubelet does
DRAIN = 2.0  # seconds to keep reading output after the main process exited
OOM_MARKS = (b"MemoryError", b"Cannot allocate memory", b"std::bad_alloc", b"out of memory", b"Out of memory")


def write_json(path, data):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def stat_fields(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        text = f.read()
    return text[text.rindex(b")") + 2:].split()


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip()


def log_stamp():
    ns = time.time_ns()
    t = datetime.datetime.fromtimestamp(ns // 1_000_000_000, datetime.timezone.utc)
    return f"{t:%Y-%m-%dT%H:%M:%S}.{ns % 1_000_000_000:09d}Z".encode()


def rfc3339(start, elapsed):
    t = datetime.datetime.fromisoformat(start.replace("Z", "+00:00")) + datetime.timedelta(seconds=elapsed)
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    d, n = sys.argv[1], sys.argv[2]
    with open(os.path.join(d, f"{n}.spec.json")) as f:
        spec = json.load(f)
    began = time.monotonic()
    me = {"pid": os.getpid(), "starttime": stat_fields(os.getpid())[19].decode(), "boot": boot_id()}
    write_json(os.path.join(d, f"{n}.pid"), me)
    # The runtime signals the container's process group itself; the wrapper stays to record the end.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGHUP, lambda *_: None)
    log = os.open(spec["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    memory, uid, gid = spec.get("memory"), spec.get("uid"), spec.get("gid")

    def limits():
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if gid is not None:
            os.setgroups([])
            os.setgid(gid)
        if uid is not None:
            os.setuid(uid)

    def finish(code, reason, message=""):
        out = {"exitCode": code, "reason": reason, "finishedAt": rfc3339(spec["startedAt"], time.monotonic() - began)}
        if message:
            out["message"] = message
        write_json(os.path.join(d, f"{n}.exit"), out)

    argv = spec["argv"]
    try:
        child = subprocess.Popen(argv, cwd=spec.get("cwd") or None, env=spec["env"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, process_group=0,
                                 preexec_fn=limits, close_fds=True)
    except OSError as e:
        cmd = argv[0] if argv else ""
        if e.errno == 2 and "/" not in cmd:
            msg = f'exec: "{cmd}": executable file not found in $PATH'
        else:
            msg = f'exec: "{cmd}": {(e.strerror or str(e)).lower()}'
        if e.filename and spec.get("cwd") and e.filename == spec["cwd"]:
            msg = f"chdir to cwd (\"{spec['cwd']}\") set in config.json failed: {(e.strerror or '').lower()}"
        os.write(log, log_stamp() + b" stderr F " + msg.encode() + b"\n")
        finish(126 if e.errno == 13 else 127, "ContainerCannotRun", msg)
        return
    me["child"] = child.pid
    write_json(os.path.join(d, f"{n}.pid"), me)
    tail = bytearray()
    pending = {child.stdout.fileno(): (b"stdout", bytearray()), child.stderr.fileno(): (b"stderr", bytearray())}
    sel = selectors.DefaultSelector()
    for fd in pending:
        sel.register(fd, selectors.EVENT_READ)
    ended_at = None
    while pending:
        events = sel.select(timeout=0.2)
        for key, _ in events:
            fd = key.fd
            stream, buf = pending[fd]
            data = os.read(fd, 65536)
            if not data:
                if buf:
                    os.write(log, log_stamp() + b" " + stream + b" P " + bytes(buf) + b"\n")
                sel.unregister(fd)
                del pending[fd]
                continue
            if stream == b"stderr":
                tail += data
                del tail[:-4096]
            buf += data
            while True:
                i = buf.find(b"\n")
                if i < 0:
                    break
                os.write(log, log_stamp() + b" " + stream + b" F " + bytes(buf[:i]) + b"\n")
                del buf[:i + 1]
            while len(buf) >= MAX_LINE:
                os.write(log, log_stamp() + b" " + stream + b" P " + bytes(buf[:MAX_LINE]) + b"\n")
                del buf[:MAX_LINE]
        if ended_at is None and child.poll() is not None:
            ended_at = time.monotonic()
            try:  # what the main process left behind in its group goes with it
                os.killpg(child.pid, signal.SIGKILL)
            except OSError:
                pass
        if ended_at is not None and time.monotonic() - ended_at > DRAIN:
            break
    rc = child.wait()
    code = rc if rc >= 0 else 128 - rc
    if code == 0:
        reason = "Completed"
    elif memory and any(m in tail for m in OOM_MARKS):
        reason = "OOMKilled"
    else:
        reason = "Error"
    finish(code, reason)


if __name__ == "__main__":
    main()
