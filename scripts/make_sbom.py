#!/usr/bin/env python3
"""Writes the CycloneDX 1.5 SBOM of a built binary, plain and zlib-compressed.

  make_sbom.py --binary build/tetrars --name tetrars --version 0.1.0 \
      --compiler /usr/bin/c++ --compiler-version 12.2.0 --json out.json --zlib out.z \
      [--static /usr/lib/x86_64-linux-gnu/libfoo.a ...] \
      [--dlopen libz.so.1 "what loads it" ...] \
      [--plugin build/libtetrars-regex.so "what loads it" ...]

Components are what the binary links: every shared library `ldd` resolves
(direct or indirect) and every static archive named with --static, each
mapped to the Debian package that ships it (name, version as dpkg reports it,
purl pkg:deb/debian/..., license from the package's DEP-5 copyright file).
A system library the binary loads with dlopen (--dlopen SONAME WHEN: zlib for
--sbom) is listed with linkage "dlopen, WHEN". A plugin (--plugin PATH WHEN: a library of the project that the binary loads
with dlopen, such as libtetrars-regex.so, which holds RE2) is a component of
its own, and every shared library `ldd` resolves for it is listed as linked
through it (property tetrars:linkage "dynamic, through libtetrars-regex.so"),
unless the binary links it already; the dependencies section says which
component needs which. The compiler, and the build tools named with --build-tool (protoc and
libprotobuf, which compile the schema into tables but are not in the binary),
are listed under metadata.tools. The timestamp honours
SOURCE_DATE_EPOCH and the serial number is derived from the content, so the
same inputs give the same document.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid
import zlib

# Packages whose copyright file is not machine-readable (DEP-5).
KNOWN_LICENSES = {
    "libc6": "LGPL-2.1-or-later",
    "libstdc++6": "GPL-3.0-or-later WITH GCC-exception-3.1",
    "libgcc-s1": "GPL-3.0-or-later WITH GCC-exception-3.1",
    "g++-12": "GPL-3.0-or-later",
    "gcc-12": "GPL-3.0-or-later",
}
# DEP-5 short names -> SPDX identifiers.
SPDX_IDS = {"MIT", "BSD-3-Clause", "Zlib", "Apache-2.0", "LGPL-2.1-or-later", "GPL-3.0-or-later"}
SPDX = {"Expat": "MIT", "BSD-3-Clause~Google": "BSD-3-Clause", "Zlib": "Zlib",
        "BSD-3-clause": "BSD-3-Clause", "Apache-2.0": "Apache-2.0", "MIT": "MIT"}


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def debian_package(path):
    """The Debian package owning `path` (trying the merged-/usr aliases)."""
    real = os.path.realpath(path)
    candidates = [path, real]
    for p in (path, real):
        if p.startswith("/usr/lib/"):
            candidates.append(p[len("/usr"):])
        elif p.startswith("/lib/"):
            candidates.append("/usr" + p)
    for candidate in candidates:
        out = run("dpkg-query", "-S", candidate).strip()
        if out and ":" in out:
            return out.split(": ")[0].split(",")[0].strip()
    return None


def package_field(package, field):
    return run("dpkg-query", "-W", "-f", "${" + field + "}", package).strip()


def license_of(package):
    name = package.split(":")[0]
    if name in KNOWN_LICENSES:
        return KNOWN_LICENSES[name]
    try:
        with open(f"/usr/share/doc/{name}/copyright") as f:
            text = f.read()
    except OSError:
        return None
    for paragraph in re.split(r"\n\s*\n", text):
        if re.search(r"^Files:\s*\*\s*$", paragraph, re.M):
            match = re.search(r"^License:\s*(\S+)", paragraph, re.M)
            if match:
                return SPDX.get(match.group(1), match.group(1))
    return None


def component(package, linkage):
    name = package.split(":")[0]
    arch = package.split(":")[1] if ":" in package else package_field(package, "Architecture")
    version = package_field(package, "Version")
    purl = f"pkg:deb/debian/{name}@{urllib.parse.quote(version, safe='')}?arch={arch}"
    item = {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl,
            "properties": [{"name": "tetrars:linkage", "value": linkage},
                           {"name": "debian:source", "value": package_field(package, "source:Package")}]}
    upstream = re.sub(r"[.+~]dfsg.*$", "", re.sub(r"^\d+:", "", version).split("-")[0].split("+")[0])
    item["properties"].append({"name": "upstream:version", "value": upstream})
    lic = license_of(package)
    if lic and " WITH " in lic:
        item["licenses"] = [{"expression": lic}]
    elif lic:
        item["licenses"] = [{"license": {"id" if lic in SPDX_IDS else "name": lic}}]
    return item


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--version-header", help="a header defining TETRARS_VERSION; wins over --version")
    parser.add_argument("--compiler", required=True)
    parser.add_argument("--compiler-version", required=True)
    parser.add_argument("--static", nargs="*", default=[])
    parser.add_argument("--dlopen", nargs=2, action="append", default=[], metavar=("SONAME", "WHEN"),
                        help="a system library the binary loads with dlopen, and when")
    parser.add_argument("--plugin", nargs=2, action="append", default=[], metavar=("PATH", "WHEN"),
                        help="a library of the project the binary loads with dlopen, and when "
                        "(the options that load it)")
    parser.add_argument("--build-tool", nargs="*", default=[],
                        help="files of tools the build ran (protoc: the schema compiler), "
                        "listed under metadata.tools, not as components")
    parser.add_argument("--json", required=True)
    parser.add_argument("--zlib", required=True)
    args = parser.parse_args()

    if args.version_header and os.path.exists(args.version_header):
        with open(args.version_header) as f:
            match = re.search(r'TETRARS_VERSION "([^"]+)"', f.read())
            if match:
                args.version = match.group(1)

    needed = set(re.findall(r"NEEDED.*\[(.+)\]", run("readelf", "-d", args.binary)))
    components = {}
    for line in run("ldd", args.binary).splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line)
        if not match:
            continue
        soname, path = match.groups()
        package = debian_package(path)
        if package is None:
            sys.exit(f"make_sbom: no Debian package ships {path}")
        linkage = "dynamic" if soname in needed else "dynamic (through another library)"
        components.setdefault(package, component(package, linkage))
    for archive in args.static:
        package = debian_package(archive)
        if package is None:
            sys.exit(f"make_sbom: no Debian package ships {archive}")
        components[package] = component(package, "static")
    for soname, when in args.dlopen:
        match = re.search(r"^\s*" + re.escape(soname) + r" \(.*\) => (\S+)$", run("ldconfig", "-p"),
                          re.M)
        package = debian_package(match.group(1)) if match else None
        if package is None:
            sys.exit(f"make_sbom: no Debian package ships {soname}")
        components.setdefault(package, component(package, "dlopen, " + when))
    binary_refs = sorted(c["bom-ref"] for c in components.values())
    plugins = []
    for path, when in args.plugin:
        name = os.path.basename(path)
        ref = f"{args.name}/{name}"
        plugin = {"type": "library", "bom-ref": ref, "name": name, "version": args.version,
                  "licenses": [{"license": {"id": "MIT"}}],
                  "properties": [{"name": "tetrars:linkage", "value": "dlopen, " + when}]}
        needs = []
        for line in run("ldd", path).splitlines():
            match = re.match(r"\s*(\S+) => (\S+)", line)
            if not match:
                continue
            package = debian_package(match.group(2))
            if package is None:
                sys.exit(f"make_sbom: no Debian package ships {match.group(2)}")
            item = components.setdefault(package, component(package, "dynamic, through " + name))
            needs.append(item["bom-ref"])
        plugins.append((plugin, sorted(set(needs))))

    compiler_package = debian_package(args.compiler)
    compiler = {"type": "application", "name": compiler_package.split(":")[0] if compiler_package
                else os.path.basename(args.compiler), "version": args.compiler_version}
    if compiler_package:
        compiler["properties"] = [{"name": "debian:version",
                                   "value": package_field(compiler_package, "Version")}]
    tools = [compiler]
    for path in args.build_tool:
        package = debian_package(path)
        if package is None:
            sys.exit(f"make_sbom: no Debian package ships {path}")
        name = package.split(":")[0]
        tools.append({"type": "application", "name": name,
                      "version": package_field(package, "Version"),
                      "properties": [{"name": "tetrars:role",
                                      "value": "build tool (compiles the schema into tables)"}]})
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
            "tools": {"components": tools},
            "component": {"type": "application", "bom-ref": args.name, "name": args.name,
                          "version": args.version, "licenses": [{"license": {"id": "MIT"}}]},
        },
        "components": sorted(list(components.values()) + [p for p, _ in plugins],
                             key=lambda c: c["name"]),
        "dependencies": [{"ref": args.name,
                          "dependsOn": sorted(binary_refs + [p["bom-ref"] for p, _ in plugins])}] +
                        [{"ref": p["bom-ref"], "dependsOn": needs} for p, needs in plugins],
    }
    body = json.dumps(bom, sort_keys=True).encode()
    bom["serialNumber"] = "urn:uuid:" + str(uuid.UUID(bytes=hashlib.sha256(body).digest()[:16], version=5))
    text = json.dumps(bom, indent=2) + "\n"
    with open(args.json, "w") as f:
        f.write(text)
    with open(args.zlib, "wb") as f:
        f.write(zlib.compress(text.encode(), 9))


if __name__ == "__main__":
    main()
