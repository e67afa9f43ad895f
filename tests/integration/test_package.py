"""The Debian package (docs/packaging.md): CPack builds it from the tested
build tree; its files, conffiles, maintainer scripts and Depends are the
ones the docs promise; installed into a throwaway root and booted under a
private systemd (systemd_util), the packaged unit starts through the
packaged maintainer scripts and systemctl, serves pywinrm run_cmd and an
Enumerate with the packaged config and PAM file, under the hardening the
unit declares, and stops when the package is removed.

Never touches the host's /: the package is unpacked with dpkg-deb into a
directory, and the unit sees it at its installed paths through bind mounts
of the unit's own mount namespace (a test drop-in, the only file the
package does not supply; it also gives the unit a network namespace of its
own, so its 127.0.0.1:5985 is private).
"""
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import WSMAND
from netns_util import netns_inode, winrm_round
import systemd_util

BUILD = os.path.dirname(os.path.abspath(WSMAND))
SOURCE = os.environ.get("WSMAND_SOURCE_DIR", os.path.join(
    os.path.dirname(__file__), "..", ".."))
USER, PASSWORD = "wsmpkg-u", "wsmpkg-Pass1"
UNIT = "wsmand.service"


def _tools_missing():
    for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.fixture(scope="module")
def package():
    reason = _tools_missing()
    if reason:
        pytest.skip(reason)
    config = os.path.join(BUILD, "CPackConfig.cmake")
    assert os.path.exists(config), \
        f"{config} missing: reconfigure the build (CMakeLists.txt has CPack)"
    out = tempfile.mkdtemp(prefix="wsmand-deb-")
    proc = subprocess.run(["cpack", "--config", config, "-G", "DEB",
                           "-B", out], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    debs = glob.glob(os.path.join(out, "wsmand_*.deb"))
    assert len(debs) == 1, proc.stdout
    yield debs[0]
    shutil.rmtree(out, ignore_errors=True)


def deb_field(deb, name):
    return subprocess.run(["dpkg-deb", "-f", deb, name], capture_output=True,
                          text=True, check=True).stdout.strip()


def deb_files(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True,
                             text=True, check=True).stdout
    return {line.split()[-1].lstrip(".") for line in listing.splitlines()}


def packaged_paths(deb):
    """(binary, config, unit) paths inside the package, from the unit's
    ExecStart and the file list."""
    files = deb_files(deb)
    unit = next(f for f in files if f.endswith("/systemd/system/" + UNIT))
    return files, unit


def extract(deb, root, control):
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    subprocess.run(["dpkg-deb", "-e", deb, control], check=True)


def exec_start(unit_text):
    line = next(l for l in unit_text.splitlines()
                if l.startswith("ExecStart="))
    return line.split("=", 1)[1].split()


def test_package_holds_what_the_docs_promise(package):
    assert deb_field(package, "Package") == "wsmand"
    depends = deb_field(package, "Depends")
    # dpkg-shlibdeps derived these from the binary's DT_NEEDED.
    for lib in ("libxml2", "libssl3", "libpam0g", "libsystemd0", "libc6",
                "libcrypt1", "libstdc++6"):
        assert lib in depends, depends
    files, unit = packaged_paths(package)
    work = tempfile.mkdtemp(prefix="wsmand-deb-x-")
    try:
        root, control = os.path.join(work, "root"), os.path.join(work, "c")
        extract(package, root, control)
        with open(root + unit) as f:
            unit_text = f.read()
        binary, config = exec_start(unit_text)[0], exec_start(unit_text)[2]
        assert binary in files and config in files, (binary, config)
        assert binary.endswith("/sbin/wsmand")
        # The config with every key is the one in the tree, byte for byte.
        with open(root + config, "rb") as f, \
                open(os.path.join(SOURCE, "packaging/wsmand.toml"),
                     "rb") as g:
            assert f.read() == g.read()
        man = [f for f in files if f.endswith("/man/man8/wsmand.8")]
        assert man, files
        assert "/etc/pam.d/wsmand" in files
        with open(os.path.join(control, "conffiles")) as f:
            conffiles = f.read().split()
        assert sorted(conffiles) == sorted([config, "/etc/pam.d/wsmand"])
        for script in ("postinst", "prerm", "postrm"):
            mode = os.stat(os.path.join(control, script)).st_mode
            assert mode & 0o111, script
        # The packaged binary is the tested one, stripped.
        assert os.path.getsize(root + binary) < os.path.getsize(WSMAND)
        out = subprocess.run([root + binary, "--version"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and out.stdout.strip(), out
        # Hardening the docs describe, and no setting that would break
        # shells (docs/packaging.md#the-systemd-unit).
        for directive in ("NoNewPrivileges=no", "Delegate=yes",
                          "LockPersonality=yes", "RestrictRealtime=yes",
                          "SystemCallArchitectures=native",
                          "RestrictAddressFamilies=AF_UNIX AF_INET "
                          "AF_INET6 AF_NETLINK AF_PACKET"):
            assert directive in unit_text.splitlines(), directive
        for absent in ("ProtectSystem=", "ProtectHome=", "PrivateTmp=yes",
                       "MemoryDenyWriteExecute=yes", "User="):
            assert absent not in unit_text, absent
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _make_user():
    subprocess.run(["userdel", "-f", USER], capture_output=True)
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", USER], check=True,
                   capture_output=True)
    subprocess.run(["chpasswd"], input=f"{USER}:{PASSWORD}\n", text=True,
                   check=True, capture_output=True)


class Installed:
    """The package unpacked under a private systemd's /tmp (the host path
    <workdir>/tmp is /tmp inside its namespace), the packaged unit in its
    runtime unit directory with a test drop-in."""

    def __init__(self, deb):
        self.systemd = systemd_util.PrivateSystemd({})
        self.host_dir = os.path.join(self.systemd.workdir, "tmp", "pkg")
        self.inner_dir = "/tmp/pkg"
        os.makedirs(self.host_dir)
        root = os.path.join(self.host_dir, "root")
        self.control = os.path.join(self.host_dir, "control")
        extract(deb, root, self.control)
        files, unit = packaged_paths(deb)
        with open(root + unit) as f:
            self.unit_text = f.read()
        binary = exec_start(self.unit_text)[0]
        prefix = os.path.dirname(os.path.dirname(binary))  # .../sbin/wsmand
        # The host's PAM stack plus the packaged /etc/pam.d/wsmand.
        pamd = os.path.join(self.host_dir, "pam.d")
        shutil.copytree("/etc/pam.d", pamd, symlinks=True)
        shutil.copy(os.path.join(root, "etc/pam.d/wsmand"), pamd)
        self.log_path = os.path.join(self.host_dir, "wsmand.log")
        # The package's prefix (/usr/local in the CI trees) over the host's
        # for the unit only. A /usr package would need its files bound one
        # by one onto paths the host lacks, and systemd would create those
        # mount points on the host's /: not done.
        self.prefix = prefix
        binds = [f"{self.inner_dir}/pam.d:/etc/pam.d",
                 f"{self.inner_dir}/root{prefix}:{prefix}"]
        units = os.path.join(self.systemd.run_dir, "systemd", "system")
        with open(os.path.join(units, UNIT), "w") as f:
            f.write(self.unit_text)
        os.makedirs(os.path.join(units, UNIT + ".d"))
        with open(os.path.join(units, UNIT + ".d", "package-test.conf"),
                  "w") as f:
            # sysinit.target and basic.target are masked in the private
            # systemd (systemd_util's guards): no default dependencies.
            f.write("[Unit]\nDefaultDependencies=no\n"
                    "[Service]\nPrivateNetwork=yes\n" +
                    "".join(f"BindReadOnlyPaths={b}\n" for b in binds) +
                    f"StandardOutput=append:{self.inner_dir}/wsmand.log\n"
                    "StandardError=inherit\n")

    def inside(self, *cmd):
        """Runs `cmd` in the private systemd's mount and PID namespaces
        (its /run, so systemctl talks to it; from outside its PID
        namespace, systemd drops systemctl's connection mid-call)."""
        init = self.systemd.outer_pid_of_init()
        return subprocess.run(["nsenter", "-t", str(init), "-m", "-p", "--",
                               *cmd],
                              capture_output=True, text=True, timeout=60)

    def script(self, name, *args):
        return self.inside("sh", f"{self.inner_dir}/control/{name}", *args)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def main_pid(self):
        inner = self.systemd.unit_property(UNIT, "Service", "MainPID")
        return self.systemd.outer_pid(inner) if inner else None

    def close(self):
        self.systemd.close()


def _in_thread(fn, *args):
    out = {}

    def run():
        try:
            out["value"] = fn(*args)
        except BaseException as e:  # re-raised in the test's thread
            out["error"] = e
    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_installed_unit_starts_serves_and_stops(package):
    reason = systemd_util.available()
    if reason:
        pytest.skip(reason)
    _files, unit = packaged_paths(package)
    if not unit.startswith("/usr/local/"):
        pytest.skip("the unit is started only from a package with a "
                    "prefix of its own (/usr/local, the default): binding "
                    "a /usr package's files would create mount points on "
                    "the host's /")
    _make_user()
    installed = Installed(package)
    try:
        sd = installed.systemd
        # First install: postinst reloads systemd, enables and starts
        # nothing, and says how to.
        result = installed.script("postinst", "configure", "")
        assert result.returncode == 0, result.stderr
        assert "not enabled" in result.stdout
        assert sd.active_state(UNIT) == "inactive"
        assert sd.unit_property(UNIT, "Unit", "UnitFileState") != "enabled"

        result = installed.inside("systemctl", "start", UNIT)
        assert result.returncode == 0, result.stderr + sd.log()
        assert sd.wait_state(UNIT, "active"), installed.log() + sd.log()
        deadline = time.monotonic() + 20
        while "event=listening" not in installed.log():
            assert time.monotonic() < deadline, installed.log()
            assert sd.active_state(UNIT) == "active", installed.log()
            time.sleep(0.05)
        # The shipped config: loopback only.
        listening = [l for l in installed.log().splitlines()
                     if "event=listening" in l]
        assert listening and all("url=http://127.0.0.1:" in l or
                                 "url=http://[::1]:" in l
                                 for l in listening), listening
        pid = installed.main_pid()
        assert pid, installed.log()
        assert netns_inode(pid) != netns_inode(os.getpid())
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        assert "\nSeccomp:\t2" in status  # SystemCallFilter and friends
        assert "\nNoNewPrivs:\t0" in status

        # pywinrm through the packaged PAM file, as the system user; the
        # command inherits the unit's sandbox and still runs as the user.
        got = _in_thread(winrm_round, pid, USER, PASSWORD,
                         "id -un && grep -E '^(Seccomp|NoNewPrivs):' "
                         "/proc/self/status && echo MOUNTS && "
                         "grep -E ' /(etc|usr|home) ' /proc/self/mountinfo;"
                         " true")
        assert got["status"] == 0, got
        ids, mounts = got["stdout"].split("MOUNTS")
        # No ProtectSystem/ProtectHome: /etc, /usr and /home are what they
        # are on the host (root's commands install packages, winrm/config
        # Put rewrites /etc/wsmand), not read-only binds of the sandbox.
        for line in filter(str.strip, mounts.splitlines()):
            assert not line.split()[5].startswith("ro"), mounts
        lines = ids.split()
        assert lines[0] == USER, got
        assert "Seccomp:" in lines and lines[lines.index("Seccomp:") + 1] \
            == "2", got
        assert len(got["names"]) == 1, got  # Win32_ComputerSystem
        assert "outcome=" in installed.log()

        # Removal stops the unit; postrm forgets it.
        result = installed.script("prerm", "remove")
        assert result.returncode == 0, result.stderr
        assert sd.wait_state(UNIT, "inactive", seconds=30), installed.log()
        assert installed.script("postrm", "remove").returncode == 0
        assert "event=stopped" in installed.log() or \
            "stopping" in installed.log().lower(), installed.log()
    finally:
        installed.close()
        subprocess.run(["userdel", "-f", USER], capture_output=True)
