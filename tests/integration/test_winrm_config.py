"""winrm/config against the real daemon ([MS-WSMV] 3.1.4.2): Get of
`config` compared element by element with the answer a Windows host gave
pypsrp (shared/vectors/windows/wsman_update_envelope_size_*), the
sub-resources, Enumerate/Pull/Release of config/listener (one listener, and
HTTP + HTTPS), Put as an administrator (applied to the next request, kept in
the file with its comments and mode, still there after a restart) and as
everyone else (w:AccessDenied), a restart-only setting and malformed bodies
refused with nothing written, and pypsrp's update_max_payload_size() flow
replayed from the vectors."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from conftest import VECTORS, Daemon, envelope, run_cli

CONFIG = "http://schemas.microsoft.com/wbem/wsman/1/config"
LISTENER = CONFIG + "/listener"
GET = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"
PUT = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Put"
ENUMERATE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
PULL = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull"
RELEASE = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release"
NS = {"s": "http://www.w3.org/2003/05/soap-envelope",
      "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
      "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
      "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
      "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
      "cfg": CONFIG}
VECTOR_DIRS = [os.path.join(VECTORS, "windows",
                            f"wsman_update_envelope_size_{n}")
               for n in (150, 500, 4096)]
# What wsmand leaves out of Windows' answer (docs/operations.md).
OMITTED = {"Service/RootSDDL", "Service/Auth/CbtHardeningLevel",
           "Service/EnableCompatibilityHttpListener",
           "Service/EnableCompatibilityHttpsListener",
           "Service/CertificateThumbprint"}

ADMIN, ADMIN_PASSWORD = "wsmcfg-admin", "Cfg-admin-1"
ADMIN_GROUP = "wsmcfg-admins"
OTHER, OTHER_PASSWORD = "wsmcfg-other", "Cfg-other-2"

BASE_CONFIG = """# wsmand test config: this comment survives a Put
[server]
log_level = "debug"
admin_group = "%s"

[http]
max_envelope_size = 512000   # bytes
worker_threads = 4
""" % ADMIN_GROUP


def body_of(data):
    return ET.fromstring(data).find("s:Body", NS)


def paths(element, prefix=""):
    """Every element below `element` as "A/B/C" paths, in document order."""
    out = []
    for child in element:
        name = child.tag.split("}")[1]
        path = prefix + name
        out.append(path)
        out.extend(paths(child, path + "/"))
    return out


def fault(data):
    root = ET.fromstring(data)
    sub = root.find(".//s:Subcode/s:Value", NS)
    msg = root.find(".//f:Message", NS)
    return (sub.text if sub is not None else None,
            msg.text if msg is not None else "")


def config_of(d, uri=CONFIG, **kw):
    status, _, data = d.post(envelope(GET, uri), **kw)
    assert status == 200, data
    return body_of(data)[0]


def put_body(kb):
    return (f'<cfg:Config xmlns:cfg="{CONFIG}">'
            f'<cfg:MaxEnvelopeSizekb>{kb}</cfg:MaxEnvelopeSizekb>'
            '</cfg:Config>')


def identify_with_padding(nbytes):
    """A Get of config whose header carries `nbytes` of padding."""
    pad = f'<p:Pad xmlns:p="urn:pad">{"x" * nbytes}</p:Pad>'
    return envelope(GET, CONFIG, extra=pad)


@pytest.fixture(scope="module")
def admins():
    """A system account in ADMIN_GROUP and one outside it (root only)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create system accounts")
    for name in (ADMIN, OTHER):
        subprocess.run(["userdel", "-f", name], capture_output=True)
    subprocess.run(["groupdel", ADMIN_GROUP], capture_output=True)
    subprocess.run(["groupadd", ADMIN_GROUP], check=True, capture_output=True)
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", "-G", ADMIN_GROUP,
                    ADMIN], check=True, capture_output=True)
    subprocess.run(["useradd", "-M", "-s", "/bin/sh", OTHER], check=True,
                   capture_output=True)
    yield
    for name in (ADMIN, OTHER):
        subprocess.run(["userdel", "-f", name], capture_output=True)
    subprocess.run(["groupdel", ADMIN_GROUP], capture_output=True)


def start(config_text=BASE_CONFIG, extra_args=(), workdir=None):
    workdir = workdir or tempfile.mkdtemp(prefix="wsmand-cfg-")
    accounts = os.path.join(workdir, "accounts")
    if not os.path.exists(accounts):
        for user, password in ((ADMIN, ADMIN_PASSWORD),
                               (OTHER, OTHER_PASSWORD)):
            run_cli(["user", "add", user, "--accounts", accounts,
                     "--password-stdin"], stdin=password + "\n")
    if os.path.exists(os.path.join(workdir, "wsmand.toml")):
        config_text = None  # keep the file a Put wrote
        extra_args = ["--config", os.path.join(workdir, "wsmand.toml")] + \
            list(extra_args)
    d = Daemon(workdir, config_text, extra_args)
    if config_text is not None:
        os.chmod(d.config, 0o600)
    return d


def finish(d):
    code = d.stop()
    shutil.rmtree(d.workdir, ignore_errors=True)
    assert code == 0


@pytest.fixture
def daemon_cfg():
    d = start()
    yield d
    finish(d)


# --- Get ----------------------------------------------------------------

def test_get_config_has_windows_elements_in_windows_order(daemon_cfg):
    windows = body_of(open(os.path.join(
        VECTOR_DIRS[0], "01.response.xml"), "rb").read())[0]
    ours = config_of(daemon_cfg)
    assert ours.tag == "{%s}Config" % CONFIG
    theirs = paths(windows)
    mine = paths(ours)
    # The same elements in the same order, but the documented omissions.
    assert mine == [p for p in theirs if p not in OMITTED]
    # Every element in the config namespace, one declaration.
    assert all(e.tag.startswith("{%s}" % CONFIG) for e in ours.iter())


def test_get_config_reports_the_running_values(make_daemon):
    d = make_daemon("""[server]
max_timeout_ms = 90000
[http]
max_envelope_size = 153600
max_operations_per_user = 7
max_connections = 300
[shell]
max_shells_per_user = 0
idle_timeout = 60
[enumeration]
default_expiry = 240
""")
    c = config_of(d)
    value = lambda p: c.find(p, NS).text  # noqa: E731
    assert value("cfg:MaxEnvelopeSizekb") == "150"
    assert value("cfg:MaxTimeoutms") == "90000"
    assert value("cfg:Service/cfg:MaxConcurrentOperationsPerUser") == "7"
    assert value("cfg:Service/cfg:MaxConnections") == "300"
    assert value("cfg:Service/cfg:EnumerationTimeoutms") == "240000"
    assert value("cfg:Winrs/cfg:MaxShellsPerUser") == "2147483647"
    assert value("cfg:Winrs/cfg:IdleTimeout") == "60000"
    # Basic is the one login over http://; no Kerberos/Negotiate/CredSSP.
    auth = {e.tag.split("}")[1]: e.text
            for e in c.find("cfg:Service/cfg:Auth", NS)}
    assert auth == {"Basic": "true", "Kerberos": "false",
                    "Negotiate": "false", "Certificate": "false",
                    "CredSSP": "false"}
    assert value("cfg:Service/cfg:AllowUnencrypted") == "true"  # loopback


@pytest.mark.parametrize("path,root", [
    ("service", "Service"), ("winrs", "Winrs"), ("client", "Client"),
    ("service/auth", "Auth"), ("client/auth", "Auth"),
    ("Service/DefaultPorts", "DefaultPorts")])
def test_get_sub_resources(daemon_cfg, path, root):
    element = config_of(daemon_cfg, CONFIG + "/" + path)
    assert element.tag == "{%s/%s}%s" % (CONFIG, path.lower(), root)
    whole = config_of(daemon_cfg)
    steps = path.split("/")
    expected = whole
    for step in steps:
        expected = [e for e in expected
                    if e.tag.split("}")[1].lower() == step.lower()][0]
    assert [e.tag.split("}")[1] for e in element] == \
        [e.tag.split("}")[1] for e in expected]
    assert [e.text for e in element.iter()][1:] == \
        [e.text for e in expected.iter()][1:]


def test_unknown_config_resource_and_anonymous_get(daemon_cfg):
    status, _, data = daemon_cfg.post(envelope(GET, CONFIG + "/nothing"))
    assert status == 500
    assert fault(data)[0] == "a:DestinationUnreachable"
    status, _, data = daemon_cfg.post(envelope(GET, CONFIG), user=None)
    assert status == 401


# --- Enumerate config/listener --------------------------------------------

def enumerate_all(d, optimize, max_elements=1):
    body = ('<n:Enumerate>%s<w:MaxElements>%d</w:MaxElements></n:Enumerate>'
            % ("<w:OptimizeEnumeration/>" if optimize else "", max_elements))
    wrapped = body.replace("<n:Enumerate>", '<n:Enumerate xmlns:n="%s">'
                           % NS["n"])
    status, _, data = d.post(envelope(ENUMERATE, LISTENER, wrapped))
    assert status == 200, data
    response = body_of(data).find("n:EnumerateResponse", NS)
    items = list(response.find("w:Items", NS) or [])
    ctx = response.find("n:EnumerationContext", NS).text
    done = response.find("w:EndOfSequence", NS) is not None
    while not done:
        pull = ('<n:Pull xmlns:n="%s"><n:EnumerationContext>%s'
                '</n:EnumerationContext></n:Pull>' % (NS["n"], ctx))
        status, _, data = d.post(envelope(PULL, LISTENER, pull))
        assert status == 200, data
        answer = body_of(data).find("n:PullResponse", NS)
        items.extend(answer.find("n:Items", NS))
        done = answer.find("n:EndOfSequence", NS) is not None
    return items


def listener_fields(item):
    return {e.tag.split("}")[1]: (e.text or "") for e in item}


@pytest.mark.parametrize("optimize", [False, True])
def test_enumerate_one_listener(daemon_cfg, optimize):
    items = enumerate_all(daemon_cfg, optimize)
    assert len(items) == 1
    assert items[0].tag == "{%s}Listener" % LISTENER
    assert [e.tag.split("}")[1] for e in items[0]] == [
        "Address", "Transport", "Port", "Hostname", "Enabled", "URLPrefix",
        "CertificateThumbprint", "ListeningOn"]
    fields = listener_fields(items[0])
    assert fields["Transport"] == "HTTP"
    assert fields["Port"] == str(daemon_cfg.port)
    assert fields["Address"] == "127.0.0.1"
    assert fields["Enabled"] == "true" and fields["URLPrefix"] == "wsman"


def test_enumerate_http_and_https_listeners(tmp_path):
    server_dir = str(tmp_path / "pki")
    run_cli(["cert", "create", "--out-dir", server_dir, "--hostname",
             "localhost", "--key-type", "ecdsa"])
    cert = os.path.join(server_dir, "server.pem")
    d = start(extra_args=["--listen", "https://127.0.0.1:0", "--tls-cert",
                          cert, "--tls-key",
                          os.path.join(server_dir, "server-key.pem")])
    try:
        https_port = re.search(r"event=listening url=https://127\.0\.0\.1:"
                               r"(\d+)", d.log()).group(1)
        items = [listener_fields(i)
                 for i in enumerate_all(d, optimize=True, max_elements=1)]
        assert [i["Transport"] for i in items] == ["HTTP", "HTTPS"]
        assert items[0]["Port"] == str(d.port)
        assert items[1]["Port"] == https_port
        fingerprint = subprocess.run(
            ["openssl", "x509", "-in", cert, "-noout", "-fingerprint",
             "-sha1"], capture_output=True, text=True, check=True).stdout
        thumb = fingerprint.split("=", 1)[1].strip().replace(":", "").upper()
        assert items[1]["CertificateThumbprint"].upper() == thumb
        assert items[0]["CertificateThumbprint"] == ""
        assert items[1]["Hostname"] == "localhost"
    finally:
        finish(d)


def test_listener_context_is_its_users_and_release_ends_it(daemon_cfg):
    body = ('<n:Enumerate xmlns:n="%s"/>' % NS["n"])
    status, _, data = daemon_cfg.post(envelope(ENUMERATE, LISTENER, body))
    ctx = body_of(data).find("n:EnumerateResponse/n:EnumerationContext",
                             NS).text
    pull = ('<n:Pull xmlns:n="%s"><n:EnumerationContext>%s'
            '</n:EnumerationContext></n:Pull>' % (NS["n"], ctx))
    status, _, data = daemon_cfg.post(envelope(PULL, LISTENER, pull),
                                      user="bob", password="b0b-Secret!")
    assert status == 500
    assert fault(data)[0] == "n:InvalidEnumerationContext"
    release = pull.replace("n:Pull", "n:Release")
    status, _, data = daemon_cfg.post(envelope(RELEASE, LISTENER, release))
    assert status == 200, data
    status, _, data = daemon_cfg.post(envelope(PULL, LISTENER, pull))
    assert fault(data)[0] == "n:InvalidEnumerationContext"


# --- Put --------------------------------------------------------------------

def file_state(d):
    st = os.stat(d.config)
    return open(d.config).read(), st.st_mode & 0o7777, st.st_mtime_ns


def test_put_as_admin_applies_to_the_next_request_and_persists(admins):
    d = start()
    workdir = d.workdir
    try:
        assert config_of(d, user=ADMIN, password=ADMIN_PASSWORD).find(
            "cfg:MaxEnvelopeSizekb", NS).text == "500"
        # 200 KB of padding: served under the 500 KB limit.
        big = identify_with_padding(200 * 1024)
        assert d.post(big, user=ADMIN, password=ADMIN_PASSWORD)[0] == 200
        status, _, data = d.post(envelope(PUT, CONFIG, put_body(150)),
                                 user=ADMIN, password=ADMIN_PASSWORD)
        assert status == 200, data
        assert body_of(data)[0].find("cfg:MaxEnvelopeSizekb",
                                     NS).text == "150"
        # The next request is held to 150 KB.
        status, _, data = d.post(big, user=ADMIN, password=ADMIN_PASSWORD)
        assert status != 200 and b"EncodingLimit" in data, data
        assert d.post(identify_with_padding(100 * 1024), user=ADMIN,
                      password=ADMIN_PASSWORD)[0] == 200
        text, mode, _ = file_state(d)
        assert "max_envelope_size = 153600   # bytes" in text
        assert "# wsmand test config: this comment survives a Put" in text
        assert "worker_threads = 4" in text
        assert mode == 0o600
        assert re.search(r"event=config-put user=%s " % ADMIN, d.log())
        assert "event=reloaded" in d.log()
        assert d.stop() == 0
        # Restarted on the same file: still 150.
        d = start(workdir=workdir)
        assert config_of(d, user=ADMIN, password=ADMIN_PASSWORD).find(
            "cfg:MaxEnvelopeSizekb", NS).text == "150"
    finally:
        finish(d)


def test_put_as_non_admin_is_access_denied(admins):
    d = start()
    try:
        before = file_state(d)
        for user, password in ((OTHER, OTHER_PASSWORD),
                               ("alice", "A1ice-secret")):
            status, _, data = d.post(envelope(PUT, CONFIG, put_body(150)),
                                     user=user, password=password)
            assert status == 500
            sub, message = fault(data)
            assert sub == "w:AccessDenied", data
            assert ADMIN_GROUP in message
        # Even a Put that would change nothing.
        status, _, data = d.post(envelope(PUT, CONFIG, put_body(500)),
                                 user=OTHER, password=OTHER_PASSWORD)
        assert fault(data)[0] == "w:AccessDenied", data
        assert file_state(d) == before
        assert config_of(d).find("cfg:MaxEnvelopeSizekb", NS).text == "500"
    finally:
        finish(d)


def test_put_of_a_restart_only_setting_is_refused(admins):
    d = start()
    try:
        before = file_state(d)
        body = (f'<cfg:Winrs xmlns:cfg="{CONFIG}/winrs">'
                '<cfg:MaxShellsPerUser>3</cfg:MaxShellsPerUser></cfg:Winrs>')
        status, _, data = d.post(envelope(PUT, CONFIG + "/winrs", body),
                                 user=ADMIN, password=ADMIN_PASSWORD)
        assert status == 500
        sub, message = fault(data)
        assert sub == "w:InvalidParameter"
        assert "restart" in message and "shell.max_shells_per_user" in message
        # A derived value (what Auth reports) is not settable either.
        body = (f'<cfg:Auth xmlns:cfg="{CONFIG}/service/auth">'
                '<cfg:Kerberos>true</cfg:Kerberos></cfg:Auth>')
        status, _, data = d.post(envelope(PUT, CONFIG + "/service/auth",
                                          body),
                                 user=ADMIN, password=ADMIN_PASSWORD)
        assert fault(data)[0] == "w:InvalidParameter"
        assert file_state(d) == before
    finally:
        finish(d)


@pytest.mark.parametrize("body", [
    f'<cfg:Config xmlns:cfg="{CONFIG}"><cfg:NoSuchSetting>1'
    '</cfg:NoSuchSetting></cfg:Config>',
    f'<cfg:Config xmlns:cfg="urn:wrong"><cfg:MaxEnvelopeSizekb>150'
    '</cfg:MaxEnvelopeSizekb></cfg:Config>',
    f'<cfg:Config xmlns:cfg="{CONFIG}"><cfg:MaxEnvelopeSizekb>lots'
    '</cfg:MaxEnvelopeSizekb></cfg:Config>',
    f'<cfg:Config xmlns:cfg="{CONFIG}"><cfg:MaxEnvelopeSizekb>1'
    '</cfg:MaxEnvelopeSizekb></cfg:Config>',  # below 8 KB: out of range
    "",
])
def test_malformed_put_is_a_fault_and_writes_nothing(admins, body):
    d = start()
    try:
        before = file_state(d)
        status, _, data = d.post(envelope(PUT, CONFIG, body), user=ADMIN,
                                 password=ADMIN_PASSWORD)
        assert status == 500
        assert fault(data)[0] in ("x:InvalidRepresentation",
                                  "w:InvalidParameter"), data
        assert file_state(d) == before
        assert not [f for f in os.listdir(d.workdir) if f.startswith(
            "wsmand.toml.")], os.listdir(d.workdir)
        assert config_of(d).find("cfg:MaxEnvelopeSizekb", NS).text == "500"
    finally:
        finish(d)


def test_sighup_and_put_share_one_reload(admins):
    """A Put and a SIGHUP reload apply the same way: the file a SIGHUP
    reads back is the one the Put wrote (nothing lost)."""
    d = start()
    try:
        status, _, _ = d.post(envelope(PUT, CONFIG, put_body(200)),
                              user=ADMIN, password=ADMIN_PASSWORD)
        assert status == 200
        count = d.log().count("event=reloaded")
        d.proc.send_signal(signal.SIGHUP)
        for _ in range(200):
            if d.log().count("event=reloaded") > count:
                break
            time.sleep(0.05)
        assert config_of(d).find("cfg:MaxEnvelopeSizekb", NS).text == "200"
        assert "http.max_envelope_size" not in " ".join(
            re.findall(r"event=reload key=(\S+)", d.log()))
    finally:
        finish(d)


# --- pypsrp's update_max_payload_size() -----------------------------------

@pytest.mark.parametrize("vector", VECTOR_DIRS)
def test_pypsrp_update_max_payload_size_replayed(daemon_cfg, vector):
    """pypsrp's WSMan.update_max_payload_size(): Get config exactly as it
    sends it (the vector's request), read cfg:Config/cfg:MaxEnvelopeSizekb,
    then send the next request with w:MaxEnvelopeSize = that * 1024."""
    request = open(os.path.join(vector, "01.request.xml")).read()
    message_id = "uuid:" + str(uuid.uuid4()).upper()
    request = re.sub(r"uuid:[0-9A-F-]{36}</wsa:MessageID>",
                     message_id + "</wsa:MessageID>", request)
    status, _, data = daemon_cfg.post(request)
    assert status == 200, data
    ours = ET.fromstring(data)
    theirs = ET.fromstring(open(os.path.join(vector, "01.response.xml"),
                                "rb").read())
    assert ours.find("s:Header/a:Action", NS).text == \
        theirs.find("s:Header/a:Action", NS).text
    assert ours.find("s:Header/a:RelatesTo", NS).text == message_id
    # The lookup pypsrp makes on the answer's body.
    kb = body_of(data).find("cfg:Config/cfg:MaxEnvelopeSizekb", NS)
    assert kb is not None and int(kb.text) == 500
    max_envelope = int(kb.text) * 1024
    next_request = re.sub(r"<wsman:MaxEnvelopeSize([^>]*)>\d+<",
                          r"<wsman:MaxEnvelopeSize\g<1>>%d<" % max_envelope,
                          request).replace(message_id,
                                           "uuid:" + str(uuid.uuid4()))
    status, _, data = daemon_cfg.post(next_request)
    assert status == 200, data


def test_get_one_listener_by_its_selectors(daemon_cfg):
    selectors = ('<w:SelectorSet><w:Selector Name="Address">127.0.0.1'
                 '</w:Selector><w:Selector Name="Transport">http</w:Selector>'
                 '</w:SelectorSet>')
    status, _, data = daemon_cfg.post(envelope(GET, LISTENER,
                                               extra=selectors))
    assert status == 200, data
    listener = body_of(data)[0]
    assert listener.tag == "{%s}Listener" % LISTENER
    assert listener_fields(listener)["Port"] == str(daemon_cfg.port)
    status, _, data = daemon_cfg.post(envelope(GET, LISTENER))
    assert status == 500 and fault(data)[0] == "w:InvalidSelectors"


def test_pywinrm_and_curl_read_the_config(daemon_cfg):
    """The two real clients: pywinrm's Protocol (what pypsrp-style tools
    and scripts build on) and curl, each reading MaxEnvelopeSizekb."""
    from winrm.protocol import Protocol
    from conftest import PASSWORD, USER
    protocol = Protocol(endpoint=daemon_cfg.url, transport="plaintext",
                        username=USER, password=PASSWORD)
    answer = body_of(protocol.send_message(envelope(GET, CONFIG)))[0]
    assert answer.findtext("cfg:MaxEnvelopeSizekb", namespaces=NS) == "500"
    out = subprocess.run(
        ["curl", "-sS", "-u", f"{USER}:{PASSWORD}", "-H",
         "Content-Type: application/soap+xml;charset=UTF-8",
         "--data-binary", envelope(GET, CONFIG), daemon_cfg.url],
        capture_output=True, timeout=30, check=True).stdout
    answer = body_of(out)[0]
    assert answer.findtext("cfg:MaxEnvelopeSizekb", namespaces=NS) == "500"
    assert answer.find("cfg:Service/cfg:Auth/cfg:Basic", NS).text == "true"


def test_fragment_transfer_is_refused_not_ignored(daemon_cfg):
    """A fragment Get of winrm/config (winrm get winrm/config
    -fragment:MaxEnvelopeSizekb) is refused: answering the whole resource
    would give the client something it did not ask for."""
    header = ('<w:FragmentTransfer s:mustUnderstand="true">'
              "MaxEnvelopeSizekb</w:FragmentTransfer>")
    status, _, data = daemon_cfg.post(envelope(GET, CONFIG, extra=header))
    assert status == 500
    code, text = fault(data)[:2]
    assert code == "w:UnsupportedFeature", data
    assert b"FragmentLevelAccess" in data
