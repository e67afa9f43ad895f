"""Hardening II 5, authenticated side: long-polls (WinRS Receive, CIM Pull)
end at once when their client disconnects, so they free their worker and
the user's operation slot instead of holding them for the OperationTimeout;
one user's long-polls are bounded by MaxConcurrentOperationsPerUser while
other users and Identify are served."""
import re
import time

import pytest

from attacks import connect, read_response
from cim_util import TEST_CONFIG, enumerate_, parse_enum
from conftest import SLOW, basic, envelope
from shell_util import (A_RECEIVE, CMD_URI, ShellEnv, envelope_with_ns,
                        fault_of)

PULL = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull"
SLOW_URI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/WSMAN_TestSlow"


def raw_post(port, xml, user, password):
    """Sends one request on a new connection and returns the socket without
    reading the answer."""
    body = xml.encode()
    s = connect(port)
    s.sendall(b"POST /wsman HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/soap+xml;charset=UTF-8\r\n"
              b"Authorization: " + basic(user, password).encode() + b"\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
              body)
    return s


def receive_xml(shell_id, command_id, timeout="PT60S"):
    headers = (f'<w:OperationTimeout>{timeout}</w:OperationTimeout>'
               '<w:SelectorSet><w:Selector Name="ShellId">'
               f'{shell_id}</w:Selector></w:SelectorSet>')
    return envelope_with_ns(
        A_RECEIVE, CMD_URI,
        f'<rsp:Receive><rsp:DesiredStream CommandId="{command_id}">'
        'stdout stderr</rsp:DesiredStream></rsp:Receive>', headers)


def count_access(log, action_suffix, outcome):
    return len(re.findall(r"event=access [^\n]*action=\S*" + action_suffix +
                          r" [^\n]*outcome=" + outcome, log))


def wait_for(predicate, within):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(scope="module")
def env():
    e = ShellEnv("[shell]\nmax_shells_per_user = 100\n"
                 "[http]\nmax_operations_per_user = 60\n")
    yield e
    assert e.close() == 0


def test_receive_ends_when_its_client_disconnects(env):
    shell_id = env.create()
    command_id = env.command(shell_id, "sleep 90")
    d = env.daemon
    before = count_access(d.log(), "Receive", "TimedOut")
    socks = [raw_post(d.port, receive_xml(shell_id, command_id),
                      env.user_a, env.password_a) for _ in range(40)]
    time.sleep(1.0 * SLOW)  # every Receive is waiting in the daemon
    assert count_access(d.log(), "Receive", "TimedOut") == before
    closed_at = time.monotonic()
    for s in socks:
        s.close()
    # Each one ends at once (the old daemon held them for the whole 60 s
    # OperationTimeout), taking no output.
    assert wait_for(lambda: count_access(d.log(), "Receive", "TimedOut") ==
                    before + 40, 3 * SLOW), d.log()[-2000:]
    assert time.monotonic() - closed_at < 3 * SLOW
    # Their slots are free again: the quota is 60, and 40 more wait fine.
    more = [raw_post(d.port, receive_xml(shell_id, command_id, "PT2S"),
                     env.user_a, env.password_a) for _ in range(40)]
    for s in more:
        status, _, body = read_response(s, timeout=20)
        assert status == 500 and b"TimedOut" in body, body[:300]
        s.close()
    env.delete(shell_id)


def test_one_users_long_polls_are_bounded_and_others_are_served(env):
    shell_id = env.create()
    command_id = env.command(shell_id, "sleep 90")
    d = env.daemon
    socks = [raw_post(d.port, receive_xml(shell_id, command_id),
                      env.user_a, env.password_a) for _ in range(60)]
    time.sleep(1.0 * SLOW)
    # The 61st operation of the same user: refused at once with the quota
    # named (MS-WSMV 3.1.4.1.19: wsman:InternalError).
    status, root = env.receive(shell_id, command_id, timeout="PT5S")
    assert status == 500
    sub, _, message = fault_of(root)
    assert sub == "w:InternalError", sub
    assert "MaxConcurrentOperationsPerUser" in message
    # Another user and Identify meanwhile: answered at once.
    started = time.monotonic()
    other = env.create(user=env.user_b, password=env.password_b)
    assert d.identify_ok()
    assert time.monotonic() - started < 1.0 * SLOW
    env.delete(other, user=env.user_b, password=env.password_b)
    for s in socks:
        s.close()
    assert wait_for(lambda: env.receive(shell_id, command_id,
                                        timeout="PT1S")[0] == 500 and
                    "TimedOut" in str(fault_of(env.receive(
                        shell_id, command_id, timeout="PT1S")[1])[0]),
                    5 * SLOW)
    env.delete(shell_id)


@pytest.fixture(scope="module")
def cim_daemon(tmp_path_factory):
    from conftest import Daemon
    d = Daemon(str(tmp_path_factory.mktemp("longpoll")), TEST_CONFIG)
    yield d
    assert d.stop() == 0


def test_pull_ends_when_its_client_disconnects(cim_daemon):
    d = cim_daemon
    # A provider that posts its one instance after 60 s.
    status, _, body = enumerate_(d, "WSMAN_TestSlow",
                                 options={"Count": 1, "DelayMs": 60000})
    assert status == 200, body
    context = parse_enum((status, None, body))[0]
    pull = envelope(PULL, SLOW_URI,
                    '<n:Pull xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
                    f'enumeration"><n:EnumerationContext>{context}'
                    '</n:EnumerationContext><n:MaxElements>1</n:MaxElements>'
                    '</n:Pull>',
                    extra='<w:OperationTimeout>PT50S</w:OperationTimeout>')
    from conftest import USER, PASSWORD
    before = count_access(d.log(), "Pull", "TimedOut")
    s = raw_post(d.port, pull, USER, PASSWORD)
    time.sleep(0.5 * SLOW)
    closed_at = time.monotonic()
    s.close()
    assert wait_for(lambda: count_access(d.log(), "Pull", "TimedOut") ==
                    before + 1, 3 * SLOW), d.log()[-2000:]
    assert time.monotonic() - closed_at < 3 * SLOW
    # The context is still there for the client's next Pull.
    s = raw_post(d.port, pull.replace("PT50S", "PT1S"), USER, PASSWORD)
    status, _, body = read_response(s, timeout=20)
    s.close()
    assert status == 500 and b"TimedOut" in body, body[:400]
