#!/usr/bin/python3
"""zeep_flow.py: the provisioning flow driven by python zeep (Debian
python3-zeep) against a live ngnprod (NGN_TEST_URL, NGN_TEST_LOGIN,
NGN_TEST_PASSWORD from tests/lib/with-server.sh).

The client is zeep.Client(URL?wsdl) with default settings. zeep resolves
every schema the WSDL names: the SOAP-ENC import is served by ngnprod
(soap-encoding.xsd beside the WSDL), so this runs without the internet
(zeep.srvtest points the proxy variables at a closed port to prove it).

What zeep sends: rpc/encoded bodies without xsi:type or encodingStyle;
scalars and structs from plain Python values. SOAP-ENC arrays (groups,
properties, acl, getPrepaidStatus' sipIds) are "any" items to zeep here: it
cannot send them from a Python list, only from lxml elements, which this
flow builds (item() below); it reads them back as lists. The flow checks
both that the list form is refused by zeep itself (nothing is sent) and
that the element form works.
Output: "ok N - ..." / "not ok N - ..." per check, then
"interop-zeep: P passed, F failed"; exit 1 on any failure.
"""
import hashlib
import os
import sys
from decimal import Decimal

import zeep
from lxml import etree

from flowtap import LOGIN, PASSWORD, URL, ok  # noqa: E402  (the flows' shared TAP lines)
import flowtap  # noqa: E402


def finish():
    flowtap.finish("interop-zeep")


def item(value):
    """one SOAP-ENC array item as zeep must be given it: an lxml element"""
    e = etree.Element("item")
    if isinstance(value, dict):
        for k, v in value.items():
            etree.SubElement(e, k).text = str(v)
    else:
        e.text = str(value)
    return e


def items(values):
    return [item(v) for v in values]


client = None
auth = None


def call(op, **kw):
    """-> (result, None) or (None, (faultcode, errorcode, errorstring)) or (None, exception)"""
    try:
        return getattr(client.service, op)(_soapheaders=auth, **kw), None
    except zeep.exceptions.Fault as f:
        d = f.detail
        code = d.findtext(".//errorcode") if d is not None else None
        text = d.findtext(".//errorstring") if d is not None else None
        return None, (f.code, int(code) if code else None, text)
    except Exception as e:  # transport or client-side errors
        return None, e


def must(what, op, **kw):
    r, err = call(op, **kw)
    ok(err is None, what, err)
    return r


def must_fault(what, want, op, **kw):
    r, err = call(op, **kw)
    is_fault = isinstance(err, tuple)
    ok(is_fault and err[1] == want, f"{what}: fault {want}", err if err is not None else r)
    ok(is_fault and str(err[0]).endswith("Client"), f"{what}: a Client fault", err)
    ok(is_fault and bool(err[2]), f"{what}: errorstring present", err)


DOM = "zeep.example"


def sid(u):
    return {"username": u, "domain": DOM}


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def main():
    global client, auth
    client = zeep.Client(URL + "?wsdl")
    ok(hasattr(client.service, "getPrepaidStatus"), "the served WSDL loads with default settings, offline")
    auth = {"auth": {"username": LOGIN, "password": PASSWORD}}

    # domains
    must("addDomain", "addDomain", domain={"domain": DOM, "reseller": 3})
    must_fault("addDomain twice", 1001, "addDomain", domain={"domain": DOM})
    must("updateDomain", "updateDomain", domain={"domain": DOM, "customer": 5})
    r = must("getDomains", "getDomains", query={"filter": {"domain": DOM}, "range": {"start": 0, "count": 10}})
    ok(r is not None and r.total == 1 and len(r.domains) == 1 and r.domains[0].domain == DOM
       and r.domains[0].customer == 5 and r.domains[0].reseller == 3, "getDomains: the domain, updated", r)

    # accounts: arrays as lxml items
    alice = {"id": sid("alice"), "password": "first-pw", "firstName": "Alice", "lastName": "Smith",
             "email": f"alice@{DOM}", "prepaid": False, "quota": 7,
             "groups": items(["free-pstn", "blocked"]),
             "acl": items([{"ip": "10.0.0.0", "mask": 8}]),
             "properties": items([{"name": "language", "value": "en"}, {"name": "web_password", "value": "x"}])}
    r = must("addAccount", "addAccount", account=alice)
    ok(r is not None and r.id.username == "alice" and r.id.domain == DOM, "addAccount returns the account", r)
    must_fault("addAccount of an existing account", 1011, "addAccount", account=alice)
    must_fault("getAccount of a missing account", 1010, "getAccount", sipId=sid("nobody"))
    a = must("getAccount", "getAccount", sipId=sid("alice"))
    if a is not None:
        ok(a.firstName == "Alice" and a.lastName == "Smith" and a.email == f"alice@{DOM}", "names and e-mail", a)
        ok(a.prepaid is False and a.quota == 7, "prepaid is False, quota 7", a)
        ok(sorted(a.groups) == ["blocked", "free-pstn"], "groups read back as a list", a.groups)
        props = {p.name: p.value for p in a.properties}
        ok(props == {"language": "en", "web_password": "x"}, "properties stored", a.properties)
        ok(len(a.acl) == 1 and a.acl[0].ip == "10.0.0.0" and a.acl[0].mask == 8, "acl stored", a.acl)
        ok(a.ha1 == md5(f"alice:{DOM}:first-pw"), "ha1 = MD5(user:domain:password)", a.ha1)
        ok(a.createDate is not None and a.createDate.year >= 2020, "createDate reads as a datetime", a.createDate)

    # zeep refuses a plain list for an array before sending anything
    before = must("getGroups before the list form", "getGroups", sipId=sid("alice"))
    _, err = call("updateAccount", account={"id": sid("alice"), "groups": ["quota"]})
    ok(isinstance(err, TypeError), "zeep cannot send an array from a Python list (TypeError, nothing sent)", err)
    after = must("getGroups after the list form", "getGroups", sipId=sid("alice"))
    ok(before is not None and sorted(before) == sorted(after or []), "the refused call changed nothing", after)

    must("updateAccount", "updateAccount", account={
        "id": sid("alice"), "password": "second-pw", "lastName": "Jones",
        "groups": items(["free-pstn"]), "properties": items([{"name": "language", "value": "nl"}])})
    a = must("getAccount after update", "getAccount", sipId=sid("alice"))
    if a is not None:
        ok(a.firstName == "Alice" and a.lastName == "Jones", "absent members kept, given ones changed", a)
        ok(list(a.groups) == ["free-pstn"], "groups replaced", a.groups)
        ok(len(a.properties) == 1 and a.properties[0].value == "nl", "properties replaced", a.properties)
        ok(len(a.acl) == 1, "acl (absent) kept", a.acl)
        ok(a.ha1 == md5(f"alice:{DOM}:second-pw"), "password changed", a.ha1)

    # groups
    must("addToGroup quota", "addToGroup", sipId=sid("alice"), group="quota")
    g = must("getGroups", "getGroups", sipId=sid("alice"))
    ok(sorted(g or []) == ["free-pstn", "quota"], "getGroups lists free-pstn and quota", g)
    must("removeFromGroup quota", "removeFromGroup", sipId=sid("alice"), group="quota")
    g = must("getGroups after remove", "getGroups", sipId=sid("alice"))
    ok(list(g or []) == ["free-pstn"], "quota removed", g)
    must_fault("removeFromGroup of a non-member", 1031, "removeFromGroup", sipId=sid("alice"), group="quota")

    # listing
    for u in ("bob", "carol"):
        must(f"addAccount {u}", "addAccount", account={"id": sid(u), "password": f"pw-{u}", "prepaid": u == "carol"})
    r = must("getAccounts page 2", "getAccounts", query={
        "filter": {"domain": DOM}, "orderBy": {"attribute": "username", "direction": "ASC"},
        "range": {"start": 1, "count": 2}})
    ok(r is not None and r.total == 3 and [x.id.username for x in r.accounts] == ["bob", "carol"],
       "getAccounts: total, range and order", r)

    # prepaid: xsd:decimal both ways, exact
    r = must("addBalance 0.1", "addBalance", sipId=sid("carol"), value=Decimal("0.1"), description="first")
    ok(r is not None and r.old_balance == 0 and r.new_balance == Decimal("0.1"), "balance 0 -> 0.1", r)
    r = must("addBalance 0.2", "addBalance", sipId=sid("carol"), value=Decimal("0.2"), description="second")
    ok(r is not None and r.new_balance == Decimal("0.3"), "0.1 + 0.2 is exactly 0.3", r)
    must_fault("addBalance on a non-prepaid account", 2000, "addBalance",
               sipId=sid("bob"), value=Decimal("1"), description="no")
    must_fault("addBalance of an invalid amount", 2021, "addBalance",
               sipId=sid("carol"), value=Decimal("0.00001"), description="no")
    st = must("getPrepaidStatus", "getPrepaidStatus", sipIds=items([sid("carol"), sid("bob")]))
    ok(st is not None and len(st) == 2 and st[0].id.username == "carol" and st[0].prepaid is True
       and st[0].balance == Decimal("0.3") and st[1].id.username == "bob" and st[1].errorcode == 2000,
       "getPrepaidStatus: one entry per id, in order", st)
    # zeep unwraps a result struct of one member: CreditHistory{entries} reads as the entries
    h = must("getCreditHistory", "getCreditHistory", sipId=sid("carol"), count=10)
    ok(h is not None and len(h) == 2 and h[0].description == "second"
       and h[0].balance == Decimal("0.3"), "history: 2 entries, newest first", h)

    # a wrong login, then clean up
    auth = {"auth": {"username": LOGIN, "password": "not-the-password"}}
    must_fault("wrong password", 3001, "getAccount", sipId=sid("alice"))
    auth = {"auth": {"username": LOGIN, "password": PASSWORD}}
    must_fault("deleteDomain with accounts", 1002, "deleteDomain", domain=DOM)
    for u in ("alice", "bob", "carol"):
        must(f"deleteAccount {u}", "deleteAccount", sipId=sid(u))
    must_fault("getAccount of a deleted account", 1010, "getAccount", sipId=sid("alice"))
    must("deleteDomain", "deleteDomain", domain=DOM)
    r = must("getDomains after delete", "getDomains",
             query={"filter": {"domain": DOM}, "range": {"start": 0, "count": 10}})
    ok(r is not None and r.total == 0, "domain gone", r)
    finish()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # anything unexpected: report, count, stop
        ok(False, "flow ran to the end", repr(e))
        finish()
