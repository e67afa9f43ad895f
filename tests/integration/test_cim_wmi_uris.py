"""The WMI plugin's resource URIs ([MS-WSMV] 3.1.4.1.1: a server MUST accept
http://schemas.microsoft.com/wbem/wsman/1/wmi/<namespace>/<Class>): every
operation on the host and test classes, the namespace taken from the path,
a matching __cimnamespace allowed and a conflicting one refused, answers
and EPRs in the same family (no __cimnamespace: the URI holds it, <45>),
the "/*" URI with WQL (Ruby WinRM's run_wql request shape) and association
queries, WQL projections as w:XmlFragment items (<58>, <59>), eventing
actions answered a:ActionNotSupported, and selector values that ignore
case. Driven by raw envelopes, pywinrm's Protocol and curl."""
import os
import socket
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import PASSWORD, USER, envelope
from faults import expect_fault
from cim_util import (A, DMTF, N, S, W, WQL, cim, enumerate_,  # noqa: F401
                      get, headers, invoke, ok_root, parse_enum, props,
                      transfer)

WMI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
CIMV2 = WMI + "root/cimv2/"
ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate"
EVENTING = "http://schemas.xmlsoap.org/ws/2004/08/eventing/"
HOSTNAME = socket.gethostname()
PID = str(os.getpid())


def body_of(response):
    return ok_root(response).find(f"{S}Body")


def selectors_of(epr):
    return {s.get("Name"): s.text for s in epr.iter(f"{W}Selector")}


def wql_enumerate(d, uri, query, mode=None):
    """The request Ruby WinRM's run_wql builds (lib/winrm/wsmv/
    wql_query.rb): OptimizeEnumeration, MaxElements 32000, a WQL Filter."""
    body = ('<n:Enumerate xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/'
            'enumeration"><w:OptimizeEnumeration/>'
            "<w:MaxElements>32000</w:MaxElements>")
    if mode:
        body += f"<w:EnumerationMode>{mode}</w:EnumerationMode>"
    q = query.replace("&", "&amp;").replace("<", "&lt;")
    body += f'<w:Filter Dialect="{WQL}">{q}</w:Filter></n:Enumerate>'
    return d.post(envelope(ENUM, uri, body))


# --- Get, Put, Create, Delete, Invoke under .../wmi/root/cimv2/<Class> ---

def test_get_host_class_namespace_from_the_path(cim):
    uri = CIMV2 + "Win32_Process"
    instance = body_of(get(cim, None, {"Handle": PID}, uri=uri))[0]
    assert instance.tag == "{%s}Win32_Process" % uri
    assert props(instance)["Handle"] == PID


def test_class_name_and_selector_name_ignore_case(cim):
    uri = CIMV2 + "win32_process"
    instance = body_of(get(cim, None, {"HANDLE": PID}, uri=uri))[0]
    assert props(instance)["Handle"] == PID


def test_selector_string_values_ignore_case(cim):
    # Win32_ComputerSystem's key is the host name: Windows matches it in
    # any case ([MS-WSMV] 3.1.4.1.2).
    for uri in (CIMV2 + "Win32_ComputerSystem", DMTF + "Win32_ComputerSystem"):
        instance = body_of(get(cim, None, {"Name": HOSTNAME.upper()},
                               uri=uri))[0]
        assert props(instance)["Name"] == HOSTNAME


def test_matching_cimnamespace_selector_is_allowed(cim):
    uri = CIMV2 + "Win32_Process"
    for ns in ("root/cimv2", "root\\cimv2", "ROOT/CIMV2"):
        instance = body_of(get(cim, None, {"Handle": PID,
                                           "__cimnamespace": ns},
                               uri=uri))[0]
        assert props(instance)["Handle"] == PID


def test_conflicting_cimnamespace_selector_is_refused(cim):
    # <46>: the request is rejected with wsman:InternalError.
    expect_fault(get(cim, None, {"Handle": PID,
                                 "__cimnamespace": "root/standardcimv2"},
                     uri=CIMV2 + "Win32_Process"), "InternalError")


def test_unknown_namespace_in_the_path(cim):
    expect_fault(get(cim, None, {"Handle": PID},
                     uri=WMI + "root/nowhere/Win32_Process"),
                 "DestinationUnreachable")


def test_unknown_class_in_the_path(cim):
    expect_fault(get(cim, None, {"Id": "1"}, uri=CIMV2 + "Win32_NoSuchThing"),
                 "DestinationUnreachable", detail="InvalidResourceURI")


def table_row(uri, name, value):
    return (f'<p:WSMAN_TestTable xmlns:p="{uri}">'
            f"<p:Name>{name}</p:Name><p:Value>{value}</p:Value>"
            "</p:WSMAN_TestTable>")


def test_create_put_delete_answer_in_the_wmi_family(cim):
    uri = CIMV2 + "WSMAN_TestTable"
    root = ok_root(transfer(cim, "Create", None, uri=uri,
                            body=table_row(uri, "wmi-row", 3)))
    created = root.find(f".//{{http://schemas.xmlsoap.org/ws/2004/09/"
                        f"transfer}}ResourceCreated")
    assert created.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == uri
    assert selectors_of(created) == {"Name": "wmi-row"}  # no __cimnamespace
    put = body_of(transfer(cim, "Put", None, {"Name": "wmi-row"}, uri=uri,
                           body=table_row(uri, "wmi-row", 7)))[0]
    assert put.tag == "{%s}WSMAN_TestTable" % uri
    assert props(put)["Value"] == "7"
    status, _, _ = transfer(cim, "Delete", None, {"Name": "wmi-row"}, uri=uri)
    assert status == 200
    expect_fault(get(cim, None, {"Name": "wmi-row"}, uri=uri),
                 "DestinationUnreachable")


def test_invoke_under_the_wmi_uri(cim):
    uri = CIMV2 + "Win32_Process"
    out = body_of(invoke(cim, None, "GetOwner", selectors={"Handle": PID},
                         uri=uri))[0]
    assert out.tag == "{%s}GetOwner_OUTPUT" % uri
    assert props(out)["ReturnValue"] == "0"


def test_invoke_action_ignores_the_class_name_case(cim):
    uri = CIMV2 + "Win32_Process"
    body = f'<p:GetOwner_INPUT xmlns:p="{uri}"/>'
    response = cim.post(envelope(uri.upper().replace("HTTP:", "http:") +
                                 "/GetOwner", uri, body,
                                 extra=headers(selectors={"Handle": PID})))
    assert props(body_of(response)[0])["ReturnValue"] == "0"


# --- Enumerate ---

def test_enumerate_epr_points_back_at_the_wmi_uri(cim):
    uri = CIMV2 + "Win32_Process"
    _, items, _ = parse_enum(enumerate_(cim, None, uri=uri, optimize=True,
                                        max_elements=5, mode="EnumerateEPR"))
    assert items
    for epr in items:
        rp = epr.find(f"{A}ReferenceParameters")
        assert rp.findtext(f"{W}ResourceURI") == uri
        assert "__cimnamespace" not in selectors_of(epr)


def test_dmtf_epr_keeps_the_namespace_selector(cim):
    # <45>: Windows sends __cimnamespace in EPRs for DMTF URIs.
    _, items, _ = parse_enum(enumerate_(cim, "Win32_Process", optimize=True,
                                        max_elements=1, mode="EnumerateEPR"))
    assert selectors_of(items[0])["__cimnamespace"] == "root/cimv2"


def test_all_classes_uri_with_wql_select_star(cim):
    status, _, body = wql_enumerate(
        cim, CIMV2 + "*", f"SELECT * FROM Win32_Process WHERE Handle = {PID}")
    assert status == 200, body
    _, items, _ = parse_enum((status, {}, body))
    assert len(items) == 1
    assert items[0].tag == "{%sWin32_Process}Win32_Process" % CIMV2
    assert props(items[0])["Handle"] == PID


def test_ruby_run_wql_default_uri_and_epr_items(cim):
    status, _, body = wql_enumerate(
        cim, CIMV2 + "*", "select * from Win32_ComputerSystem",
        mode="EnumerateObjectAndEPR")
    _, items, _ = parse_enum((status, {}, body))
    assert len(items) == 1
    epr = items[0].find(f"{A}EndpointReference")
    assert epr.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == \
        CIMV2 + "Win32_ComputerSystem"
    assert "__cimnamespace" not in selectors_of(epr)


def test_wql_projection_is_an_xml_fragment_in_alphabetical_order(cim):
    status, _, body = wql_enumerate(
        cim, CIMV2 + "*",
        f"select Name, Handle from Win32_Process where Handle = {PID}")
    assert status == 200, body
    _, items, _ = parse_enum((status, {}, body))
    assert len(items) == 1
    fragment = items[0]
    assert fragment.tag == f"{W}XmlFragment"
    # <58>: no namespace on the selected elements; <59>: sorted.
    assert [c.tag for c in fragment] == ["Handle", "Name"]
    assert fragment.findtext("Handle") == PID


def test_wql_on_a_class_uri_of_the_wmi_family(cim):
    uri = CIMV2 + "Win32_Process"
    status, _, body = wql_enumerate(
        cim, uri, f"SELECT * FROM Win32_Process WHERE Handle = {PID}")
    _, items, _ = parse_enum((status, {}, body))
    assert [props(i)["Handle"] for i in items] == [PID]


def test_associators_of_on_the_wmi_all_classes_uri(cim):
    status, _, body = wql_enumerate(
        cim, CIMV2 + "*",
        f'ASSOCIATORS OF {{Win32_Process.Handle="{PID}"}} '
        "WHERE ResultClass = CIM_OperatingSystem")
    assert status == 200, body
    _, items, _ = parse_enum((status, {}, body))
    assert len(items) == 1
    assert items[0].tag.startswith("{" + CIMV2)
    assert props(items[0])["CSName"] == HOSTNAME


def test_association_filter_object_named_by_a_wmi_uri(cim):
    process = CIMV2 + "Win32_Process"
    filter_xml = (
        '<w:Filter Dialect="http://schemas.dmtf.org/wbem/wsman/1/cimbinding/'
        'associationFilter"><b:AssociatedInstances xmlns:b="http://schemas.'
        'dmtf.org/wbem/wsman/1/cimbinding.xsd"><b:Object>'
        "<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/"
        f"anonymous</a:Address><a:ReferenceParameters><w:ResourceURI>{process}"
        '</w:ResourceURI><w:SelectorSet><w:Selector Name="Handle">'
        f"{PID}</w:Selector></w:SelectorSet></a:ReferenceParameters>"
        "</b:Object><b:ResultClassName>CIM_OperatingSystem</b:ResultClassName>"
        "</b:AssociatedInstances></w:Filter>")
    _, items, _ = parse_enum(enumerate_(cim, None, uri=CIMV2 + "*",
                                        optimize=True, max_elements=10,
                                        filter_xml=filter_xml))
    assert len(items) == 1 and props(items[0])["CSName"] == HOSTNAME


def test_all_classes_without_filter_is_refused(cim):
    expect_fault(enumerate_(cim, None, uri=CIMV2 + "*"),
                 "DestinationUnreachable")


def test_all_classes_uri_of_an_unknown_namespace(cim):
    status, _, body = wql_enumerate(cim, WMI + "root/nowhere/*",
                                    "select * from Win32_Process")
    expect_fault((status, {"content-type": "application/soap+xml"}, body),
                 "CannotProcessFilter")


# --- WS-Eventing until it exists ---

@pytest.mark.parametrize("action", ["Subscribe", "Renew", "Unsubscribe"])
@pytest.mark.parametrize("uri", [DMTF + "Win32_Process",
                                 CIMV2 + "Win32_Process", CIMV2 + "*"])
def test_eventing_actions_are_not_supported(cim, action, uri):
    body = (f'<e:{action} xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/'
            f'eventing"/>')
    expect_fault(cim.post(envelope(EVENTING + action, uri, body)),
                 "ActionNotSupported")


# --- the real clients ---

def test_pywinrm_and_curl_get_by_wmi_uri(cim):
    from winrm.protocol import Protocol
    uri = CIMV2 + "Win32_ComputerSystem"
    request = envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/Get",
                       uri, "", extra=headers(selectors={"Name": HOSTNAME}))
    protocol = Protocol(endpoint=f"http://127.0.0.1:{cim.port}/wsman",
                        transport="plaintext", username=USER,
                        password=PASSWORD)
    answer = ET.fromstring(protocol.send_message(request))
    assert props(answer.find(f"{S}Body")[0])["Name"] == HOSTNAME
    out = subprocess.run(
        ["curl", "-sS", "-u", f"{USER}:{PASSWORD}", "-H",
         "Content-Type: application/soap+xml;charset=UTF-8",
         "--data-binary", request, f"http://127.0.0.1:{cim.port}/wsman"],
        capture_output=True, timeout=30, check=True).stdout
    instance = ET.fromstring(out).find(f"{S}Body")[0]
    assert instance.tag == "{%s}Win32_ComputerSystem" % uri
