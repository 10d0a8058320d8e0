#!/usr/bin/env python3
"""Proves tests/check_layers.py can fail: a copy of src/ with one include
that runs up a layer, one sideways, and one without its folder must each be
named with file and line, and the untouched copy must pass."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK = os.path.join(HERE, "check_layers.py")
SRC = os.path.join(HERE, "..", "src")


def run(src):
    out = subprocess.run([sys.executable, CHECK, src], capture_output=True, text=True)
    return out.returncode, out.stdout


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(SRC, copy)
        code, out = run(copy)
        if code != 0:
            print(f"FAIL: the untouched copy of src/ is refused:\n{out}")
            failures += 1
        else:
            print("PASS: the untouched copy of src/ keeps its layers")
        wire = os.path.join(copy, "decode", "wire.h")
        lines = open(wire).read().split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("#include")) + 1
        cases = [
            ('#include "daemon/runner.h"',
             f"decode/wire.h:{at}: decode/ (layer 2) includes daemon/runner.h from a higher layer"),
            ('#include "utf8.h"', f"decode/wire.h:{at}: includes \"utf8.h\" without its folder"),
        ]
        for include, expected in cases:
            with open(wire, "w") as f:
                f.write("\n".join(lines[:at - 1] + [include] + lines[at - 1:]))
            code, out = run(copy)
            if code != 1 or expected not in out:
                print(f"FAIL: {include} in decode/wire.h: exit {code}, expected '{expected}':\n{out}")
                failures += 1
            else:
                print(f"PASS: {include} in decode/wire.h is named: {expected}")
        with open(wire, "w") as f:
            f.write("\n".join(lines))
        # Two folders given the same rank: neither may include the other.
        readme = os.path.join(copy, "README.md")
        text = open(readme).read()
        with open(readme, "w") as f:
            f.write(text.replace("4. `transport/`", "3. `transport/`"))
        journal = os.path.join(copy, "filter", "event_filter.h")
        body = open(journal).read()
        with open(journal, "w") as f:
            f.write(body.replace("#pragma once", '#pragma once\n#include "transport/address.h"', 1))
        code, out = run(copy)
        if code != 1 or "filter/ and transport/ share layer 3" not in out:
            print(f"FAIL: a sideways include between filter/ and transport/ passed:\n{out}")
            failures += 1
        else:
            print("PASS: an include between two folders of one layer is named")
    print(f"{4 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
