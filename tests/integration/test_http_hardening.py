"""Hardening II, before authentication: each attack of the hostile review
replayed against the real daemon, asserting the bounded outcome (the answer,
the daemon's memory and CPU from /proc) and that a legitimate client is
still served. Items 1-5 and 19 of the issue, and the Info findings on
Expect and `Content-Length :`."""
import os
import socket
import subprocess
import threading
import time

import pytest

from attacks import (Sampler, chunked_flood, closed_by_server,
                     compressed_body, connect, cpu_of_request, gzip_bomb,
                     header_flood, many_attributes_identify, post_raw,
                     read_response, rss_kb, SOAP_HEAD)
from conftest import (IDENTIFY, PASSWORD, SLOW, USER, WSMAND, Daemon,
                      basic, sanitizer_env)

MB = 1024


@pytest.fixture(scope="module")
def d(tmp_path_factory):
    daemon = Daemon(str(tmp_path_factory.mktemp("hardening")), env=sanitizer_env())
    yield daemon
    assert daemon.stop() == 0


def settle(d):
    """Warms the daemon up (threads, caches), then returns its RSS."""
    for _ in range(3):
        assert d.identify_ok()
    d.post(IDENTIFY)
    time.sleep(0.2)
    return rss_kb(d.proc.pid)


# --- 1. Compressed request bodies ------------------------------------------

def test_content_encoded_bodies_are_refused_unread(d):
    base = settle(d)
    sampler = Sampler(d.proc.pid)
    bomb = gzip_bomb(400 << 20)            # ~400 KB, inflates to 400 MiB
    assert len(bomb) < 512000
    brotli_like = b"\x8b" + b"\xff" * 960   # never decoded, whatever it is
    results = []

    def one(encoding, body):
        results.append(compressed_body(d.port, encoding, body))

    threads = [threading.Thread(target=one, args=(enc, body))
               for enc, body in ((b"br", brotli_like), (b"gzip", bomb),
                                 (b"deflate", bomb), (b"br", brotli_like))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    peak = sampler.done()
    for status, headers, seconds in results:
        assert status == 415, results
        assert headers.get("accept-encoding") == "identity"
        assert seconds < 5 * SLOW
    # Nothing was inflated: the peak stays within a few MB of idle (the old
    # daemon reached 4.3 GiB with four brotli bodies).
    assert peak - base < 16 * MB, (base, peak)
    # identity is no coding at all and is served.
    status, _, body = post_raw(d.port, b"/wsman-anon", IDENTIFY.encode(),
                               b"Content-Encoding: identity\r\n")
    assert status == 200 and b"IdentifyResponse" in body
    assert d.identify_ok()


# --- 2. Chunked and length-less bodies -------------------------------------

def test_chunked_body_is_counted_and_stopped_at_the_limit(d):
    base = settle(d)
    sampler = Sampler(d.proc.pid)
    status, body, taken, seconds = chunked_flood(d.port, megabytes=400)
    peak = sampler.done()
    assert status == 500, status
    assert b"EncodingLimit" in body
    # Refused at the limit: the server took 512000 bytes, then drops at most
    # 1 MiB while closing (plus what the socket buffers hold), not 400 MiB.
    assert taken < 10 << 20, taken
    assert peak - base < 16 * MB, (base, peak)
    assert seconds < 10 * SLOW
    assert d.identify_ok()


def test_chunked_request_within_the_limit_is_served(d):
    s = connect(d.port)
    body = IDENTIFY.encode()
    half = len(body) // 2
    s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + SOAP_HEAD +
              b"Transfer-Encoding: chunked\r\n\r\n" +
              b"%x\r\n" % half + body[:half] + b"\r\n" +
              b"%x;ext=1\r\n" % (len(body) - half) + body[half:] + b"\r\n" +
              b"0\r\n\r\n")
    status, _, data = read_response(s)
    assert status == 200 and b"IdentifyResponse" in data
    s.close()


def test_post_without_a_length_is_411_at_once(d):
    s = connect(d.port)
    started = time.monotonic()
    # Neither Content-Length nor chunked: the old daemon read until close.
    s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + SOAP_HEAD + b"\r\n" +
              IDENTIFY.encode())
    status, _, _ = read_response(s)
    assert status == 411
    assert time.monotonic() - started < 2 * SLOW
    assert closed_by_server(s)
    s.close()
    assert d.identify_ok()


def test_content_length_with_space_before_colon_is_400(d):
    s = connect(d.port)
    started = time.monotonic()
    body = IDENTIFY.encode()
    s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + SOAP_HEAD +
              b"Content-Length : " + str(len(body)).encode() + b"\r\n\r\n" +
              body)
    status, _, _ = read_response(s)
    assert status == 400
    assert time.monotonic() - started < 2 * SLOW
    s.close()


def test_both_framings_at_once_is_400(d):
    s = connect(d.port)
    s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + SOAP_HEAD +
              b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"0\r\n\r\n")
    status, _, _ = read_response(s)
    assert status == 400
    s.close()


def test_expect_100_continue_only_after_the_checks(d):
    # Over the limit: the EncodingLimit fault comes instead of 100.
    s = connect(d.port)
    s.sendall(b"POST /wsman HTTP/1.1\r\n" + SOAP_HEAD +
              b"Authorization: " + basic(USER, PASSWORD).encode() + b"\r\n"
              b"Expect: 100-continue\r\nContent-Length: 99999999\r\n\r\n")
    status, _, data = read_response(s)
    assert status == 500 and b"EncodingLimit" in data
    s.close()
    # Without credentials: 401, never 100 (the body is not wanted).
    s = connect(d.port)
    s.sendall(b"POST /wsman HTTP/1.1\r\n" + SOAP_HEAD +
              b"Expect: 100-continue\r\nContent-Length: 100\r\n\r\n")
    status, _, _ = read_response(s)
    assert status == 401
    s.close()
    # Accepted: 100 first, then the answer once the body came.
    s = connect(d.port)
    body = IDENTIFY.encode()
    s.sendall(b"POST /wsman HTTP/1.1\r\n" + SOAP_HEAD +
              b"Authorization: " + basic(USER, PASSWORD).encode() + b"\r\n"
              b"Expect: 100-continue\r\nContent-Length: " +
              str(len(body)).encode() + b"\r\n\r\n")
    s.settimeout(5)
    first = s.recv(65536)
    assert first == b"HTTP/1.1 100 Continue\r\n\r\n", first
    s.sendall(body)
    status, _, data = read_response(s)
    assert status == 200 and b"IdentifyResponse" in data
    s.close()


def test_unauthenticated_body_is_never_parsed_and_keep_alive_holds(d):
    """A 401 is answered from the head; a small body is dropped unread and
    the connection serves the next request (what NTLM and Negotiate
    handshakes need)."""
    s = connect(d.port)
    junk = b"<not xml at all" * 100
    s.sendall(b"POST /wsman HTTP/1.1\r\n" + SOAP_HEAD +
              b"Content-Length: " + str(len(junk)).encode() + b"\r\n\r\n" +
              junk)
    status, headers, _ = read_response(s)
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="WSMAN"'
    body = IDENTIFY.encode()
    s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + SOAP_HEAD +
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
              body)
    status, _, data = read_response(s)
    assert status == 200 and b"IdentifyResponse" in data
    s.close()


# --- 3. Header floods --------------------------------------------------------

def test_header_flood_is_431_within_the_head_limit(d):
    base = settle(d)
    sampler = Sampler(d.proc.pid)
    status, taken = header_flood(d.port, megabytes=40)
    peak = sampler.done()
    assert status == 431
    # Stopped at 64 KiB (+ 1 MiB dropped while closing, + socket buffers).
    assert taken < 10 << 20, taken
    assert peak - base < 8 * MB, (base, peak)
    # Many fields, few bytes: refused on the count.
    s = connect(d.port)
    s.sendall(b"POST /wsman HTTP/1.1\r\n" + b"a:b\r\n" * 101 + b"\r\n")
    status, _, _ = read_response(s)
    assert status == 431
    s.close()
    time.sleep(0.3)
    # Nothing stays behind once the connection is gone (the old daemon kept
    # 0.9 GB).
    assert rss_kb(d.proc.pid) - base < 8 * MB
    assert d.identify_ok()


# --- 4. Quadratic attributes and the CPU budget ------------------------------

def test_many_attributes_cost_no_cpu(d):
    settle(d)
    cpu, status = cpu_of_request(d, b"/wsman-anon",
                                 many_attributes_identify(49000))
    assert status == 500  # EncodingLimit; the old daemon answered 200 in 20 s
    assert cpu < 0.1 * SLOW, cpu
    assert d.identify_ok()


def budget_requests():
    """Requests under the envelope limit that hit the parser's worst
    cases, each on the anonymous path (no authentication needed)."""
    def ident(inner):
        return IDENTIFY.replace("<wsmid:Identify/>",
                                f"<wsmid:Identify>{inner}</wsmid:Identify>")
    limit = 500000
    cases = {
        "attributes_at_the_limit": ident(
            "<x " + " ".join(f"a{i}=''" for i in range(256)) + "/>" * 1),
        "attributes_over_the_limit": many_attributes_identify(60000),
        "nodes": ident("<y/>" * (limit // 5)),
        "nodes_with_attributes": ident("<y a='' b=''/>" * (limit // 15)),
        "depth": ident("<a>" * 60 + "</a>" * 60),
        "deep_over_limit": ident("<a>" * 20000 + "</a>" * 20000),
        "text": ident("x" * limit),
        "entities": ident("&amp;" * (limit // 5)),
        "char_refs": ident("&#x41;" * (limit // 6)),
        "attribute_value": ident("<x a='" + "v" * limit + "'/>"),
        "namespaces": ident("<x " + " ".join(
            f"xmlns:p{i}='urn:{i}'" for i in range(250)) + "/>"),
        "names": ident("<" + "n" * 200000 + "/>"),
        "comments": ident("<!--" + "c" * limit + "-->"),
    }
    out = {}
    for name, text in cases.items():
        data = text.encode() if isinstance(text, str) else text
        out[name] = data[:512000]
    return out


@pytest.mark.parametrize("name", sorted(budget_requests()))
def test_every_request_under_the_limit_costs_under_100ms(d, name):
    body = budget_requests()[name]
    assert len(body) <= 512000
    settle(d)
    cpu, status = cpu_of_request(d, b"/wsman-anon", body)
    assert status in (200, 500), status
    assert cpu < 0.1 * SLOW, (name, cpu)


# --- 5. Connection slots -----------------------------------------------------

class IdleHolder:
    """Holds `count` idle connections from `source`, re-opening each one
    the server closes at most `rate` times a second (the audit's shape)."""

    def __init__(self, port, source, count, rate=60):
        self.port, self.source, self.count, self.rate = (port, source, count,
                                                         rate)
        self.stop = threading.Event()
        self.opened = 0
        self.refused = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self):
        try:
            s = connect(self.port, self.source, timeout=2)
            self.opened += 1
            return s
        except OSError:
            self.refused += 1
            return None

    def _run(self):
        socks = [self._open() for _ in range(self.count)]
        while not self.stop.is_set():
            reopened = 0
            for i, s in enumerate(socks):
                if self.stop.is_set() or reopened >= self.rate:
                    break
                alive = s is not None
                if alive:
                    s.setblocking(False)
                    try:
                        alive = s.recv(1, socket.MSG_PEEK) != b""
                    except BlockingIOError:
                        pass
                    except OSError:
                        alive = False
                if not alive:
                    if s is not None:
                        s.close()
                    socks[i] = self._open()
                    reopened += 1
            time.sleep(1)
        for s in socks:
            if s is not None:
                s.close()


def timed_logins(d, n, source="127.0.0.1"):
    times = []
    for _ in range(n):
        started = time.monotonic()
        status, _, body = post_raw(
            d.port, b"/wsman", IDENTIFY.encode(),
            b"Authorization: " + basic(USER, PASSWORD).encode() + b"\r\n",
            source=source)
        times.append(time.monotonic() - started)
        assert status == 200 and b"IdentifyResponse" in body
    return times


def p99(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.99))]


def test_idle_connections_from_one_address_do_not_lock_others_out(
        tmp_path):
    d = Daemon(str(tmp_path), config_text="[http]\nheader_timeout = 3\n",
               env=sanitizer_env())
    try:
        timed_logins(d, 3)  # warm: the password check is cached after this
        # One address gets its share (128) and no more: each connection over
        # it makes room by closing that address's own oldest waiting one.
        burst = [connect(d.port, "127.0.0.5") for _ in range(400)]
        time.sleep(0.5)
        refused = 0
        for s in burst:
            s.setblocking(False)
            try:
                data = s.recv(64)
            except BlockingIOError:
                continue  # still open
            except ConnectionResetError:
                data = b""
            refused += 1
            assert data == b"", data
        assert refused == 400 - 128, refused
        for s in burst:
            s.close()
        holder = IdleHolder(d.port, "127.0.0.5", 400)
        time.sleep(3)
        times = timed_logins(d, 100)
        time.sleep(4)  # the server closed the first batch; re-opened
        times += timed_logins(d, 100)
        holder.stop.set()
        holder.thread.join()
        assert p99(times) < 0.1 * SLOW, (p99(times), max(times))
        assert holder.opened >= 400
    finally:
        assert d.stop() == 0


def test_idle_and_unauthenticated_connections_go_first_when_full(tmp_path):
    d = Daemon(str(tmp_path), config_text=(
        "[http]\nmax_connections = 20\nmax_connections_per_peer = 0\n"),
        env=sanitizer_env())
    try:
        # A client with an authenticated keep-alive connection...
        kept = connect(d.port)
        body = IDENTIFY.encode()
        request = (b"POST /wsman HTTP/1.1\r\n" + SOAP_HEAD +
                   b"Authorization: " + basic(USER, PASSWORD).encode() +
                   b"\r\nContent-Length: " + str(len(body)).encode() +
                   b"\r\n\r\n" + body)
        kept.sendall(request)
        assert read_response(kept)[0] == 200
        # ...then 40 idle connections that never send anything: the server
        # sheds the idle unauthenticated ones to make room, so a new client
        # is still served and the authenticated one keeps its connection.
        idle = [connect(d.port, "127.0.0.7") for _ in range(40)]
        time.sleep(0.5)
        assert timed_logins(d, 5)
        kept.sendall(request)
        assert read_response(kept)[0] == 200
        for s in idle:
            s.close()
        kept.close()
    finally:
        assert d.stop() == 0


# --- 19. Basic over plain HTTP -------------------------------------------------

def in_netns(name, args, **kw):
    return subprocess.run(["ip", "netns", "exec", name] + args,
                          capture_output=True, text=True, timeout=60, **kw)


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    name = f"wsmtest{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", name]).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo",
                    "up"], check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name])


def start_in_netns(ns, workdir, config_text):
    from conftest import run_cli
    accounts = os.path.join(workdir, "accounts")
    run_cli(["user", "add", USER, "--accounts", accounts,
             "--password-stdin"], stdin=PASSWORD + "\n")
    config = os.path.join(workdir, "wsmand.toml")
    with open(config, "w") as f:
        f.write(config_text)
    log = open(os.path.join(workdir, "log"), "w+")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, WSMAND, "--config", config, "--listen",
         "http://0.0.0.0:5985", "--accounts", accounts], stdout=log,
        stderr=subprocess.STDOUT, env=sanitizer_env())
    for _ in range(200):
        if "event=started" in open(log.name).read():
            break
        time.sleep(0.05)
    return proc, log.name


def curl_in(ns, *args):
    return in_netns(ns, ["curl", "-s", "-o", "/dev/stderr", "-w",
                         "%{http_code}", "-H",
                         "Content-Type: application/soap+xml;charset=UTF-8",
                         "--data", IDENTIFY] + list(args))


def test_basic_over_plain_http_is_refused_off_loopback(netns, tmp_path):
    proc, log = start_in_netns(netns, str(tmp_path), "")
    try:
        # Basic with the right password: refused, never checked (Windows'
        # AllowUnencrypted=false answers 401 alike).
        r = curl_in(netns, "-u", f"{USER}:{PASSWORD}",
                    "http://127.0.0.1:5985/wsman")
        assert r.stdout == "401", (r.stdout, r.stderr)
        text = open(log).read()
        assert "outcome=unencrypted-refused" in text
        assert "insecure-listener" not in text
        # Anonymous Identify still answers; it never lists security
        # profiles ([MS-WSMV] 3.1.4.1.23), so it cannot advertise http/basic.
        r = curl_in(netns, "http://127.0.0.1:5985/wsman-anon")
        assert r.stdout == "200"
        assert "IdentifyResponse" in r.stderr
        assert "secprofile/http/basic" not in r.stderr
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_allow_unencrypted_enables_it_with_a_warning(netns, tmp_path):
    proc, log = start_in_netns(netns, str(tmp_path),
                               "[auth]\nallow_unencrypted = true\n")
    try:
        r = curl_in(netns, "-u", f"{USER}:{PASSWORD}",
                    "http://127.0.0.1:5985/wsman")
        assert r.stdout == "200", (r.stdout, r.stderr)
        text = open(log).read()
        assert "event=insecure-listener" in text
        # The authenticated Identify lists the profile that is now offered.
        r = curl_in(netns, "-u", f"{USER}:{PASSWORD}",
                    "http://127.0.0.1:5985/wsman")
        assert "secprofile/http/basic" in r.stderr
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0


def test_loopback_listener_allows_basic_by_default(d):
    status, _, body = d.post(IDENTIFY)
    assert status == 200 and b"IdentifyResponse" in body
    assert "insecure-listener" not in d.log()
