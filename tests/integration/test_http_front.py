"""The HTTP front end: methods, paths, Content-Type, charsets, limits,
keep-alive and the faults for requests it cannot serve."""
import http.client
import socket
import time

from conftest import IDENTIFY, envelope
from faults import expect_fault

GET_ACTION = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
NOWHERE = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/No_Such_Class"


def test_non_post_methods_get_405(daemon):
    for method in ("GET", "PUT", "DELETE"):
        status, headers, _ = daemon.post("", method=method)
        assert status == 405, method
        assert headers.get("allow") == "POST"


def test_unknown_path_gets_404(daemon):
    status, _, _ = daemon.post(IDENTIFY, path="/other")
    assert status == 404


def test_wrong_content_type_gets_415(daemon):
    for ctype in ("text/xml;charset=UTF-8",
                  "application/soap+xml;charset=ISO-8859-1", None):
        status, _, _ = daemon.post(IDENTIFY, content_type=ctype)
        assert status == 415, ctype


def test_utf16_requests_are_answered_in_utf16(daemon):
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        body = bom + IDENTIFY.encode(codec)
        status, headers, data = daemon.post(
            body, content_type="application/soap+xml;charset=UTF-16")
        assert status == 200, data
        assert "utf-16" in headers["content-type"].lower()
        text = data.decode("utf-16")
        assert "IdentifyResponse" in text


def test_invalid_utf16_is_a_fault(daemon):
    body = b"\xff\xfe" + IDENTIFY.encode("utf-16-le") + b"\x00\xd8"
    expect_fault(daemon.post(
        body, content_type="application/soap+xml;charset=UTF-16"),
        "EncodingLimit")
    assert daemon.identify_ok()


def test_invalid_utf8_is_a_fault(daemon):
    body = IDENTIFY.encode().replace(b"<s:Header/>", b"<s:Header>\xc3\x28"
                                     b"</s:Header>")
    response = daemon.post(body)
    assert response[0] == 500
    assert daemon.identify_ok()


def test_oversized_body_is_refused_before_reading(daemon):
    big = "x" * 600000
    expect_fault(daemon.post(envelope(GET_ACTION, NOWHERE, big)),
                 "EncodingLimit")
    # A lying Content-Length larger than the limit: answered at once,
    # without waiting for the body.
    sock = socket.create_connection(("127.0.0.1", daemon.port), timeout=10)
    sock.sendall(b"POST /wsman HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/soap+xml;charset=UTF-8\r\n"
                 b"Content-Length: 99999999\r\n\r\n")
    started = time.monotonic()
    reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 500"), reply
    assert b"EncodingLimit" in reply
    assert time.monotonic() - started < 5
    sock.close()
    assert daemon.identify_ok()


def test_keep_alive_serves_many_requests_on_one_connection(daemon):
    conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=10)
    for _ in range(50):
        conn.request("POST", "/wsman-anon", body=IDENTIFY, headers={
            "Content-Type": "application/soap+xml;charset=UTF-8"})
        resp = conn.getresponse()
        assert resp.status == 200
        assert b"IdentifyResponse" in resp.read()
    conn.close()


def test_unknown_action_is_action_not_supported(daemon):
    fault = expect_fault(daemon.post(envelope(
        "http://example.com/NoSuchAction", NOWHERE)), "ActionNotSupported")
    assert fault.action == \
        "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
    assert fault.relates_to == "uuid:11111111-2222-3333-4444-555555555555"


def test_unknown_resource_is_destination_unreachable(daemon):
    fault = expect_fault(daemon.post(envelope(GET_ACTION, NOWHERE)),
                         "DestinationUnreachable",
                         detail="InvalidResourceURI")
    assert fault.wsman_code
    assert fault.relates_to == "uuid:11111111-2222-3333-4444-555555555555"


def test_anonymous_path_serves_only_identify(daemon):
    status, headers, _ = daemon.post(envelope(GET_ACTION, NOWHERE),
                                     path="/wsman-anon", user=None)
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="WSMAN"'


def test_wrong_user_and_wrong_password_look_the_same(daemon):
    a = daemon.post(IDENTIFY, user="alice", password="bad")
    b = daemon.post(IDENTIFY, user="nobody-here", password="bad")
    assert a[0] == b[0] == 401
    assert a[2] == b[2]
    assert a[1].get("www-authenticate") == b[1].get("www-authenticate")


def test_responses_use_windows_prefixes(daemon):
    status, headers, data = daemon.post(envelope(GET_ACTION, NOWHERE))
    assert headers["content-type"] == "application/soap+xml;charset=UTF-8"
    assert data.startswith(b"<s:Envelope")
    assert b'xml:lang="en-US"' in data[:400]
    assert b"<a:MessageID>uuid:" in data


def test_content_type_with_several_parameters(daemon):
    status, _, data = daemon.post(
        IDENTIFY, path="/wsman-anon", user=None,
        content_type='application/soap+xml; action="urn:x"; charset=UTF-8')
    assert status == 200 and b"IdentifyResponse" in data
