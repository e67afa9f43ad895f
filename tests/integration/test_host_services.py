"""Win32_Service and CIM_Service against a real systemd (Debian's, booted
in namespaces of its own with a private /run and system bus: see
systemd_util.py): the listing of loaded units and installed unit files,
Get, WQL, and StartService/StopService with the rights of the
authenticated user: systemd lets root and asks polkit for anyone else,
and a polkit rule of the test's own grants one user one unit."""
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

from cim_util import props
from conftest import Daemon, run_cli
from faults import expect_fault
from host_util import enum_all, get, invoke, uri_of
from shell_util import (SYS_PASSWORD_A, SYS_PASSWORD_B, SYS_USER_A,
                        SYS_USER_B, create_system_users, delete_system_users)
from systemd_util import PrivateSystemd, available

ROOT_PASSWORD = "r00t-Services!"
UNITS = {
    # Enabled (wanted by the boot target), so running from the start.
    "wsmand-test-running.service":
        "[Unit]\nDescription=wsmand test: running\nDefaultDependencies=no\n"
        "[Service]\nExecStart=/bin/sleep 86400\nUser=nobody\n"
        "[Install]\nWantedBy=multi-user.target\n",
    # Static and stopped.
    "wsmand-test-stopped.service":
        "[Unit]\nDescription=wsmand test: stopped\nDefaultDependencies=no\n"
        "[Service]\nExecStart=/bin/sleep 86400\n",
    # Disabled and never referenced: systemd has not loaded it, only its
    # unit file is installed.
    "wsmand-test-idle.service":
        "[Unit]\nDescription=wsmand test: idle\nDefaultDependencies=no\n"
        "[Service]\nExecStart=/bin/echo \"hello world\" 2\n"
        "[Install]\nWantedBy=multi-user.target\n",
    # Fails to start with exit status 3.
    "wsmand-test-failing.service":
        "[Unit]\nDescription=wsmand test: failing\nDefaultDependencies=no\n"
        "[Service]\nType=oneshot\nExecStart=/bin/sh -c \"exit 3\"\n",
}
RUNNING, STOPPED, IDLE, FAILING, MASKED = (
    "wsmand-test-running", "wsmand-test-stopped", "wsmand-test-idle",
    "wsmand-test-failing", "wsmand-test-masked")
ALIAS = "wsmand-test-alias"
W32 = "Win32_Service"
# The one grant beyond root's: user A may start and stop the stopped unit.
POLKIT_RULES = """
polkit.addRule(function(action, subject) {
  if (action.id == "org.freedesktop.systemd1.manage-units" &&
      action.lookup("unit") == "%s.service" && subject.user == "%s") {
    return polkit.Result.YES;
  }
});
""" % (STOPPED, SYS_USER_A)


class Env:
    def __init__(self):
        create_system_users()
        self.systemd = PrivateSystemd(UNITS, enable=[RUNNING + ".service"],
                                      mask=[MASKED + ".service"],
                                      polkit_rules=POLKIT_RULES)
        # An alias: another name of the stopped unit.
        os.symlink(STOPPED + ".service", os.path.join(
            self.systemd.run_dir, "systemd", "system", ALIAS + ".service"))
        self.workdir = tempfile.mkdtemp(prefix="wsmand-services-")
        accounts = os.path.join(self.workdir, "accounts")
        for user, password in ((SYS_USER_A, SYS_PASSWORD_A),
                               (SYS_USER_B, SYS_PASSWORD_B),
                               ("root", ROOT_PASSWORD)):
            run_cli(["user", "add", user, "--accounts", accounts,
                     "--password-stdin"], stdin=password + "\n")
        self.daemon = Daemon(self.workdir, env=dict(
            os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.systemd.address))
        self.root = ("root", ROOT_PASSWORD)
        self.user = (SYS_USER_A, SYS_PASSWORD_A)
        self.user_b = (SYS_USER_B, SYS_PASSWORD_B)

    def close(self):
        code = self.daemon.stop()
        self.systemd.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        delete_system_users()
        return code


@pytest.fixture(scope="module")
def env():
    reason = available()
    if reason:
        pytest.skip(reason)
    e = Env()
    yield e
    assert e.close() == 0, "wsmand did not stop cleanly"


def services(e, cls=W32, **kw):
    return {p["Name"]: p for p in map(props, enum_all(e.daemon, cls, **kw))}


def output(response):
    status, _, body = response
    assert status == 200, body
    out = next(iter(ET.fromstring(body).find(
        "{http://www.w3.org/2003/05/soap-envelope}Body")))
    return {c.tag.split("}")[1]: c.text for c in out}


def control(e, method, name, user=None):
    return invoke(e.daemon, W32, method, selectors={"Name": name},
                  user=user or e.root)


def loaded_units(e):
    out = e.systemd.busctl(
        "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
        "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns", "asas",
        "0", "1", "wsmand-test-*").stdout
    return {w.strip('"') for w in out.split() if w.endswith('.service"')}


def test_lists_loaded_units_and_installed_unit_files(env):
    assert IDLE + ".service" not in loaded_units(env)
    items = services(env)
    names = list(items)
    assert names == sorted(names, key=str.lower)

    run = items[RUNNING]
    main_pid = env.systemd.unit_property(RUNNING + ".service", "Service",
                                         "MainPID")
    assert main_pid > 0
    with open(f"/proc/{env.systemd.outer_pid(main_pid)}/comm") as f:
        assert f.read().strip() == "sleep"
    assert run == {
        "SystemCreationClassName": "Win32_ComputerSystem",
        "SystemName": run["SystemName"],
        "CreationClassName": W32, "Name": RUNNING,
        "Caption": "wsmand test: running",
        "Description": "wsmand test: running",
        "DisplayName": "wsmand test: running",
        "State": "Running", "Started": "true", "StartMode": "Auto",
        "Status": "OK", "ProcessId": str(main_pid),
        "PathName": "/bin/sleep 86400", "StartName": "nobody",
        "ServiceType": "Own Process", "ExitCode": "0",
        "AcceptStop": "true", "AcceptPause": "false"}
    with open("/proc/sys/kernel/hostname") as f:
        assert run["SystemName"] == f.read().strip()

    stopped = items[STOPPED]
    assert (stopped["State"], stopped["Started"], stopped["StartMode"],
            stopped["ProcessId"], stopped["StartName"],
            stopped["AcceptStop"]) == (
        "Stopped", "false", "Manual", "0", "root", "false")

    # Known only by its unit file until the enumeration asked for it.
    idle = items[IDLE]
    assert (idle["State"], idle["StartMode"], idle["Status"],
            idle["DisplayName"], idle["PathName"]) == (
        "Stopped", "Disabled", "OK", "wsmand test: idle",
        '/bin/echo "hello world" 2')
    assert items[MASKED]["StartMode"] == "Disabled"

    # systemd's own bus service, with its main pid.
    assert items["dbus"]["State"] == "Running"
    assert items["dbus"]["ProcessId"] == str(env.systemd.unit_property(
        "dbus.service", "Service", "MainPID"))

    # No alias, no template, nothing systemd only knows as missing.
    assert ALIAS not in items
    assert not [n for n in names if n.endswith("@")]
    for name in names:
        assert env.systemd.unit_property(name + ".service", "Unit",
                                         "LoadState") in ("loaded", "masked")


def test_cim_service_lists_the_same_services(env):
    w32 = services(env)
    # Enumerating CIM_Service reaches its most derived class, as WMI
    # answers ([MS-WSMV] 3.1.4.1.27): the same services, as Win32_Service.
    cim = services(env, "CIM_Service")
    assert set(cim) == set(w32)
    assert cim[RUNNING]["CreationClassName"] == "Win32_Service"
    # CIM_Service itself is still served, with its DMTF properties.
    for name, state in ((RUNNING, "2"), (STOPPED, "3")):
        status, _, body = get(env.daemon, "CIM_Service", {
            "SystemCreationClassName": "CIM_ComputerSystem",
            "SystemName": w32[name]["SystemName"],
            "CreationClassName": "CIM_Service", "Name": name})
        assert status == 200, body
        item = props(ET.fromstring(body).find(
            ".//{" + uri_of("CIM_Service") + "}CIM_Service"))
        assert item["EnabledState"] == state
        assert item["CreationClassName"] == "CIM_Service"
        assert "PathName" not in item


def test_get_by_name(env):
    status, _, body = get(env.daemon, W32, {"Name": RUNNING})
    assert status == 200, body
    item = props(ET.fromstring(body).find(
        ".//{" + uri_of(W32) + "}" + W32))
    assert (item["Name"], item["State"], item["PathName"]) == (
        RUNNING, "Running", "/bin/sleep 86400")
    for missing in ("wsmand-test-nothing", ALIAS, "a/b", ""):
        expect_fault(get(env.daemon, W32, {"Name": missing}),
                     "DestinationUnreachable")


def test_service_names_ignore_case(env):
    """Windows' service names ignore case ([MS-WSMV] 3.1.4.1.2: selector
    values compare case-insensitively); systemd's do not, so the one unit
    matching ignoring case answers, also under the WMI plugin's URI."""
    wmi = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/" + W32
    for uri in (None, wmi):
        status, _, body = get(env.daemon, W32, {"name": RUNNING.upper()},
                              uri=uri)
        assert status == 200, body
        item = props(ET.fromstring(body).find(
            ".//{" + (uri or uri_of(W32)) + "}" + W32))
        assert item["Name"] == RUNNING
    # A method on it acts on the real unit: stopping the stopped service
    # by an upper-case name answers 5 (not running), not NotFound.
    assert output(control(env, "StopService", STOPPED.upper())) == {
        "ReturnValue": "5"}


def test_wql_filter(env):
    wql = ('<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/'
           'WQL">SELECT Name, State FROM Win32_Service WHERE StartMode = '
           "'Auto'</w:Filter>")
    items = services(env, filter_xml=wql)
    assert items[RUNNING] == {"Name": RUNNING, "State": "Running"}
    assert STOPPED not in items and IDLE not in items


def test_root_starts_and_stops_a_service(env):
    unit = STOPPED + ".service"
    # curl, as docs/classes.md shows it.
    uri = uri_of(W32)
    body = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        f'<a:To>{env.daemon.url}</a:To>'
        f'<w:ResourceURI s:mustUnderstand="true">{uri}</w:ResourceURI>'
        '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.'
        'xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>'
        f'</a:ReplyTo><a:Action s:mustUnderstand="true">{uri}/StartService'
        '</a:Action><a:MessageID>uuid:0C1D27AB-37C8-4E4A-B1A4-2B9C9D4A9E01'
        '</a:MessageID><w:SelectorSet><w:Selector Name="Name">'
        f'{STOPPED}</w:Selector></w:SelectorSet></s:Header><s:Body>'
        f'<p:StartService_INPUT xmlns:p="{uri}"/></s:Body></s:Envelope>')
    curl = subprocess.run(
        ["curl", "-s", "-u", "root:" + ROOT_PASSWORD, env.daemon.url,
         "-H", "Content-Type: application/soap+xml;charset=UTF-8",
         "--data-binary", "@-"],
        input=body.encode(), capture_output=True, timeout=60)
    assert curl.returncode == 0, curl.stderr
    root = ET.fromstring(curl.stdout)
    assert root.find(".//{" + uri + "}ReturnValue").text == "0", curl.stdout
    try:
        # StartService answers once systemd's job is done.
        assert env.systemd.active_state(unit) == "active"
        item = services(env)[STOPPED]
        assert item["State"] == "Running" and int(item["ProcessId"]) > 0
        assert output(control(env, "StartService", STOPPED)) == {
            "ReturnValue": "10"}  # Already Running
        assert output(control(env, "StopService", STOPPED)) == {
            "ReturnValue": "0"}
        assert env.systemd.active_state(unit) == "inactive"
        assert output(control(env, "StopService", STOPPED)) == {
            "ReturnValue": "5"}  # cannot accept control: not running
    finally:
        env.systemd.busctl(
            "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
            "org.freedesktop.systemd1.Manager", "StopUnit", "ss", unit,
            "replace", check=False)


def test_failing_and_masked_services(env):
    assert output(control(env, "StartService", FAILING)) == {
        "ReturnValue": "8"}
    item = services(env)[FAILING]
    assert (item["State"], item["Status"], item["ExitCode"]) == (
        "Stopped", "Degraded", "3")
    assert output(control(env, "StartService", MASKED)) == {
        "ReturnValue": "14"}  # Service Disabled
    assert env.systemd.active_state(MASKED + ".service") == "inactive"


def test_users_act_with_their_own_rights(env):
    """systemd asks polkit whether a user other than root may: the rule
    lets user A start and stop the stopped unit, and nothing else."""
    running, stopped = RUNNING + ".service", STOPPED + ".service"
    before = env.systemd.unit_property(running, "Service", "MainPID")
    f = expect_fault(control(env, "StopService", RUNNING, user=env.user),
                     "AccessDenied")
    assert f'The user "{SYS_USER_A}" may not stop the service {RUNNING}.' \
        in ET.tostring(f.root, encoding="unicode")
    assert env.systemd.active_state(running) == "active"
    assert env.systemd.unit_property(running, "Service", "MainPID") == before
    expect_fault(control(env, "StartService", STOPPED, user=env.user_b),
                 "AccessDenied")
    assert env.systemd.active_state(stopped) == "inactive"
    try:
        assert output(control(env, "StartService", STOPPED,
                              user=env.user)) == {"ReturnValue": "0"}
        assert env.systemd.active_state(stopped) == "active"
        # The service runs as systemd starts it, not as the user.
        pid = env.systemd.outer_pid(env.systemd.unit_property(
            stopped, "Service", "MainPID"))
        assert os.stat(f"/proc/{pid}").st_uid == 0
        assert output(control(env, "StopService", STOPPED,
                              user=env.user)) == {"ReturnValue": "0"}
        assert env.systemd.active_state(stopped) == "inactive"
    finally:
        env.systemd.busctl(
            "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
            "org.freedesktop.systemd1.Manager", "StopUnit", "ss", stopped,
            "replace", check=False)
    # Reading stays open to every user.
    assert services(env, user=env.user_b)[RUNNING]["State"] == "Running"


def test_accounts_file_user_and_unknown_service(env):
    # alice is in the accounts file only: no system account to act as.
    expect_fault(control(env, "StopService", RUNNING,
                         user=("alice", "A1ice-secret")), "AccessDenied")
    expect_fault(control(env, "StartService", "wsmand-test-nothing"),
                 "DestinationUnreachable")
    expect_fault(control(env, "StartService", ALIAS),
                 "DestinationUnreachable")
    assert env.systemd.active_state(RUNNING + ".service") == "active"
