"""Identify through curl, pywinrm and the Go winrm library."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import winrm
from winrm.protocol import Protocol

from conftest import (IDENTIFY, PASSWORD, USER, go_binary)

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsmid": "http://schemas.dmtf.org/wbem/wsman/identity/1/"
             "wsmanidentity.xsd",
}


KERNEL_RELEASE = "{http://schemas.wsmand.org/wbem/wsman/1/identity}" \
    "KernelRelease"


def check_identify_response(xml_bytes, authenticated=True):
    """Authenticated: "OS: d.d.d" from the kernel release, the security
    profiles and the full release. Unauthenticated ([MS-WSMV] 3.1.4.1.23):
    Windows' "OS: 0.0.0", no profiles, nothing about the kernel."""
    root = ET.fromstring(xml_bytes)
    resp = root.find("s:Body/wsmid:IdentifyResponse", NS)
    assert resp is not None
    assert resp.findtext("wsmid:ProtocolVersion", namespaces=NS) == \
        "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
    version = resp.findtext("wsmid:ProductVersion", namespaces=NS)
    assert resp.findtext("wsmid:ProductVendor", namespaces=NS)
    profiles = [e.text for e in resp.findall(
        "wsmid:SecurityProfiles/wsmid:SecurityProfileName", NS)]
    release = os.uname().release
    if not authenticated:
        assert version == "OS: 0.0.0 SP: 0.0 Stack: 3.0", version
        assert resp.find("wsmid:SecurityProfiles", NS) is None
        assert resp.find(KERNEL_RELEASE) is None
        assert release.encode() not in xml_bytes
        return
    numbers = ".".join((re.findall(r"\d+", release) + ["0", "0", "0"])[:3])
    assert re.fullmatch(r"OS: \d+\.\d+\.\d+ SP: 0\.0 Stack: 3\.0", version), \
        version
    assert version.startswith("OS: " + numbers.split(".")[0] + "."), version
    assert resp.findtext(KERNEL_RELEASE) == release
    assert "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic" \
        in profiles


def curl(daemon, *args, data=IDENTIFY):
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
           "-H", "Content-Type: application/soap+xml;charset=UTF-8",
           "--data-binary", "@-"] + list(args)
    out = subprocess.run(cmd, input=data.encode(), capture_output=True,
                         timeout=30, check=True).stdout
    body, _, code = out.rpartition(b"\n")
    return int(code), body


def test_curl_anonymous_identify(daemon):
    code, body = curl(daemon, daemon.url + "-anon")
    assert code == 200
    check_identify_response(body, authenticated=False)


def test_curl_authenticated_identify(daemon):
    code, body = curl(daemon, "-u", f"{USER}:{PASSWORD}", daemon.url)
    assert code == 200
    check_identify_response(body)


def test_curl_unauthenticated_identify_header(daemon):
    # Windows lets Identify through /wsman without credentials when the
    # client says WSMANIDENTIFY: unauthenticated.
    code, body = curl(daemon, "-H", "WSMANIDENTIFY: unauthenticated",
                      daemon.url)
    assert code == 200
    check_identify_response(body, authenticated=False)


def test_curl_without_credentials_gets_challenge(daemon):
    out = subprocess.run(
        ["curl", "-sS", "-D", "-", "-o", "/dev/null",
         "-H", "Content-Type: application/soap+xml;charset=UTF-8",
         "--data-binary", IDENTIFY, daemon.url],
        capture_output=True, timeout=30, check=True).stdout.decode()
    assert out.startswith("HTTP/1.1 401")
    assert 'WWW-Authenticate: Basic realm="WSMAN"' in out


def test_pywinrm_identify_through_protocol(daemon):
    protocol = Protocol(endpoint=daemon.url, transport="plaintext",
                        username=USER, password=PASSWORD)
    response = protocol.send_message(IDENTIFY)
    check_identify_response(response)


def test_pywinrm_wrong_password_is_rejected(daemon):
    protocol = Protocol(endpoint=daemon.url, transport="plaintext",
                        username=USER, password="wrong")
    try:
        protocol.send_message(IDENTIFY)
    except winrm.exceptions.InvalidCredentialsError:
        return
    raise AssertionError("wrong password accepted")


def test_go_winrm_identify(daemon):
    binary = go_binary("identify")
    out = subprocess.run([binary, "127.0.0.1", str(daemon.port), USER,
                          PASSWORD], capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    check_identify_response(out.stdout)


def test_go_winrm_wrong_password(daemon):
    binary = go_binary("identify")
    out = subprocess.run([binary, "127.0.0.1", str(daemon.port), USER,
                          "nope"], capture_output=True, timeout=60)
    assert out.returncode == 1
    assert b"401" in out.stderr


def test_identify_echoes_message_id(daemon):
    body = IDENTIFY.replace(
        "<s:Header/>",
        '<s:Header><a:MessageID xmlns:a="http://schemas.xmlsoap.org/ws/2004/'
        '08/addressing">uuid:ABCDEF00-0000-0000-0000-000000000001'
        '</a:MessageID></s:Header>')
    status, _, data = daemon.post(body)
    assert status == 200
    root = ET.fromstring(data)
    relates = root.find(
        "s:Header/{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
        "RelatesTo", NS)
    assert relates is not None
    assert relates.text == "uuid:ABCDEF00-0000-0000-0000-000000000001"
