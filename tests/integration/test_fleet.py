"""A fleet (docs/fleet.md): wsmand is one agent per host, and a fleet is
driven by fanning out from the client. Twenty daemons, each in network and
UTS namespaces of its own made here (`unshare --net --uts`, loopback up,
a host name fleet-NN), each listening on 127.0.0.1:5985 inside its own
namespace, are driven concurrently from this one process the way Ansible's
forks drive hosts: per host a pywinrm run_cmd and an Enumerate of
Win32_ComputerSystem (netns_util: each worker thread joins its host's
network namespace). Nothing changes on the host's interfaces; the
namespaces end with their daemons.

Prints the wall time of the whole fan-out with 5 forks (Ansible's default)
and with 20.
"""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import WSMAND, Daemon, run_cli
from netns_util import fan_out, netns_inode, winrm_round

HOSTS = 20
USER, PASSWORD = "wsmfleet-u", "wsmfleet-Pass1"
CONFIG = "[http]\nworker_threads = 4\n"
# unshare(2) then exec: the daemon keeps the pid Popen knows, in namespaces
# of its own; 127.0.0.1 inside is no one else's.
WRAPPER = """#!/bin/sh
exec unshare --net --uts -- /bin/sh -c \
  '/usr/sbin/ip link set lo up && hostname "$FLEET_HOST" && exec "$0" "$@"' \
  {wsmand} "$@"
"""


def _unavailable():
    if os.geteuid() != 0:
        return "network namespaces and system users need root"
    probe = subprocess.run(["unshare", "--net", "--uts", "/usr/sbin/ip",
                            "link", "set", "lo", "up"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return "cannot make network namespaces: " + probe.stderr.strip()
    return None


class Fleet:
    def __init__(self):
        subprocess.run(["userdel", "-f", USER], capture_output=True)
        subprocess.run(["useradd", "-M", "-s", "/bin/sh", USER], check=True,
                       capture_output=True)
        self.dir = tempfile.mkdtemp(prefix="wsmand-fleet-")
        self.wrapper = os.path.join(self.dir, "netns-wsmand")
        with open(self.wrapper, "w") as f:
            f.write(WRAPPER.format(wsmand=os.path.abspath(WSMAND)))
        os.chmod(self.wrapper, 0o755)
        accounts = os.path.join(self.dir, "accounts")
        run_cli(["user", "add", USER, "--accounts", accounts,
                 "--password-stdin"], stdin=PASSWORD + "\n")
        self.daemons = []
        self.names = [f"fleet-{i:02d}" for i in range(HOSTS)]
        jobs = [(self._start, (name, accounts)) for name in self.names]
        self.daemons, self.start_seconds = fan_out(jobs, forks=5)

    def _start(self, name, accounts):
        workdir = os.path.join(self.dir, name)
        os.mkdir(workdir)
        shutil.copy(accounts, os.path.join(workdir, "accounts"))
        return Daemon(workdir, CONFIG,
                      extra_args=["--listen", "http://127.0.0.1:5985"],
                      env=dict(os.environ, FLEET_HOST=name),
                      binary=self.wrapper)

    def close(self):
        codes = [d.stop() for d in self.daemons]
        shutil.rmtree(self.dir, ignore_errors=True)
        subprocess.run(["userdel", "-f", USER], capture_output=True)
        return codes


@pytest.fixture(scope="module")
def fleet():
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    f = Fleet()
    yield f
    assert f.close() == [0] * HOSTS, "a daemon did not stop cleanly"


def drive(fleet, forks):
    command = "hostname && readlink /proc/self/ns/net && id -un"
    jobs = [(winrm_round, (d.proc.pid, USER, PASSWORD, command))
            for d in fleet.daemons]
    return fan_out(jobs, forks)


def check(fleet, results):
    for name, d, got in zip(fleet.names, fleet.daemons, results):
        assert got["status"] == 0, got
        host, netns, user = got["stdout"].split()
        # Each fork reached its own host: the command ran in that daemon's
        # namespaces, and the CIM answer names that host.
        assert host == name, got
        assert netns == f"net:[{netns_inode(d.proc.pid)}]", got
        assert user == USER, got
        assert got["names"] == [name], got


def test_fleet_namespaces_are_distinct(fleet):
    inodes = {netns_inode(d.proc.pid) for d in fleet.daemons}
    assert len(inodes) == HOSTS
    assert netns_inode(os.getpid()) not in inodes
    for d in fleet.daemons:
        assert "url=http://127.0.0.1:5985" in d.log(), d.log()


@pytest.mark.parametrize("forks", [5, HOSTS])
def test_fan_out_run_cmd_and_enumerate(fleet, forks, capsys):
    results, seconds = drive(fleet, forks)
    check(fleet, results)
    slowest = max(r["command_seconds"] + r["enumerate_seconds"]
                  for r in results)
    with capsys.disabled():
        print(f"\nfleet: {HOSTS} hosts started in {fleet.start_seconds:.2f}s;"
              f" run_cmd + Enumerate on each with {forks} forks: "
              f"{seconds:.2f}s total, slowest host {slowest:.2f}s")
    for d in fleet.daemons:
        assert d.proc.poll() is None, d.log()
