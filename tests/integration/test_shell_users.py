"""WinRS ownership, quotas, idle reaping and long-poll concurrency, driven
with raw WS-Man requests."""
import base64
import re
import threading
import time

import pytest

from conftest import PASSWORD, USER
from shell_util import (IS_ROOT, NS, SHELL_NS, ShellEnv, fault_of,
                        process_gone)


@pytest.fixture(scope="module")
def env():
    e = ShellEnv("[shell]\nmax_shells_per_user = 150\n"
                 "max_concurrent_users = 10\n")
    yield e
    assert e.close() == 0, "wsmand did not stop cleanly"


def first_line_pid(env, shell_id, command_id):
    out = b""
    while not out.endswith(b"\n"):
        status, root = env.receive(shell_id, command_id)
        assert status == 200
        for stream in root.iter(f"{{{SHELL_NS}}}Stream"):
            out += base64.b64decode(stream.text or "")
    return int(out)


def normalised(fault, shell_id):
    sub, code, message = fault
    return sub, code, (message or "").replace(shell_id, "<id>")


def test_send_receive_roundtrip(env):
    shell_id = env.create()
    command_id = env.command(shell_id, "cat; echo done >&2")
    status, _ = env.send(shell_id, command_id, b"abc", end=False)
    assert status == 200
    status, _ = env.send(shell_id, command_id, b"def", end=True)
    assert status == 200
    assert env.receive_all(shell_id, command_id) == (b"abcdef", b"done\n", 0)
    assert env.delete(shell_id)[0] == 200


def test_receive_times_out_with_windows_fault(env):
    shell_id = env.create()
    command_id = env.command(shell_id, "sleep 30")
    start = time.monotonic()
    status, root = env.receive(shell_id, command_id, timeout="PT1S")
    elapsed = time.monotonic() - start
    assert status == 500
    sub, code, message = fault_of(root)
    assert (sub, code) == ("w:TimedOut", "2150858793")
    assert "OperationTimeout" in root.find(".//s:Reason/s:Text", NS).text
    assert 0.5 < elapsed < 3
    env.delete(shell_id)


def test_other_user_learns_nothing(env):
    shell_id = env.create()
    command_id = env.command(shell_id, "echo $$; exec sleep 1000")
    pid = first_line_pid(env, shell_id, command_id)
    bogus = "00000000-0000-4000-8000-000000000000"
    b = dict(user=env.user_b, password=env.password_b)
    calls = {
        "receive": lambda sid: env.receive(sid, command_id, timeout="PT1S",
                                           **b),
        "send": lambda sid: env.send(sid, command_id, b"x", **b),
        "signal": lambda sid: env.signal(sid, command_id, **b),
        "delete": lambda sid: env.delete(sid, **b),
    }
    for name, call in calls.items():
        status, root = call(shell_id)
        status_bogus, root_bogus = call(bogus)
        assert status == status_bogus == 500, name
        theirs = normalised(fault_of(root), shell_id)
        unknown = normalised(fault_of(root_bogus), bogus)
        assert theirs == unknown, name
        assert theirs[0] == "w:InvalidSelectors", name
    # A's command still runs and A still owns the shell.
    assert not process_gone(pid)
    assert env.signal(shell_id, command_id)[0] == 200
    assert env.delete(shell_id)[0] == 200
    deadline = time.monotonic() + 5
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_gone(pid)


def test_unknown_command_id(env):
    shell_id = env.create()
    status, root = env.receive(shell_id, "11111111-2222-4333-8444-555555555555")
    assert status == 500
    sub, code, message = fault_of(root)
    assert (sub, code) == ("w:InvalidSelectors", "2150858843")
    assert "command identifier that does not exist" in message
    env.delete(shell_id)


def test_delete_ends_every_process(env):
    shell_id = env.create()
    pids = []
    for _ in range(3):
        command_id = env.command(shell_id, "echo $$; exec sleep 1000")
        pids.append(first_line_pid(env, shell_id, command_id))
    assert env.delete(shell_id)[0] == 200
    deadline = time.monotonic() + 5
    while not all(map(process_gone, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(map(process_gone, pids))
    status, root = env.receive(shell_id, command_id)
    assert fault_of(root)[0] == "w:InvalidSelectors"


def test_idle_shell_is_reaped_with_its_process(env):
    shell_id = env.create(extra_shell="<rsp:IdleTimeOut>PT1S</rsp:IdleTimeOut>")
    command_id = env.command(shell_id, "echo $$; exec sleep 1000")
    pid = first_line_pid(env, shell_id, command_id)
    deadline = time.monotonic() + 10
    while not process_gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process_gone(pid), "idle shell's process was not ended"
    status, root = env.receive(shell_id, command_id)
    assert fault_of(root)[0] == "w:InvalidSelectors"


def test_codepage_refused_clearly(env):
    status, root = env.request(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams>'
        '<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
        options={"WINRS_CODEPAGE": "1252"})
    assert status == 500
    sub, _, message = fault_of(root)
    assert sub == "w:InvalidOptions"
    assert "WINRS_CODEPAGE" in message and "1252" in message


def test_hundred_long_polls_do_not_starve_identify(env):
    shells = []
    for _ in range(100):
        shell_id = env.create()
        shells.append((shell_id, env.command(shell_id, "sleep 1000")))
    results = []

    def poll(shell_id, command_id):
        status, root = env.receive(shell_id, command_id, timeout="PT30S")
        results.append(fault_of(root)[0] if status != 200 else "ok")

    threads = [threading.Thread(target=poll, args=s) for s in shells]
    for t in threads:
        t.start()
    time.sleep(1.5)  # every Receive is now waiting in the daemon
    start = time.monotonic()
    assert env.daemon.identify_ok()
    assert time.monotonic() - start < 1.0
    start = time.monotonic()
    extra = env.create()  # other shell operations still answer too
    assert time.monotonic() - start < 1.0
    env.delete(extra)
    for shell_id, _ in shells:
        assert env.delete(shell_id)[0] == 200
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 100
    # Deleting the shell ended the waiting Receive with the unknown-shell
    # fault.
    assert set(results) == {"w:InvalidSelectors"}


@pytest.mark.skipif(not IS_ROOT, reason="only as root are accounts-file users "
                    "without a system account refused")
def test_user_without_system_account_is_refused(env):
    status, root = env.request(
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams></rsp:Shell>',
        user=USER, password=PASSWORD)
    assert status == 500
    sub, _, message = fault_of(root)
    assert sub == "w:AccessDenied"
    assert "no system account" in message


def test_max_shells_per_user(env):
    # A second daemon; the module's system users (if any) are reused.
    e = ShellEnv("[shell]\nmax_shells_per_user = 2\n", manage_users=False)
    try:
        e.create()
        e.create()
        status, root = e.request(
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
            '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams>'
            '</rsp:Shell>')
        assert status == 500
        sub, _, message = fault_of(root)
        assert sub == "w:QuotaLimit"
        assert "MaxShellsPerUser" in message
        # Another user has a quota of its own.
        e.create(user=e.user_b, password=e.password_b)
    finally:
        e.close()
