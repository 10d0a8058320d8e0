"""The cached Debian 12 root file system of `make test-systemd`.

Built once with debootstrap from the mirror the host's apt uses, kept under
/var/cache/tetrars-test-systemd/ (outside the clone: it is ~300 MB and outlives
clones), keyed on a hash of its package list and set-up script, so a change to
either builds a new tree. A build goes to a temporary directory that is renamed
into place only when complete: an interrupted build is never used, and the next
run removes its remains.
"""

import fcntl
import glob
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE_DIR = os.environ.get("TETRARS_TEST_SYSTEMD_CACHE", "/var/cache/tetrars-test-systemd")
SUITE = "bookworm"
VARIANT = "minbase"
PACKAGES_FILE = os.path.join(HERE, "rootfs-packages")
SETUP_FILE = os.path.join(HERE, "rootfs-setup.sh")


class SetupError(Exception):
    """A step before the checks failed; the message is the one line to print."""


def packages():
    with open(PACKAGES_FILE) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def cache_key():
    digest = hashlib.sha256()
    for name in (PACKAGES_FILE, SETUP_FILE):
        with open(name, "rb") as f:
            digest.update(f.read())
    digest.update(f"{SUITE} {VARIANT}".encode())
    return digest.hexdigest()[:16]


def debian_mirror():
    """The Debian mirror the host's apt uses (the one this machine can reach)."""
    override = os.environ.get("TETRARS_TEST_MIRROR")
    if override:
        return override
    texts = []
    for name in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")) + ["/etc/apt/sources.list"] + sorted(
            glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            with open(name) as f:
                texts.append(f.read())
        except OSError:
            pass
    for text in texts:
        # deb822 stanzas: URIs: ... with Suites: naming bookworm itself.
        for stanza in re.split(r"\n\s*\n", text):
            uris = re.search(r"^URIs:\s*(\S+)", stanza, re.M)
            suites = re.search(r"^Suites:\s*(.*)$", stanza, re.M)
            if uris and suites and SUITE in suites.group(1).split() and not stanza.lstrip().startswith("#"):
                return uris.group(1)
        # one-line form: deb [options] URI SUITE COMPONENTS
        for m in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", text, re.M):
            if m.group(2) == SUITE:
                return m.group(1)
    return "http://deb.debian.org/debian"


def lock_cache():
    """Holds the cache (and so the machine's test containers) for this run."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    fd = os.open(os.path.join(CACHE_DIR, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("tetrars-test-systemd: another make test-systemd holds "
              f"{CACHE_DIR}/lock: waiting for it to end", flush=True)
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def ensure_rootfs(log):
    """Returns the cached tree's path, building it first if it is missing."""
    key = cache_key()
    final = os.path.join(CACHE_DIR, f"rootfs-{key}")
    # Remains of interrupted builds and trees of older package lists.
    for old in glob.glob(os.path.join(CACHE_DIR, ".build-*")) + glob.glob(os.path.join(CACHE_DIR, "rootfs-*")):
        if old != final:
            log(f"removing {old} (interrupted build or older package list)")
            shutil.rmtree(old, ignore_errors=True)
    if os.path.isdir(final):
        return os.path.join(final, "root"), False
    for tool, package in (("debootstrap", "debootstrap"), ("systemd-nspawn", "systemd-container")):
        if not shutil.which(tool):
            log(f"installing {package} (for {tool})")
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
                r = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                raise SetupError(f"apt-get install {package} failed: {r.stdout.strip().splitlines()[-1:]}: "
                                 f"install {package} by hand")
    mirror = debian_mirror()
    started = time.monotonic()
    log(f"building the {SUITE} root file system with debootstrap from {mirror} into {final}")
    tmp = tempfile.mkdtemp(prefix=".build-", dir=CACHE_DIR)
    root = os.path.join(tmp, "root")
    cmd = ["debootstrap", f"--variant={VARIANT}", "--include=" + ",".join(packages()), SUITE, root, mirror]
    with open(os.path.join(tmp, "debootstrap.log"), "w") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        with open(os.path.join(tmp, "debootstrap.log")) as f:
            tail = f.read().strip().splitlines()[-3:]
        raise SetupError(f"debootstrap failed ({' / '.join(tail)}): check that {mirror} is reachable "
                         f"(TETRARS_TEST_MIRROR=URL picks another); the log is in {tmp}")
    shutil.copy(SETUP_FILE, os.path.join(root, "tmp/rootfs-setup.sh"))
    r = subprocess.run(["chroot", root, "/bin/sh", "/tmp/rootfs-setup.sh"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SetupError(f"rootfs-setup.sh failed in the new tree: {r.stdout.strip()[-300:]}: fix "
                         f"tests/systemd/rootfs-setup.sh")
    os.remove(os.path.join(root, "tmp/rootfs-setup.sh"))
    os.rename(tmp, final)
    log(f"root file system built in {time.monotonic() - started:.0f} s")
    return os.path.join(final, "root"), True
