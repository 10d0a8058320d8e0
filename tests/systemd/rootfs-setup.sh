#!/bin/sh
# Run by tests/systemd/run.py in the freshly debootstrapped tree (chroot), once,
# before the tree is cached. It changes only what a test container needs to
# boot quickly and quietly; journald, rsyslog and systemd keep Debian's
# defaults, since those are what the test is about.
set -eu
echo tetrars-test >/etc/hostname
# No timers that wake apt or clean files up in the middle of a measurement.
for unit in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
  systemd-tmpfiles-clean.timer logrotate.timer; do
  ln -sf /dev/null "/etc/systemd/system/$unit"
done
# The container has no consoles to log in on.
ln -sf /dev/null /etc/systemd/system/getty@.service
ln -sf /dev/null /etc/systemd/system/console-getty.service
# Nothing in the image is fetched at run time: keep apt's lists out of it.
apt-get clean
rm -rf /var/lib/apt/lists/*
