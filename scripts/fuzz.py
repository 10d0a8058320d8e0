#!/usr/bin/env python3
"""make fuzz: run each libFuzzer target for a bounded time, seeded from the corpus.

  scripts/fuzz.py --build-dir build-fuzz --seconds 60

Seeds: every recorded event (decode_encode, wire_oracle), framed runs of
them (deframer), and a few of them and some synthetic events behind mask
lists (field_mask). Findings land in BUILD/crashes/; copy each into
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


def mask_header(filters):
    """fuzz/harness.cpp's FieldMaskInput: [(exclude, [[index, ...], ...]), ...]
    (1-3 filters; each path 1-3 indices into its MaskPaths(), joined by '.')."""
    head = len(filters) - 1
    body = b""
    for i, (exclude, paths) in enumerate(filters):
        head |= exclude << (2 + i)
        body += bytes([len(paths)])
        for pieces in paths:
            for j, index in enumerate(pieces):
                more = 0x80 if j + 1 < len(pieces) else 0
                body += bytes([index & 0xFF, (index >> 8) | more])
    return bytes([head]) + body


def varint(value):
    out = b""
    while value >= 0x80:
        out += bytes([value & 0x7F | 0x80])
        value >>= 7
    return out + bytes([value])


def ld(number, payload):
    """A length-delimited field (a string, a message, a packed list, a map entry)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def vi(number, value):
    return varint(number << 3) + varint(value)


def synthetic_events():
    """What the recorded corpus lacks (it has process_exec and process_exit of
    a host without Kubernetes): pods with labels (map keys that repeat, are
    empty or missing) and annotations, lists of messages and of scalars
    (packed and not), kprobe and tracepoint arguments whose oneof switches,
    merged occurrences of the event and a switch of the event itself."""
    def entry(key, value):
        return (ld(1, key) if key is not None else b"") + ld(2, value)
    pod = (ld(1, b"default") + ld(2, b"web-0") +
           ld(4, ld(2, b"c") + ld(3, ld(2, b"img")) + ld(5, vi(1, 7))) +
           ld(5, entry(b"app", b"web")) + ld(5, entry(b"tier", b"db")) +
           ld(5, entry(b"", b"empty")) + ld(5, entry(None, b"nokey")) +
           ld(5, entry(b"app.kubernetes.io/name", b"dots")) + ld(5, entry(b"app", b"web2")) +
           ld(8, entry(b"app", b"note")))
    process = (ld(1, b"exec-id") + ld(2, vi(1, 42)) + ld(4, b"/") + ld(5, b"/bin/sh") +
               ld(6, b"-c true") + ld(10, pod) + ld(14, ld(1, bytes([1, 2])) + vi(2, 3)) +
               ld(17, ld(1, vi(1, 0)) + ld(10, ld(1, bytes([21, 5])) + vi(2, 21))) +
               ld(21, ld(1, b"HOME") + ld(2, b"/root")) + ld(21, ld(1, b"TERM")))
    init = ld(5, b"/sbin/init") + ld(2, vi(1, 1))
    top = ld(1000, b"node") + ld(1001, vi(1, 1700000000) + vi(2, 5)) + \
        ld(1004, entry(b"app", b"node"))
    # KprobeArguments: string_arg, int_arg, a switch from one to the other,
    # cred_arg (lists of scalars), sock_arg.
    args = [ld(1, b"s"), vi(2, 5), ld(1, b"t") + vi(2, 7), ld(10, ld(1, bytes([21, 5]))),
            ld(9, ld(1, b"AF_INET") + vi(4, 3))]
    kprobe_args = b"".join(ld(4, a) for a in args)
    exec_ = ld(1, ld(1, process) + ld(2, process) + ld(3, process) + ld(3, init)) + top
    exit_ = ld(5, ld(1, process) + ld(3, b"SIGKILL") + vi(4, 1) + ld(5, vi(1, 3)) +
               ld(6, init) + ld(6, process)) + top
    kprobe = ld(9, ld(1, process) + ld(3, b"tcp_connect") + kprobe_args +
                ld(5, vi(2, 0)) + ld(11, b"tag") + ld(13, init) + ld(14, ld(1, b"d"))) + top
    tracepoint = ld(10, ld(1, process) + ld(4, b"syscalls") + ld(5, b"sys_enter") +
                    b"".join(ld(6, a) for a in args)) + top
    merged = exec_ + ld(1, ld(1, ld(10, ld(5, entry(b"app", b"merged")) + ld(2, b"web-1"))))
    switched = kprobe + exec_ + ld(9, ld(3, b"again"))
    return [exec_, exit_, kprobe, tracepoint, merged, switched]


# Mask lists for the field_mask seeds, by the indices of MaskPaths()'s fixed
# head: include process + process.pod.pod_labels.app; exclude a map key, a
# list's elements' field, a scalar with a submask; include then exclude;
# three filters with empty segments, unknown names and a joined path; include
# then exclude map keys, oneof members, a submask below a list of scalars.
MASK_SEEDS = [
    [(0, [[0], [3]])],
    [(1, [[3], [6], [7]])],
    [(0, [[0], [5]]), (1, [[1], [2], [24]])],
    [(1, [[0]]), (0, [[10], [5, 11], [9]]), (1, [[8], [16], [21]])],
    [(0, [[3], [18], [19], [26], [6]])],
    [(1, [[21], [20], [28], [18], [4, 30]])],
]


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
    masks = os.path.join(seed_dir, "field_mask")
    os.makedirs(masks, exist_ok=True)
    masked = [(f"event-{i:03}", events[i]) for i in range(0, len(events), 20)]
    masked += [(f"synthetic-{i}", e) for i, e in enumerate(synthetic_events())]
    for name, event in masked:
        for j, filters in enumerate(MASK_SEEDS):
            with open(os.path.join(masks, f"{name}-mask-{j}"), "wb") as f:
                f.write(mask_header(filters) + event)
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
    for target in ("deframer", "decode_encode", "wire_oracle", "field_mask"):
        rc, runs, cov = run(args.build_dir, target, args.seconds, seed_dir)
        failed |= rc != 0
        print(f"| {target} | {args.seconds} | {runs:,} | {cov} | {'ok' if rc == 0 else 'FINDING'} |",
              flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
