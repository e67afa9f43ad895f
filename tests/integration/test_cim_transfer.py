"""WS-Transfer Get/Put/Create/Delete and method invocation through the CIM
engine, on the test providers' in-memory table."""
from faults import expect_fault
from cim_util import (CIM, DMTF, W, A, X, cim, get, invoke, ok_root,  # noqa
                      props, transfer)

TABLE = DMTF + "WSMAN_TestTable"


def body_of(response):
    return ok_root(response).find(
        "{http://www.w3.org/2003/05/soap-envelope}Body")


def row_xml(name, value=None, note=None, nil_note=False, scores=()):
    x = (f'<p:WSMAN_TestTable xmlns:p="{TABLE}" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
         'xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common">'
         f"<p:Name>{name}</p:Name>")
    if value is not None:
        x += f"<p:Value>{value}</p:Value>"
    if nil_note:
        x += '<p:Note xsi:nil="true"/>'
    elif note is not None:
        x += f"<p:Note>{note}</p:Note>"
    x += "<p:Created><cim:Datetime>2025-02-03T04:05:06Z</cim:Datetime>" \
         "</p:Created>"
    for s in scores:
        x += f"<p:Scores>{s}</p:Scores>"
    return x + "</p:WSMAN_TestTable>"


def test_get(cim):
    body = body_of(get(cim, "WSMAN_TestItem", {"Id": "42"}))
    p = props(body[0])
    assert p["Id"] == "42" and p["Name"] == "item-42"
    assert p["Big"] == str(42 * 1000003)


def test_get_with_namespace_selector(cim):
    body = body_of(get(cim, "WSMAN_TestItem",
                       {"__cimnamespace": "root/cimv2", "Id": "1"}))
    assert props(body[0])["Id"] == "1"


def test_get_not_found(cim):
    expect_fault(get(cim, "WSMAN_TestTable", {"Name": "nobody"}),
                 "DestinationUnreachable")


def test_get_selector_faults(cim):
    expect_fault(get(cim, "WSMAN_TestItem", {}), "InvalidSelectors",
                 detail="InsufficientSelectors")
    expect_fault(get(cim, "WSMAN_TestItem", {"Id": "1", "Other": "x"}),
                 "InvalidSelectors", detail="UnexpectedSelectors")
    expect_fault(get(cim, "WSMAN_TestItem", {"Id": "abc"}),
                 "InvalidSelectors", detail="TypeMismatch")


def test_get_failing_throwing_silent(cim):
    expect_fault(get(cim, "WSMAN_TestFailing", {"Id": "1"}), "InternalError")
    expect_fault(get(cim, "WSMAN_TestThrowing", {"Id": "1"}),
                 "InternalError")
    expect_fault(get(cim, "WSMAN_TestSilent", {"Id": "1"}), "InternalError")


def test_get_unknown_class(cim):
    expect_fault(get(cim, "Nope", {"Id": "1"}), "DestinationUnreachable",
                 detail="InvalidResourceURI")


def test_create_get_put_delete(cim):
    status, _, body = response = transfer(
        cim, "Create", "WSMAN_TestTable",
        body=row_xml("second", 5, "hello", scores=(3, 4)))
    root = ok_root(response)
    created = root.find(f".//{X}ResourceCreated")
    assert created is not None
    assert created.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == TABLE
    sels = {s.get("Name"): s.text for s in created.iter(f"{W}Selector")}
    assert sels["Name"] == "second"

    p = props(body_of(get(cim, "WSMAN_TestTable", {"Name": "second"}))[0])
    assert p["Value"] == "5" and p["Note"] == "hello"
    assert p["Scores"] == ["3", "4"]
    assert p["Created"] == "2025-02-03T04:05:06Z"

    expect_fault(transfer(cim, "Create", "WSMAN_TestTable",
                          body=row_xml("second", 1)), "AlreadyExists")

    put = transfer(cim, "Put", "WSMAN_TestTable", {"Name": "second"},
                   body=row_xml("second", 9, nil_note=True))
    p = props(body_of(put)[0])
    assert p["Value"] == "9" and p["Note"] is None

    status, _, _ = transfer(cim, "Delete", "WSMAN_TestTable",
                            {"Name": "second"})
    assert status == 200
    expect_fault(get(cim, "WSMAN_TestTable", {"Name": "second"}),
                 "DestinationUnreachable")
    expect_fault(transfer(cim, "Delete", "WSMAN_TestTable",
                          {"Name": "second"}), "DestinationUnreachable")


def test_put_and_create_bad_bodies(cim):
    expect_fault(transfer(cim, "Put", "WSMAN_TestTable", {"Name": "first"},
                          body=row_xml("first", "not-a-number")),
                 "InvalidRepresentation")
    bad = row_xml("x", 1).replace("<p:Name>", "<p:Bogus>1</p:Bogus><p:Name>")
    expect_fault(transfer(cim, "Create", "WSMAN_TestTable", body=bad),
                 "InvalidRepresentation")
    expect_fault(transfer(cim, "Create", "WSMAN_TestTable", body=""),
                 "InvalidRepresentation")
    expect_fault(transfer(cim, "Put", "WSMAN_TestTable", {"Name": "zzz"},
                          body=row_xml("zzz", 1)), "DestinationUnreachable")


def test_create_not_supported(cim):
    body = (f'<p:WSMAN_TestItem xmlns:p="{DMTF}WSMAN_TestItem">'
            "<p:Id>1</p:Id></p:WSMAN_TestItem>")
    expect_fault(transfer(cim, "Create", "WSMAN_TestItem", body=body),
                 "ActionNotSupported")


def test_invoke_static_method(cim):
    response = invoke(cim, "WSMAN_TestTable", "Add",
                      "<p:A>40</p:A><p:B>2</p:B>")
    root = ok_root(response)
    assert root.findtext(
        ".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}Action") == \
        TABLE + "/AddResponse"
    out = body_of(response)[0]
    assert out.tag == "{" + TABLE + "}Add_OUTPUT"
    p = props(out)
    assert p["Sum"] == "42" and p["ReturnValue"] == "0"


def test_invoke_typed_parameters_round_trip(cim):
    params = ("<p:S>h&lt;i</p:S><p:N>-9000000000</p:N><p:B>true</p:B>"
              "<p:D><cim:Interval>P1DT2H3M4.5S</cim:Interval></p:D>"
              "<p:L>1</p:L><p:L>65535</p:L>")
    p = props(body_of(invoke(cim, "WSMAN_TestTable", "Echo", params))[0])
    assert p["S"] == "h<i" and p["N"] == "-9000000000" and p["B"] == "true"
    assert p["D"] == "P1DT2H3M4.500000S"
    assert p["L"] == ["1", "65535"]


def test_invoke_instance_method(cim):
    transfer(cim, "Create", "WSMAN_TestTable", body=row_xml("old", 1))
    response = invoke(cim, "WSMAN_TestTable", "Rename",
                      "<p:NewName>new</p:NewName>", selectors={"Name": "old"})
    assert props(body_of(response)[0])["ReturnValue"] == "0"
    assert props(body_of(get(cim, "WSMAN_TestTable",
                             {"Name": "new"}))[0])["Value"] == "1"


def test_invoke_faults(cim):
    expect_fault(invoke(cim, "WSMAN_TestTable", "NoSuchMethod"),
                 "ActionNotSupported")
    expect_fault(invoke(cim, "WSMAN_TestTable", "Add", "<p:A>x</p:A>"),
                 "InvalidRepresentation")
    expect_fault(invoke(cim, "WSMAN_TestTable", "Add", "<p:Zzz>1</p:Zzz>"),
                 "InvalidParameter")
    expect_fault(invoke(cim, "WSMAN_TestTable", "Add", "<p:A>1</p:A>"),
                 "InvalidParameter")
