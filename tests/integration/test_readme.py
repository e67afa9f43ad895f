"""The README's first run, exactly as written: `scripts/run.sh` with a fresh
state directory, the password it prints, its two listeners on
127.0.0.1:5985 and :5986, then the README's curl and pywinrm blocks with
only PASSWORD replaced. Everything runs in a network namespace the test
makes (its own loopback), so the fixed ports cannot collide with anything
on the host. As root, run.sh also makes `wsman` a system account; the test
removes it again when it created it."""
import os
import pwd
import re
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

SOURCE = os.environ.get(
    "WSMAND_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or
    not shutil.which("nsenter"),
    reason="needs root and util-linux's unshare/nsenter (a network "
           "namespace of the test's own)")


def readme_block(marker_or_text, lang):
    """The first ```lang block after `marker_or_text` in README.md."""
    with open(os.path.join(SOURCE, "README.md")) as f:
        text = f.read()
    at = text.index(marker_or_text)
    match = re.compile(r"```" + lang + r"\n(.*?)```", re.S).search(text, at)
    return match.group(1)


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="module")
def first_run():
    state = tempfile.mkdtemp(prefix="wsmand-readme-")
    had_wsman = user_exists("wsman")
    env = dict(os.environ, WSMAND_STATE_DIR=state)
    proc = subprocess.Popen(
        ["unshare", "--net", "sh", "-c",
         "ip link set lo up && exec scripts/run.sh"],
        cwd=SOURCE, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    lines = queue.Queue()

    def pump():  # a thread: select() cannot see lines already buffered
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    out = ""
    password = None
    listening = 0
    deadline = time.monotonic() + 1500  # run.sh installs and builds first
    while time.monotonic() < deadline and listening < 2:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            break
        out += line
        m = re.search(r"Created the local account 'wsman' with password: (\S+)",
                      line)
        if m:
            password = m.group(1)
        if "event=listening" in line:
            listening += 1
    try:
        assert password and listening == 2, out
        yield proc, password, state, out
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(state, ignore_errors=True)
        if not had_wsman and user_exists("wsman"):
            subprocess.run(["userdel", "-r", "wsman"], capture_output=True)


def inside(proc, argv, **kw):
    """Runs `argv` in the daemon's network namespace."""
    return subprocess.run(
        ["nsenter", f"--net=/proc/{proc.pid}/ns/net"] + argv,
        capture_output=True, text=True, timeout=60, **kw)


def test_run_sh_prints_the_account_and_serves_both_listeners(first_run):
    proc, password, state, out = first_run
    assert "http://127.0.0.1:5985/wsman" in out
    assert "https://127.0.0.1:5986/wsman" in out
    assert os.path.exists(os.path.join(state, "accounts"))
    assert os.path.exists(os.path.join(state, "tls", "ca.pem"))
    # The default account is a system account now: commands run as it.
    entry = pwd.getpwnam("wsman")
    assert entry.pw_uid != 0 and os.path.isdir(entry.pw_dir)


def test_readme_curl_identify(first_run):
    proc, password, state, _ = first_run
    block = readme_block("from another terminal", "sh")
    done = inside(proc, ["bash", "-c", block.replace("PASSWORD", password)])
    assert done.returncode == 0, done.stderr
    assert "IdentifyResponse" in done.stdout and "ProtocolVersion" in \
        done.stdout, done.stdout


def test_readme_pywinrm_block(first_run):
    proc, password, _, _ = first_run
    code = readme_block("readme-pywinrm", "python")
    done = inside(proc, ["/usr/bin/python3", "-c",
                         code.replace("PASSWORD", password)])
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("0 Linux"), done.stdout
    assert "Win32_OperatingSystem" in done.stdout
    assert "EndOfSequence" in done.stdout


def test_commands_run_as_the_wsman_system_account(first_run):
    proc, password, state, _ = first_run
    code = (
        "import winrm\n"
        "s = winrm.Session('https://127.0.0.1:5986/wsman', "
        f"auth=('wsman', {password!r}), transport='basic', "
        "server_cert_validation='validate', "
        f"ca_trust_path={os.path.join(state, 'tls', 'ca.pem')!r})\n"
        "r = s.run_cmd('id', ['-un'])\n"
        "print(r.status_code, r.std_out.decode().strip())\n")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}
    done = inside(proc, ["/usr/bin/python3", "-c", code], env=environ)
    assert done.stdout.strip() == "0 wsman", done.stdout + done.stderr
