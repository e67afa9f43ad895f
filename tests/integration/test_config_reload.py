"""SIGHUP against the real daemon: what a reload applies (log_level, [auth],
[xml]) and a warning naming every changed key it cannot apply, on each
reload until a restart; nothing is logged for keys that did not change."""
import re
import signal
import time

from conftest import Daemon, IDENTIFY

# An anonymous Identify whose body nests 40 elements deep.
DEEP_IDENTIFY = IDENTIFY.replace(
    "<wsmid:Identify/>",
    "<wsmid:Identify>" + "<x>" * 40 + "</x>" * 40 + "</wsmid:Identify>")

BASE = """[server]
log_level = "debug"
[http]
worker_threads = 4
max_envelope_size = 512000
[xml]
max_depth = 64
[enumeration]
max_contexts_per_user = 64
[providers]
host = true
"""

CHANGED = """[server]
log_level = "info"
machine_name = "renamed"
[http]
worker_threads = 8
max_envelope_size = 256000
[xml]
max_depth = 32
[enumeration]
max_contexts_per_user = 8
[providers]
host = false
[auth]
credential_cache_ttl = 30
"""


def reload(d, count_before):
    d.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while (d.log().count("event=reloaded") <= count_before
           and time.monotonic() < deadline):
        time.sleep(0.05)
    assert d.log().count("event=reloaded") == count_before + 1, d.log()


def restart_warnings(log):
    return re.findall(r"event=reload key=(\S+) detail=", log)


def test_reload_warns_for_each_restart_only_key(tmp_path):
    d = Daemon(str(tmp_path), config_text=BASE)
    try:
        # An unchanged file: no warning.
        reload(d, 0)
        assert restart_warnings(d.log()) == []
        deep = d.post(DEEP_IDENTIFY, path="/wsman-anon", user=None)
        assert deep[0] == 200, deep

        with open(d.config, "w") as f:
            f.write(CHANGED)
        mark = len(d.log())
        reload(d, 1)
        warned = restart_warnings(d.log()[mark:])
        assert sorted(warned) == sorted([
            "server.machine_name", "http.worker_threads",
            "enumeration.max_contexts_per_user", "providers.host"]), warned
        # http.max_envelope_size is applied now (a new endpoint; winrm/config
        # Put applies it too, test_winrm_config.py): no warning.
        assert "http.max_envelope_size" not in warned
        # Applied: [auth] (a new authenticator) and the log level (the
        # debug lines stop), with no warning for either.
        assert "auth." not in " ".join(warned)
        assert "server.log_level" not in warned
        assert "xml.max_depth" not in warned
        # [xml] applied: 40 levels are now beyond max_depth = 32.
        deep = d.post(DEEP_IDENTIFY, path="/wsman-anon", user=None)
        assert deep[0] != 200 and b"EncodingLimit" in deep[2], deep
        # The running service kept its values: still served, same limits.
        assert d.identify_ok()

        # Still not applied on the next reload: warned again.
        mark = len(d.log())
        reload(d, 2)
        assert "http.worker_threads" in restart_warnings(d.log()[mark:])

        # The file back as it started: nothing differs from what runs.
        with open(d.config, "w") as f:
            f.write(BASE)
        mark = len(d.log())
        reload(d, 3)
        assert restart_warnings(d.log()[mark:]) == []
        assert d.identify_ok()
        deep = d.post(DEEP_IDENTIFY, path="/wsman-anon", user=None)
        assert deep[0] == 200, deep
    finally:
        assert d.stop() == 0
