"""WQL ASSOCIATORS OF / REFERENCES OF over the host associations, on both
all-classes URIs, in the request shape the MI client (Get-CimInstance
-Query) sends (vectors/omi/tests_protocol_posthttp_test1 with the query
swapped); errors answer w:CannotProcessFilter naming the offset."""
import os
import socket
import xml.etree.ElementTree as ET

import pytest

from conftest import daemon  # noqa: F401
from cim_util import A, DMTF, N, S, W, props

HOSTNAME = socket.gethostname()
VECTOR = os.path.join(os.environ.get("WSMAND_VECTORS", "/work/shared/vectors"),
                      "omi", "tests_protocol_posthttp_test1.request.xml")
ALL = ["http://schemas.dmtf.org/wbem/wscim/1/*",
       "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/*"]


def mi_request(uri, query):
    with open(VECTOR) as f:
        req = f.read()
    req = req.replace("http://schemas.dmtf.org/wbem/wscim/1/*", uri)
    req = req.replace("root/OMI", "root/cimv2")
    q = query.replace("&", "&amp;").replace("<", "&lt;")
    return req.replace("select * from OMI_Identify", q)


def run(d, uri, query):
    status, _, body = d.post(mi_request(uri, query))
    return status, body


@pytest.mark.parametrize("uri", ALL)
def test_associators_of_process_gives_the_os(daemon, uri):  # noqa: F811
    status, body = run(daemon, uri,
                       f'ASSOCIATORS OF {{Win32_Process.Handle="{os.getpid()}"}}'
                       " WHERE ResultClass = CIM_OperatingSystem")
    assert status == 200, body
    root = ET.fromstring(body)
    items = root.findall(f".//{W}Items/{W}Item")
    assert len(items) == 1
    assert props(items[0][0])["CSName"] == HOSTNAME


@pytest.mark.parametrize("uri", ALL)
def test_references_of_computer_system(daemon, uri):  # noqa: F811
    status, body = run(daemon, uri,
                       f"REFERENCES OF {{CIM_ComputerSystem."
                       f"Name='{HOSTNAME}',CreationClassName="
                       "'CIM_ComputerSystem'} WHERE ResultClass = CIM_RunningOS")
    assert status == 200, body
    assert b"CIM_RunningOS" in body and b"Antecedent" in body


def test_keys_only_answers_eprs(daemon):  # noqa: F811
    status, body = run(daemon, ALL[0],
                       f"ASSOCIATORS OF {{Win32_Process={os.getpid()}}} "
                       "WHERE ResultClass = CIM_OperatingSystem KeysOnly")
    assert status == 200, body
    root = ET.fromstring(body)
    eprs = root.findall(f".//{W}Items/{A}EndpointReference")
    assert len(eprs) == 1


@pytest.mark.parametrize("query,offset", [
    ("ASSOCIATORS OF {Win32_Process.Handle=1", 16),
    ("ASSOCIATORS OF {Win32_Process.Handle=1} WHERE Bogus", 46),
    ("SELECT * FROM Win32_Process WHERE {", 34),
])
def test_errors_name_the_offset(daemon, query, offset):  # noqa: F811
    status, body = run(daemon, ALL[0], query)
    assert status == 500
    assert b"w:CannotProcessFilter" in body
    assert f"at character offset {offset}".encode() in body


def test_class_defs_only_is_refused_clearly(daemon):  # noqa: F811
    status, body = run(daemon, ALL[0],
                       "ASSOCIATORS OF {Win32_Process.Handle=1} WHERE "
                       "ClassDefsOnly")
    assert status == 500
    assert b"ClassDefsOnly is not supported" in body


@pytest.mark.parametrize("where,count", [
    ("Antecedent ISA 'CIM_OperatingSystem'", 1),
    ("Antecedent ISA \"CIM_ManagedElement\"", 1),  # its root ancestor
    ("Dependent ISA 'CIM_System'", 1),
    ("Antecedent ISA 'CIM_Process'", 0),
    ("NOT Antecedent ISA 'CIM_Process'", 1),
])
def test_isa_on_references(daemon, where, count):  # noqa: F811
    """WMI's ISA for data queries: the referenced instance's class is the
    named one or derives from it."""
    status, body = run(daemon, ALL[0],
                       f"SELECT * FROM CIM_RunningOS WHERE {where}")
    assert status == 200, body
    items = ET.fromstring(body).findall(f".//{W}Items/*")
    assert len(items) == count, body


def test_isa_on_a_scalar_property_is_refused(daemon):  # noqa: F811
    status, body = run(daemon, ALL[0],
                       "SELECT * FROM Win32_Process WHERE Name ISA 'X'")
    assert status == 500
    assert b"w:CannotProcessFilter" in body and b"ISA needs" in body


@pytest.mark.parametrize("path", [
    '\\\\.\\root\\cimv2:Win32_Process.Handle="{pid}"',
    '\\\\localhost\\root/cimv2:Win32_Process.Handle="{pid}"',
    'root\\cimv2:Win32_Process.Handle="{pid}"',
])
def test_namespace_prefixed_object_paths(daemon, path):  # noqa: F811
    status, body = run(daemon, ALL[0],
                       "ASSOCIATORS OF {" + path.format(pid=os.getpid()) +
                       "} WHERE ResultClass = CIM_OperatingSystem")
    assert status == 200, body
    items = ET.fromstring(body).findall(f".//{W}Items/{W}Item")
    assert len(items) == 1
