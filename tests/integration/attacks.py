"""The hostile review's attacks on the HTTP front end, as functions that run
one against a daemon and return what happened (the answer, and the daemon's
memory and CPU around it). test_http_hardening.py asserts the bounded
outcomes; bench/hardening_replay.py prints the same figures for any binary
(the before/after of the closing notes)."""
import gzip
import os
import socket
import threading
import time

from conftest import IDENTIFY, basic, USER, PASSWORD

SOAP_HEAD = (b"Host: x\r\n"
             b"Content-Type: application/soap+xml;charset=UTF-8\r\n")


# --- /proc readings --------------------------------------------------------

def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_kb(pid):
    return status_kb(pid, "VmRSS")


def cpu_seconds(pid):
    """utime + stime of the whole process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Samples a process's RSS every 20 ms while alive; peak in kB."""

    def __init__(self, pid):
        self.pid = pid
        self.peak = rss_kb(pid)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, rss_kb(self.pid))
            except OSError:
                return
            time.sleep(0.02)

    def done(self):
        self.stop.set()
        self.thread.join()
        return self.peak


# --- raw HTTP ---------------------------------------------------------------

def connect(port, source=None, timeout=10):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def read_response(sock, timeout=10):
    """Reads one HTTP response (head + Content-Length body); returns
    (status, headers dict lower-case, body) or (None, {}, b"") when the
    connection ended first."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None, {}, data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest[:length]
    except (ConnectionResetError, socket.timeout, TimeoutError):
        return None, {}, data


def closed_by_server(sock, within=5):
    sock.settimeout(within)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except (socket.timeout, TimeoutError):
        return False


def send_quietly(sock, data):
    """Sends what the server takes; returns bytes sent before it refused."""
    sent = 0
    view = memoryview(data)
    try:
        while sent < len(data):
            sent += sock.send(view[sent:sent + (1 << 20)])
    except (BrokenPipeError, ConnectionResetError, socket.timeout,
            TimeoutError):
        pass
    return sent


# --- the attacks -------------------------------------------------------------

def gzip_bomb(inflated=400 << 20):
    return gzip.compress(b"\0" * inflated, compresslevel=9)


def compressed_body(port, encoding, body, path=b"/wsman-anon"):
    """H1: a content-encoded body. Returns (status, headers, seconds)."""
    s = connect(port)
    started = time.monotonic()
    s.sendall(b"POST " + path + b" HTTP/1.1\r\n" + SOAP_HEAD +
              b"Content-Encoding: " + encoding + b"\r\n"
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    send_quietly(s, body)
    status, headers, _ = read_response(s)
    s.close()
    return status, headers, time.monotonic() - started


def chunked_flood(port, megabytes=400, path=b"/wsman"):
    """H2: a chunked body of `megabytes` MiB. Returns (status, body,
    bytes the server took before refusing, seconds)."""
    s = connect(port)
    started = time.monotonic()
    s.sendall(b"POST " + path + b" HTTP/1.1\r\n" + SOAP_HEAD +
              b"Authorization: " + basic(USER, PASSWORD).encode() + b"\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"100000\r\n" + b"A" * 0x100000 + b"\r\n"
    taken = 0
    for _ in range(megabytes):
        n = send_quietly(s, chunk)
        taken += n
        if n < len(chunk):
            break
    status, _, body = read_response(s)
    s.close()
    return status, body, taken, time.monotonic() - started


def header_flood(port, megabytes=40):
    """H3: request line, then `a:b` lines. Returns (status, bytes taken)."""
    s = connect(port)
    s.sendall(b"POST /wsman HTTP/1.1\r\n")
    block = b"a: b\r\n" * 50000
    taken = 0
    while taken < megabytes << 20:
        n = send_quietly(s, block)
        taken += n
        if n < len(block):
            break
    status, _, _ = read_response(s)
    s.close()
    return status, taken


def many_attributes_identify(count=49000):
    """H4: an anonymous Identify whose Identify element carries `count`
    distinct empty attributes (about 340 KB for 49,000)."""
    names = []
    letters = "abcdefghijklmnopqrstuvwxyz"
    for i in range(count):
        s, k = "", i
        while True:
            s += letters[k % 26]
            k //= 26
            if k == 0:
                break
        names.append(s)
    attrs = " ".join(f"{n}=''" for n in names)
    return IDENTIFY.replace("<wsmid:Identify/>",
                            f"<wsmid:Identify {attrs}/>").encode()


def post_raw(port, path, body, headers=b"", source=None):
    s = connect(port, source)
    s.sendall(b"POST " + path + b" HTTP/1.1\r\n" + SOAP_HEAD + headers +
              b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" +
              body)
    result = read_response(s, timeout=60)
    s.close()
    return result


def cpu_of_request(daemon, path, body, headers=b""):
    """The daemon's CPU seconds spent on one request (the daemon is
    otherwise idle), and the answer's status."""
    pid = daemon.proc.pid
    before = cpu_seconds(pid)
    status, _, _ = post_raw(daemon.port, path, body, headers)
    time.sleep(0.05)
    return cpu_seconds(pid) - before, status
