#!/usr/bin/env python3
"""make soak: 10 million events through tetrars, RSS sampled every second.

The fake agent loops the recorded exec events; tetrars runs with its
defaults (stdout to /dev/null). Prints the RSS samples as a table and
whether RSS stayed flat after warm-up.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import CORPUS, EXECS_PER_LOOP, start_fake, status_field  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before RSS must stay flat")
    args = parser.parse_args()
    loops = -(-args.events // EXECS_PER_LOOP)
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "soak.sock")
        fake = start_fake(args.build_dir, sock, ["--replay", CORPUS, "--loop", str(loops), "--raw"])
        start = time.monotonic()
        proc = subprocess.Popen([os.path.join(args.build_dir, "tetrars"), "--server-address",
                                 "unix://" + sock, "--once"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples = []
        while proc.poll() is None:
            time.sleep(1.0)
            try:
                samples.append((time.monotonic() - start, status_field(proc.pid, "VmRSS")))
            except (FileNotFoundError, ProcessLookupError, TypeError):
                break
        stderr = proc.stderr.read().decode()
        fake.send_signal(signal.SIGTERM)
        fake.wait()
    if proc.returncode != 0:
        sys.exit("soak: tetrars failed:\n" + stderr)
    received = int(re.search(r"received=(\d+)", stderr).group(1))
    samples = [(t, kb) for t, kb in samples if kb]
    print(f"received {received:,} events in {time.monotonic() - start:.0f} s")
    print("| second | RSS (kB) |")
    print("|---|---|")
    step = max(1, len(samples) // 20)
    for t, kb in samples[::step]:
        print(f"| {t:.0f} | {kb:,} |")
    after = [kb for t, kb in samples if t >= args.warmup]
    if after:
        print(f"after {args.warmup:g} s warm-up: min {min(after):,} kB, max {max(after):,} kB, "
              f"growth {max(after) - min(after):,} kB over {len(after)} samples")


if __name__ == "__main__":
    main()
