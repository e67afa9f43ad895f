"""HTTPS listeners and client-certificate authentication (docs/https.md).

Every certificate and key is made at test time: the server's by
`wsmand cert create`, the client certificates (UPN SANs, an expired one, one
from an unknown CA) with python3-cryptography. Clients: curl, pywinrm
('basic' over HTTPS validating against the generated CA, and the
'certificate' transport) and Python's ssl module.
"""
import datetime
import hashlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from winrm.exceptions import InvalidCredentialsError
from winrm.protocol import Protocol

from conftest import IDENTIFY, PASSWORD, USER, Daemon, run_cli

MUTUAL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
HTTPS_BASIC = \
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic"
UPN_OID = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
SOAP = "application/soap+xml;charset=UTF-8"


# --- certificates made at test time -------------------------------------

def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _upn(value):
    raw = value.encode()
    assert len(raw) < 128
    return x509.OtherName(UPN_OID, b"\x0c" + bytes([len(raw)]) + raw)


def make_ca(cn):
    key = _key()
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                           critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def make_leaf(cn, issuer, issuer_key, upn=None, server_names=None,
              expired=False, client=True):
    key = _key()
    now = datetime.datetime.utcnow()
    if expired:
        start, end = now - datetime.timedelta(days=30), \
            now - datetime.timedelta(days=1)
    else:
        start, end = now - datetime.timedelta(days=1), \
            now + datetime.timedelta(days=30)
    builder = (x509.CertificateBuilder()
               .subject_name(_name(cn)).issuer_name(issuer.subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.ExtendedKeyUsage(
                   [ExtendedKeyUsageOID.CLIENT_AUTH] if client else
                   [ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
    sans = []
    if upn:
        sans.append(_upn(upn))
    for n in server_names or ():
        import ipaddress
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256()), key


def write_pair(directory, name, cert, key):
    cert_path = os.path.join(directory, name + ".pem")
    key_path = os.path.join(directory, name + "-key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(key_path, 0o600)
    return cert_path, key_path


def thumbprint_of(cert_path):
    with open(cert_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return cert.fingerprint(hashes.SHA1()).hex().upper()


class Pki:
    """Server certificate from `wsmand cert create`, a client CA, client
    certificates and a certificate map."""

    def __init__(self, root):
        self.root = root
        self.server_dir = os.path.join(root, "server")
        out = run_cli(["cert", "create", "--out-dir", self.server_dir,
                       "--hostname", "localhost", "--key-type", "ecdsa"])
        self.create_output = out.stdout
        self.ca = os.path.join(self.server_dir, "ca.pem")
        self.cert = os.path.join(self.server_dir, "server.pem")
        self.key = os.path.join(self.server_dir, "server-key.pem")

        client_ca, client_ca_key = make_ca("wsmand test client CA")
        self.client_ca, _ = write_pair(root, "client-ca", client_ca,
                                       client_ca_key)
        self.alice = write_pair(root, "alice", *make_leaf(
            "Alice", client_ca, client_ca_key, upn="alice@test.local"))
        self.bob = write_pair(root, "bob", *make_leaf(
            "bob-laptop", client_ca, client_ca_key))
        self.eve = write_pair(root, "eve", *make_leaf(
            "Eve", client_ca, client_ca_key, upn="eve@test.local"))
        self.alice_expired = write_pair(root, "alice-expired", *make_leaf(
            "Alice", client_ca, client_ca_key, upn="alice@test.local",
            expired=True))
        rogue_ca, rogue_key = make_ca("rogue CA")
        self.alice_rogue = write_pair(root, "alice-rogue", *make_leaf(
            "Alice", rogue_ca, rogue_key, upn="alice@test.local"))

        self.map = os.path.join(root, "certmap")
        run_cli(["cert", "map", "add", USER, "--map", self.map,
                 "--subject", "alice@test.local",
                 "--issuer-cert", self.client_ca])
        run_cli(["cert", "map", "add", "bob", "--map", self.map,
                 "--cert", self.bob[0]])

    def args(self):
        return ["--listen", "https://127.0.0.1:0",
                "--tls-cert", self.cert, "--tls-key", self.key,
                "--tls-client-ca", self.client_ca,
                "--tls-client-cert-map", self.map]


def https_port(d):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = re.search(r"event=listening url=https://127\.0\.0\.1:(\d+)",
                      d.log())
        if m:
            return int(m.group(1))
        time.sleep(0.02)
    raise RuntimeError("no https listener: " + d.log())


def start(pki_or_args, config_text=None):
    workdir = tempfile.mkdtemp(prefix="wsmand-https-")
    args = pki_or_args.args() if isinstance(pki_or_args, Pki) \
        else pki_or_args
    d = Daemon(workdir, config_text, args)
    d.https_port = https_port(d)
    d.https_url = f"https://localhost:{d.https_port}/wsman"
    return d


def stop(d):
    code = d.stop()
    shutil.rmtree(d.workdir, ignore_errors=True)
    return code


@pytest.fixture(scope="module")
def pki():
    root = tempfile.mkdtemp(prefix="wsmand-pki-")
    yield Pki(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def server(pki):
    d = start(pki)
    yield d
    assert stop(d) == 0


def curl(*args, data=IDENTIFY, check=True):
    cmd = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}",
           "-H", "Content-Type: " + SOAP, "--data-binary", "@-"] + list(args)
    proc = subprocess.run(cmd, input=data.encode(), capture_output=True,
                          timeout=30)
    if check:
        assert proc.returncode == 0, proc.stderr
    body, _, code = proc.stdout.rpartition(b"\n")
    return proc.returncode, int(code or 0), body, proc.stderr.decode()


def access_lines(d, **fields):
    lines = [l for l in d.log().splitlines() if "event=access" in l]
    for key, value in fields.items():
        lines = [l for l in lines if f"{key}={value}" in l]
    return lines


def wait_for_log(d, pattern, count=1, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(re.findall(pattern, d.log())) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{pattern!r} x{count} not in log:\n" + d.log())


def protocol(d, pki, **kwargs):
    kwargs.setdefault("server_cert_validation", "validate")
    kwargs.setdefault("ca_trust_path", pki.ca)
    return Protocol(endpoint=d.https_url, **kwargs)


# --- cert create ----------------------------------------------------------

def test_cert_create_prints_thumbprints_and_protects_keys(pki):
    out = pki.create_output
    m = re.search(r"Thumbprint \(SHA-1\):\s+([0-9A-F]{40})\n", out)
    assert m, out
    assert m.group(1) == thumbprint_of(pki.cert)
    assert re.search(r"SHA-256 fingerprint:\s+([0-9A-F]{2}:){31}[0-9A-F]{2}",
                     out), out
    for key in ("server-key.pem", "ca-key.pem"):
        mode = os.stat(os.path.join(pki.server_dir, key)).st_mode & 0o777
        assert mode == 0o600, key
    out = subprocess.run(["openssl", "x509", "-in", pki.cert, "-noout",
                          "-text"], capture_output=True, text=True,
                         check=True).stdout
    assert "TLS Web Server Authentication" in out
    assert "DNS:localhost" in out and "IP Address:127.0.0.1" in out
    assert "IP Address:0:0:0:0:0:0:0:1" in out
    # A second run refuses to overwrite; --force renews under the same CA.
    again = run_cli(["cert", "create", "--out-dir", pki.server_dir],
                    check=False)
    assert again.returncode == 1 and "--force" in again.stderr


def test_help_documents_cert_verbs():
    out = run_cli(["cert", "create", "--help"]).stdout
    for flag in ("--out-dir", "--hostname", "--days", "--key-type",
                 "--force"):
        assert flag in out, flag
    out = run_cli(["--help"]).stdout
    for flag in ("--tls-cert", "--tls-key", "--tls-client-ca",
                 "--tls-client-cert-map", "cert"):
        assert flag in out, flag
    out = run_cli(["cert", "map", "add", "--help"]).stdout
    for flag in ("--map", "--thumbprint", "--cert", "--subject", "--issuer",
                 "--issuer-cert"):
        assert flag in out, flag


def test_cert_map_cli_round_trip(tmp_path, pki):
    path = str(tmp_path / "certmap")
    run_cli(["cert", "map", "add", "carol", "--map", path,
             "--thumbprint", "ab" * 20])
    assert os.stat(path).st_mode & 0o777 == 0o600
    run_cli(["cert", "map", "add", "dave", "--map", path,
             "--subject", "*@test.local", "--issuer-cert", pki.client_ca])
    listed = run_cli(["cert", "map", "list", "--map", path]).stdout
    assert listed == ("carol thumbprint=" + "AB" * 20 + "\n"
                      "dave issuer=" + thumbprint_of(pki.client_ca) +
                      " subject=*@test.local\n")
    run_cli(["cert", "map", "del", "carol", "--map", path])
    assert "carol" not in run_cli(["cert", "map", "list", "--map",
                                   path]).stdout
    bad = run_cli(["cert", "map", "del", "carol", "--map", path],
                  check=False)
    assert bad.returncode == 2
    bad = run_cli(["cert", "map", "add", "x", "--map", path,
                   "--thumbprint", "123"], check=False)
    assert bad.returncode == 2


# --- HTTPS with Basic -----------------------------------------------------

def test_curl_identify_without_credentials(server, pki):
    _, code, body, _ = curl("--cacert", pki.ca, server.https_url + "-anon")
    assert code == 200 and b"IdentifyResponse" in body
    # [MS-WSMV] 3.1.4.1.23: no security profiles for an anonymous caller;
    # an authenticated one sees what the listeners offer.
    assert b"SecurityProfiles" not in body
    _, code, body, _ = curl("--cacert", pki.ca, "-u", f"{USER}:{PASSWORD}",
                            server.https_url)
    assert code == 200
    assert HTTPS_BASIC.encode() in body and MUTUAL.encode() in body
    # and on /wsman with the WSMANIDENTIFY header
    _, code, body, _ = curl("--cacert", pki.ca, "-H",
                            "WSMANIDENTIFY: unauthenticated",
                            server.https_url)
    assert code == 200 and b"IdentifyResponse" in body


def test_curl_basic_over_https(server, pki):
    _, code, body, _ = curl("--cacert", pki.ca, "-u", f"{USER}:{PASSWORD}",
                            server.https_url)
    assert code == 200 and b"IdentifyResponse" in body
    _, code, _, _ = curl("--cacert", pki.ca, "-u", f"{USER}:wrong",
                         server.https_url)
    assert code == 401


def test_curl_refuses_an_untrusted_server_certificate(server):
    rc, _, _, err = curl(server.https_url + "-anon", check=False)
    assert rc == 60, err  # peer certificate cannot be authenticated


def test_plain_http_still_served_beside_https(server):
    assert server.identify_ok()


def test_pywinrm_basic_over_https_validating_the_ca(server, pki):
    p = protocol(server, pki, transport="basic", username=USER,
                 password=PASSWORD)
    assert b"IdentifyResponse" in p.send_message(IDENTIFY)
    bad = protocol(server, pki, transport="basic", username=USER,
                   password="nope")
    with pytest.raises(InvalidCredentialsError):
        bad.send_message(IDENTIFY)


def test_pywinrm_refuses_the_server_without_the_ca(server, pki):
    import requests
    p = Protocol(endpoint=server.https_url, transport="basic",
                 username=USER, password=PASSWORD,
                 server_cert_validation="validate",
                 ca_trust_path=pki.client_ca)  # the wrong CA
    with pytest.raises(requests.exceptions.SSLError):
        p.send_message(IDENTIFY)


# --- client certificates ---------------------------------------------------

def test_pywinrm_certificate_transport_logs_in_as_the_mapped_user(server,
                                                                  pki):
    p = protocol(server, pki, transport="certificate", cert_pem=pki.alice[0],
                 cert_key_pem=pki.alice[1])
    assert b"IdentifyResponse" in p.send_message(IDENTIFY)
    wait_for_log(server, r"event=access [^\n]*user=alice[^\n]*status=200")


def test_curl_mapped_by_thumbprint_with_and_without_the_header(server, pki):
    cert, key = pki.bob
    before = len(access_lines(server, user="bob", status=200))
    _, code, body, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                            "-H", "Authorization: " + MUTUAL,
                            server.https_url)
    assert code == 200 and b"IdentifyResponse" in body
    # A verified certificate and no Authorization header: also a login.
    _, code, _, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                         server.https_url)
    assert code == 200
    wait_for_log(server, r"event=access [^\n]*user=bob[^\n]*status=200",
                 count=before + 2)


@pytest.mark.parametrize("which,outcome", [
    ("eve", "cert-unmapped"),
    ("alice_expired", "cert-untrusted"),
    ("alice_rogue", "cert-untrusted"),
])
def test_refused_client_certificates_get_401(server, pki, which, outcome):
    cert, key = getattr(pki, which)
    p = protocol(server, pki, transport="certificate", cert_pem=cert,
                 cert_key_pem=key)
    with pytest.raises(InvalidCredentialsError):
        p.send_message(IDENTIFY)
    _, code, _, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                         "-H", "Authorization: " + MUTUAL, server.https_url)
    assert code == 401
    wait_for_log(server, rf"status=401 outcome={outcome}", count=2)


def test_certificate_login_without_a_certificate_gets_401(server, pki):
    _, code, _, _ = curl("--cacert", pki.ca, "-H", "Authorization: " + MUTUAL,
                         server.https_url)
    assert code == 401
    # and over plain HTTP
    status, headers, _ = server.post(IDENTIFY, user=None,
                                     headers={"Authorization": MUTUAL})
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="WSMAN"'


def test_basic_still_works_with_an_untrusted_client_certificate(server, pki):
    cert, key = pki.alice_rogue
    _, code, _, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                         "-u", f"{USER}:{PASSWORD}", server.https_url)
    assert code == 200


def test_certificate_map_edits_apply_without_reload(server, pki):
    cert, key = pki.eve
    run_cli(["cert", "map", "add", "bob", "--map", pki.map,
             "--cert", cert])
    try:
        time.sleep(1.2)  # the map file is checked at most once a second
        _, code, _, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                             "-H", "Authorization: " + MUTUAL,
                             server.https_url)
        assert code == 200
    finally:
        run_cli(["cert", "map", "del", "bob", "--map", pki.map,
                 "--thumbprint", thumbprint_of(cert)])
    time.sleep(1.2)
    _, code, _, _ = curl("--cacert", pki.ca, "--cert", cert, "--key", key,
                         "-H", "Authorization: " + MUTUAL, server.https_url)
    assert code == 401


# --- TLS versions, deadlines --------------------------------------------

@pytest.mark.parametrize("version", ["TLSv1", "TLSv1_1"])
def test_tls10_and_tls11_clients_fail_the_handshake(server, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = getattr(ssl.TLSVersion, version)
        ctx.maximum_version = getattr(ssl.TLSVersion, version)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client offer it
    before = server.log().count("reason=\"unsupported protocol\"")
    with socket.create_connection(("127.0.0.1", server.https_port),
                                  timeout=10) as raw:
        with pytest.raises(ssl.SSLError) as err:
            ctx.wrap_socket(raw)
    assert "PROTOCOL_VERSION" in str(err.value).upper() or \
        "UNSUPPORTED_PROTOCOL" in str(err.value).upper(), err.value
    wait_for_log(server, r'event=tls-handshake-failed [^\n]*'
                 r'reason="unsupported protocol"', count=before + 1)


def test_openssl_s_client_tls11_fails(server):
    proc = subprocess.run(
        ["openssl", "s_client", "-connect",
         f"127.0.0.1:{server.https_port}", "-tls1_1", "-cipher",
         "DEFAULT:@SECLEVEL=0"],
        input=b"", capture_output=True, timeout=30)
    assert proc.returncode != 0
    assert b"Cipher is (NONE)" in proc.stdout or b"alert" in proc.stderr


def test_tls12_and_tls13_both_work(server, pki):
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        ctx = ssl.create_default_context(cafile=pki.ca)
        ctx.minimum_version = ctx.maximum_version = version
        with socket.create_connection(("127.0.0.1", server.https_port),
                                      timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.version() == {
                    ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                    ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
                if version == ssl.TLSVersion.TLSv1_2:
                    assert "ECDHE" in s.cipher()[0] and \
                        ("GCM" in s.cipher()[0] or "CHACHA" in s.cipher()[0])


def test_stalled_tls_client_is_dropped_at_the_header_deadline(pki):
    d = start(pki, config_text="[http]\nheader_timeout = 1\n")
    try:
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as s:
            s.sendall(b"\x16\x03\x01")  # half a TLS record header
            start_t = time.monotonic()
            assert s.recv(100) == b""
            took = time.monotonic() - start_t
        assert 0.8 < took < 4, took
        wait_for_log(d, r'tls-handshake-failed [^\n]*'
                        r'reason="handshake timeout"')
        # A client that connects and sends nothing at all: same.
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as s:
            start_t = time.monotonic()
            assert s.recv(100) == b""
            assert time.monotonic() - start_t < 4
    finally:
        assert stop(d) == 0


def test_keep_alive_over_tls_serves_many_requests(server, pki):
    import http.client
    ctx = ssl.create_default_context(cafile=pki.ca)
    conn = http.client.HTTPSConnection("localhost", server.https_port,
                                       context=ctx, timeout=10)
    import base64
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for _ in range(20):
        conn.request("POST", "/wsman", body=IDENTIFY,
                     headers={"Content-Type": SOAP, "Authorization": auth})
        resp = conn.getresponse()
        assert resp.status == 200 and b"IdentifyResponse" in resp.read()
    conn.close()


# --- configuration errors -------------------------------------------------

def test_https_without_a_certificate_is_a_usage_error():
    proc = subprocess.run([os.environ.get("WSMAND_BIN", "wsmand"),
                           "--listen", "https://127.0.0.1:0"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "tls.certificate" in proc.stderr


def test_min_version_1_1_is_refused(tmp_path, pki):
    config = tmp_path / "wsmand.toml"
    config.write_text('[tls]\nmin_version = "1.1"\n')
    proc = subprocess.run([os.environ.get("WSMAND_BIN", "wsmand"),
                           "--config", str(config)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert "min_version" in proc.stderr and "1.2 or 1.3" in proc.stderr


def test_tls_keys_in_the_config_file(pki):
    config = (f'[tls]\ncertificate = "{pki.cert}"\n'
              f'private_key = "{pki.key}"\nmin_version = "1.3"\n'
              'ciphersuites = "TLS_AES_256_GCM_SHA384"\n')
    d = start(["--listen", "https://127.0.0.1:0"], config_text=config)
    try:
        ctx = ssl.create_default_context(cafile=pki.ca)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as raw:
            with pytest.raises(ssl.SSLError):
                ctx.wrap_socket(raw, server_hostname="localhost")
        ctx = ssl.create_default_context(cafile=pki.ca)
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.cipher()[0] == "TLS_AES_256_GCM_SHA384"
        # no client_ca: Identify does not offer https/mutual
        _, code, body, _ = curl("--cacert", pki.ca, "-u",
                                f"{USER}:{PASSWORD}", d.https_url)
        assert code == 200 and HTTPS_BASIC.encode() in body
        assert MUTUAL.encode() not in body
    finally:
        assert stop(d) == 0


# --- expired server certificate and SIGHUP reload ----------------------

def sign_server_cert(pki, directory, expired):
    """A server certificate from the `wsmand cert create` CA."""
    with open(os.path.join(pki.server_dir, "ca.pem"), "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(pki.server_dir, "ca-key.pem"), "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    cert, key = make_leaf("localhost", ca, ca_key,
                          server_names=["localhost", "127.0.0.1"],
                          expired=expired, client=False)
    return write_pair(directory, "expired" if expired else "fresh", cert,
                      key)


def test_expired_server_certificate_is_refused_by_clients(pki, tmp_path):
    cert, key = sign_server_cert(pki, str(tmp_path), expired=True)
    d = start(["--listen", "https://127.0.0.1:0", "--tls-cert", cert,
               "--tls-key", key])
    try:
        assert "has expired" in d.log()
        rc, _, _, err = curl("--cacert", pki.ca, d.https_url + "-anon",
                             check=False)
        assert rc == 60 and "expired" in err, err
        p = Protocol(endpoint=d.https_url, transport="basic", username=USER,
                     password=PASSWORD, server_cert_validation="validate",
                     ca_trust_path=pki.ca)
        import requests
        with pytest.raises(requests.exceptions.SSLError):
            p.send_message(IDENTIFY)
    finally:
        assert stop(d) == 0


def peer_thumbprint(sock):
    return hashlib.sha1(sock.getpeercert(binary_form=True)).hexdigest() \
        .upper()


def test_sighup_swaps_the_certificate_and_open_connections_finish(pki,
                                                                  tmp_path):
    import base64
    import http.client
    tls_dir = str(tmp_path / "tls")
    run_cli(["cert", "create", "--out-dir", tls_dir, "--hostname",
             "localhost", "--key-type", "ecdsa"])
    cert = os.path.join(tls_dir, "server.pem")
    key = os.path.join(tls_dir, "server-key.pem")
    ca = os.path.join(tls_dir, "ca.pem")
    d = start(["--listen", "https://127.0.0.1:0", "--tls-cert", cert,
               "--tls-key", key])
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Content-Type": SOAP, "Authorization": auth}
    try:
        old = thumbprint_of(cert)
        ctx = ssl.create_default_context(cafile=ca)
        conn = http.client.HTTPSConnection("localhost", d.https_port,
                                           context=ctx, timeout=10)
        conn.request("POST", "/wsman", body=IDENTIFY, headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
        assert peer_thumbprint(conn.sock) == old

        # Renew (same CA) and reload.
        run_cli(["cert", "create", "--out-dir", tls_dir, "--hostname",
                 "localhost", "--key-type", "ecdsa", "--force"])
        new = thumbprint_of(cert)
        assert new != old
        d.proc.send_signal(signal.SIGHUP)
        wait_for_log(d, "event=tls-certificate [^\n]*thumbprint=" + new)

        # The keep-alive connection made before the reload still works.
        conn.request("POST", "/wsman", body=IDENTIFY, headers=headers)
        resp = conn.getresponse()
        assert resp.status == 200 and b"IdentifyResponse" in resp.read()
        assert peer_thumbprint(conn.sock) == old
        conn.close()

        # New connections get the new certificate.
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert peer_thumbprint(s) == new

        # A broken certificate on reload: logged, the running one kept.
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        d.proc.send_signal(signal.SIGHUP)
        wait_for_log(d, r"level=error event=reload [^\n]*keeping the running "
                        r"certificate")
        with socket.create_connection(("127.0.0.1", d.https_port),
                                      timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert peer_thumbprint(s) == new
    finally:
        assert stop(d) == 0
