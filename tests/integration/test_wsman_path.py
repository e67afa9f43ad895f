"""The /wsman URL prefix as Windows' http.sys reserves it, the MI client's
exact request to /wsman/, and connection headers that advertise only what
the server enforces."""
import base64
import socket
import xml.etree.ElementTree as ET

from conftest import IDENTIFY, PASSWORD, USER

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsmid": "http://schemas.dmtf.org/wbem/wsman/identity/1/"
             "wsmanidentity.xsd",
}


def raw_exchange(port, requests, read_all=False):
    """Sends each raw request on one connection; returns the responses as
    (status line, {lower-case header: value}, body) and whether the server
    closed the connection after the last one."""
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        buf = b""
        for req in requests:
            s.sendall(req)
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    return out, True
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), []).append(
                    value.strip())
            length = int(headers.get("content-length", ["0"])[0])
            while len(buf) < length:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            out.append((lines[0], headers, buf[:length]))
            buf = buf[length:]
        s.settimeout(2)
        try:
            closed = s.recv(1) == b""
        except socket.timeout:
            closed = False
        return out, closed


def mi_client_request(body, host="127.0.0.1:5985"):
    """Byte for byte the head the MI client library (omicli, PowerShell's
    CIM cmdlets on Linux) writes: POST /wsman/, Connection: Keep-Alive, its
    header order, Basic credentials."""
    data = body.encode()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return (f"POST /wsman/ HTTP/1.1\r\n"
            f"Connection: Keep-Alive\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Content-Type: application/soap+xml;charset=UTF-8\r\n"
            f"Authorization: Basic {token}\r\n"
            f"Host: {host}\r\n\r\n").encode() + data


def post_head(path, body=IDENTIFY, auth=True, extra=""):
    data = body.encode()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    authorization = f"Authorization: Basic {token}\r\n" if auth else ""
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\n{authorization}"
            f"Content-Type: application/soap+xml;charset=UTF-8\r\n{extra}"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


def identify_response(body):
    resp = ET.fromstring(body).find("s:Body/wsmid:IdentifyResponse", NS)
    assert resp is not None, body
    return resp


def test_mi_client_request_to_wsman_slash_is_served(daemon):
    responses, closed = raw_exchange(
        daemon.port, [mi_client_request(IDENTIFY)] * 3)
    assert len(responses) == 3
    for status, headers, body in responses:
        assert status == "HTTP/1.1 200 OK", (status, body)
        identify_response(body)
    # Its Connection: Keep-Alive keeps the connection.
    assert not closed


def test_paths_under_wsman_are_wsman(daemon):
    for path in ("/wsman/", "/wsman/sub/path", "/WSMAN", "/wsman/./"):
        status, _, body = daemon.post(IDENTIFY, path=path)
        assert status == 200, (path, body)
        identify_response(body)
    # Credentials are still required under the prefix.
    status, headers, _ = daemon.post(IDENTIFY, path="/wsman/", user=None)
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="WSMAN"'


def test_wsman_anon_stays_distinct(daemon):
    # Anonymous Identify: /wsman-anon and the path Windows names for it.
    for path in ("/wsman-anon", "/wsman-anon/identify"):
        status, _, body = daemon.post(IDENTIFY, path=path, user=None)
        assert status == 200, (path, body)
        version = identify_response(body).findtext("wsmid:ProductVersion",
                                                   namespaces=NS)
        assert version == "OS: 0.0.0 SP: 0.0 Stack: 3.0"


def test_other_paths_still_404(daemon):
    for path in ("/wsmanx", "/wsman-anonymous", "/wsman/../etc", "/",
                 "//wsman", "/x/wsman"):
        status, _, _ = daemon.post(IDENTIFY, path=path)
        assert status == 404, path
    # A 404 keeps the connection and says nothing about keep-alive.
    responses, closed = raw_exchange(
        daemon.port, [post_head("/nowhere"), post_head("/wsman")])
    assert [r[0] for r in responses] == ["HTTP/1.1 404 Not Found",
                                         "HTTP/1.1 200 OK"]
    assert "keep-alive" not in responses[0][1]
    assert "connection" not in responses[0][1]
    assert not closed


def test_no_keep_alive_header_that_is_not_enforced(daemon):
    """No response carries a Keep-Alive header (timeout=, max=): the server
    enforces an idle timeout but no request count, and HTTP/1.1 needs no
    header for persistence. One connection serves far more than any
    advertised max would allow."""
    requests = [post_head("/wsman")] * 12 + [
        post_head("/wsman", auth=False),          # 401
        post_head("/nowhere"),                    # 404
        post_head("/wsman", body="<x/>"),         # 500 SOAP fault
        post_head("/wsman-anon"),                 # 200 anonymous
    ]
    responses, closed = raw_exchange(daemon.port, requests)
    assert len(responses) == len(requests)
    statuses = [r[0].split()[1] for r in responses]
    assert statuses == ["200"] * 12 + ["401", "404", "500", "200"]
    for status, headers, _ in responses:
        assert "keep-alive" not in headers, (status, headers)
        assert "connection" not in headers, (status, headers)
    assert not closed


def test_connection_close_is_only_sent_when_the_connection_closes(daemon):
    # A declared body over the envelope limit is refused and the connection
    # closed: Connection: close is then true, and it is the only header of
    # its kind.
    big = ("POST /wsman HTTP/1.1\r\nHost: x\r\n"
           "Content-Type: application/soap+xml;charset=UTF-8\r\n"
           "Content-Length: 100000000\r\n\r\n").encode()
    responses, closed = raw_exchange(daemon.port, [big])
    assert len(responses) == 1
    headers = responses[0][1]
    assert headers.get("connection") == ["close"]
    assert "keep-alive" not in headers
    assert closed
    # The client asking to close gets Connection: close and a closed socket.
    responses, closed = raw_exchange(
        daemon.port, [post_head("/wsman", extra="Connection: close\r\n")])
    assert responses[0][0] == "HTTP/1.1 200 OK"
    assert responses[0][1].get("connection") == ["close"]
    assert closed
