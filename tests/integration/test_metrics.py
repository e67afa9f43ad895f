"""The Prometheus endpoint ([metrics] listen, issue 14): GET /metrics in
the text format 0.0.4 on a listener of its own; counters move with the
requests served, gauges follow shells, commands and enumerations; the
WS-Man listener never serves it, and a config that puts it on a WS-Man
address is refused."""
import http.client
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from cim_util import context_op, enumerate_, parse_enum
from conftest import IDENTIFY, WSMAND, Daemon, free_port
from observability_util import lines
from shell_util import ShellEnv

CONFIG = ('[shell]\nfallback_user = "nobody"\n'
          '[providers]\ntest_providers = true\n'
          '[metrics]\nlisten = "http://127.0.0.1:0"\n')


@pytest.fixture(scope="module")
def env():
    e = ShellEnv(CONFIG, manage_users=False)
    from conftest import PASSWORD, USER
    e.user_a, e.password_a = USER, PASSWORD
    urls = [f["url"] for f in lines(e.daemon.log(), "metrics-listening")]
    assert urls, e.daemon.log()
    m = re.match(r"http://127\.0\.0\.1:(\d+)/metrics$", urls[0])
    assert m, urls
    e.metrics_port = int(m.group(1))
    yield e
    assert e.close() == 0


def get(port, path="/metrics", method="GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path)
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    return resp.status, resp.getheader("Content-Type"), body


def scrape(env):
    status, ctype, body = get(env.metrics_port)
    assert status == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        assert m, f"not a sample line: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples, body


def value(samples, key):
    return samples.get(key, 0.0)


def test_exposition_format(env):
    samples, body = scrape(env)
    for name, kind in (("wsmand_requests_total", "counter"),
                       ("wsmand_request_duration_seconds", "histogram"),
                       ("wsmand_auth_failures_total", "counter"),
                       ("wsmand_open_connections", "gauge"),
                       ("wsmand_shells", "gauge"),
                       ("wsmand_commands", "gauge"),
                       ("wsmand_enumeration_contexts", "gauge"),
                       ("wsmand_subscriptions", "gauge"),
                       ("wsmand_resident_memory_bytes", "gauge")):
        assert f"# TYPE {name} {kind}\n" in body
        assert f"# HELP {name} " in body
    assert samples["wsmand_subscriptions"] == 0
    assert samples["wsmand_resident_memory_bytes"] > 1 << 20


def test_counters_move(env):
    d = env.daemon
    before, _ = scrape(env)
    for _ in range(3):
        assert d.identify_ok()
    assert d.post("<x/>", password="wrong-Password-9")[0] == 401
    assert d.post("<x/>", user=None)[0] == 401
    ctx, _, _ = parse_enum(enumerate_(d, "WSMAN_TestItem"))
    mid, _ = scrape(env)
    assert value(mid, "wsmand_enumeration_contexts") == \
        value(before, "wsmand_enumeration_contexts") + 1
    assert context_op(d, "Release", ctx)[0] == 200
    shell_id = env.create()
    command_id = env.command(shell_id, "sleep 30")
    during, _ = scrape(env)
    assert value(during, "wsmand_shells") == value(before, "wsmand_shells") + 1
    assert value(during, "wsmand_commands") == \
        value(before, "wsmand_commands") + 1
    env.signal(shell_id, command_id)
    env.delete(shell_id)
    after, body = scrape(env)

    def moved(key):
        return value(after, key) - value(before, key)

    assert moved('wsmand_requests_total{action="Identify",outcome="ok"}') == 3
    assert moved('wsmand_requests_total{action="Enumerate",outcome="ok"}') == 1
    assert moved('wsmand_requests_total{action="Release",outcome="ok"}') == 1
    assert moved('wsmand_requests_total{action="Create",outcome="ok"}') == 1
    assert moved('wsmand_requests_total{action="Command",outcome="ok"}') == 1
    assert moved('wsmand_requests_total{action="none",outcome="denied"}') == 1
    assert moved('wsmand_auth_failures_total{reason="denied"}') == 1
    assert moved('wsmand_auth_failures_total{reason="no-credentials"}') == 1
    assert moved('wsmand_request_duration_seconds_count{action="Identify"}') \
        == 3
    assert value(after, 'wsmand_request_duration_seconds_bucket'
                 '{action="Identify",le="+Inf"}') == \
        value(after, 'wsmand_request_duration_seconds_count'
              '{action="Identify"}')
    assert value(after, "wsmand_shells") == value(before, "wsmand_shells")
    # Buckets are cumulative.
    buckets = [float(v) for v in re.findall(
        r'wsmand_request_duration_seconds_bucket\{action="Identify",'
        r'le="[^"]+"\} (\S+)', body)]
    assert buckets == sorted(buckets) and len(buckets) == 14


def test_unknown_actions_share_one_label(env):
    d = env.daemon
    from conftest import envelope
    for i in range(5):
        d.post(envelope(f"urn:wsmand-test:Made-Up-{i}",
                        "http://example.com/unknown"))
    samples, body = scrape(env)
    assert "Made-Up" not in body
    assert value(samples,
                 'wsmand_requests_total{action="other",'
                 'outcome="ActionNotSupported"}') >= 5 or \
        value(samples, 'wsmand_requests_total{action="other",'
              'outcome="DestinationUnreachable"}') >= 5


def test_open_connections_gauge(env):
    conn = http.client.HTTPConnection("127.0.0.1", env.daemon.port,
                                      timeout=10)
    conn.connect()
    try:
        # The poller accepts the connection a moment after connect().
        deadline = time.monotonic() + 5
        while True:
            samples, _ = scrape(env)
            if samples["wsmand_open_connections"] >= 1:
                break
            assert time.monotonic() < deadline, samples
            time.sleep(0.02)
    finally:
        conn.close()


def test_wsman_port_does_not_serve_metrics(env):
    status, _, body = get(env.daemon.port)
    assert status == 404
    assert "wsmand_requests_total" not in body


def test_metrics_port_serves_nothing_else(env):
    assert get(env.metrics_port, "/wsman")[0] == 404
    assert get(env.metrics_port, "/metrics", method="POST")[0] == 405


def test_off_by_default():
    workdir = tempfile.mkdtemp(prefix="wsmand-metrics-")
    d = Daemon(workdir)
    try:
        assert not lines(d.log(), "metrics-listening")
    finally:
        d.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_refused_on_a_wsman_listener(tmp_path):
    port = free_port()
    for metrics_url in (f"http://127.0.0.1:{port}", f"http://0.0.0.0:{port}"):
        config = tmp_path / "wsmand.toml"
        config.write_text(f'[server]\nlisten = ["http://127.0.0.1:{port}"]\n'
                          f'[metrics]\nlisten = "{metrics_url}"\n')
        proc = subprocess.run([WSMAND, "--config", str(config)],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert "metrics.listen" in proc.stderr
        assert "WS-Man listener" in proc.stderr
    config.write_text('[metrics]\nlisten = "https://127.0.0.1:0"\n')
    proc = subprocess.run([WSMAND, "--config", str(config)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "http:// URL" in proc.stderr
