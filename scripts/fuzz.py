#!/usr/bin/env python3
"""make fuzz: run each libFuzzer target for a bounded time, seeded from the corpus.

  scripts/fuzz.py --build-dir build-fuzz --seconds 60

Seeds: every recorded event (decode_encode, wire_oracle) and framed runs of
them (deframer). Findings land in BUILD/crashes/; copy each into
tests/fuzz_regressions/<target>/ so the unit tests replay it forever.
"""
import argparse
import base64
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "data", "tetragon-v0.10")
REGRESSIONS = os.path.join(HERE, "..", "tests", "fuzz_regressions")


def frame(payload):
    return b"\0" + len(payload).to_bytes(4, "big") + payload


def write_seeds(seed_dir):
    events = []
    for name in ("all.wire.b64", "seed.wire.b64"):
        with open(os.path.join(CORPUS, name)) as f:
            events += [base64.b64decode(line) for line in f if line.strip()]
    decode = os.path.join(seed_dir, "decode_encode")
    deframer = os.path.join(seed_dir, "deframer")
    os.makedirs(decode, exist_ok=True)
    os.makedirs(deframer, exist_ok=True)
    oracle = os.path.join(seed_dir, "wire_oracle")
    os.makedirs(oracle, exist_ok=True)
    for i, event in enumerate(events):
        for directory in (decode, oracle):
            with open(os.path.join(directory, f"event-{i:03}"), "wb") as f:
                f.write(event)
    for i in range(0, len(events), 10):
        with open(os.path.join(deframer, f"stream-{i:03}"), "wb") as f:
            f.write(bytes([i % 251]) + b"".join(frame(e) for e in events[i:i + 10]))


def run(build, target, seconds, seed_dir):
    corpus = os.path.join(build, "corpus", target)
    crashes = os.path.join(build, "crashes")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(crashes, exist_ok=True)
    dirs = [corpus, os.path.join(seed_dir, target), os.path.join(REGRESSIONS, target)]
    cmd = [os.path.join(build, f"{target}_fuzzer"), f"-max_total_time={seconds}",
           "-max_len=65536", "-rss_limit_mb=2048", f"-artifact_prefix={crashes}/{target}-"] + \
          [d for d in dirs if os.path.isdir(d)]
    proc = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
    done = re.search(r"Done (\d+) runs in (\d+) second", proc.stderr)
    cov = re.findall(r"cov: (\d+)", proc.stderr)
    runs = int(done.group(1)) if done else 0
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
    return proc.returncode, runs, cov[-1] if cov else "?"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", default="build-fuzz")
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    seed_dir = os.path.join(args.build_dir, "seeds")
    write_seeds(seed_dir)
    failed = False
    print("| target | seconds | executions | coverage (edges) | result |")
    print("|---|---|---|---|---|")
    for target in ("deframer", "decode_encode", "wire_oracle"):
        rc, runs, cov = run(args.build_dir, target, args.seconds, seed_dir)
        failed |= rc != 0
        print(f"| {target} | {args.seconds} | {runs:,} | {cov} | {'ok' if rc == 0 else 'FINDING'} |",
              flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
