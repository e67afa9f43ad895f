"""Load and fault tests, bounded in count and time, loopback only: many
concurrent clients mixing Identify, Get, Enumerate/Pull and shell commands;
clients that vanish mid-Pull and mid-Receive; SIGTERM under load."""
import os
import random
import signal
import socket
import threading
import time

import pytest

from cim_util import (TEST_CONFIG, drain, enumerate_, get, parse_enum)
from conftest import IDENTIFY, envelope
from shell_util import ShellEnv

CLIENTS = int(os.environ.get("WSMAND_LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("WSMAND_LOAD_SECONDS", "60"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def daemon_env():
    """The daemon's environment. Under AddressSanitizer (the sanitizer
    build's run) freed memory waits in a quarantine of 256 MB, and with the
    allocator caches of thousands of short-lived threads RSS climbs for
    minutes: a smaller quarantine lets the flat-memory check below mean
    the same in both builds."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":quarantine_size_mb=32"
    return env


@pytest.fixture(scope="module")
def env():
    # Every client may hold an enumeration at once: a provider thread each,
    # so that the pool's QuotaLimit (test_enumeration_pool.py) is not what
    # this test measures.
    e = ShellEnv(TEST_CONFIG + "[http]\nmax_connections = 400\n"
                 "[shell]\nmax_shells_per_user = 200\n"
                 f"[enumeration]\nprovider_threads = {CLIENTS + 8}\n",
                 env=daemon_env())
    yield e
    assert e.close() == 0


class Load:
    """Runs mixed clients until told to stop; counts requests and errors."""

    def __init__(self, env):
        self.env = env
        self.d = env.daemon
        self.user = (env.user_a, env.password_a)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = []

    def count(self, n=1):
        with self.lock:
            self.requests += n

    def fail(self, what):
        with self.lock:
            self.errors.append(what)

    def one_identify(self):
        status, _, body = self.d.post(IDENTIFY, path="/wsman-anon", user=None)
        self.count()
        if status != 200 or b"IdentifyResponse" not in body:
            self.fail(f"identify {status}")

    def one_get(self, rng):
        key = str(rng.randrange(1, 1000))
        status, _, body = get(self.d, "WSMAN_TestItem", {"Id": key},
                              user=self.user)
        self.count()
        if status != 200 or f">{key}<".encode() not in body:
            self.fail(f"get {status} {body[:200]!r}")

    def one_enumeration(self, rng):
        n = rng.randrange(1, 300)
        ctx, items, end = parse_enum(enumerate_(
            self.d, "WSMAN_TestItem", user=self.user, options={"Count": n}))
        self.count()
        if not end:
            pulled = drain(self.d, ctx, max_elements=rng.choice([1, 10, 100]),
                           user=self.user)
            items.extend(pulled)
            self.count(1 + len(pulled) // 10)
        if len(items) != n:
            self.fail(f"enumeration got {len(items)} of {n}")

    def one_command(self, rng):
        token = f"load-{rng.randrange(1 << 30)}"
        shell = self.env.create()
        command = self.env.command(shell, f"echo {token}; echo err 1>&2")
        out, err, code = self.env.receive_all(shell, command)
        self.env.delete(shell)
        self.count(4)
        if out != f"{token}\n".encode() or err != b"err\n" or code != 0:
            self.fail(f"command {out!r} {err!r} {code}")

    def client(self, seed):
        rng = random.Random(seed)
        actions = [("identify", self.one_identify),
                   ("get", lambda: self.one_get(rng)),
                   ("enumerate", lambda: self.one_enumeration(rng)),
                   ("command", lambda: self.one_command(rng))]
        while not self.stop.is_set():
            name, action = rng.choice(actions)
            try:
                action()
            except Exception as e:  # counted, reported at the end
                self.fail(f"{name}: {type(e).__name__}: {e}")

    def run(self, clients, seconds, during=None):
        threads = [threading.Thread(target=self.client, args=(i,))
                   for i in range(clients)]
        for t in threads:
            t.start()
        samples = []
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            time.sleep(1)
            samples.append(rss_kb(self.d.proc.pid))
            if during:
                during(time.monotonic() - started)
        self.stop.set()
        for t in threads:
            t.join(timeout=120)
        return samples


def test_mixed_load_has_no_errors_and_flat_memory(env):
    load = Load(env)
    samples = load.run(CLIENTS, SECONDS)
    print(f"\nload: {CLIENTS} clients, {SECONDS:.0f}s, {load.requests} "
          f"requests, {len(load.errors)} errors, RSS kB {samples[::5]}")
    assert not load.errors, load.errors[:10]
    assert load.requests > CLIENTS
    # After warm-up (the first third), memory stays within a small band.
    warm = samples[len(samples) // 3:]
    assert max(warm) <= min(warm) * 1.5 + 20000, samples
    assert env.daemon.identify_ok()


def test_client_vanishing_mid_pull_and_mid_receive(env):
    d = env.daemon
    # Mid-Pull: a Pull waiting on a provider that posts slowly is abandoned.
    ctx, _, end = parse_enum(enumerate_(d, "WSMAN_TestItem",
                                        user=(env.user_a, env.password_a),
                                        options={"Count": 5000}))
    assert not end
    body = (f'<n:Pull xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
            f'enumeration"><n:EnumerationContext>{ctx}</n:EnumerationContext>'
            '<n:MaxElements>1000</n:MaxElements></n:Pull>')
    raw_hangup(d, envelope("http://schemas.xmlsoap.org/ws/2004/09/"
                           "enumeration/Pull",
                           "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/"
                           "2/WSMAN_TestItem", body), env)
    # Mid-Receive: a long-poll Receive whose client hangs up.
    shell = env.create()
    command = env.command(shell, "sleep 1; echo late")
    receive = (f'<rsp:Receive xmlns:rsp="http://schemas.microsoft.com/wbem/'
               f'wsman/1/windows/shell"><rsp:DesiredStream CommandId='
               f'"{command}">stdout stderr</rsp:DesiredStream></rsp:Receive>')
    raw_hangup(d, envelope(
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive",
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        receive, extra='<w:SelectorSet><w:Selector Name="ShellId">'
        f'{shell}</w:Selector></w:SelectorSet>'), env)
    time.sleep(1.5)
    # The server still serves, the shell can still be used and deleted.
    assert d.identify_ok()
    command2 = env.command(shell, "echo again")
    out, _, code = env.receive_all(shell, command2)
    assert out == b"again\n" and code == 0
    assert env.delete(shell)[0] == 200


def raw_hangup(d, xml, env):
    """Sends an authenticated request and closes the socket at once."""
    import base64
    auth = base64.b64encode(
        f"{env.user_a}:{env.password_a}".encode()).decode()
    body = xml.encode()
    sock = socket.create_connection(("127.0.0.1", d.port))
    sock.sendall(b"POST /wsman HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/soap+xml;charset=UTF-8\r\n"
                 b"Authorization: Basic " + auth.encode() + b"\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
                 body)
    time.sleep(0.2)
    sock.close()


def test_sigterm_under_load_drains_cleanly(env):
    # `env` keeps the system accounts in place for this second daemon.
    e = ShellEnv(TEST_CONFIG, manage_users=False)
    try:
        load = Load(e)
        stopped = {}

        def terminate_midway(elapsed):
            if elapsed >= 3 and not stopped:
                stopped["at"] = time.monotonic()
                e.daemon.proc.send_signal(signal.SIGTERM)

        load.run(min(CLIENTS, 20), 6, during=terminate_midway)
        code = e.daemon.proc.wait(timeout=60)
        assert code == 0
        # Requests cut off by the stop end as refused or closed connections,
        # or as complete SOAP faults (a shell ended by the stop says so);
        # never as wrong data.
        wrong = [x for x in load.errors
                 if not any(k in x for k in (
                     "ConnectionRefused", "ConnectionReset", "RemoteDisconn",
                     "BrokenPipe", "BadStatusLine", "IncompleteRead",
                     "Connection", "timed out", "Errno", ":Fault>"))]
        assert not wrong, wrong[:10]
        assert "event=stopped" in e.daemon.log()
    finally:
        e.close()
