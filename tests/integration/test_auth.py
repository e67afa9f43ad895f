"""Authentication through the daemon: throttling, indistinguishable
failures, the credential cache and the access log."""
import statistics
import time

from conftest import IDENTIFY, PASSWORD, USER


def test_password_guessing_is_throttled(make_daemon):
    d = make_daemon(config_text="[auth]\nmax_failures = 3\n"
                                "failure_window = 60\nmax_backoff = 60\n")
    for _ in range(3):
        assert d.post(IDENTIFY, password="guess")[0] == 401
    # Locked out: even the right password is refused, with the same answer.
    status, headers, body = d.post(IDENTIFY)
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="WSMAN"'
    assert "outcome=throttled" in d.log()
    # Anonymous Identify still works while the peer is throttled.
    assert d.identify_ok()


def test_wrong_user_and_wrong_password_take_the_same_time(make_daemon):
    d = make_daemon(config_text="[auth]\nmax_failures = 1000\n")

    def median_seconds(user, password):
        times = []
        for _ in range(7):
            started = time.monotonic()
            assert d.post(IDENTIFY, user=user, password=password)[0] == 401
            times.append(time.monotonic() - started)
        return statistics.median(times)

    unknown_user = median_seconds("nobody-at-all", "pw")
    wrong_password = median_seconds(USER, "not-the-password")
    # Both run one full password hash; neither is a shortcut.
    ratio = max(unknown_user, wrong_password) / min(unknown_user,
                                                     wrong_password)
    assert ratio < 2.5, (unknown_user, wrong_password)


def test_access_log_names_peer_user_action_and_outcome(daemon):
    assert daemon.post(IDENTIFY)[0] == 200
    log = daemon.log()
    line = [l for l in log.splitlines()
            if "event=access" in l and f"user={USER}" in l][-1]
    for field in ("time=", "peer=127.0.0.1", "action=", "resource=",
                  "status=200", "outcome=ok", "duration="):
        assert field in line, (field, line)
    assert PASSWORD not in log
