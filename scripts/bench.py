#!/usr/bin/env python3
"""make bench: tetrars' cost, measured against the bundled fake agent.

Runs, on this machine:
  1. a stream of >= 200,000 recorded events (the corpus looped by the fake
     agent, seed request: exec events only, field-filtered by the agent),
     tetrars with its defaults and --once, stdout to /dev/null;
  2. an idle connection (the agent holds the stream open and sends nothing).
Prints a table: CPU per received event (user+sys), events/s, max RSS, idle RSS
after 1 s, threads, idle wake-ups per minute.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "data", "tetragon-v0.10", "all.wire.b64")
EXECS_PER_LOOP = 145  # exec events in all.wire.b64 (the seed request asks for execs only)


def wait_for_socket(path, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(path)
                return
        except OSError:
            time.sleep(0.02)
    sys.exit(f"bench: the fake agent did not listen on {path}")


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return None


def start_fake(build, sock, args):
    fake = subprocess.Popen([os.path.join(build, "tetragon-fake"), "--listen", "unix:" + sock] + args,
                            stderr=subprocess.DEVNULL)
    wait_for_socket(sock)
    return fake


def stream_run(build, tmp, events):
    loops = -(-events // EXECS_PER_LOOP)
    sock = os.path.join(tmp, "stream.sock")
    fake = start_fake(build, sock, ["--replay", CORPUS, "--loop", str(loops)])
    start = time.monotonic()
    proc = subprocess.Popen([os.path.join(build, "tetrars"), "--server-address", "unix://" + sock, "--once"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # ru_maxrss would include the memory of the forked Python before exec;
    # VmHWM (the peak RSS of tetrars' own address space) is what users see.
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        try:
            peak_kb = max(peak_kb, status_field(proc.pid, "VmHWM") or 0)
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.01)
    wall = time.monotonic() - start
    stderr = proc.stderr.read().decode()
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("bench: tetrars failed:\n" + stderr)
    received = int(re.search(r"received=(\d+)", stderr).group(1))
    written = int(re.search(r"written=(\d+)", stderr).group(1))
    cpu = usage.ru_utime + usage.ru_stime
    return {"received": received, "written": written, "cpu_us_per_event": cpu / received * 1e6,
            "events_per_s": received / wall, "max_rss_kb": peak_kb}


def idle_run(build, tmp, window):
    sock = os.path.join(tmp, "idle.sock")
    fake = start_fake(build, sock, ["--idle"])
    proc = subprocess.Popen([os.path.join(build, "tetrars"), "--server-address", "unix://" + sock],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    rss = status_field(proc.pid, "VmRSS")
    threads = status_field(proc.pid, "Threads")
    switches = lambda: (status_field(proc.pid, "voluntary_ctxt_switches") +
                        status_field(proc.pid, "nonvoluntary_ctxt_switches"))
    before = switches()
    time.sleep(window)
    wakeups = (switches() - before) * 60.0 / window
    proc.send_signal(signal.SIGTERM)
    proc.wait()
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    return {"idle_rss_kb": rss, "threads": threads, "wakeups_per_min": wakeups}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--idle-window", type=float, default=5.0, help="seconds to count idle wake-ups")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        s = stream_run(args.build_dir, tmp, args.events)
        i = idle_run(args.build_dir, tmp, args.idle_window)
    rows = [
        ("events received (written)", f"{s['received']:,} ({s['written']:,})"),
        ("CPU per received event (user+sys)", f"{s['cpu_us_per_event']:.2f} µs"),
        ("throughput", f"{s['events_per_s']:,.0f} events/s"),
        ("max RSS while streaming", f"{s['max_rss_kb'] / 1024:.1f} MB"),
        ("idle RSS (connected, no events, 1 s)", f"{i['idle_rss_kb'] / 1024:.1f} MB"),
        ("threads", str(i["threads"])),
        (f"idle wake-ups (over {args.idle_window:g} s)", f"{i['wakeups_per_min']:.0f} per minute"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"| {'figure':<{width}} | measured |")
    print(f"|{'-' * (width + 2)}|----------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
