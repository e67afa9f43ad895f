"""Enumerate filters: WQL, the WS-Man SelectorFilter dialect and the CIM
binding's association filter; unknown dialects and bad queries."""
from faults import expect_fault
from cim_util import (A, ASSOC, DMTF, SELECTOR, W, WQL, cim, drain,  # noqa
                      enumerate_, parse_enum, props)


def wql(query):
    return f'<w:Filter Dialect="{WQL}">{query}</w:Filter>'


def run(d, cls, filter_xml, count=50, uri=None):
    ctx, items, end = parse_enum(enumerate_(
        d, cls, uri=uri, options={"Count": count}, optimize=True,
        max_elements=1000, filter_xml=filter_xml))
    if not end:
        items += drain(d, ctx)
    return items


def ids(items):
    return [int(props(i)["Id"]) for i in items]


def test_wql_select_star_where(cim):
    got = run(cim, "WSMAN_TestItem",
              wql("SELECT * FROM WSMAN_TestItem WHERE Id &lt; 5 OR Id = 40"))
    assert ids(got) == [0, 1, 2, 3, 4, 40]


def test_wql_and_not_like_null(cim):
    got = run(cim, "WSMAN_TestItem", wql(
        "select * from WSMAN_TestItem where NOT (Flag = TRUE) AND "
        "Name LIKE 'ITEM-1%' AND Tags IS NOT NULL"))
    assert ids(got) == [1, 11, 13, 15, 17]
    got = run(cim, "WSMAN_TestItem", wql(
        "SELECT * FROM WSMAN_TestItem WHERE Tags IS NULL AND Id &lt;= 30"))
    assert ids(got) == [9, 19, 29]
    got = run(cim, "WSMAN_TestItem", wql(
        "SELECT * FROM WSMAN_TestItem WHERE Name LIKE 'item-[2-3]_'"))
    assert ids(got) == list(range(20, 40))


def test_wql_projection(cim):
    got = run(cim, "WSMAN_TestItem",
              wql("SELECT Name, Ratio FROM WSMAN_TestItem WHERE Id = 6"))
    assert len(got) == 1
    assert set(props(got[0])) == {"Id", "Name", "Ratio"}


def test_wql_with_all_classes_uri(cim):
    got = run(cim, "WSMAN_TestItem",
              wql("SELECT * FROM WSMAN_TestItem WHERE Id = 3"),
              uri="http://schemas.dmtf.org/wbem/wscim/1/*")
    assert ids(got) == [3]


def test_wql_bad_queries(cim):
    for query in ["SELECT FROM", "SELECT * FROM WSMAN_TestItem WHERE",
                  "SELECT * FROM WSMAN_TestItem WHERE Id = 'x",
                  "SELECT * FROM WSMAN_TestItem WHERE (Id = 1",
                  "SELECT * FROM WSMAN_TestItem WHERE Nope = 1",
                  "SELECT * FROM Other_Class",
                  "DROP TABLE x",
                  "SELECT * FROM WSMAN_TestItem WHERE " + "(" * 200 +
                  "Id = 1" + ")" * 200]:
        expect_fault(enumerate_(cim, "WSMAN_TestItem",
                                filter_xml=wql(query)),
                     "CannotProcessFilter")


def test_selector_filter(cim):
    f = (f'<w:Filter Dialect="{SELECTOR}"><w:SelectorSet>'
         '<w:Selector Name="Flag">false</w:Selector>'
         '<w:Selector Name="Small">-125</w:Selector>'
         '</w:SelectorSet></w:Filter>')
    assert ids(run(cim, "WSMAN_TestItem", f)) == [3]
    bad = (f'<w:Filter Dialect="{SELECTOR}"><w:SelectorSet>'
           '<w:Selector Name="Nope">1</w:Selector></w:SelectorSet>'
           '</w:Filter>')
    expect_fault(enumerate_(cim, "WSMAN_TestItem", filter_xml=bad),
                 "CannotProcessFilter")


def test_unknown_dialect(cim):
    f = '<w:Filter Dialect="http://example.com/xpath">//x</w:Filter>'
    expect_fault(enumerate_(cim, "WSMAN_TestItem", filter_xml=f),
                 "FilterDialectRequestedUnavailable")


def assoc_filter(kind, person, extra=""):
    return (
        f'<w:Filter Dialect="{ASSOC}"><b:{kind}><b:Object>'
        '<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/'
        'anonymous</a:Address><a:ReferenceParameters>'
        f'<w:ResourceURI>{DMTF}WSMAN_TestPerson</w:ResourceURI>'
        f'<w:SelectorSet><w:Selector Name="Name">{person}</w:Selector>'
        '</w:SelectorSet></a:ReferenceParameters></b:Object>'
        f'{extra}</b:{kind}></w:Filter>')


def test_associators(cim):
    got = run(cim, "x", assoc_filter("AssociatedInstances", "alice"),
              uri="http://schemas.dmtf.org/wbem/wscim/1/*")
    assert sorted(props(i)["Name"] for i in got) == ["Rex", "Tom"]
    assert got[0].tag == "{" + DMTF + "WSMAN_TestPet}WSMAN_TestPet"
    got = run(cim, "x", assoc_filter(
        "AssociatedInstances", "alice",
        "<b:ResultClassName>WSMAN_TestPerson</b:ResultClassName>"),
        uri="http://schemas.dmtf.org/wbem/wscim/1/*")
    assert got == []


def test_associators_with_epr_mode(cim):
    ctx, items, end = parse_enum(enumerate_(
        cim, "x", uri="http://schemas.dmtf.org/wbem/wscim/1/*",
        optimize=True, max_elements=10, mode="EnumerateEPR",
        filter_xml=assoc_filter("AssociatedInstances", "bob")))
    assert end and len(items) == 1
    assert items[0].findtext(f"{A}ReferenceParameters/{W}ResourceURI") == \
        DMTF + "WSMAN_TestPet"


def test_references(cim):
    got = run(cim, "x", assoc_filter(
        "AssociationInstances", "alice",
        "<b:ResultClassName>WSMAN_TestOwnership</b:ResultClassName>"),
        uri="http://schemas.dmtf.org/wbem/wscim/1/*")
    assert len(got) == 2
    owner = got[0].find("{" + DMTF + "WSMAN_TestOwnership}Owner")
    sels = {s.get("Name"): s.text for s in owner.iter(f"{W}Selector")}
    assert sels["Name"] == "alice"
    assert owner.findtext(f"{A}ReferenceParameters/{W}ResourceURI") == \
        DMTF + "WSMAN_TestPerson"


def test_bad_association_filter(cim):
    f = f'<w:Filter Dialect="{ASSOC}"><b:Nonsense/></w:Filter>'
    expect_fault(enumerate_(cim, "x",
                            uri="http://schemas.dmtf.org/wbem/wscim/1/*",
                            filter_xml=f), "CannotProcessFilter")
