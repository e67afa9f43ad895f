"""PowerShell and cmd command lines (docs/shell.md): what real clients send
runs with pwsh (here a stand-in that records its argv, stdin and
environment, fake_pwsh.py: PowerShell cannot be installed on the test
machine), `cmd /c <line>` runs <line> with the real /bin/sh, and without
PowerShell such a command exits 127 at once with one line saying how to
install it. The command lines come from the clients themselves: pywinrm's
run_ps, and Ansible's winrm connection (the real `ansible -m raw`, and the
command lines its PowerShell shell plugin builds for put_file and for a
script on stdin)."""
import base64
import glob
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from shell_util import IS_ROOT, ShellEnv

FAKE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "fake_pwsh.py")


def encoded(script):
    return base64.b64encode(script.encode("utf-16-le")).decode()


@pytest.fixture(scope="module")
def pwsh_dir():
    d = tempfile.mkdtemp(prefix="wsmand-pwsh-")
    os.chmod(d, 0o755)
    shutil.copy(FAKE, os.path.join(d, "pwsh"))
    os.chmod(os.path.join(d, "pwsh"), 0o755)
    os.mkdir(os.path.join(d, "records"))
    os.chmod(os.path.join(d, "records"), 0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def env(pwsh_dir):
    e = ShellEnv(f'[shell]\npowershell = "{pwsh_dir}/pwsh"\n')
    yield e
    assert e.close() == 0


@pytest.fixture(scope="module")
def bare(env):  # noqa: ARG001 (env's system users log in here too)
    """No PowerShell: the configured path does not exist."""
    e = ShellEnv('[shell]\npowershell = "/nonexistent/pwsh"\n',
                 manage_users=False)
    yield e
    assert e.close() == 0


def records(pwsh_dir):
    """The stand-in's records, oldest first; removes them."""
    out = []
    for path in sorted(glob.glob(os.path.join(pwsh_dir, "records", "*.json")),
                       key=os.path.getmtime):
        with open(path) as f:
            out.append(json.load(f))
        os.unlink(path)
    return out


def session(e):
    import winrm
    return winrm.Session(e.url, auth=(e.user_a, e.password_a),
                         transport="plaintext")


def protocol(e):
    from winrm.protocol import Protocol
    return Protocol(endpoint=e.url, transport="plaintext",
                    username=e.user_a, password=e.password_a)


def run(e, command, args=(), stdin=None):
    """(stdout, stderr, rc) of one command through pywinrm's Protocol,
    with `stdin` sent (and closed) as Ansible sends module input."""
    p = protocol(e)
    shell = p.open_shell(codepage=65001)
    try:
        cid = p.run_command(shell, command, list(args))
        if stdin is not None:
            # Ansible's _winrm_send_input: one rsp:Send, End="true" (pywinrm
            # 0.3.0's Protocol has no call for it).
            status, root = e.send(shell, cid, stdin.encode(), end=True)
            assert status == 200, root
        out, err, rc = p.get_command_output(shell, cid)
        p.cleanup_command(shell, cid)
        return out, err, rc
    finally:
        p.close_shell(shell)


def test_pywinrm_run_ps_runs_with_pwsh(env, pwsh_dir):
    records(pwsh_dir)
    script = "echo hello from run_ps; exit 4"
    r = session(env).run_ps(script)  # "powershell -encodedcommand <...>"
    assert (r.status_code, r.std_out) == (4, b"hello from run_ps\n")
    [rec] = records(pwsh_dir)
    assert rec["argv"][1:] == ["-EncodedCommand", encoded(script)]
    assert rec["argv"][0] == f"{pwsh_dir}/pwsh"
    if IS_ROOT:
        # As the shell's user, in its environment (no daemon variables).
        assert rec["env"]["USER"] == env.user_a
        assert rec["uid"] != 0


def test_ansible_raw_end_to_end(env, pwsh_dir, tmp_path):
    """The real `ansible -m raw`: its winrm connection sends `PowerShell
    -NoProfile -NonInteractive -ExecutionPolicy Unrestricted
    -EncodedCommand <uname -a>`."""
    if not shutil.which("ansible"):
        pytest.skip("ansible-core is not installed")
    records(pwsh_dir)
    inventory = tmp_path / "inventory"
    inventory.write_text(
        f"h ansible_host=127.0.0.1 ansible_port={env.port} "
        "ansible_connection=winrm ansible_winrm_scheme=http "
        "ansible_winrm_transport=basic "
        f"ansible_user={env.user_a} ansible_password={env.password_a}\n")
    environ = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"),
                   ANSIBLE_NOCOLOR="1")
    done = subprocess.run(
        ["ansible", "all", "-i", str(inventory), "-m", "raw", "-a",
         "uname -s; exit 3"], capture_output=True, text=True, timeout=120,
        env=environ)
    assert "rc=3" in done.stdout, done.stdout + done.stderr
    assert "Linux" in done.stdout, done.stdout
    rec = [r for r in records(pwsh_dir)
           if "-EncodedCommand" in r["argv"]][-1]
    assert rec["argv"][1:-1] == ["-NoProfile", "-NonInteractive",
                                 "-ExecutionPolicy", "Unrestricted",
                                 "-EncodedCommand"]
    decoded = base64.b64decode(rec["argv"][-1]).decode("utf-16-le")
    assert decoded == "uname -s; exit 3"


def ansible_shell():
    try:
        from ansible.plugins.shell.powershell import ShellModule
    except ImportError:
        pytest.skip("ansible-core is not installed")
    return ShellModule()


def test_ansible_put_file_command_line_and_stdin(env, pwsh_dir):
    """put_file: a begin/process/end script, encoded as the connection
    plugin encodes it, with the file in base64 lines on stdin."""
    shell = ansible_shell()
    script = ("begin { $path = 'C:\\x' }\n"
              "process { $bytes = [System.Convert]::FromBase64String($input) }"
              "\nend { Write-Output '{\"sha1\":\"x\"}' }")
    parts = shell._encode_script(script, as_list=True, strict_mode=False,
                                 preserve_rc=False)
    records(pwsh_dir)
    payload = base64.b64encode(b"file content " * 1000).decode() + "\r\n"
    run(env, parts[0], parts[1:], stdin=payload)
    [rec] = records(pwsh_dir)
    assert rec["argv"][1:] == parts[1:]  # full names already
    assert rec["stdin"] == payload


def test_ansible_script_on_stdin(env, pwsh_dir):
    """`PowerShell ... -Command -`: the script comes on stdin."""
    parts = ansible_shell()._encode_script("-", as_list=True)
    assert parts[-2:] == ["-Command", "-"]
    records(pwsh_dir)
    out, err, rc = run(env, parts[0], parts[1:],
                       stdin="echo from-stdin\nexit 2\n")
    assert (out, rc) == (b"from-stdin\n", 2), err
    [rec] = records(pwsh_dir)
    assert rec["argv"][1:] == parts[1:]


def test_windows_spellings_and_abbreviations(env, pwsh_dir):
    """What winrs.exe-style and hand-written clients send: a full Windows
    path, .exe, abbreviations, Windows-only options dropped."""
    records(pwsh_dir)
    out, _, rc = run(
        env, r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        ["-nop", "-WindowStyle", "Hidden", "-ep", "Bypass", "-c",
         '"echo $((6*7))"'])
    assert (out, rc) == (b"42\n", 0)
    [rec] = records(pwsh_dir)
    assert rec["argv"][1:] == ["-NoProfile", "-ExecutionPolicy", "Bypass",
                               "-Command", "echo $((6*7))"]


def test_cmd_slash_c_runs_the_line_with_sh(env):
    out, _, rc = run(env, "cmd", ["/c", "echo a && echo b"])
    assert (out, rc) == (b"a\nb\n", 0)
    out, _, rc = run(env, 'cmd.exe /s /c "exit 5"')
    assert rc == 5
    r = session(env).run_cmd("CMD", ["/C", "printf %s x"])
    assert (r.status_code, r.std_out) == (0, b"x")


def test_without_powershell_exit_127_and_one_line(bare):
    # run_cmd, not run_ps: pywinrm 0.3.0's run_ps crashes on any stderr.
    r = session(bare).run_cmd("powershell -encodedcommand " + encoded("x"))
    assert r.status_code == 127
    lines = r.std_err.decode().splitlines()
    assert len(lines) == 1 and "PowerShell 7 is not installed" in lines[0]
    assert b"not found" not in r.std_err
    # Other commands are unaffected.
    assert session(bare).run_cmd("echo", ["ok"]).std_out == b"ok\n"
