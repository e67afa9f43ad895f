"""--log-level debug shows what the daemon does (issue 14): each command's
start (program and argument count, never the arguments), its exit code and
duration; each enumeration's open and close with its item count; each
authentication's scheme and outcome."""
import pytest

from cim_util import context_op, enumerate_, parse_enum, pull
from conftest import PASSWORD, USER
from observability_util import lines
from shell_util import ShellEnv

SECRET_ARG = "s3cret-argument-7f3a"


@pytest.fixture(scope="module")
def env():
    # fallback_user: the accounts-file users run as nobody (as root).
    e = ShellEnv('[shell]\nfallback_user = "nobody"\n'
                 '[providers]\ntest_providers = true\n', manage_users=False)
    e.user_a, e.password_a = USER, PASSWORD
    yield e
    assert e.close() == 0


def test_command_start_and_exit(env):
    shell_id = env.create()
    command_id = env.command(shell_id, f"echo {SECRET_ARG} x y; exit 7")
    _, _, code = env.receive_all(shell_id, command_id)
    assert code == 7
    env.delete(shell_id)
    log = env.daemon.log()
    starts = [f for f in lines(log, "command-start")
              if f.get("command") == command_id]
    assert len(starts) == 1, log[-3000:]
    start = starts[0]
    assert start["executable"] == "/bin/sh"
    assert start["args"] == "2"  # -c and the line
    assert start["pid"].isdigit()
    exits = [f for f in lines(log, "command-exit")
             if f.get("command") == command_id]
    assert len(exits) == 1, log[-3000:]
    assert exits[0]["exit_code"] == "7"
    assert int(exits[0]["duration_ms"]) >= 0
    # The command line never reaches the log.
    assert SECRET_ARG not in log


def test_enumeration_open_and_close_with_items(env):
    d = env.daemon
    ctx, items, end = parse_enum(enumerate_(d, "WSMAN_TestItem"))
    assert ctx and not end and not items
    total = 0
    while not end:
        ctx_next, batch, end = parse_enum(pull(d, ctx, max_elements=5))
        total += len(batch)
        ctx = ctx_next or ctx
    assert total > 0
    log = d.log()
    opens = lines(log, "enumeration-open")
    assert opens and opens[-1]["user"] == USER
    assert opens[-1]["resource"].endswith("WSMAN_TestItem")
    closes = [f for f in lines(log, "enumeration-close")
              if f.get("context") == opens[-1]["context"]]
    assert len(closes) == 1, log[-3000:]
    assert closes[0]["items"] == str(total)


def test_released_enumeration_counts_what_it_sent(env):
    d = env.daemon
    ctx, _, _ = parse_enum(enumerate_(d, "WSMAN_TestItem"))
    _, batch, end = parse_enum(pull(d, ctx, max_elements=2))
    assert len(batch) == 2 and not end
    assert context_op(d, "Release", ctx)[0] == 200
    closes = [f for f in lines(d.log(), "enumeration-close")
              if f.get("context") == ctx]
    assert len(closes) == 1
    assert closes[0]["items"] == "2"


def test_authentication_scheme_and_outcome(env):
    d = env.daemon
    d.post("<x/>", password="Not-The-Password-1")
    d.post("<x/>", user=None, headers={"Authorization": "Negotiate YIIC"})
    d.post("<x/>", user=None)
    env.create()
    auth = lines(d.log(), "auth")
    outcomes = {(f["scheme"], f["outcome"]) for f in auth}
    assert ("Basic", "denied") in outcomes
    assert ("Negotiate", "no-credentials") in outcomes
    assert ("none", "no-credentials") in outcomes
    assert ("Basic", "ok") in outcomes
    ok = [f for f in auth if f["outcome"] == "ok"]
    assert ok[-1]["user"] == USER
    log = d.log()
    assert "Not-The-Password-1" not in log
    assert PASSWORD not in log
    assert "YIIC" not in log

