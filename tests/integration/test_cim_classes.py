"""Get-CimClass against the real daemon: the recorded MI client request
(vectors/omi/doc_xml_GetClassRequest.xml) and its listing variant, the
Include* options, one class's whole inheritance chain, and polymorphic
enumeration ([MS-WSMV] 3.1.4.1.27): a base class answers its derived
classes' instances, each as its own class."""
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
import xml.etree.ElementTree as ET

import pytest

from conftest import daemon, envelope, make_daemon  # noqa: F401
from cim_util import (A, DMTF, ENUM, S, SELECTOR, TRANSFER, W, WQL, drain,
                      headers, parse_enum, props, pull)
from faults import expect_fault
from host_util import enum_all

SCHEMA = "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/"
VECTOR = os.path.join(os.environ.get("WSMAND_VECTORS", "/work/shared/vectors"),
                      "omi", "doc_xml_GetClassRequest.xml")
ALL = "http://schemas.dmtf.org/wbem/wscim/1/*"
WIN32_CHAIN = ["CIM_Process", "CIM_EnabledLogicalElement",
               "CIM_LogicalElement", "CIM_ManagedSystemElement",
               "CIM_ManagedElement"]


def recorded(cls=None):
    """The MI client's GetClass request as recorded (its first line is the
    shell command that printed it), optionally for another class."""
    with open(VECTOR) as f:
        text = f.read()
    text = text[text.index("<s:Envelope"):]
    if cls:
        text = text.replace("CIM_VLANEndpoint", cls)
    return text


def listing_variant(class_name="", optimize=True, max_elements=32000):
    """The same request as Get-CimClass sends it for a class listing:
    Enumerate on the same URI with the same selectors and options."""
    text = recorded()
    text = text.replace("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
                        ENUM + "Enumerate")
    text = re.sub(r"(<w:Selector Name=\"ClassName\">)\s*CIM_VLANEndpoint\s*",
                  lambda m: m.group(1) + class_name, text)
    body = ('<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
            'enumeration">')
    if optimize:
        body += "<w:OptimizeEnumeration/>"
    body += f"<w:MaxElements>{max_elements}</w:MaxElements></n:Enumerate>"
    return re.sub(r"<s:Body>\s*</s:Body>", f"<s:Body>{body}</s:Body>", text)


def the_class(response):
    status, _, body = response
    assert status == 200, body
    cls = ET.fromstring(body).find(f"{S}Body/CLASS")
    assert cls is not None, body
    return cls


def members(cls):
    return {m.get("NAME"): m for m in cls
            if m.tag in ("PROPERTY", "PROPERTY.ARRAY", "PROPERTY.REFERENCE",
                         "METHOD")}


def qualifiers(el):
    return {q.get("NAME") for q in el.findall("QUALIFIER")}


def get_class(d, cls, options=None, ns="root/cimv2"):
    return d.post(envelope(TRANSFER + "Get", SCHEMA + "*", "", extra=headers(
        options=options, selectors={"__cimnamespace": ns,
                                    "ClassName": cls})))


def listing(d, selectors=None, optimize=True, max_elements=32000):
    sels = {"__cimnamespace": "root/cimv2"}
    sels.update(selectors or {})
    body = (f'<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
            f'enumeration">{"<w:OptimizeEnumeration/>" if optimize else ""}'
            f"<w:MaxElements>{max_elements}</w:MaxElements></n:Enumerate>")
    return d.post(envelope(ENUM + "Enumerate", SCHEMA + "*", body,
                           extra=headers(selectors=sels)))


def test_recorded_request_for_an_unknown_class(daemon):  # noqa: F811
    response = daemon.post(recorded())
    expect_fault(response, "DestinationUnreachable")
    assert b"CIM_VLANEndpoint" in response[2]


def test_recorded_request_answers_the_whole_class(daemon):  # noqa: F811
    cls = the_class(daemon.post(recorded("Win32_Process")))
    # MI's deserializer accepts exactly these CLASS attributes and rebuilds
    # the parents from DERIVATION and the members' CLASSORIGIN.
    assert set(cls.attrib) == {"NAME", "SUPERCLASS", "DERIVATION"}
    assert cls.get("NAME") == "Win32_Process"
    assert cls.get("SUPERCLASS") == "CIM_Process"
    assert cls.get("DERIVATION").split(",") == WIN32_CHAIN
    m = members(cls)
    assert m["Handle"].get("CLASSORIGIN") == "CIM_Process"
    assert m["Handle"].get("PROPAGATED") == "true"
    assert "Key" in qualifiers(m["Handle"])
    assert m["Caption"].get("CLASSORIGIN") == "CIM_ManagedElement"
    assert m["Name"].get("CLASSORIGIN") == "CIM_ManagedSystemElement"
    assert m["SessionId"].get("CLASSORIGIN") == "Win32_Process"
    assert m["SessionId"].get("PROPAGATED") is None
    origins = {el.get("CLASSORIGIN") for el in m.values()}
    assert origins <= set(WIN32_CHAIN) | {"Win32_Process"}
    assert "Static" in qualifiers(m["Create"])


@pytest.mark.parametrize("option,check", [
    ("IncludeInheritanceHierarchy",
     lambda c: c.get("DERIVATION") is None and
     c.get("SUPERCLASS") == "CIM_Process"),
    ("IncludeInheritedElements",
     lambda c: "Handle" not in members(c) and "SessionId" in members(c)),
    ("IncludeQualifiers", lambda c: not c.findall(".//QUALIFIER")),
    ("wmi:IncludeClassOrigin",
     lambda c: all(m.get("CLASSORIGIN") is None
                   for m in members(c).values()) and
     members(c)["Handle"].get("PROPAGATED") == "true"),
])
def test_each_option_off(daemon, option, check):  # noqa: F811
    on = the_class(get_class(daemon, "Win32_Process"))
    assert on.get("DERIVATION") and "Handle" in members(on)
    assert on.findall(".//QUALIFIER")
    assert members(on)["Handle"].get("CLASSORIGIN") == "CIM_Process"
    off = the_class(get_class(daemon, "Win32_Process", {option: "false"}))
    assert check(off), ET.tostring(off)


def test_inheritance_chain_resolves_to_the_root(daemon):  # noqa: F811
    name, seen = "Win32_Process", []
    while name:
        cls = the_class(get_class(daemon, name))
        assert cls.get("NAME") == name
        seen.append(name)
        name = cls.get("SUPERCLASS")
        if name:
            assert cls.get("DERIVATION").split(",")[0] == name
    assert seen == ["Win32_Process"] + WIN32_CHAIN
    root = the_class(get_class(daemon, "CIM_ManagedElement"))
    assert "Abstract" in qualifiers(root)
    assert {"Caption", "Description"} <= set(members(root))
    running = the_class(get_class(daemon, "CIM_RunningOS"))
    assert "Association" in qualifiers(running)
    assert running.get("SUPERCLASS") == "CIM_Dependency"
    assert "Abstract" not in qualifiers(running)
    assert "Association" not in qualifiers(
        the_class(get_class(daemon, "Win32_Process")))
    for cls, parent in (("Win32_Service", "Win32_BaseService"),
                        ("Win32_OperatingSystem", "CIM_OperatingSystem"),
                        ("Win32_ComputerSystem", "CIM_UnitaryComputerSystem")):
        assert the_class(get_class(daemon, cls)).get("SUPERCLASS") == parent
    expect_fault(get_class(daemon, "CIM_NoSuchBase"), "DestinationUnreachable")


def class_names(items):
    assert all(i.tag == "CLASS" for i in items)
    return [i.get("NAME") for i in items]


def test_listing_variant_lists_the_namespace(daemon):  # noqa: F811
    _, items, end = parse_enum(daemon.post(listing_variant()))
    assert end
    names = class_names(items)
    assert len(names) == len(set(names))
    for n in ["Win32_Process", "CIM_Process", "CIM_ManagedElement",
              "CIM_RunningOS", "Win32_BaseService", "Win32_Service"]:
        assert n in names
    # Parents before children, each class whole (DERIVATION, origins).
    for i, item in enumerate(items):
        for parent in (item.get("DERIVATION") or "").split(","):
            if parent:
                assert names.index(parent) < i, (parent, item.get("NAME"))
    # Get-CimClass -ClassName Win32_* filters the listing itself.
    win32 = {n for n in names if n.startswith("Win32_")}
    assert {"Win32_Process", "Win32_Service", "Win32_OperatingSystem",
            "Win32_ComputerSystem", "Win32_LogicalDisk"} <= win32


def test_listing_by_pull_and_selectors(daemon):  # noqa: F811
    _, all_items, _ = parse_enum(listing(daemon))
    everything = class_names(all_items)
    # No ClassName selector at all (Get-CimClass -Namespace root/cimv2).
    _, items, _ = parse_enum(daemon.post(envelope(
        ENUM + "Enumerate", SCHEMA + "*",
        '<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
        'enumeration"><w:OptimizeEnumeration/><w:MaxElements>32000'
        "</w:MaxElements></n:Enumerate>",
        extra=headers(selectors={"__cimnamespace": "root\\cimv2"}))))
    assert class_names(items) == everything
    ctx, items, end = parse_enum(listing(daemon, optimize=False))
    assert ctx and not items and not end
    pulled = drain(daemon, ctx, max_elements=3, uri=SCHEMA + "*")
    assert class_names(pulled) == everything
    # A wildcard, and MI's "derived from" meaning of a plain name.
    _, items, _ = parse_enum(listing(daemon, {"ClassName": "Win32_*"}))
    assert set(class_names(items)) == {n for n in everything
                                       if n.startswith("Win32_")}
    _, items, _ = parse_enum(listing(daemon, {"ClassName": "CIM_Service"}))
    assert class_names(items) == ["Win32_BaseService", "Win32_Service"]
    _, items, _ = parse_enum(daemon.post(listing_variant("CIM_Process")))
    assert class_names(items) == ["Win32_Process"]
    expect_fault(listing(daemon, {"ClassName": "CIM_Nothing"}),
                 "DestinationUnreachable")
    expect_fault(listing(daemon, {"__cimnamespace": "root/nowhere"}),
                 "DestinationUnreachable")
    # Released like any enumeration.
    ctx, _, _ = parse_enum(listing(daemon, optimize=False))
    assert daemon.post(envelope(
        ENUM + "Release", SCHEMA + "*",
        '<n:Release xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
        f'enumeration"><n:EnumerationContext>{ctx}</n:EnumerationContext>'
        "</n:Release>"))[0] == 200
    expect_fault(pull(daemon, ctx, uri=SCHEMA + "*"),
                 "InvalidEnumerationContext")


def wql(query):
    return f'<w:Filter Dialect="{WQL}">{query}</w:Filter>'


def test_base_class_enumerates_derived_instances(daemon):  # noqa: F811
    items = enum_all(daemon, "CIM_Process")
    assert items and all(i.tag.endswith("}Win32_Process") for i in items)
    handles = [props(i)["Handle"] for i in items]
    assert str(os.getpid()) in handles
    assert len(handles) == len(set(handles))  # once, as the most derived
    # EPRs name the instance's own class.
    ctx, got, end = parse_enum(daemon.post(envelope(
        ENUM + "Enumerate", DMTF + "CIM_OperatingSystem",
        '<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
        'enumeration"><w:OptimizeEnumeration/><w:MaxElements>10'
        "</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR"
        "</w:EnumerationMode></n:Enumerate>")))
    assert end and len(got) == 1
    obj, epr = list(got[0])
    assert obj.tag.endswith("}Win32_OperatingSystem")
    uri = epr.find(f"{A}ReferenceParameters/{W}ResourceURI").text
    assert uri.endswith("/Win32_OperatingSystem")


def test_wql_on_a_base_class_filters_derived_instances(daemon):  # noqa: F811
    me = str(os.getpid())
    items = enum_all(daemon, "x", uri=ALL, filter_xml=wql(
        f"SELECT Handle, Name FROM CIM_Process WHERE Handle = '{me}'"))
    assert len(items) == 1 and items[0].tag.endswith("}Win32_Process")
    assert set(props(items[0])) == {"Handle", "Name"}
    # The selector filter too.
    items = enum_all(daemon, "CIM_Process", filter_xml=(
        f'<w:Filter Dialect="{SELECTOR}"><w:SelectorSet>'
        f'<w:Selector Name="Handle">{me}</w:Selector></w:SelectorSet>'
        "</w:Filter>"))
    assert len(items) == 1 and items[0].tag.endswith("}Win32_Process")
    # An abstract base reaches several classes, each item its own.
    devices = enum_all(daemon, "x", uri=ALL,
                       filter_xml=wql("SELECT * FROM CIM_LogicalDevice"))
    tags = {i.tag.split("}")[1] for i in devices}
    assert "Win32_Processor" in tags and "CIM_Processor" not in tags
    assert tags <= {"Win32_Processor", "CIM_EthernetPort",
                    "Win32_NetworkAdapter", "Win32_LogicalDisk"}
    cpus = enum_all(daemon, "Win32_Processor")
    assert len([i for i in devices if i.tag.endswith("}Win32_Processor")]) \
        == len(cpus)


def threads(d):
    with open(f"/proc/{d.proc.pid}/status") as f:
        return int(next(line for line in f
                        if line.startswith("Threads:")).split()[1])


def test_released_multi_class_enumerations_leave_no_threads(make_daemon):
    """A base class that reaches several classes runs their providers in
    turn, each on one more thread; releasing the enumeration mid-class ends
    that provider and its thread, and a legitimate client is still served."""
    d = make_daemon("[enumeration]\nqueue_capacity = 4\n")
    sleepers = [subprocess.Popen(["sleep", "120"]) for _ in range(150)]
    try:
        enum_all(d, "Win32_Process")  # a pool worker started
        # HTTP workers start as requests need them and stay: warm them up
        # with concurrent requests first, so that the sequential requests
        # below find an idle one instead of starting another (which would
        # hide a producer that did not end).
        with ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda _: enum_all(d, "Win32_OperatingSystem"),
                          range(24)))
        before = threads(d)
        # Only processes match: the other classes' instances are dropped as
        # they arrive, so each enumeration stops inside Win32_Process, its
        # provider blocked on its own full queue behind the context's.
        query = "SELECT Name FROM CIM_LogicalElement WHERE Name = 'sleep'"
        contexts = []
        for _ in range(6):
            ctx, _, _ = parse_enum(d.post(envelope(
                ENUM + "Enumerate", ALL,
                '<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/'
                f'09/enumeration">{wql(query)}</n:Enumerate>')))
            assert ctx
            _, got, _ = parse_enum(pull(d, ctx, max_elements=1, uri=ALL))
            assert len(got) == 1 and got[0].tag.endswith("}Win32_Process")
            contexts.append(ctx)
        # Each holds a pool worker (the warm-up started most of them) and
        # its producer: 6 producers more than before.
        during = threads(d)
        assert during >= before + 6, (before, during)
        for ctx in contexts:
            d.post(envelope(
                ENUM + "Release", ALL,
                '<n:Release xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
                f'enumeration"><n:EnumerationContext>{ctx}'
                "</n:EnumerationContext></n:Release>"))
        # Pool workers stay (kept until shutdown), and so do HTTP workers
        # for a minute; the six producers go.
        deadline = time.time() + 20
        while threads(d) > during - 6 and time.time() < deadline:
            time.sleep(0.2)
        assert threads(d) <= during - 6, (before, during, threads(d))
        assert enum_all(d, "Win32_OperatingSystem")
    finally:
        for p in sleepers:
            p.kill()
        for p in sleepers:
            p.wait()
