"""Fixtures for integration tests: the real wsmand on an ephemeral loopback
port with a temporary accounts file, driven by real clients."""
import base64
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

WSMAND = os.environ.get("WSMAND_BIN", os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "wsmand"))
VECTORS = os.environ.get("WSMAND_VECTORS", os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "vectors"))
HERE = os.path.dirname(os.path.abspath(__file__))


def binary_for(config_text):
    """wsmand-testing (wsmand with the test providers linked in; beside
    WSMAND unless WSMAND_TESTING_BIN says) when the config turns the test
    providers on, else WSMAND."""
    if config_text and re.search(r"^\s*test_providers\s*=\s*true",
                                 config_text, re.M):
        return os.environ.get("WSMAND_TESTING_BIN", os.path.join(
            os.path.dirname(WSMAND), "wsmand-testing"))
    return WSMAND

# The sanitizer builds (scripts/test.sh) run every test too: several times
# slower, so CPU and latency bounds get SLOW; ThreadSanitizer's shadow memory
# grows with every byte the daemon touches, so memory bounds get MEMORY.
SANITIZED = "ASAN_OPTIONS" in os.environ or "TSAN_OPTIONS" in os.environ
SLOW = 3 if SANITIZED else 1
MEMORY = 3 if "TSAN_OPTIONS" in os.environ else 1


def sanitizer_env(quarantine_mb=16):
    """The environment for a daemon whose RSS a test measures: with ASan, a
    small quarantine, so that RSS means what it means in release."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += f":quarantine_size_mb={quarantine_mb}"
    return env


USER, PASSWORD = "alice", "A1ice-secret"
USER_B, PASSWORD_B = "bob", "b0b-Secret!"

IDENTIFY = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/'
    'wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body>'
    '</s:Envelope>')


def basic(user, password):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return "Basic " + token


def envelope(action, resource=None, body="", message_id=None, extra=""):
    """A SOAP 1.2 request in the shape WinRM clients send."""
    message_id = message_id or "uuid:11111111-2222-3333-4444-555555555555"
    resource_xml = (f'<w:ResourceURI s:mustUnderstand="true">{resource}'
                    '</w:ResourceURI>' if resource else "")
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
        '<s:Header><a:To>http://localhost/wsman</a:To>'
        f'{resource_xml}'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">'
        'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
        '</a:Address></a:ReplyTo>'
        f'<a:Action s:mustUnderstand="true">{action}</a:Action>'
        f'<a:MessageID>{message_id}</a:MessageID>{extra}'
        f'</s:Header><s:Body>{body}</s:Body></s:Envelope>')


def wait_listening(proc, log, within=20):
    """The port wsmand `proc` listens on (its first http:// loopback
    listener), read from its log (`log()` returns the text so far)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        match = re.search(r"event=listening url=http://127\.0\.0\.1:(\d+)",
                          log())
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            raise RuntimeError("wsmand exited: " + log())
        time.sleep(0.02)
    raise RuntimeError("wsmand did not start: " + log())


class Daemon:
    """One running wsmand."""

    def __init__(self, workdir, config_text=None, extra_args=(), env=None,
                 binary=None):
        self.workdir = workdir
        self.accounts = os.path.join(workdir, "accounts")
        for user, password in ((USER, PASSWORD), (USER_B, PASSWORD_B)):
            run_cli(["user", "add", user, "--accounts", self.accounts,
                     "--password-stdin"], stdin=password + "\n")
        args = [binary or binary_for(config_text), "--listen",
                "http://127.0.0.1:0", "--accounts", self.accounts,
                "--log-level", "debug"]
        if config_text is not None:
            self.config = os.path.join(workdir, "wsmand.toml")
            with open(self.config, "w") as f:
                f.write(config_text)
            args[1:1] = ["--config", self.config]
        args.extend(extra_args)
        self.log_path = os.path.join(workdir, "wsmand.log")
        self.log_file = open(self.log_path, "w+")
        self.proc = subprocess.Popen(args, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, env=env)
        self.port = wait_listening(self.proc, self.log)
        self.url = f"http://127.0.0.1:{self.port}/wsman"

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def post(self, body, path="/wsman", user=USER, password=PASSWORD,
             content_type="application/soap+xml;charset=UTF-8",
             headers=None, method="POST", timeout=30):
        """Sends one request on a fresh connection; returns
        (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        hdrs = {}
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if user is not None:
            hdrs["Authorization"] = basic(user, password)
        hdrs.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        result = (resp.status, {k.lower(): v for k, v in resp.getheaders()},
                  data)
        conn.close()
        return result

    def identify_ok(self):
        status, _, body = self.post(IDENTIFY, path="/wsman-anon", user=None)
        return status == 200 and b"IdentifyResponse" in body

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        if self.proc.returncode != 0:
            # Say why in the test output before the workdir goes away.
            tail = "".join(self.log().splitlines(True)[-40:])
            print(f"\nwsmand exited with {self.proc.returncode}; log tail:\n"
                  f"{tail}")
        return self.proc.returncode


def run_cli(args, stdin=None, check=True):
    proc = subprocess.run([WSMAND] + list(args), input=stdin, text=True,
                          capture_output=True, timeout=60)
    if check and proc.returncode != 0:
        raise RuntimeError(f"wsmand {args}: {proc.returncode} "
                           f"{proc.stdout} {proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def daemon():
    workdir = tempfile.mkdtemp(prefix="wsmand-it-")
    d = Daemon(workdir)
    yield d
    code = d.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    assert code == 0, "wsmand did not stop cleanly"


@pytest.fixture
def make_daemon():
    """Starts daemons with a given config; stops them after the test."""
    started = []

    def start(config_text=None, extra_args=()):
        workdir = tempfile.mkdtemp(prefix="wsmand-it-")
        d = Daemon(workdir, config_text, extra_args)
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()
        shutil.rmtree(d.workdir, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


GO_BUILD_DIR = tempfile.mkdtemp(prefix="wsmand-go-")


def go_binary(name):
    """Builds tests/integration/go/NAME against Debian's masterzen/winrm in
    GOPATH mode (no network) and returns the binary path."""
    out = os.path.join(GO_BUILD_DIR, name)
    if not os.path.exists(out):
        env = dict(os.environ, GOPATH="/usr/share/gocode", GO111MODULE="off",
                   GOFLAGS="", GOCACHE=os.path.join(GO_BUILD_DIR, "cache"),
                   GOPROXY="off")
        subprocess.run(["go", "build", "-o", out, "."],
                       cwd=os.path.join(HERE, "go", name), env=env,
                       check=True, timeout=600)
    return out
