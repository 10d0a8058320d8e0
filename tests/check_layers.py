#!/usr/bin/env python3
"""The layering of src/ (issue 23): each stage folder may include only its
own headers and those of the folders below it, in the order src/README.md
writes down once. Prints each include that runs up a layer, sideways between
two folders, or into no known folder, as FILE:LINE, and exits 1; exits 0
with a one-line summary when there is none.

    check_layers.py [SRC_DIR]        (default: the src/ beside this script's parent)
"""
import os
import re
import sys

LAYER_LINE = re.compile(r"^(\d+)\. `(\w+)/`")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers(src):
    """{folder: rank} from src/README.md's numbered list of folders."""
    layers = {}
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        for line in f:
            m = LAYER_LINE.match(line)
            if m:
                layers[m.group(2)] = int(m.group(1))
    return layers


def check(src):
    layers = read_layers(src)
    if not layers:
        return [f"{src}/README.md: no numbered list of layer folders (1. `base/` ...)"], 0, 0
    top = max(layers.values()) + 1  # main.cpp sits above every folder
    problems, files, arrows = [], 0, set()
    ours = {name for _, _, names in os.walk(src) for name in names if name.endswith(".h")}
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            folder = rel.split(os.sep)[0] if os.sep in rel else None
            if folder is not None and folder not in layers:
                problems.append(f"{rel}: folder {folder}/ is not in src/README.md's layers")
                continue
            rank = layers[folder] if folder else top
            files += 1
            with open(path, encoding="utf-8") as f:
                for number, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    target = m.group(1)
                    if "/" not in target:
                        if target in ours:
                            problems.append(f"{rel}:{number}: includes \"{target}\" without its "
                                            "folder: write \"<folder>/" + target + "\"")
                        continue  # a generated header (tetrars_version.h)
                    to = target.split("/")[0]
                    if to not in layers:
                        continue  # generated/ headers (tetragon/*.pb.h, ...)
                    if to == folder:
                        continue
                    arrows.add((folder or "main", to))
                    if layers[to] > rank:
                        problems.append(f"{rel}:{number}: {folder or 'main'}/ (layer {rank}) "
                                        f"includes {target} from a higher layer ({to}/, layer "
                                        f"{layers[to]})")
                    elif layers[to] == rank:
                        problems.append(f"{rel}:{number}: {folder}/ and {to}/ share layer {rank}: "
                                        "neither may include the other")
    return problems, files, len(arrows)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "src")
    problems, files, arrows = check(src)
    for p in problems:
        print(f"check_layers: {p}")
    if problems:
        print(f"check_layers: {len(problems)} include(s) break the layers of src/README.md: "
              "move the code down a layer, or pass what it needs in from above")
        return 1
    print(f"check_layers: {files} files, {arrows} folder-level arrows, none upward or sideways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
