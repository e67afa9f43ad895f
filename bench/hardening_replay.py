#!/usr/bin/env python3
"""Replays the hostile review's attacks on the HTTP front end against any
wsmand binary and prints what each cost the daemon: the answer, peak memory
growth (VmRSS sampled every 20 ms), CPU seconds (/proc/PID/stat), and how a
legitimate client fared meanwhile. Asserts nothing: run it against an old
and a new binary for the before/after of a change.

  /usr/bin/python3 bench/hardening_replay.py --wsmand build/wsmand
"""
import argparse
import ctypes
import os
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import attacks  # noqa: E402
from bench_daemon import Daemon, USER, PASSWORD  # noqa: E402

attacks.USER, attacks.PASSWORD = USER, PASSWORD


def brotli_bomb(size):
    """`size` zero bytes, brotli quality 11 (libbrotlienc through ctypes)."""
    lib = ctypes.CDLL("libbrotlienc.so.1")
    raw = ctypes.create_string_buffer(size)
    out = ctypes.create_string_buffer(size // 1000 + 4096)
    n = ctypes.c_size_t(len(out))
    lib.BrotliEncoderCompress.argtypes = [
        ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_size_t,
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_void_p]
    ok = lib.BrotliEncoderCompress(11, 24, 0, size, raw, ctypes.byref(n), out)
    assert ok, "brotli failed"
    return out.raw[:n.value]


def measure(d, fn):
    """Runs fn(); returns (its result, peak RSS growth MB, CPU s, wall s)."""
    pid = d.proc.pid
    base = attacks.rss_kb(pid)
    cpu0 = attacks.cpu_seconds(pid)
    sampler = attacks.Sampler(pid)
    t0 = time.monotonic()
    result = fn()
    wall = time.monotonic() - t0
    time.sleep(0.1)
    peak = sampler.done()
    return (result, (peak - base) / 1024, attacks.cpu_seconds(pid) - cpu0,
            wall, (attacks.rss_kb(pid) - base) / 1024)


def line(name, result, grow, cpu, wall, after):
    print(f"{name:<40} answer={result!s:<28} peak+{grow:8.1f} MB  "
          f"cpu {cpu:6.2f} s  wall {wall:6.2f} s  after+{after:7.1f} MB",
          flush=True)


def fresh(wsmand, config=None):
    d = Daemon(wsmand, config)
    for _ in range(3):
        d.post(attacks.IDENTIFY)
    time.sleep(0.2)
    return d


def logins(port, n, source="127.0.0.1"):
    times, failed = [], 0
    for _ in range(n):
        t0 = time.monotonic()
        try:
            status, _, _ = attacks.post_raw(
                port, b"/wsman", attacks.IDENTIFY.encode(),
                b"Authorization: " + attacks.basic(USER, PASSWORD).encode() +
                b"\r\n", source=source)
        except OSError:
            status = None
        times.append(time.monotonic() - t0)
        failed += status != 200
    return times, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wsmand", default=os.path.join(HERE, "..", "build",
                                                     "wsmand"))
    ap.add_argument("--only", default="H1,H2,H3,H4,M2",
                    help="comma-separated subset of H1,H2,H3,H4,M2")
    args = ap.parse_args()
    w = args.wsmand
    only = set(args.only.split(","))
    print(f"binary: {w}")

    if "H1" in only:
        h1(w)
    if "H2" in only:
        h2(w)
    if "H3" in only:
        d = fresh(w)
        r = measure(d, lambda: attacks.header_flood(d.port, 40))
        line("H3 header flood 40 MiB (status, taken)", *r)
        d.stop()
    if "H4" in only:
        d = fresh(w)
        r = measure(d, lambda: attacks.post_raw(
            d.port, b"/wsman-anon", attacks.many_attributes_identify(49000))[0])
        line("H4 49,000 attributes (340 KB)", *r)
        d.stop()
    if "M2" in only:
        m2(w)


def h1(w):
    d = fresh(w)
    bomb = brotli_bomb(1 << 30)
    r = measure(d, lambda: attacks.compressed_body(d.port, b"br", bomb)[0])
    line(f"H1 brotli {len(bomb)} B -> 1 GiB", *r)
    def parallel(n, fn, *a):
        threads = [threading.Thread(target=fn, args=a) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    r = measure(d, lambda: parallel(4, attacks.compressed_body, d.port, b"br",
                                    bomb))
    line("H1 4 x brotli in parallel", *r)
    gz = attacks.gzip_bomb(400 << 20)
    r = measure(d, lambda: attacks.compressed_body(d.port, b"gzip", gz)[0])
    line(f"H1 gzip {len(gz)} B -> 400 MiB", *r)
    d.stop()


def h2(w):
    d = fresh(w)
    r = measure(d, lambda: attacks.chunked_flood(d.port, 400)[0::2])
    line("H2 chunked 400 MiB (status, taken)", *r)

    def lengthless():
        s = attacks.connect(d.port)
        s.sendall(b"POST /wsman HTTP/1.1\r\n" + attacks.SOAP_HEAD + b"\r\n")
        taken = 0
        block = b"A" * (1 << 20)
        for _ in range(300):
            n = attacks.send_quietly(s, block)
            taken += n
            if n < len(block):
                break
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        status = attacks.read_response(s, timeout=40)[0]
        s.close()
        return (status, taken)
    r = measure(d, lengthless)
    line("H2 no length, 300 MiB (status, taken)", *r)

    def cl_space():
        s = attacks.connect(d.port)
        s.sendall(b"POST /wsman-anon HTTP/1.1\r\n" + attacks.SOAP_HEAD +
                  b"Content-Length : 10\r\n\r\n0123456789")
        status = attacks.read_response(s, timeout=60)[0]
        s.close()
        return status
    r = measure(d, cl_space)
    line("Info Content-Length : (space)", *r)
    d.stop()


def m2(w):
    d = fresh(w, "[http]\nheader_timeout = 10\n")
    stop = threading.Event()

    def hold():
        socks = []
        while not stop.is_set():
            socks = [s for s in socks if s is not None]
            alive = []
            for s in socks:
                s.setblocking(False)
                try:
                    gone = s.recv(1, socket.MSG_PEEK) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    s.close()
                else:
                    alive.append(s)
            socks = alive
            for _ in range(min(60, 400 - len(socks))):
                try:
                    socks.append(attacks.connect(d.port, "127.0.0.5", 2))
                except OSError:
                    pass
            time.sleep(1)
        for s in socks:
            s.close()
    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    time.sleep(18)
    times, failed = logins(d.port, 100)
    stop.set()
    holder.join()
    times.sort()
    print(f"{'M2 400 idle re-opened 60/s, other client':<40} "
          f"failed={failed}/100  p50 {statistics.median(times)*1000:.1f} ms  "
          f"p99 {times[98]*1000:.1f} ms", flush=True)
    d.stop()


if __name__ == "__main__":
    main()
