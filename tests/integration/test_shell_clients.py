"""WinRS (windows/shell/cmd) through real clients: pywinrm, Go winrm and
Node winrm-client, with /bin/sh in place of cmd.exe."""
import base64
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid

import pytest
import winrm
from winrm.protocol import Protocol

from conftest import go_binary
from shell_util import IS_ROOT, ShellEnv, process_gone

import xmltodict


@pytest.fixture(scope="module")
def env():
    e = ShellEnv()
    yield e
    assert e.close() == 0, "wsmand did not stop cleanly"


def session(env):
    return winrm.Session(env.url, auth=(env.user_a, env.password_a),
                         transport="plaintext")


def protocol(env):
    return Protocol(endpoint=env.url, transport="plaintext",
                    username=env.user_a, password=env.password_a)


def test_pywinrm_run_cmd_echo(env):
    r = session(env).run_cmd("echo", ["hello"])
    assert r.status_code == 0
    assert r.std_out == b"hello\n"
    assert r.std_err == b""


def test_pywinrm_nonzero_exit_with_stderr(env):
    r = session(env).run_cmd("echo out; echo oops >&2; exit 7")
    assert r.status_code == 7
    assert r.std_out == b"out\n"
    assert r.std_err == b"oops\n"


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch users")
def test_pywinrm_runs_as_authenticated_user(env):
    r = session(env).run_cmd("id -un; echo $HOME $USER $LOGNAME")
    assert r.std_out.decode().split() == [
        env.user_a, f"/home/{env.user_a}", env.user_a, env.user_a]


def send_stdin(p, shell_id, command_id, data, end):
    """pywinrm 0.3.0 has no send_command_input: build the Send ourselves."""
    req = {"env:Envelope": p._get_soap_header(
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/"
                     "shell/cmd",
        action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send",
        shell_id=shell_id)}
    stream = req["env:Envelope"].setdefault("env:Body", {}).setdefault(
        "rsp:Send", {}).setdefault("rsp:Stream", {})
    stream["@Name"] = "stdin"
    stream["@CommandId"] = command_id
    stream["#text"] = base64.b64encode(data).decode()
    if end:
        stream["@End"] = "true"
    return p.send_message(xmltodict.unparse(req))


def test_pywinrm_stdin_to_cat(env):
    p = protocol(env)
    if hasattr(p, "send_command_input"):  # newer pywinrm
        pytest.skip("covered by the library's own API")
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "cat")
    send_stdin(p, shell_id, command_id, b"line one\n", end=False)
    send_stdin(p, shell_id, command_id, b"line two\n", end=True)
    out, err, code = p.get_command_output(shell_id, command_id)
    p.cleanup_command(shell_id, command_id)
    p.close_shell(shell_id)
    assert (out, err, code) == (b"line one\nline two\n", b"", 0)


def test_pywinrm_environment_and_working_directory(env):
    wd = tempfile.mkdtemp(prefix="wsmand-wd-")
    os.chmod(wd, 0o755)
    try:
        p = protocol(env)
        shell_id = p.open_shell(env_vars={"A": "1 & 2"}, working_directory=wd)
        # /bin/sh reads the command line, as cmd.exe would on Windows: quote
        # for it.
        command_id = p.run_command(shell_id, "sh",
                                   ["-c", "'echo \"$A\"; pwd'"])
        out, err, code = p.get_command_output(shell_id, command_id)
        p.cleanup_command(shell_id, command_id)
        p.close_shell(shell_id)
        assert (out, err, code) == (f"1 & 2\n{wd}\n".encode(), b"", 0)
    finally:
        shutil.rmtree(wd, ignore_errors=True)


def test_pywinrm_20_mb_exact(env):
    d = tempfile.mkdtemp(prefix="wsmand-big-")
    os.chmod(d, 0o755)
    path = os.path.join(d, "blob")
    data = os.urandom(20 * 1000 * 1000)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)
    try:
        p = protocol(env)
        shell_id = p.open_shell()
        command_id = p.run_command(shell_id, "cat", [path])
        out, err, code = p.get_command_output(shell_id, command_id)
        p.cleanup_command(shell_id, command_id)
        p.close_shell(shell_id)
        assert code == 0 and err == b""
        assert len(out) == len(data)
        assert hashlib.sha256(out).hexdigest() == \
            hashlib.sha256(data).hexdigest()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_pywinrm_signal_terminate_sleep(env):
    p = protocol(env)
    shell_id = p.open_shell()
    command_id = p.run_command(shell_id, "echo $$; exec sleep 1000")
    out = b""
    while not out.endswith(b"\n"):
        try:
            stdout, _, _, done = p._raw_get_command_output(shell_id,
                                                           command_id)
        except winrm.exceptions.WinRMOperationTimeoutError:
            continue
        assert not done
        out += stdout
    pid = int(out)
    assert not process_gone(pid)
    p.cleanup_command(shell_id, command_id)  # Signal terminate
    deadline = time.monotonic() + 5
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(pid), "sleep survived terminate (or is a zombie)"
    p.close_shell(shell_id)


def test_go_winrm_run(env):
    binary = go_binary("shell")
    out = subprocess.run(
        [binary, "127.0.0.1", str(env.port), env.user_a, env.password_a,
         "run", "echo go-hello; echo go-err >&2; exit 3"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'stdout="go-hello\\n"', 'stderr="go-err\\n"', "exit=3"]


def test_go_winrm_run_with_string(env):
    # RunWithString closes stdin only after the command ended, so the
    # command reads one line rather than waiting for end-of-file.
    binary = go_binary("shell")
    out = subprocess.run(
        [binary, "127.0.0.1", str(env.port), env.user_a, env.password_a,
         "stdin", "head -n 1", "from-stdin\n"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        'stdout="from-stdin\\n"', 'stderr=""', "exit=0"]


@pytest.fixture(scope="module")
def node_winrm_client():
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("npm/node not installed (Debian: nodejs npm)")
    prefix = tempfile.mkdtemp(prefix="wsmand-npm-")
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", prefix,
         "winrm-client@0.0.11"], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        shutil.rmtree(prefix, ignore_errors=True)
        pytest.fail("npm install winrm-client@0.0.11 failed: " + proc.stderr)
    yield prefix
    shutil.rmtree(prefix, ignore_errors=True)


def test_node_winrm_client_run_command(env, node_winrm_client):
    script = (
        "require('winrm-client').runCommand(process.argv[1], '127.0.0.1', "
        "process.argv[2], process.argv[3], Number(process.argv[4]))"
        ".then(o => console.log('OUT=' + JSON.stringify(o)),"
        " e => { console.error(e); process.exit(1); });")
    proc = subprocess.run(
        ["node", "-e", script, "echo node-hello", env.user_a, env.password_a,
         str(env.port)], capture_output=True, text=True, timeout=120,
        cwd=node_winrm_client,
        env=dict(os.environ,
                 NODE_PATH=os.path.join(node_winrm_client, "node_modules")))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == 'OUT="node-hello"'
