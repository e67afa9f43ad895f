"""The hostile review's attacks on the CIM engine (Hardening II 13-15), as
functions that run one against a daemon and return what happened: the
answer, how long it took and the daemon's CPU. test_engine_hardening.py
asserts the bounded outcomes; run as a script, this prints the same figures
for any binary (the before/after of the closing note):

    /usr/bin/python3 engine_util.py /work/old-build/wsmand --old [like timeouts]
"""
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET

from attacks import cpu_seconds
from cim_util import ENUM, MSFT, N, S, TRANSFER, W, headers, props
from conftest import PASSWORD, USER, Daemon, envelope
from host_util import enum_all

WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
TEST_URI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"

# M5: a 16 KB pattern that almost matches every position of a command line
# made of long runs of 'a'.
LIKE_PATTERN = "%" + "a" * 16000 + "ab"
ATTACK_QUERY = ("SELECT Handle FROM Win32_Process WHERE CommandLine LIKE '"
                + LIKE_PATTERN + "'")
MATCHING_QUERY = ("SELECT Handle FROM Win32_Process WHERE CommandLine LIKE "
                  "'%" + "a" * 16000 + "%'")
BASELINE_QUERY = "SELECT Handle FROM Win32_Process"


def wql(query):
    return f'<w:Filter Dialect="{WQL}">{query}</w:Filter>'


def long_command_line(megabytes=1.0, user=None):
    """A child `sh -c 'sleep 60; :' aaaa...` whose command line is about
    `megabytes` MB: arguments of 100,000 'a' (one argument may hold at most
    128 KiB), so the text is long runs of 'a'. Runs as `user` if given."""
    count = max(1, int(megabytes * 10))
    args = ["a" * 100000] * count
    kwargs = {"user": user} if user else {}
    return subprocess.Popen(["sh", "-c", "sleep 60; :", "x"] + args,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **kwargs)


def handles(items):
    return [props(i).get("Handle") for i in items]


def enumerate_cpu(d, query, user=(USER, PASSWORD)):
    """(daemon CPU seconds, wall seconds, Handles) of one whole WQL
    enumeration of Win32_Process."""
    pid = d.proc.pid
    before = cpu_seconds(pid)
    start = time.monotonic()
    items = enum_all(d, "Win32_Process", user=user, filter_xml=wql(query),
                     max_elements=2000)
    wall = time.monotonic() - start
    time.sleep(0.05)
    return cpu_seconds(pid) - before, wall, handles(items)


def enumerate_once_cpu(d, query, user=(USER, PASSWORD), http_timeout=600):
    """(daemon CPU seconds, wall seconds, HTTP status) of one optimized
    Enumerate of Win32_Process (for binaries that take minutes)."""
    body = (f'<n:Enumerate xmlns:n="{ENUM[:-1]}" xmlns:w="{W[1:-1]}">'
            "<w:OptimizeEnumeration/><w:MaxElements>2000</w:MaxElements>"
            + wql(query) + "</n:Enumerate>")
    req = envelope(ENUM + "Enumerate", MSFT + "Win32_Process", body)
    pid = d.proc.pid
    before = cpu_seconds(pid)
    status, _, took = timed_post(d, req, user=user, http_timeout=http_timeout)
    time.sleep(0.05)
    return cpu_seconds(pid) - before, took, status


def like_attack_cost(d, user=(USER, PASSWORD), runs=3):
    """The LIKE attack's CPU over the same enumeration without a filter:
    (extra CPU seconds, attack CPU, baseline CPU), the minimum of `runs`."""
    base = min(enumerate_cpu(d, BASELINE_QUERY, user)[0] for _ in range(runs))
    attack = min(enumerate_cpu(d, ATTACK_QUERY, user)[0] for _ in range(runs))
    return attack - base, attack, base


# --- L1: client durations ---------------------------------------------------

def fault_subcode(body):
    root = ET.fromstring(body)
    value = root.find(f".//{S}Subcode/{S}Value")
    return value.text.split(":")[-1] if value is not None else None


def timed_post(d, request, user=(USER, PASSWORD), http_timeout=120):
    start = time.monotonic()
    status, _, body = d.post(request, user=user[0], password=user[1],
                             timeout=http_timeout)
    return status, body, time.monotonic() - start


def get_with_timeout(d, timeout, cls="WSMAN_TestItem", **kw):
    req = envelope(TRANSFER + "Get", TEST_URI + cls, "",
                   extra=headers(selectors={"Id": "1"}, timeout=timeout))
    return timed_post(d, req, **kw)


def slow_enumerate(d, expires=None, timeout=None, optimize=False, **kw):
    """An Enumerate of WSMAN_TestSlow whose first item comes after 30 s:
    (status, body, seconds)."""
    body = f'<n:Enumerate xmlns:n="{ENUM[:-1]}" xmlns:w="{W[1:-1]}">'
    if expires:
        body += f"<n:Expires>{expires}</n:Expires>"
    if optimize:
        body += "<w:OptimizeEnumeration/>"
    body += "</n:Enumerate>"
    req = envelope(ENUM + "Enumerate", TEST_URI + "WSMAN_TestSlow", body,
                   extra=headers(options={"DelayMs": 30000, "Count": 1},
                                 timeout=timeout))
    return timed_post(d, req, **kw)


def context_of(body):
    return ET.fromstring(body).findtext(f".//{N}EnumerationContext")


def pull_with(d, context, max_time=None, timeout=None, **kw):
    body = (f'<n:Pull xmlns:n="{ENUM[:-1]}"><n:EnumerationContext>{context}'
            "</n:EnumerationContext>")
    if max_time:
        body += f"<n:MaxTime>{max_time}</n:MaxTime>"
    body += "</n:Pull>"
    req = envelope(ENUM + "Pull", TEST_URI + "WSMAN_TestSlow", body,
                   extra=headers(timeout=timeout))
    return timed_post(d, req, **kw)


def release(d, context, user=(USER, PASSWORD)):
    body = (f'<n:Release xmlns:n="{ENUM[:-1]}"><n:EnumerationContext>'
            f"{context}</n:EnumerationContext></n:Release>")
    req = envelope(ENUM + "Release", TEST_URI + "WSMAN_TestSlow", body)
    return d.post(req, user=user[0], password=user[1])


# --- the before/after figures -----------------------------------------------

def _use_binary(binary):
    import conftest
    conftest.WSMAND = binary
    globals()["Daemon"] = conftest.Daemon


def _report_like(old):
    workdir = tempfile.mkdtemp(prefix="wsmand-like-")
    # The old binary knows no administrators key, and shows every user all
    # command lines anyway.
    config = None if old else f'[providers]\nadministrators = ["{USER}"]\n'
    d = Daemon(workdir, config)
    child = long_command_line(1.0)
    try:
        time.sleep(0.3)
        base = enumerate_once_cpu(d, BASELINE_QUERY)
        print(f"LIKE baseline enumeration: cpu {base[0]:.2f}s "
              f"wall {base[1]:.2f}s, HTTP {base[2]}")
        cpu, wall, status = enumerate_once_cpu(d, ATTACK_QUERY)
        print(f"LIKE attack (16 KB pattern, 1 MB command line): "
              f"cpu {cpu:.2f}s wall {wall:.2f}s, HTTP {status}")
        start = time.monotonic()
        ok = len(enum_all(d, "Win32_OperatingSystem")) == 1
        print(f"a legitimate enumeration afterwards: {ok} in "
              f"{time.monotonic() - start:.3f}s")
    finally:
        child.kill()
        child.wait()
        d.stop()


def _report_timeouts(old):
    workdir = tempfile.mkdtemp(prefix="wsmand-timeouts-")
    config = "[providers]\ntest_providers = true\n"
    if not old:
        config += "[server]\nmax_timeout_ms = 1000\n"
    d = Daemon(workdir, config)
    try:
        for t in ("P300Y", "P10000D"):
            try:
                status, body, took = get_with_timeout(d, t, http_timeout=20)
                print(f"Get OperationTimeout {t}: {status} in {took:.2f}s")
            except Exception as e:  # noqa: BLE001 - a figure, not a test
                print(f"Get OperationTimeout {t}: no answer ({e!r})")
        status, body, took = slow_enumerate(d, expires="P300Y")
        print(f"Enumerate Expires P300Y: {status} "
              f"Expires={ET.fromstring(body).findtext(f'.//{N}Expires')}")
        ctx = context_of(body)
        for mt in ("P300Y", "P10000D"):
            try:
                status, body, took = pull_with(d, ctx, max_time=mt,
                                               http_timeout=20)
                print(f"Pull MaxTime {mt}: {status} {fault_subcode(body)} "
                      f"in {took:.2f}s")
            except Exception as e:  # noqa: BLE001 - a figure, not a test
                print(f"Pull MaxTime {mt}: no answer within 20 s ({e!r})")
            if d.proc.poll() is not None:
                break
        print(f"daemon alive: {d.proc.poll() is None}, "
              f"exit code {d.proc.returncode}")
    finally:
        if d.proc.poll() is None:
            d.stop()
        tail = [line for line in d.log().splitlines()
                if "runtime error" in line or "SUMMARY" in line]
        print("\n".join(tail[:4]))


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--old", action="store_true",
                        help="a binary from before Hardening II")
    parser.add_argument("what", nargs="*", default=["like", "timeouts"])
    a = parser.parse_intermixed_args()
    _use_binary(a.binary)
    if "like" in a.what:
        _report_like(a.old)
    if "timeouts" in a.what:
        _report_timeouts(a.old)
