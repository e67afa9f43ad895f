"""Helpers for test_shell_isolation.py: system users of its own (unique
names, so that other suites running at the same time are not disturbed), a
daemon with a controlling terminal (as scripts/run.sh gives it), process
inspection, and a root process group started at a chosen pid."""
import fcntl
import os
import signal
import subprocess
import tempfile
import termios
import time

from conftest import WSMAND, Daemon, run_cli, wait_listening
from shell_util import ShellEnv

IS_ROOT = os.geteuid() == 0
_TAG = f"{os.getpid() % 100000}"
ISO_USER_A, ISO_PASSWORD_A = f"wsmiso{_TAG}a", "Iso-A-pass1"
ISO_USER_B, ISO_PASSWORD_B = f"wsmiso{_TAG}b", "Iso-B-pass2"


def create_users():
    for name in (ISO_USER_A, ISO_USER_B):
        subprocess.run(["userdel", "-f", name], capture_output=True)
        subprocess.run(["useradd", "-M", "-s", "/bin/sh", name], check=True,
                       capture_output=True)


def delete_users():
    for name in (ISO_USER_A, ISO_USER_B):
        subprocess.run(["userdel", "-f", name], capture_output=True)


def write_accounts(workdir):
    accounts = os.path.join(workdir, "accounts")
    for user, password in ((ISO_USER_A, ISO_PASSWORD_A),
                           (ISO_USER_B, ISO_PASSWORD_B)):
        run_cli(["user", "add", user, "--accounts", accounts,
                 "--password-stdin"], stdin=password + "\n")
    return accounts


class TtyDaemon(Daemon):
    """wsmand in the foreground on a pseudo-terminal that is its
    controlling terminal (its own session, TIOCSCTTY), logging to a file
    as Daemon does. `master` reads what reaches the terminal."""

    def __init__(self, workdir, config_text=None):
        self.workdir = workdir
        self.master, slave = os.openpty()
        accounts = os.path.join(workdir, "accounts")
        args = [WSMAND, "--listen", "http://127.0.0.1:0",
                "--accounts", accounts, "--log-level", "debug"]
        if config_text is not None:
            self.config = os.path.join(workdir, "wsmand.toml")
            with open(self.config, "w") as f:
                f.write(config_text)
            args[1:1] = ["--config", self.config]
        self.log_path = os.path.join(workdir, "wsmand.log")
        self.log_file = open(self.log_path, "w+")

        def take_terminal():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=self.log_file, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=take_terminal)
        self.slave = slave
        self.port = wait_listening(self.proc, self.log)
        self.url = f"http://127.0.0.1:{self.port}/wsman"

    def terminal_output(self):
        """Bytes written to the terminal (echo of injected input
        included) since the last call."""
        out = b""
        fl = fcntl.fcntl(self.master, fcntl.F_GETFL)
        fcntl.fcntl(self.master, fcntl.F_SETFL, fl | os.O_NONBLOCK)
        try:
            while True:
                out += os.read(self.master, 4096)
        except (BlockingIOError, OSError):
            pass
        return out

    def pending_input(self):
        """Bytes queued as terminal input (what TIOCSTI injects)."""
        buf = fcntl.ioctl(self.slave, termios.FIONREAD, b"\0\0\0\0")
        return int.from_bytes(buf, "little")

    def stop(self, *args, **kwargs):
        code = super().stop(*args, **kwargs)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass
        return code


class IsoEnv(ShellEnv):
    """ShellEnv's raw WinRS requests against a daemon of our own, logged in
    as this module's system users. tty=True: the daemon has a controlling
    terminal."""

    def __init__(self, config_text="", tty=False, env=None):
        self.manage_users = False
        self.workdir = tempfile.mkdtemp(prefix="wsmand-iso-")
        os.chmod(self.workdir, 0o755)
        write_accounts(self.workdir)
        self.user_a, self.password_a = ISO_USER_A, ISO_PASSWORD_A
        self.user_b, self.password_b = ISO_USER_B, ISO_PASSWORD_B
        if tty:
            self.daemon = TtyDaemon(self.workdir, config_text)
        else:
            # Daemon adds the conftest users too (no system account:
            # never used here).
            self.daemon = Daemon(self.workdir, config_text, env=env)
        self.url = self.daemon.url
        self.port = self.daemon.port

    def as_b(self):
        return dict(user=self.user_b, password=self.password_b)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def state_of(pid):
    """The /proc state letter of pid, or None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def ended(pid):
    """Dead: gone, or a zombie its (new) parent has not reaped yet."""
    return state_of(pid) in (None, "Z")


def wait_ended(pids, timeout=8):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(ended(p) for p in pids):
            return True
        time.sleep(0.05)
    return all(ended(p) for p in pids)


class PidHandle:
    """A process held by pidfd, so that cleaning up never signals a later
    owner of its pid."""

    def __init__(self, pid):
        self.pid = pid
        try:
            self.fd = os.pidfd_open(pid)
        except OSError:
            self.fd = None

    def kill(self):
        if self.fd is not None:
            try:
                signal.pidfd_send_signal(self.fd, signal.SIGKILL)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None


def group_leader_at(target, tries=200):
    """Starts a root `setsid sleep 1000` (its own process group and session,
    like a root service's) at pid `target` if the kernel hands that pid out
    (ns_last_pid = target - 1, as the audit did). Returns (pid, got_target);
    the caller ends it with kill_child."""
    for _ in range(tries):
        try:
            with open("/proc/sys/kernel/ns_last_pid", "w") as f:
                f.write(str(target - 1))
        except OSError:
            break
        pid = _fork_leader()
        if pid == target:
            return pid, True
        kill_child(pid)
    return _fork_leader(), False


def _fork_leader():
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.execvp("sleep", ["sleep", "1000"])
        finally:
            os._exit(127)
    # The pid may be one an earlier child had (group_leader_at recycles
    # pids on purpose): this child is not reaped, whatever _reaped says.
    _reaped.discard(pid)
    return pid


_reaped = set()


def kill_child(pid):
    """Ends a child of ours (unreaped until waitpid, so the pid is its)."""
    if pid in _reaped:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    _reaped.add(pid)


def child_alive(pid):
    """For a child of ours: running (not exited). A dead one is reaped."""
    if pid in _reaped:
        return False
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done:
        _reaped.add(pid)
    return done == 0
