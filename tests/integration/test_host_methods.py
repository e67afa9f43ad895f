"""Win32_Process methods with the rights of the authenticated user: Create
and Terminate by one system user, another user refused (AccessDenied, the
process lives on), accounts-file users refused when wsmand is root."""
import os
import pwd
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import daemon  # noqa: F401
from faults import expect_fault
from host_util import (get, invoke, proc_alive, proc_name, proc_uid,
                       uri_of)
from shell_util import IS_ROOT, ShellEnv

P = "{" + uri_of("Win32_Process") + "}"


@pytest.fixture(scope="module")
def users():
    e = ShellEnv("")
    yield e
    assert e.close() == 0, "wsmand did not stop cleanly"


def out_params(response):
    status, _, body = response
    assert status == 200, body
    root = ET.fromstring(body)
    out = root.find(".//" + P + "Create_OUTPUT")
    if out is None:
        out = next(iter(root.find(
            "{http://www.w3.org/2003/05/soap-envelope}Body")))
    return {c.tag.split("}")[1]: c.text for c in out}


def wait_dead(pid, seconds=5):
    deadline = time.monotonic() + seconds
    while proc_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not proc_alive(pid)


def create(env, user, command, cwd=None):
    params = f"<p:CommandLine>{command}</p:CommandLine>"
    if cwd:
        params += f"<p:CurrentDirectory>{cwd}</p:CurrentDirectory>"
    return invoke(env.daemon, "Win32_Process", "Create", params, user=user)


def test_create_get_owner_then_terminate(users):
    a = (users.user_a, users.password_a)
    out = out_params(create(users, a, "sleep 100"))
    assert out["ReturnValue"] == "0"
    pid = int(out["ProcessId"])
    try:
        deadline = time.monotonic() + 5
        while proc_name(pid) != "sleep" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc_name(pid) == "sleep"
        if IS_ROOT:
            assert proc_uid(pid) == pwd.getpwnam(users.user_a).pw_uid
        status, _, body = get(users.daemon, "Win32_Process",
                              {"Handle": pid}, user=a)
        assert status == 200 and b"sleep 100" in body
        owner = out_params(invoke(users.daemon, "Win32_Process", "GetOwner",
                                  selectors={"Handle": pid}, user=a))
        assert owner["ReturnValue"] == "0"
        assert owner["User"] == pwd.getpwuid(proc_uid(pid)).pw_name
        done = out_params(invoke(users.daemon, "Win32_Process", "Terminate",
                                 selectors={"Handle": pid}, user=a))
        assert done["ReturnValue"] == "0"
        assert wait_dead(pid)
    finally:
        if proc_alive(pid):
            os.kill(pid, 9)


def test_other_user_cannot_terminate(users):
    if not IS_ROOT:
        pytest.skip("two system users need root")
    a = (users.user_a, users.password_a)
    b = (users.user_b, users.password_b)
    pid = int(out_params(create(users, a, "sleep 100"))["ProcessId"])
    try:
        f = expect_fault(invoke(users.daemon, "Win32_Process", "Terminate",
                                selectors={"Handle": pid}, user=b),
                         "AccessDenied")
        assert "may not terminate" in (f.root.findtext(
            ".//{http://schemas.microsoft.com/wbem/wsman/1/wsmanfault}"
            "Message") or "")
        time.sleep(0.2)
        assert proc_alive(pid)
        # Its owner can.
        done = out_params(invoke(users.daemon, "Win32_Process", "Terminate",
                                 selectors={"Handle": pid}, user=a))
        assert done["ReturnValue"] == "0"
        assert wait_dead(pid)
    finally:
        if proc_alive(pid):
            os.kill(pid, 9)


def test_create_with_bad_directory_and_empty_command(users):
    a = (users.user_a, users.password_a)
    out = out_params(create(users, a, "true", cwd="/nonexistent-wsmand"))
    assert out["ReturnValue"] == "9"
    out = out_params(invoke(users.daemon, "Win32_Process", "Create",
                            "<p:CommandLine></p:CommandLine>", user=a))
    assert out["ReturnValue"] == "21"


def test_terminate_unknown_process(users):
    a = (users.user_a, users.password_a)
    expect_fault(invoke(users.daemon, "Win32_Process", "Terminate",
                        selectors={"Handle": 999999999}, user=a),
                 "DestinationUnreachable")


def test_accounts_file_user_cannot_change_the_host_as_root(daemon):  # noqa
    if not IS_ROOT:
        pytest.skip("only when wsmand runs as root")
    expect_fault(invoke(daemon, "Win32_Process", "Create",
                        "<p:CommandLine>sleep 100</p:CommandLine>"),
                 "AccessDenied")
    expect_fault(invoke(daemon, "Win32_Process", "Terminate",
                        selectors={"Handle": os.getpid()}),
                 "AccessDenied")
    # Reading is still allowed.
    out = out_params(invoke(daemon, "Win32_Process", "GetOwner",
                            selectors={"Handle": os.getpid()}))
    assert out["User"] == pwd.getpwuid(os.getuid()).pw_name
