#!/usr/bin/env python3
"""make bench: tetrars' cost, measured against the bundled fake agent.

Runs, on this machine:
  1. a stream of 1,000,000 exec events (recorded events, mixed so that 25% are
     human users'), served by the fake agent's raw HTTP/2 server, tetrars with
     its defaults and --once, stdout to /dev/null;
  2. an idle connection (the agent holds the stream open and sends nothing);
  3. a lone event every 100 ms (after a quiet spell longer than the 50 ms
     that starts gathering, issue 22), each one timed from the agent's send
     to the line tetrars writes (all events printed: --auid any --all-fields);
  4. the stream of (1) again, 20,000 events, under callgrind: instructions per
     event, a figure that does not vary with the machine's load;
  5. events paced at 10, 100 and 1,000 a second as a real agent sends them,
     every one printed into a pipe: wake-ups per event, and the latency from
     the agent's send to the line coming out of the pipe (p50/p99/max).
Prints issue 22's targets first (each with the value of --before), then the
figures of issues 12 and 13. With
BASELINE='/path/to/client --server-address {address} ...' the stream of (1) is
also measured for that client ({address} becomes the fake agent's address).
"""
import argparse
import base64
import json
import os
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "tetragon-v0.10")
CORPUS = os.path.join(DATA, "all.wire.b64")
EXECS_PER_LOOP = 145
DEFAULT_MAX_DELAY_MS = 50  # tetrars' --max-delay default (src/cli/options.h)
# Issue 22: no event is held longer than this (the bound the README states).
HOLD_BOUND_MS = 100
# Events further apart than --max-delay (50 ms) are each written at once; at
# 50/s (20 ms apart) they are a trickle that is gathered (issue 22).
LONE_EVENT_RATE = 10
# Issue 22's paced runs: events per second, and seconds of events at that rate
# (at least 100 events each, so that p99 is not the maximum).
PACED_RATES = ((10, 10.0), (100, 5.0), (1000, 3.0))


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


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_fake(build, sock, args):
    fake = subprocess.Popen([os.path.join(build, "tetragon-fake"), "--listen", "unix:" + sock] + args,
                            stderr=subprocess.DEVNULL)
    wait_for_socket(sock)
    return fake


def mixed_stream(path, human_share=0.25):
    """Exec events of the corpus, the non-human ones repeated so that
    `human_share` of the stream is human; returns the number of events."""
    with open(CORPUS) as f:
        wire = [line.strip() for line in f]
    with open(os.path.join(DATA, "all.tetra.jsonl")) as f:
        tetra = [json.loads(line) for line in f]
    human, other = [], []
    for line, event in zip(wire, tetra):
        if "process_exec" not in event:
            continue
        auid = event["process_exec"]["process"].get("auid")
        (human if auid is not None and 1000 <= auid < 4294967295 else other).append(line)
    copies = round(len(human) * (1 - human_share) / human_share / len(other))
    stream = human + other * copies
    random.Random(5).shuffle(stream)
    with open(path, "w") as f:
        f.write("\n".join(stream) + "\n")
    return len(stream), len(human) / len(stream)


def measure(cmd, fake):
    """Runs `cmd` to its end; CPU, wall time and peak RSS (VmHWM) of it.
    (ru_maxrss would count the forked Python's pages before exec.)"""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        try:
            peak_kb = max(peak_kb, status_field(proc.pid, "VmHWM") or 0)
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.005)
    wall = time.monotonic() - start
    fake_cpu = cpu_seconds(fake.pid)
    return {"status": os.waitstatus_to_exitcode(status), "stderr": proc.stderr.read().decode(),
            "cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "peak_kb": peak_kb,
            "fake_cpu": fake_cpu}


def stream_run(build, tmp, stream, per_loop, events, client=None, tetrars=None, extra=()):
    loops = -(-events // per_loop)
    sock = os.path.join(tmp, f"stream-{time.monotonic_ns()}.sock")
    fake = start_fake(build, sock, ["--replay", stream, "--loop", str(loops), "--raw"])
    address = "unix://" + sock
    tetrars = tetrars or os.path.join(build, "tetrars")
    cmd = (client(address) if client
           else [tetrars, "--server-address", address, "--once"] + list(extra))
    result = measure(cmd, fake)
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    if not client and result["status"] != 0:
        sys.exit("bench: tetrars failed:\n" + result["stderr"])
    received = loops * per_loop
    if not client:
        received = int(re.search(r"received=(\d+)", result["stderr"]).group(1))
    result.update(received=received, us_per_event=result["cpu"] / received * 1e6,
                  events_per_s=received / result["wall"])
    return result


def huge_event_file(tmp, total=14 << 20, controls=1 << 20):
    """One exec of a human user whose arguments make the event ~14 MB, 1 MB
    of them control characters (each printed as a 6-byte \\u00XX escape)."""
    def varint(n):
        out = bytearray()
        while n >= 0x80:
            out.append(n & 0x7f | 0x80)
            n >>= 7
        out.append(n)
        return bytes(out)

    def field(number, payload):
        return varint(number << 3 | 2) + varint(len(payload)) + payload
    arguments = (b"\x01" * controls) + (b"a" * (total - controls))
    process = (field(5, b"/usr/bin/huge") + field(6, arguments) +
               field(9, varint(1 << 3) + varint(1000)))  # auid {value: 1000}
    event = field(1, field(1, process))
    path = os.path.join(tmp, "huge.wire.b64")
    with open(path, "w") as f:
        f.write(base64.b64encode(event).decode() + "\n")
    return path


def huge_run(build, tmp, tetrars=None):
    """Peak RSS (VmHWM) for the one huge event, default limits."""
    sock = os.path.join(tmp, f"huge-{time.monotonic_ns()}.sock")
    fake = start_fake(build, sock, ["--replay", huge_event_file(tmp), "--raw"])
    tetrars = tetrars or os.path.join(build, "tetrars")
    result = measure([tetrars, "--server-address", "unix://" + sock, "--once"], fake)
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    return result["peak_kb"]


def text_size(binary):
    out = subprocess.run(["size", binary], capture_output=True, text=True).stdout.splitlines()
    return int(out[1].split()[0])


def idle_run(build, tmp, window, tetrars=None):
    sock = os.path.join(tmp, f"idle-{time.monotonic_ns()}.sock")
    fake = start_fake(build, sock, ["--idle"])
    proc = subprocess.Popen([tetrars or os.path.join(build, "tetrars"), "--server-address",
                             "unix://" + sock],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    rss = status_field(proc.pid, "VmRSS")
    anon = status_field(proc.pid, "RssAnon")
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
    return {"idle_rss_kb": rss, "idle_anon_kb": anon, "threads": threads, "wakeups_per_min": wakeups}


def latency_run(build, tmp, rate, count, tetrars=None):
    """`count` events paced at `rate` per second, each timed from the agent's
    send to the line tetrars writes (all printed: --auid any --all-fields)."""
    tetrars = tetrars or os.path.join(build, "tetrars")
    sock = os.path.join(tmp, f"latency-{rate}-{time.monotonic_ns()}.sock")
    log = os.path.join(tmp, f"sent-{rate}-{time.monotonic_ns()}.log")
    events = os.path.join(tmp, f"latency-{count}.wire.b64")
    with open(os.path.join(DATA, "seed.wire.b64")) as f:
        seed = [line.strip() for line in f if line.strip()]
    with open(events, "w") as f:
        f.write("\n".join(seed[i % len(seed)] for i in range(count)) + "\n")
    fake = start_fake(build, sock, ["--replay", events, "--raw", "--rate", str(rate),
                                    "--send-log", log])
    proc = subprocess.Popen([tetrars, "--server-address", "unix://" + sock,
                             "--once", "--auid", "any", "--all-fields"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    arrivals = []

    def read():
        for _ in proc.stdout:
            arrivals.append(time.monotonic_ns())
    reader = threading.Thread(target=read)
    reader.start()
    proc.wait()
    reader.join()
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    with open(log) as f:
        sent = [int(line) for line in f]
    lat = sorted((a - s) / 1e6 for a, s in zip(arrivals, sent))
    return {"median_ms": statistics.median(lat), "p95_ms": lat[int(len(lat) * 0.95)],
            "max_ms": lat[-1], "count": len(lat), "rate": rate}


def paced_run(build, tmp, rate, seconds, tetrars=None):
    """Events at `rate` per second for `seconds` (fake agent --raw --rate N,
    each event written alone as it happens), every one printed (--auid any)
    into a pipe read here. Wake-ups: tetrars' voluntary context switches
    between the first and the last line it wrote, per event written in
    between (start-up and exit do not count). Latency: from the time the fake
    framed the event for the socket (--send-log, steady clock = CLOCK_MONOTONIC
    ns) to the time its line came out of the pipe here (CLOCK_MONOTONIC)."""
    count = max(int(rate * seconds), 100)
    tetrars = tetrars or os.path.join(build, "tetrars")
    tag = f"{rate}-{time.monotonic_ns()}"
    sock = os.path.join(tmp, f"paced-{tag}.sock")
    log = os.path.join(tmp, f"paced-sent-{tag}.log")
    events = os.path.join(tmp, f"paced-{count}.wire.b64")
    with open(os.path.join(DATA, "seed.wire.b64")) as f:
        seed = [line.strip() for line in f if line.strip()]
    with open(events, "w") as f:
        f.write("\n".join(seed[i % len(seed)] for i in range(count)) + "\n")
    fake = start_fake(build, sock, ["--replay", events, "--raw", "--rate", str(rate),
                                    "--send-log", log])
    proc = subprocess.Popen([tetrars, "--server-address", "unix://" + sock, "--once",
                             "--auid", "any"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    arrivals, first, last = [], None, None
    fd = proc.stdout.fileno()
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        now = time.monotonic_ns()
        lines = chunk.count(b"\n")
        if not lines:
            continue
        arrivals.extend([now] * lines)
        try:
            switches = status_field(proc.pid, "voluntary_ctxt_switches")
        except (FileNotFoundError, ProcessLookupError):
            switches = None
        if first is None:
            first = (switches, len(arrivals))
        elif switches is not None:
            last = (switches, len(arrivals))
    proc.wait()
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    with open(log) as f:
        sent = [int(line) for line in f]
    if len(arrivals) != len(sent) or len(arrivals) < count:
        sys.exit(f"bench: at {rate}/s the fake sent {len(sent)} events and tetrars wrote "
                 f"{len(arrivals)} lines")
    lat = sorted((a - s) / 1e6 for a, s in zip(arrivals, sent))
    wakeups = ((last[0] - first[0]) / (last[1] - first[1])
               if first and last and first[0] is not None and last[1] > first[1] else None)
    return {"rate": rate, "count": len(lat), "wakeups_per_event": wakeups,
            "p50_ms": lat[len(lat) // 2], "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
            "max_ms": lat[-1]}


def trickle_run(build, tmp, stream, per_loop, rate, seconds, tetrars=None, syscalls=False):
    """The fake agent paced at `rate` events per second, as a real agent sends
    them (one at a time, as they happen), for about `seconds` (whole loops of
    the stream); tetrars with its defaults and --once, stdout to /dev/null.
    CPU and wake-ups (voluntary context switches) come from the rusage of the
    whole run (start-up and exit included: a few dozen calls against
    thousands of events); with `syscalls`, a second run under strace -c -f
    counts the system calls."""
    loops = max(-(-int(rate * seconds) // per_loop), 1)
    tetrars = tetrars or os.path.join(build, "tetrars")

    def one_run(prefix):
        sock = os.path.join(tmp, f"trickle-{rate}-{time.monotonic_ns()}.sock")
        fake = start_fake(build, sock, ["--replay", stream, "--loop", str(loops), "--raw",
                                        "--rate", str(rate)])
        cmd = prefix + [tetrars, "--server-address", "unix://" + sock, "--once"]
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = proc.stderr.read().decode()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        fake.send_signal(signal.SIGTERM)
        fake.wait()
        stats = re.findall(r"received=(\d+)", err)
        received = int(stats[-1]) if stats else 0
        if os.waitstatus_to_exitcode(status) != 0 or received == 0:
            sys.exit(f"bench: tetrars failed at {rate} events/s:\n{err}")
        return usage, received, wall

    usage, received, wall = one_run([])
    result = {"rate": rate, "received": received, "achieved_rate": received / wall,
              "wakeups_per_event": usage.ru_nvcsw / received,
              "us_per_event": (usage.ru_utime + usage.ru_stime) / received * 1e6}
    if syscalls:
        out = os.path.join(tmp, "strace.txt")
        _, received, _ = one_run(["strace", "-c", "-f", "-o", out])
        counts = {}
        with open(out) as f:
            for line in f:
                m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$", line)
                if m and m.group(2) != "total":
                    counts[m.group(2)] = int(m.group(1))
        result["syscalls_per_event"] = sum(counts.values()) / received
        result["syscalls"] = {k: v / received for k, v in
                              sorted(counts.items(), key=lambda kv: -kv[1])[:4]}
    return result


def callgrind_run(build, tmp, stream, per_loop, events=20_000, tetrars=None):
    """Instructions per received event in the steady state: the difference
    between two runs (events and 3x events) over the extra events, so
    start-up does not count."""
    small = callgrind_once(build, tmp, stream, per_loop, events, tetrars)
    large = callgrind_once(build, tmp, stream, per_loop, 3 * events, tetrars)
    if not small or not large:
        return None
    return (large[0] - small[0]) / (large[1] - small[1])


def callgrind_once(build, tmp, stream, per_loop, events, tetrars):
    loops = -(-events // per_loop)
    sock = os.path.join(tmp, f"callgrind-{time.monotonic_ns()}.sock")
    fake = start_fake(build, sock, ["--replay", stream, "--loop", str(loops), "--raw"])
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          tetrars or os.path.join(build, "tetrars"), "--server-address",
                          "unix://" + sock, "--once"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    fake.send_signal(signal.SIGTERM)
    fake.wait()
    collected = re.search(r"Collected : (\d+)", out.stderr)
    received = re.search(r"received=(\d+)", out.stderr)
    if not collected or not received:
        return None
    return int(collected.group(1)), int(received.group(1))


def trickle_rows(build, tmp, stream, per_loop, before, seconds):
    """Issue 13's table: the agent sending events one at a time, as they happen."""
    rows = []
    for rate in (1000, 10000):
        after = trickle_run(build, tmp, stream, per_loop, rate, seconds, syscalls=True)
        old = (trickle_run(build, tmp, stream, per_loop, rate, seconds, tetrars=before,
                           syscalls=True) if before else None)
        pick = lambda r, key, fmt: fmt.format(r[key]) if r else "-"
        w_target, s_target = ("<= 0.3", "<= 1.0") if rate == 1000 else ("-", "-")
        rows.append((f"{rate:,}/s: wake-ups per received event", w_target,
                     pick(old, "wakeups_per_event", "{:.3f}"), f"{after['wakeups_per_event']:.3f}",
                     "yes" if rate != 1000 or after["wakeups_per_event"] <= 0.3 else "NO"))
        rows.append((f"{rate:,}/s: system calls per received event", s_target,
                     pick(old, "syscalls_per_event", "{:.2f}"),
                     f"{after['syscalls_per_event']:.2f} (" +
                     ", ".join(f"{k} {v:.2f}" for k, v in after["syscalls"].items()) + ")",
                     "yes" if rate != 1000 or after["syscalls_per_event"] <= 1.0 else "NO"))
        c_target = f"<= {old['us_per_event'] / 3:.2f} µs (1/3 of before)" if old and rate == 1000 else "-"
        rows.append((f"{rate:,}/s: CPU per received event", c_target,
                     pick(old, "us_per_event", "{:.2f} µs"), f"{after['us_per_event']:.2f} µs",
                     ("yes" if after["us_per_event"] <= old["us_per_event"] / 3 else "NO")
                     if old and rate == 1000 else "-"))
    return rows


def issue22_rows(after, before, paced_after, paced_before):
    """Issue 22's targets: (figure, target, before, now, met) rows."""
    def value(figures, fmt):
        return fmt(figures) if figures else "-"
    rows = []

    def add(name, target, fmt, ok):
        rows.append((name, target, value(before, fmt), fmt(after), "yes" if ok(after) else "NO"))
    add("idle VmRSS (connected, no events, 1 s)", "<= 2.0 MB",
        lambda f: f"{f['idle']['idle_rss_kb'] / 1024:.2f} MB",
        lambda f: f["idle"]["idle_rss_kb"] <= 2048)
    add("max RSS while streaming the bench stream", "<= 2.5 MB",
        lambda f: f"{f['stream']['peak_kb'] / 1024:.2f} MB", lambda f: f["stream"]["peak_kb"] <= 2560)
    add("text of build/tetrars (size)", "<= 800 KB", lambda f: f"{f['text'] / 1000:,.0f} KB",
        lambda f: f["text"] <= 800_000)
    add("instructions per received event (callgrind)", "<= 4,000",
        lambda f: f"{f['ipe']:,.0f}" if f["ipe"] else "-",
        lambda f: f["ipe"] is not None and f["ipe"] <= 4000)
    for i, (rate, _) in enumerate(PACED_RATES):
        now = paced_after[i]
        old = paced_before[i] if paced_before else None
        wake = lambda r: (f"{r['wakeups_per_event']:.2f}" if r and r["wakeups_per_event"] is not None
                          else "-")
        ok = now["wakeups_per_event"] is not None and now["wakeups_per_event"] <= 0.3
        rows.append((f"{rate:,}/s: wake-ups per event", "<= 0.3" if rate == 100 else "-",
                     wake(old), wake(now), ("yes" if ok else "NO") if rate == 100 else "-"))
        lat = lambda r: (f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f} / {r['max_ms']:.2f} ms"
                         if r else "-")
        rows.append((f"{rate:,}/s: latency send -> write, p50 / p99 / max", f"max <= {HOLD_BOUND_MS} ms",
                     lat(old), lat(now), "yes" if now["max_ms"] <= HOLD_BOUND_MS else "NO"))
    return rows


def print_table(header, rows):
    widths = [max(len(r[k]) for r in rows + [header]) for k in range(len(header))]
    line = lambda r: "| " + " | ".join(r[k].ljust(widths[k]) for k in range(len(header))) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))


def cost_figures(build, tmp, stream, per_loop, events, idle_window, tetrars, callgrind):
    """Issue 12's figures for one tetrars binary."""
    s = stream_run(build, tmp, stream, per_loop, events, tetrars=tetrars)
    every = stream_run(build, tmp, stream, per_loop, max(events // 4, per_loop), tetrars=tetrars,
                       extra=("--auid", "any", "--all-fields"))
    i = idle_run(build, tmp, idle_window, tetrars=tetrars)
    return {
        "stream": s, "every": every, "idle": i,
        "huge_kb": huge_run(build, tmp, tetrars=tetrars),
        "text": text_size(tetrars or os.path.join(build, "tetrars")),
        "ipe": callgrind_run(build, tmp, stream, per_loop, tetrars=tetrars) if callgrind else None,
    }


def cost_rows(after, before):
    """(figure, target, before, after, met) rows; `before` may be None."""
    def pick(f, key):
        return f(before) if before else "-"
    rows = []

    def add(name, target, value, ok):
        rows.append((name, target, pick(value, name), value(after), "yes" if ok(after) else "NO"))
    add("idle RSS (connected, no events, 1 s)", "<= 2.0 MB",
        lambda f: f"{f['idle']['idle_rss_kb'] / 1024:.2f} MB (private {f['idle']['idle_anon_kb'] / 1024:.2f})",
        lambda f: f["idle"]["idle_rss_kb"] <= 2048)
    add(f"max RSS while streaming {after['stream']['received']:,} events", "<= 2.5 MB",
        lambda f: f"{f['stream']['peak_kb'] / 1024:.2f} MB", lambda f: f["stream"]["peak_kb"] <= 2560)
    add("instructions per received event (callgrind, steady state)", "<= 4,000",
        lambda f: f"{f['ipe']:,.0f}" if f["ipe"] else "-",
        lambda f: f["ipe"] is not None and f["ipe"] <= 4000)
    add("CPU per received event (default job)", "<= 0.5 µs",
        lambda f: f"{f['stream']['us_per_event']:.2f} µs", lambda f: f["stream"]["us_per_event"] <= 0.5)
    add("CPU per event, every event printed (--auid any --all-fields)", "<= 2.0 µs",
        lambda f: f"{f['every']['us_per_event']:.2f} µs", lambda f: f["every"]["us_per_event"] <= 2.0)
    add("code (size: text)", "<= 800 KB", lambda f: f"{f['text'] / 1000:,.0f} KB",
        lambda f: f["text"] <= 800_000)
    add("max RSS for one 14 MB event (1 MB control characters)", "<= 48 MB",
        lambda f: f"{f['huge_kb'] / 1024:.1f} MB", lambda f: f["huge_kb"] <= 48 * 1024)
    add("throughput (default job)", ">= 500,000 events/s",
        lambda f: f"{f['stream']['events_per_s']:,.0f}/s",
        lambda f: f["stream"]["events_per_s"] >= 500_000)
    add("idle wake-ups", "0 per minute", lambda f: f"{f['idle']['wakeups_per_min']:.0f}/min",
        lambda f: f["idle"]["wakeups_per_min"] == 0)
    add("threads", "1", lambda f: str(f["idle"]["threads"]), lambda f: f["idle"]["threads"] == 1)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--idle-window", type=float, default=5.0, help="seconds to count idle wake-ups")
    parser.add_argument("--no-callgrind", action="store_true")
    parser.add_argument("--before", help="another tetrars binary (an older build) for the "
                        "before columns")
    parser.add_argument("--trickle-seconds", type=float, default=5.0)
    args = parser.parse_args()
    baseline = os.environ.get("BASELINE")
    with tempfile.TemporaryDirectory() as tmp:
        stream = os.path.join(tmp, "bench.wire.b64")
        per_loop, share = mixed_stream(stream)
        after = cost_figures(args.build_dir, tmp, stream, per_loop, args.events, args.idle_window,
                             None, not args.no_callgrind)
        before = (cost_figures(args.build_dir, tmp, stream, per_loop, args.events,
                               args.idle_window, args.before, not args.no_callgrind)
                  if args.before else None)
        paced = [paced_run(args.build_dir, tmp, rate, seconds) for rate, seconds in PACED_RATES]
        paced_before = ([paced_run(args.build_dir, tmp, rate, seconds, tetrars=args.before)
                         for rate, seconds in PACED_RATES] if args.before else None)
        lat = latency_run(args.build_dir, tmp, rate=LONE_EVENT_RATE, count=30)
        trickle = trickle_rows(args.build_dir, tmp, stream, per_loop, args.before,
                               args.trickle_seconds)
        b = None
        if baseline:
            template = shlex.split(baseline)
            b = stream_run(args.build_dir, tmp, stream, per_loop, args.events,
                           client=lambda address: [a.replace("{address}", address) for a in template])
    s = after["stream"]
    print(f"stream: {per_loop} recorded exec events per loop, {share:.1%} of them human; "
          f"stdout to /dev/null")
    before_name = "before" + (f" ({args.before})" if args.before else "")
    print("issue 22: the default job carries only what it uses; a steady trickle is gathered "
          "(paced runs: every event printed, --auid any, into a pipe)")
    print_table(("figure", "target", before_name, "now", "met"),
                issue22_rows(after, before, paced, paced_before))
    print()
    rows = cost_rows(after, before)
    rows.append((f"latency, lone event to written line ({lat['count']} events, "
                 f"{LONE_EVENT_RATE}/s)",
                 "<= 1 ms (p95)", "-",
                 f"p50 {lat['median_ms']:.2f}, p95 {lat['p95_ms']:.2f}, max {lat['max_ms']:.2f} ms",
                 "yes" if lat["p95_ms"] <= 1.0 else "NO"))
    print_table(("figure", "target", "before" + (f" ({args.before})" if args.before else ""),
                 "after", "met"), rows)
    print("\ntrickle: the agent sends each event as it happens (fake agent --raw --rate N), "
          f"default job, stdout to /dev/null; --max-delay {DEFAULT_MAX_DELAY_MS} ms")
    print_table(("figure", "target", "before" + (f" ({args.before})" if args.before else ""),
                 "after", "met"), trickle)
    if b:
        print(f"\nBASELINE {baseline}:")
        print(f"  CPU per event {b['us_per_event']:.2f} µs ({b['us_per_event'] / s['us_per_event']:.1f}x tetrars), "
              f"max RSS {b['peak_kb'] / 1024:.1f} MB ({b['peak_kb'] / max(s['peak_kb'], 1):.1f}x), "
              f"{b['events_per_s']:,.0f} events/s")


if __name__ == "__main__":
    main()
