"""Helpers for the login-hardening replay tests: throw-away system users,
a private PAM service in /etc/pam.d (the stock common-auth, so pam_unix's
~2 s failure delay applies), a daemon in PAM mode (root, no accounts
file), and Basic requests from a chosen loopback source address."""
import http.client
import os
import subprocess
import tempfile
import time

from conftest import IDENTIFY, WSMAND, basic, wait_listening

IS_ROOT = os.geteuid() == 0
TAG = f"{os.getpid() % 100000}"


def have_tools():
    return IS_ROOT and all(os.access(p, os.X_OK) for p in (
        "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/chpasswd",
        "/usr/sbin/usermod", "/usr/bin/chage"))


class SystemUsers:
    """Unix users with unique names and passwords, removed by close()."""

    def __init__(self, count, prefix="wsmah"):
        self.users = []
        for i in range(count):
            name = f"{prefix}{TAG}{chr(ord('a') + i)}"
            password = f"Pw-{name}-{i}!"
            subprocess.run(["userdel", "-f", name], capture_output=True)
            subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin",
                            name], check=True, capture_output=True)
            self.users.append((name, password))
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n",
                           text=True, check=True, capture_output=True)

    def __getitem__(self, i):
        return self.users[i]

    def close(self):
        for name, _ in self.users:
            subprocess.run(["userdel", "-f", name], capture_output=True)


class PamService:
    """/etc/pam.d/<unique name>: what packaging/wsmand.pam installs."""

    def __init__(self):
        self.name = f"wsmand-it-{TAG}"
        self.path = os.path.join("/etc/pam.d", self.name)
        with open(self.path, "w") as f:
            f.write("@include common-auth\n@include common-account\n")

    def close(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class PamDaemon:
    """wsmand with PAM as its backend (no accounts file)."""

    def __init__(self, service, config_extra="", binary=None):
        self.workdir = tempfile.mkdtemp(prefix="wsmand-pam-")
        os.chmod(self.workdir, 0o755)
        self.config = os.path.join(self.workdir, "wsmand.toml")
        with open(self.config, "w") as f:
            f.write(f'[auth]\npam = "on"\npam_service = "{service}"\n'
                    + config_extra)
        self.log_path = os.path.join(self.workdir, "wsmand.log")
        self.log_file = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
            [binary or WSMAND, "--config", self.config, "--listen",
             "http://127.0.0.1:0", "--log-level", "debug"],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = wait_listening(self.proc, self.log)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        if self.proc.returncode != 0:
            # A sanitizer report or crash: into the test's captured output.
            print(self.log())
        subprocess.run(["rm", "-rf", self.workdir])
        return self.proc.returncode


def login(port, user, password, source="127.0.0.1", timeout=120):
    """One authenticated Identify on a fresh connection from `source`;
    returns (status, seconds)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request("POST", "/wsman", body=IDENTIFY.encode(), headers={
            "Content-Type": "application/soap+xml;charset=UTF-8",
            "Authorization": basic(user, password)})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - started
    finally:
        conn.close()


def count(log, event, **fields):
    """Log lines of `event` carrying every field=value given."""
    n = 0
    for line in log.splitlines():
        if f"event={event} " not in line + " ":
            continue
        if all(f"{k}={v}" in line.split() for k, v in fields.items()):
            n += 1
    return n
