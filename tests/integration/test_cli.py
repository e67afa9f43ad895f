"""The command-line contract: flags, user management, exit codes, signals,
IPv6 listeners."""
import os
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

from conftest import (IDENTIFY, PASSWORD, USER, WSMAND, Daemon, free_port,
                      run_cli)


def test_version():
    out = run_cli(["--version"])
    assert out.stdout.startswith("wsmand ")


def test_help_documents_every_flag():
    out = run_cli(["--help"])
    for flag in ("--config", "--listen", "--accounts", "--log-level",
                 "--version", "user"):
        assert flag in out.stdout, flag


def test_user_add_list_del(tmp_path):
    accounts = str(tmp_path / "accounts")
    run_cli(["user", "add", "carol", "--accounts", accounts,
             "--password-stdin"], stdin="pw-carol\n")
    run_cli(["user", "add", "dave", "--accounts", accounts,
             "--password-stdin"], stdin="pw-dave\n")
    assert stat.S_IMODE(os.stat(accounts).st_mode) == 0o600
    content = open(accounts).read()
    assert "pw-carol" not in content and "carol:$y$" in content
    listed = run_cli(["user", "list", "--accounts", accounts]).stdout.split()
    assert listed == ["carol", "dave"]
    run_cli(["user", "del", "carol", "--accounts", accounts])
    listed = run_cli(["user", "list", "--accounts", accounts]).stdout.split()
    assert listed == ["dave"]
    missing = run_cli(["user", "del", "carol", "--accounts", accounts],
                      check=False)
    assert missing.returncode == 2


def test_bad_usage_exits_2():
    assert run_cli(["--no-such-flag"], check=False).returncode == 2
    assert run_cli(["--listen", "ftp://x"], check=False).returncode == 2
    assert run_cli(["--log-level", "loud"], check=False).returncode == 2


def test_bad_config_names_file_and_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[http]\nworker_threads = 2\nno_such_key = 1\n")
    out = run_cli(["--config", str(config)], check=False)
    assert out.returncode == 2
    assert f"{config}:3:" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_port_in_use_exits_1(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        accounts = str(tmp_path / "accounts")
        run_cli(["user", "add", "x", "--accounts", accounts,
                 "--password-stdin"], stdin="y\n")
        out = run_cli(["--listen", f"http://127.0.0.1:{port}", "--accounts",
                       accounts], check=False)
    assert out.returncode == 1
    assert "address already in use" in out.stderr


def test_ipv6_listener(tmp_path):
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this host")
    port = free_port()
    d = Daemon(str(tmp_path), extra_args=["--listen", f"http://[::1]:{port}"])
    try:
        import http.client
        conn = http.client.HTTPConnection("::1", port, timeout=10)
        conn.request("POST", "/wsman-anon", body=IDENTIFY, headers={
            "Content-Type": "application/soap+xml;charset=UTF-8"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert b"IdentifyResponse" in resp.read()
    finally:
        assert d.stop() == 0


def test_sighup_reloads_accounts(tmp_path):
    d = Daemon(str(tmp_path))
    try:
        assert d.post(IDENTIFY, user="erin", password="pw-erin")[0] == 401
        run_cli(["user", "add", "erin", "--accounts", d.accounts,
                 "--password-stdin"], stdin="pw-erin\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "event=reloaded" not in d.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "event=reloaded" in d.log()
        assert d.post(IDENTIFY, user="erin", password="pw-erin")[0] == 200
        # user del takes effect for cached credentials too after reload.
        run_cli(["user", "del", "erin", "--accounts", d.accounts])
        d.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert d.post(IDENTIFY, user="erin", password="pw-erin")[0] == 401
    finally:
        assert d.stop() == 0


def test_sighup_with_broken_config_keeps_running(tmp_path):
    d = Daemon(str(tmp_path), config_text="[server]\nlog_level = \"info\"\n")
    try:
        with open(d.config, "w") as f:
            f.write("[server]\nlog_level = 7\n")
        d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "event=reload" not in d.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "keeping the running config" in d.log()
        assert d.identify_ok()
    finally:
        assert d.stop() == 0


def test_sigterm_finishes_in_flight_requests(tmp_path):
    d = Daemon(str(tmp_path))
    # A request whose body arrives slowly is in flight when SIGTERM lands.
    sock = socket.create_connection(("127.0.0.1", d.port))
    body = IDENTIFY.encode()
    sock.sendall(b"POST /wsman-anon HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/soap+xml;charset=UTF-8\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
                 body[:20])
    time.sleep(0.3)
    d.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    sock.sendall(body[20:])
    sock.settimeout(10)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:100]
    assert b"IdentifyResponse" in data
    assert d.proc.wait(timeout=20) == 0
    d.log_file.close()
    # New connections are refused once stopped.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", d.port), timeout=2)
