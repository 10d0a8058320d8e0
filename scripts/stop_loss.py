#!/usr/bin/env python3
"""How many events a stop loses: events the agent sent but tetrars never printed.

The fake agent streams at --rate events/s and logs each event as it frames
it for the socket (--send-log); tetrars prints every event (--auid any).
After a random time tetrars gets SIGTERM; sent - printed is the loss of that
stop. Prints one row per stop and the total.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


def one_stop(build, tetrars, rate, max_delay, corpus, rng):
    with tempfile.TemporaryDirectory() as work:
        sock = os.path.join(work, "tetragon.sock")
        send_log = os.path.join(work, "sent")
        fake = subprocess.Popen(
            [os.path.join(build, "tetragon-fake"), "--listen", "unix:" + sock, "--raw",
             "--rate", str(rate), "--send-log", send_log, "--replay", corpus, "--loop", "1000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 10
            while not os.path.exists(sock) and time.time() < deadline:
                time.sleep(0.01)
            args = [tetrars, "--server-address", "unix://" + sock, "--auid", "any"]
            if max_delay is not None:
                args += ["--max-delay", max_delay]
            with open(os.path.join(work, "out"), "wb") as out, \
                    open(os.path.join(work, "err"), "wb") as err:
                proc = subprocess.Popen(args, stdout=out, stderr=err)
                time.sleep(rng.uniform(0.5, 1.5))
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=5)
            time.sleep(0.2)  # the fake logs what it framed before it saw the close
            with open(os.path.join(work, "out"), "rb") as f:
                printed = f.read().count(b"\n")
            with open(send_log, "rb") as f:
                sent = f.read().count(b"\n")
            return sent, printed, code
        finally:
            fake.send_signal(signal.SIGTERM)
            fake.wait(timeout=5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--tetrars", help="the binary to measure (default: BUILD/tetrars)")
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--stops", type=int, default=10)
    parser.add_argument("--max-delay", help="tetrars' --max-delay (default: its own)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    build = os.path.abspath(args.build_dir)
    tetrars = args.tetrars or os.path.join(build, "tetrars")
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                          "tetragon-v0.10", "all.wire.b64")
    rng = random.Random(args.seed)
    total_lost = 0
    print("| stop | sent | printed | lost | exit |")
    print("|---|---|---|---|---|")
    for i in range(args.stops):
        sent, printed, code = one_stop(build, tetrars, args.rate, args.max_delay, corpus, rng)
        lost = sent - printed
        total_lost += max(lost, 0)
        print(f"| {i + 1} | {sent} | {printed} | {lost} | {code} |")
    print(f"lost in all: {total_lost} events in {args.stops} stops at {args.rate} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
