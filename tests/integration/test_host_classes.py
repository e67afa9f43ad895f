"""The built-in host classes against the live host: one test per class at
least, values compared with what /proc, statvfs and the socket module say."""
import os
import re
import socket
import time

import pytest

from conftest import daemon  # noqa: F401
from cim_util import A, ASSOC, DMTF, MSFT, W, props
from faults import expect_fault
from host_util import (boot_time, by, enum_all, get, meminfo,
                       proc_name, uri_of, xs_datetime)

HOSTNAME = socket.gethostname()


def test_win32_process_lists_this_test_process(daemon):  # noqa: F811
    procs = by(enum_all(daemon, "Win32_Process"), "ProcessId")
    me = procs[str(os.getpid())]
    assert me["Handle"] == str(os.getpid())
    assert me["Name"] == proc_name(os.getpid())
    # alice has no system account: she sees no process's command line or
    # executable path (test_engine_hardening.py: who sees what).
    assert me["CommandLine"] is None
    assert me["ParentProcessId"] == str(os.getppid())
    assert me["ExecutablePath"] is None
    assert me["CSName"] == HOSTNAME
    with open("/proc/self/statm") as f:
        rss_pages = int(f.read().split()[1])
    # Same order of magnitude as our own resident set (it moves a little).
    assert 0.5 < int(me["WorkingSetSize"]) / (rss_pages * os.sysconf(
        "SC_PAGE_SIZE")) < 2
    created = xs_datetime(me["CreationDate"]).timestamp()
    assert boot_time() <= created <= time.time()
    # The daemon itself is there too.
    assert str(daemon.proc.pid) in procs


def test_win32_process_get_by_handle(daemon):  # noqa: F811
    status, _, body = get(daemon, "Win32_Process", {"Handle": os.getpid()})
    assert status == 200, body
    assert f"<p:ProcessId>{os.getpid()}</p:ProcessId>".encode() in body
    expect_fault(get(daemon, "Win32_Process", {"Handle": 999999999}),
                 "DestinationUnreachable")


def test_cim_process_has_dmtf_keys(daemon):  # noqa: F811
    # Enumerating CIM_Process reaches its most derived class, as WMI
    # answers ([MS-WSMV] 3.1.4.1.27): the processes come as Win32_Process.
    procs = by(enum_all(daemon, "CIM_Process"), "Handle")
    me = procs[str(os.getpid())]
    assert me["CreationClassName"] == "Win32_Process"
    # CIM_Process itself is still served, with the DMTF keys.
    status, _, body = get(daemon, "CIM_Process", {
        "Handle": os.getpid(), "CSCreationClassName": "CIM_ComputerSystem",
        "CSName": HOSTNAME, "OSCreationClassName": "CIM_OperatingSystem",
        "OSName": me["OSName"], "CreationClassName": "CIM_Process"})
    assert status == 200, body
    assert b"<p:CreationClassName>CIM_Process</p:CreationClassName>" in body
    assert (b"<p:OSCreationClassName>CIM_OperatingSystem"
            b"</p:OSCreationClassName>") in body


def test_win32_operating_system(daemon):  # noqa: F811
    items = enum_all(daemon, "Win32_OperatingSystem")
    assert len(items) == 1
    os_ = props(items[0])
    mem = meminfo()
    assert int(os_["TotalVisibleMemorySize"]) == mem["MemTotal"]
    assert abs(int(os_["FreePhysicalMemory"]) - mem["MemAvailable"]) < \
        mem["MemTotal"] // 10
    assert os_["CSName"] == HOSTNAME
    assert os_["BuildNumber"] == os.uname().release
    assert xs_datetime(os_["LastBootUpTime"]).timestamp() == boot_time()
    assert abs(xs_datetime(os_["LocalDateTime"]).timestamp() -
               time.time()) < 60
    assert int(os_["NumberOfProcesses"]) > 3
    with open("/etc/os-release") as f:
        pretty = [line.split("=", 1)[1].strip().strip('"') for line in f
                  if line.startswith("PRETTY_NAME=")][0]
    assert os_["Caption"] == pretty
    status, _, body = get(daemon, "Win32_OperatingSystem",
                          {"Name": os_["Name"]})
    assert status == 200, body
    cim = props(enum_all(daemon, "CIM_OperatingSystem")[0])
    assert cim["CSName"] == HOSTNAME and cim["OSType"] == "36"


def test_win32_computer_system(daemon):  # noqa: F811
    items = enum_all(daemon, "Win32_ComputerSystem")
    assert len(items) == 1
    cs = props(items[0])
    assert cs["Name"] == HOSTNAME
    assert int(cs["TotalPhysicalMemory"]) == meminfo()["MemTotal"] * 1024
    with open("/proc/cpuinfo") as f:
        logical = sum(1 for line in f if line.startswith("processor"))
    assert int(cs["NumberOfLogicalProcessors"]) == logical
    status, _, body = get(daemon, "Win32_ComputerSystem", {"Name": HOSTNAME})
    assert status == 200, body
    status, _, body = get(daemon, "CIM_ComputerSystem", {
        "Name": HOSTNAME, "CreationClassName": "CIM_ComputerSystem"})
    assert status == 200, body


def test_win32_processor(daemon):  # noqa: F811
    cpus = [props(i) for i in enum_all(daemon, "Win32_Processor")]
    with open("/proc/cpuinfo") as f:
        text = f.read()
    logical = text.count("processor\t:")
    assert sum(int(c["NumberOfLogicalProcessors"]) for c in cpus) == logical
    assert cpus[0]["DeviceID"] == "CPU0"
    assert 0 <= int(cpus[0]["LoadPercentage"]) <= 100
    if "model name" in text:
        model = text.split("model name")[1].split(":", 1)[1].split("\n")[0]
        assert cpus[0]["Name"] == model.strip()
    # The highest clock: cpufreq's maximum, else the model name's nominal
    # "@ 2.10GHz", else null.
    freq = "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"
    nominal = re.search(r"@ *([0-9.]+)GHz", cpus[0]["Name"] or "")
    if os.path.exists(freq):
        with open(freq) as f:
            assert cpus[0]["MaxClockSpeed"] == str(int(f.read()) // 1000)
    elif nominal:
        assert cpus[0]["MaxClockSpeed"] == str(
            round(float(nominal.group(1)) * 1000))
    else:
        assert cpus[0].get("MaxClockSpeed") is None
    assert enum_all(daemon, "CIM_Processor")


def test_win32_logical_disk(daemon):  # noqa: F811
    disks = by(enum_all(daemon, "Win32_LogicalDisk"), "DeviceID")
    root = disks["/"]
    st = os.statvfs("/")
    assert int(root["Size"]) == st.f_blocks * st.f_frsize
    assert abs(int(root["FreeSpace"]) - st.f_bavail * st.f_frsize) < \
        64 * 1024 * 1024
    assert "/proc" not in disks
    status, _, body = get(daemon, "Win32_LogicalDisk", {"DeviceID": "/"})
    assert status == 200, body
    fs = by(enum_all(daemon, "CIM_FileSystem"), "Name")
    assert int(fs["/"]["FileSystemSize"]) == st.f_blocks * st.f_frsize


def test_network_adapters(daemon):  # noqa: F811
    names = sorted(os.listdir("/sys/class/net"))
    nics = by(enum_all(daemon, "Win32_NetworkAdapter"), "NetConnectionID")
    assert sorted(nics) == names
    ports = by(enum_all(daemon, "CIM_EthernetPort"), "DeviceID")
    assert sorted(ports) == names
    for name in names:
        with open(f"/sys/class/net/{name}/mtu") as f:
            assert ports[name]["ActiveMaximumTransmissionUnit"] == \
                f.read().strip()
        with open(f"/sys/class/net/{name}/ifindex") as f:
            assert nics[name]["DeviceID"] == f.read().strip()


def test_ip_configuration_and_endpoints(daemon):  # noqa: F811
    cfg = by(enum_all(daemon, "Win32_NetworkAdapterConfiguration"),
             "Description")
    lo = cfg["lo"]
    ips = lo["IPAddress"] if isinstance(lo["IPAddress"], list) else \
        [lo["IPAddress"]]
    assert "127.0.0.1" in ips
    status, _, body = get(daemon, "Win32_NetworkAdapterConfiguration",
                          {"Index": socket.if_nametoindex("lo")})
    assert status == 200, body
    eps = by(enum_all(daemon, "CIM_IPProtocolEndpoint"), "Name")
    assert eps["IPv4_lo_127.0.0.1"]["SubnetMask"] == "255.0.0.0"


def test_services_without_systemd_are_empty_not_a_fault(daemon):  # noqa
    items = enum_all(daemon, "Win32_Service")
    cim = enum_all(daemon, "CIM_Service")
    if not os.path.exists("/run/dbus/system_bus_socket") or \
            not os.path.isdir("/run/systemd/system"):
        assert items == [] and cim == []
        assert "event=host-services" in daemon.log()
        expect_fault(get(daemon, "Win32_Service", {"Name": "ssh"}),
                     "DestinationUnreachable")
    else:
        assert items and all(props(i)["State"] for i in items)


def assoc(kind, cls, selectors, extra=""):
    sels = "".join(f'<w:Selector Name="{k}">{v}</w:Selector>'
                   for k, v in selectors.items())
    return (
        f'<w:Filter Dialect="{ASSOC}"><b:{kind}><b:Object>'
        '<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/'
        'anonymous</a:Address><a:ReferenceParameters>'
        f'<w:ResourceURI>{uri_of(cls)}</w:ResourceURI>'
        f'<w:SelectorSet>{sels}</w:SelectorSet></a:ReferenceParameters>'
        f'</b:Object>{extra}</b:{kind}></w:Filter>')


def os_keys(daemon):  # noqa: F811
    # The DMTF keys of CIM_OperatingSystem (an Enumerate of it answers
    # Win32_OperatingSystem, its most derived class).
    o = props(enum_all(daemon, "Win32_OperatingSystem")[0])
    return {"CSCreationClassName": "CIM_ComputerSystem", "CSName": o["CSName"],
            "CreationClassName": "CIM_OperatingSystem", "Name": o["Name"]}


def test_association_os_process(daemon):  # noqa: F811
    items = enum_all(daemon, "x", uri="http://schemas.dmtf.org/wbem/wscim/1/*",
                     filter_xml=assoc(
                         "AssociatedInstances", "CIM_OperatingSystem",
                         os_keys(daemon),
                         "<b:AssociationClassName>CIM_OSProcess"
                         "</b:AssociationClassName>"))
    assert items[0].tag == "{" + DMTF + "CIM_Process}CIM_Process"
    pids = {props(i)["ProcessId"] for i in items}
    assert str(os.getpid()) in pids
    # And back from our process to the operating system.
    up = enum_all(daemon, "x", uri="http://schemas.dmtf.org/wbem/wscim/1/*",
                  filter_xml=assoc(
                      "AssociatedInstances", "Win32_Process",
                      {"Handle": os.getpid()},
                      "<b:ResultClassName>CIM_OperatingSystem"
                      "</b:ResultClassName>"))
    assert len(up) == 1
    assert props(up[0])["CSName"] == HOSTNAME


def test_association_running_os_references(daemon):  # noqa: F811
    refs = enum_all(daemon, "x", uri="http://schemas.dmtf.org/wbem/wscim/1/*",
                    filter_xml=assoc(
                        "AssociationInstances", "CIM_ComputerSystem",
                        {"Name": HOSTNAME,
                         "CreationClassName": "CIM_ComputerSystem"},
                        "<b:ResultClassName>CIM_RunningOS"
                        "</b:ResultClassName>"))
    assert len(refs) == 1
    ante = refs[0].find("{" + DMTF + "CIM_RunningOS}Antecedent")
    assert ante.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == \
        DMTF + "CIM_OperatingSystem"
    sels = {s.get("Name"): s.text for s in ante.iter(f"{W}Selector")}
    assert sels["CSName"] == HOSTNAME


def test_association_hosted_file_system(daemon):  # noqa: F811
    items = enum_all(daemon, "x", uri="http://schemas.dmtf.org/wbem/wscim/1/*",
                     filter_xml=assoc(
                         "AssociatedInstances", "CIM_ComputerSystem",
                         {"Name": HOSTNAME,
                          "CreationClassName": "CIM_ComputerSystem"},
                         "<b:AssociationClassName>CIM_HostedFileSystem"
                         "</b:AssociationClassName>"))
    names = {props(i)["Name"] for i in items}
    assert "/" in names
    assert all(i.tag.endswith("}CIM_FileSystem") for i in items)


def test_wql_over_processes(daemon):  # noqa: F811
    wql = ('<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">'
           f"SELECT * FROM Win32_Process WHERE ProcessId = {os.getpid()}"
           "</w:Filter>")
    items = enum_all(daemon, "Win32_Process", filter_xml=wql)
    assert [props(i)["ProcessId"] for i in items] == [str(os.getpid())]


@pytest.mark.parametrize("cls", ["Win32_Process", "Win32_OperatingSystem"])
def test_microsoft_and_dmtf_uris(daemon, cls):  # noqa: F811
    assert enum_all(daemon, cls, uri=MSFT + cls)
    assert enum_all(daemon, cls, uri=DMTF + cls)


SCHEMA = "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/"


def get_class(d, cls, uri=SCHEMA + "*"):
    from conftest import envelope
    from cim_util import TRANSFER, headers
    sels = {"__cimnamespace": "root/cimv2"}
    if cls:
        sels["ClassName"] = cls
    return d.post(envelope(TRANSFER + "Get", uri, "",
                           extra=headers(selectors=sels)))


def test_class_schema_get(daemon):  # noqa: F811
    import xml.etree.ElementTree as ET
    status, _, body = get_class(daemon, "Win32_Process")
    assert status == 200, body
    root = ET.fromstring(body)
    cls = root.find(".//CLASS")
    assert cls.get("NAME") == "Win32_Process"
    assert cls.get("SUPERCLASS") == "CIM_Process"
    props_ = {p.get("NAME"): p for p in cls.findall("PROPERTY")}
    assert props_["ProcessId"].get("TYPE") == "uint32"
    assert props_["CreationDate"].get("TYPE") == "datetime"
    keys = [p.get("NAME") for p in cls if p.find(
        "QUALIFIER[@NAME='Key']") is not None]
    assert keys == ["Handle"]
    methods = {m.get("NAME"): m for m in cls.findall("METHOD")}
    assert set(methods) == {"Create", "Terminate", "GetOwner"}
    create = methods["Create"]
    assert create.get("TYPE") == "uint32"
    assert create.find("QUALIFIER[@NAME='Static']") is not None
    params = {p.get("NAME"): p for p in create.findall("PARAMETER")}
    assert params["CommandLine"].find("QUALIFIER[@NAME='In']") is not None
    assert params["ProcessId"].find("QUALIFIER[@NAME='Out']") is not None
    # An association: references with their classes.
    status, _, body = get_class(daemon, None, uri=SCHEMA + "CIM_OSProcess")
    assert status == 200, body
    refs = ET.fromstring(body).findall(".//CLASS/PROPERTY.REFERENCE")
    assert {(r.get("NAME"), r.get("REFERENCECLASS")) for r in refs} == {
        ("GroupComponent", "CIM_OperatingSystem"),
        ("PartComponent", "CIM_Process")}
    # Arrays.
    status, _, body = get_class(daemon, "Win32_NetworkAdapterConfiguration")
    arrays = [p.get("NAME") for p in
              ET.fromstring(body).findall(".//CLASS/PROPERTY.ARRAY")]
    assert "IPAddress" in arrays
    expect_fault(get_class(daemon, "No_SuchClass"), "DestinationUnreachable")
    expect_fault(get_class(daemon, None), "InvalidSelectors")
