"""Helpers for the CIM operation tests: requests in the shape WinRM/CIM
clients send, and readers for the responses."""
import shutil
import tempfile
import xml.etree.ElementTree as ET

import pytest

from conftest import Daemon, envelope

S = "{http://www.w3.org/2003/05/soap-envelope}"
A = "{http://schemas.xmlsoap.org/ws/2004/08/addressing}"
W = "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}"
N = "{http://schemas.xmlsoap.org/ws/2004/09/enumeration}"
X = "{http://schemas.xmlsoap.org/ws/2004/09/transfer}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
CIM = "{http://schemas.dmtf.org/wbem/wscim/1/common}"

DMTF = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
MSFT = "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/"
ENUM = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
WQL = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
SELECTOR = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
ASSOC = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"
NS_DECL = ('xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" '
           'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
           'xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" '
           'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"')

TEST_CONFIG = "[providers]\ntest_providers = true\n"


@pytest.fixture(scope="module")
def cim():
    """A daemon with the test providers."""
    workdir = tempfile.mkdtemp(prefix="wsmand-cim-")
    d = Daemon(workdir, TEST_CONFIG)
    yield d
    code = d.stop()
    shutil.rmtree(workdir, ignore_errors=True)
    assert code == 0, "wsmand did not stop cleanly"


def headers(options=None, selectors=None, timeout=None, max_env=None):
    extra = ""
    if selectors:
        extra += "<w:SelectorSet>" + "".join(
            f'<w:Selector Name="{k}">{v}</w:Selector>'
            for k, v in selectors.items()) + "</w:SelectorSet>"
    if options:
        extra += "<w:OptionSet>" + "".join(
            f'<w:Option Name="{k}">{v}</w:Option>'
            for k, v in options.items()) + "</w:OptionSet>"
    if timeout:
        extra += f"<w:OperationTimeout>{timeout}</w:OperationTimeout>"
    if max_env:
        extra += ('<w:MaxEnvelopeSize s:mustUnderstand="true">'
                  f'{max_env}</w:MaxEnvelopeSize>')
    return extra


def enumerate_body(optimize=False, max_elements=None, mode=None,
                   filter_xml="", expires=None):
    body = f"<n:Enumerate {NS_DECL}>"
    if expires:
        body += f"<n:Expires>{expires}</n:Expires>"
    if optimize:
        body += "<w:OptimizeEnumeration/>"
    if max_elements:
        body += f"<w:MaxElements>{max_elements}</w:MaxElements>"
    if mode:
        body += f"<w:EnumerationMode>{mode}</w:EnumerationMode>"
    body += filter_xml + "</n:Enumerate>"
    return body


def enumerate_(d, cls, user=None, uri=None, options=None, selectors=None,
               timeout=None, max_env=None, **kw):
    uri = uri or DMTF + cls
    req = envelope(ENUM + "Enumerate", uri, enumerate_body(**kw),
                   extra=headers(options, selectors, timeout, max_env))
    if user:
        return d.post(req, user=user[0], password=user[1])
    return d.post(req)


def context_op(d, op, context, user=None, uri=None, max_elements=None,
               max_chars=None, timeout=None, max_env=None, expires=None):
    body = f"<n:{op} {NS_DECL}><n:EnumerationContext>{context}" \
           "</n:EnumerationContext>"
    if max_elements:
        body += f"<n:MaxElements>{max_elements}</n:MaxElements>"
    if max_chars:
        body += f"<n:MaxCharacters>{max_chars}</n:MaxCharacters>"
    if expires:
        body += f"<n:Expires>{expires}</n:Expires>"
    body += f"</n:{op}>"
    req = envelope(ENUM + op, uri or DMTF + "WSMAN_TestItem", body,
                   extra=headers(timeout=timeout, max_env=max_env))
    if user:
        return d.post(req, user=user[0], password=user[1])
    return d.post(req)


def pull(d, context, **kw):
    return context_op(d, "Pull", context, **kw)


def ok_root(response):
    status, hdrs, body = response
    assert status == 200, body
    return ET.fromstring(body)


def parse_enum(response):
    """(context or None, [item elements], end_of_sequence)."""
    root = ok_root(response)
    b = root.find(f"{S}Body")
    resp = b[0]
    ctx = resp.findtext(f"{N}EnumerationContext")
    items_el = resp.find(f"{W}Items")
    if items_el is None:
        items_el = resp.find(f"{N}Items")
    items = list(items_el) if items_el is not None else []
    end = (resp.find(f"{W}EndOfSequence") is not None or
           resp.find(f"{N}EndOfSequence") is not None)
    return ctx, items, end


def props(element):
    """{local name: text or [texts]} of an instance element."""
    out = {}
    for child in element:
        name = child.tag.split("}")[1]
        if child.get(f"{XSI}nil") == "true":
            value = None
        elif len(child):
            value = child[0].text
        else:
            value = child.text or ""
        if name in out:
            if not isinstance(out[name], list):
                out[name] = [out[name]]
            out[name].append(value)
        else:
            out[name] = value
    return out


def drain(d, context, max_elements=100, user=None, **kw):
    """Pulls until EndOfSequence; returns the items."""
    items = []
    while context:
        ctx, got, end = parse_enum(pull(d, context, max_elements=max_elements,
                                        user=user, **kw))
        items.extend(got)
        if end:
            break
        context = ctx
    return items


def get(d, cls, selectors, user=None, uri=None, options=None):
    req = envelope(TRANSFER + "Get", uri or DMTF + cls, "",
                   extra=headers(options, selectors))
    if user:
        return d.post(req, user=user[0], password=user[1])
    return d.post(req)


def transfer(d, op, cls, selectors=None, body="", uri=None, options=None):
    req = envelope(TRANSFER + op, uri or DMTF + cls, body,
                   extra=headers(options, selectors))
    return d.post(req)


def invoke(d, cls, method, params="", selectors=None, uri=None):
    uri = uri or DMTF + cls
    body = (f'<p:{method}_INPUT xmlns:p="{uri}" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common">'
            f"{params}</p:{method}_INPUT>")
    req = envelope(f"{uri}/{method}", uri, body,
                   extra=headers(selectors=selectors))
    return d.post(req)
