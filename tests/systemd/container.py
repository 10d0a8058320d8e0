"""A booted Debian container for `make test-systemd`: systemd-nspawn on an
overlay of the cached root file system, commands run inside through nsenter.

The overlay keeps the cached tree untouched, so every run boots the same clean
system in well under a second, and the run's changes vanish with its upper
directory. nspawn is this process's child and runs in its own session, so a
Ctrl-C at the terminal reaches only the harness, which powers the container
off from inside and then waits for nspawn (or kills it, by its PID).
"""

import os
import shutil
import signal
import subprocess
import time

from rootfs import SetupError

INSIDE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Container:
    def __init__(self, lower, workdir, log):
        self.lower = lower
        self.workdir = workdir
        self.root = os.path.join(workdir, "merged")
        self.log = log
        self.proc = None
        self.pid1 = None
        self.mounted = False
        self.nspawn_log = os.path.join(workdir, "nspawn.log")

    def start(self):
        for d in ("upper", "work", "merged"):
            os.makedirs(os.path.join(self.workdir, d), exist_ok=True)
        opts = f"lowerdir={self.lower},upperdir={self.workdir}/upper,workdir={self.workdir}/work"
        r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, self.root],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise SetupError(f"cannot mount the overlay root ({r.stdout.strip()}): run as root on a kernel with "
                             "overlayfs")
        self.mounted = True

    def boot(self):
        started = time.monotonic()
        with open(self.nspawn_log, "w") as out:
            # --private-network: the container's loopback is its own, so the
            # test collector's TCP port cannot meet anything on the host.
            self.proc = subprocess.Popen(
                ["systemd-nspawn", "-D", self.root, "-b", "--register=no", "--keep-unit", "--console=passive",
                 "--private-network", "--machine=tetrars-test"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while self.pid1 is None:
            if self.proc.poll() is not None:
                raise SetupError(f"systemd-nspawn exited with {self.proc.returncode} ({self._nspawn_tail()}): "
                                 "see " + self.nspawn_log)
            if time.monotonic() > deadline:
                raise SetupError("the container's PID 1 did not appear within 20 s: see " + self.nspawn_log)
            self.pid1 = self._find_pid1(self.proc.pid)
            if self.pid1 is None:
                time.sleep(0.05)
        # systemctl answers once PID 1 has its private socket up; --wait then
        # returns when the boot job queue is empty.
        deadline = time.monotonic() + 60
        while True:
            r = self.sh("systemctl is-system-running --wait", check=False, timeout=60)
            state = r.stdout.strip()
            if state in ("running", "degraded"):
                break
            if time.monotonic() > deadline:
                raise SetupError(f"the container did not finish booting (state '{state}', {r.stderr.strip()}): "
                                 "see " + self.nspawn_log)
            time.sleep(0.2)
        return state, time.monotonic() - started

    def _nspawn_tail(self):
        try:
            with open(self.nspawn_log) as f:
                return " / ".join(f.read().strip().splitlines()[-2:])
        except OSError:
            return "no log"

    @staticmethod
    def _find_pid1(nspawn_pid):
        """The descendant of nspawn that is PID 1 in its own PID namespace."""
        todo = [nspawn_pid]
        while todo:
            pid = todo.pop()
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("NSpid:"):
                            ids = line.split()[1:]
                            if len(ids) >= 2 and ids[-1] == "1":
                                return pid
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                continue
        return None

    def sh(self, script, check=True, timeout=60, input=None):
        """Runs a shell script inside the container (every namespace of its PID 1)."""
        cmd = ["nsenter", "-t", str(self.pid1), "-a", "env", "-i", f"PATH={INSIDE_PATH}", "LANG=C.UTF-8",
               "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", "sh", "-c", script]
        r = subprocess.run(cmd, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, errors="replace")
        if check and r.returncode != 0:
            raise CommandFailed(script, r)
        return r

    def write(self, path, text):
        self.sh(f"mkdir -p \"$(dirname '{path}')\" && cat > '{path}'", input=text)

    def host_path(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def stop(self):
        """Powers the container off from inside, then awaits nspawn; kills it by PID if it hangs."""
        if self.proc is not None and self.proc.poll() is None:
            if self.pid1 is not None:
                try:
                    self.sh("systemctl poweroff --no-block", check=False, timeout=10)
                except (subprocess.TimeoutExpired, OSError):
                    pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.log(f"the container did not power off within 30 s: SIGTERM to systemd-nspawn {self.proc.pid}")
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.log(f"SIGKILL to systemd-nspawn {self.proc.pid}")
                    self.proc.kill()
                    self.proc.wait()
        if self.mounted:
            r = subprocess.run(["umount", self.root], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", self.root])
            self.mounted = False
        shutil.rmtree(self.workdir, ignore_errors=True)


class CommandFailed(Exception):
    def __init__(self, script, result):
        self.result = result
        err = (result.stderr.strip() or result.stdout.strip()).splitlines()
        super().__init__(f"`{script[:120]}` exited {result.returncode}: {' / '.join(err[-3:])[:400]}")
