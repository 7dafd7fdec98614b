#!/usr/bin/python3
"""suds_flow.py: the provisioning flow driven by python suds (Debian
python3-suds) against a live ngnprod (NGN_TEST_URL, NGN_TEST_LOGIN,
NGN_TEST_PASSWORD from tests/lib/with-server.sh).

suds.client.Client(URL?wsdl) with default options; the auth header is a
Login made by the client's factory (set_options(soapheaders=...)). suds
sends rpc/encoded as the WSDL says: xsi:type on every value, SOAP-ENC arrays
with arrayType from Python lists, structs from dicts; an empty list it
leaves out (the member is then absent: the stored list stays). It loads the served
soap-encoding.xsd too, so suds.srvtest points the proxy variables at a
closed port: nothing may come from the internet.
Output: "ok N - ..." / "not ok N - ..." per check, then
"interop-suds: P passed, F failed"; exit 1 on any failure.
"""
import hashlib
import os
import sys
from decimal import Decimal

import suds
import suds.client

from flowtap import LOGIN, PASSWORD, URL, ok  # noqa: E402  (the flows' shared TAP lines)
import flowtap  # noqa: E402


def finish():
    flowtap.finish("interop-suds")


client = None


def login(password):
    a = client.factory.create("{urn:AGProjects:NGNPro}Login")
    a.username, a.password = LOGIN, password
    client.set_options(soapheaders=a)


def call(op, *args):
    """-> (result, None) or (None, (faultcode, errorcode, errorstring)) or (None, exception)"""
    try:
        return getattr(client.service, op)(*args), None
    except suds.WebFault as e:
        f = e.fault
        x = getattr(getattr(f, "detail", None), "exception", None)
        code = getattr(x, "errorcode", None)
        return None, (f.faultcode, int(code) if code is not None else None, getattr(x, "errorstring", None))
    except Exception as e:
        return None, e


def must(what, op, *args):
    r, err = call(op, *args)
    ok(err is None, what, err)
    return r


def must_fault(what, want, op, *args):
    r, err = call(op, *args)
    is_fault = isinstance(err, tuple)
    ok(is_fault and err[1] == want, f"{what}: fault {want}", err if err is not None else r)
    ok(is_fault and str(err[0]).endswith("Client"), f"{what}: a Client fault", err)
    ok(is_fault and bool(err[2]), f"{what}: errorstring present", err)


DOM = "suds.example"


def sid(u):
    return {"username": u, "domain": DOM}


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def dec(x):
    return Decimal(str(x))


def lst(x):
    """a SOAP-ENC array as suds decodes it: a list, or None/"" when empty"""
    return list(x) if isinstance(x, (list, tuple)) else []


def main():
    global client
    client = suds.client.Client(URL + "?wsdl")
    ok(hasattr(client.service, "getPrepaidStatus"), "the served WSDL loads with default options, offline")
    login(PASSWORD)

    # domains
    must("addDomain", "addDomain", {"domain": DOM, "reseller": 3})
    must_fault("addDomain twice", 1001, "addDomain", {"domain": DOM})
    must("updateDomain", "updateDomain", {"domain": DOM, "customer": 5})
    r = must("getDomains", "getDomains", {"filter": {"domain": DOM}, "range": {"start": 0, "count": 10}})
    d = lst(getattr(r, "domains", None))
    ok(r is not None and r.total == 1 and len(d) == 1 and d[0].domain == DOM and d[0].customer == 5
       and d[0].reseller == 3, "getDomains: the domain, updated", r)

    # accounts: lists and dicts as they are
    alice = {"id": sid("alice"), "password": "first-pw", "firstName": "Alice", "lastName": "Smith",
             "email": f"alice@{DOM}", "prepaid": False, "quota": 7, "groups": ["free-pstn", "blocked"],
             "acl": [{"ip": "10.0.0.0", "mask": 8}],
             "properties": [{"name": "language", "value": "en"}, {"name": "web_password", "value": "x"}]}
    r = must("addAccount", "addAccount", alice)
    ok(r is not None and r.id.username == "alice" and r.id.domain == DOM, "addAccount returns the account", r)
    must_fault("addAccount of an existing account", 1011, "addAccount", alice)
    must_fault("getAccount of a missing account", 1010, "getAccount", sid("nobody"))
    a = must("getAccount", "getAccount", sid("alice"))
    if a is not None:
        ok(a.firstName == "Alice" and a.lastName == "Smith" and a.email == f"alice@{DOM}", "names and e-mail", a)
        ok(a.prepaid is False and a.quota == 7, "prepaid is False, quota 7", a)
        ok(sorted(lst(a.groups)) == ["blocked", "free-pstn"], "groups read back as a list", a.groups)
        props = {p.name: p.value for p in lst(a.properties)}
        ok(props == {"language": "en", "web_password": "x"}, "properties stored", a.properties)
        acl = lst(a.acl)
        ok(len(acl) == 1 and acl[0].ip == "10.0.0.0" and acl[0].mask == 8, "acl stored", a.acl)
        ok(a.ha1 == md5(f"alice:{DOM}:first-pw"), "ha1 = MD5(user:domain:password)", a.ha1)

    must("updateAccount", "updateAccount", {
        "id": sid("alice"), "password": "second-pw", "lastName": "Jones", "groups": ["free-pstn"],
        "properties": [{"name": "language", "value": "nl"}], "acl": []})
    a = must("getAccount after update", "getAccount", sid("alice"))
    if a is not None:
        ok(a.firstName == "Alice" and a.lastName == "Jones", "absent members kept, given ones changed", a)
        ok(lst(a.groups) == ["free-pstn"], "groups replaced", a.groups)
        p = lst(a.properties)
        ok(len(p) == 1 and p[0].value == "nl", "properties replaced", a.properties)
        # suds leaves an empty list out of the request: the member is absent, the stored list stays
        ok(len(lst(a.acl)) == 1, "an empty list is not sent by suds: acl kept", a.acl)
        ok(a.ha1 == md5(f"alice:{DOM}:second-pw"), "password changed", a.ha1)

    # groups
    must("addToGroup quota", "addToGroup", sid("alice"), "quota")
    g = must("getGroups", "getGroups", sid("alice"))
    ok(sorted(lst(g)) == ["free-pstn", "quota"], "getGroups lists free-pstn and quota", g)
    must("removeFromGroup quota", "removeFromGroup", sid("alice"), "quota")
    g = must("getGroups after remove", "getGroups", sid("alice"))
    ok(lst(g) == ["free-pstn"], "quota removed", g)
    must_fault("removeFromGroup of a non-member", 1031, "removeFromGroup", sid("alice"), "quota")

    # listing
    for u in ("bob", "carol"):
        must(f"addAccount {u}", "addAccount", {"id": sid(u), "password": f"pw-{u}", "prepaid": u == "carol"})
    r = must("getAccounts page 2", "getAccounts", {
        "filter": {"domain": DOM}, "orderBy": {"attribute": "username", "direction": "ASC"},
        "range": {"start": 1, "count": 2}})
    ok(r is not None and r.total == 3 and [x.id.username for x in lst(r.accounts)] == ["bob", "carol"],
       "getAccounts: total, range and order", r)

    # prepaid: xsd:decimal, exact
    r = must("addBalance 0.1", "addBalance", sid("carol"), "0.1", "first")
    ok(r is not None and dec(r.old_balance) == 0 and dec(r.new_balance) == Decimal("0.1"), "balance 0 -> 0.1", r)
    r = must("addBalance 0.2", "addBalance", sid("carol"), "0.2", "second")
    ok(r is not None and dec(r.new_balance) == Decimal("0.3"), "0.1 + 0.2 is exactly 0.3", r)
    must_fault("addBalance on a non-prepaid account", 2000, "addBalance", sid("bob"), "1", "no")
    must_fault("addBalance of an invalid amount", 2021, "addBalance", sid("carol"), "0.00001", "no")
    st = lst(must("getPrepaidStatus", "getPrepaidStatus", [sid("carol"), sid("bob")]))
    ok(len(st) == 2 and st[0].id.username == "carol" and st[0].prepaid is True and dec(st[0].balance) == Decimal("0.3")
       and st[1].id.username == "bob" and st[1].errorcode == 2000, "getPrepaidStatus: one entry per id, in order", st)
    h = must("getCreditHistory", "getCreditHistory", sid("carol"), 10)
    e = lst(getattr(h, "entries", None))
    ok(len(e) == 2 and e[0].description == "second" and dec(e[0].balance) == Decimal("0.3"),
       "history: 2 entries, newest first", h)

    # a wrong login, then clean up
    login("not-the-password")
    must_fault("wrong password", 3001, "getAccount", sid("alice"))
    login(PASSWORD)
    must_fault("deleteDomain with accounts", 1002, "deleteDomain", DOM)
    for u in ("alice", "bob", "carol"):
        must(f"deleteAccount {u}", "deleteAccount", sid(u))
    must_fault("getAccount of a deleted account", 1010, "getAccount", sid("alice"))
    must("deleteDomain", "deleteDomain", DOM)
    r = must("getDomains after delete", "getDomains", {"filter": {"domain": DOM}, "range": {"start": 0, "count": 10}})
    ok(r is not None and r.total == 0, "domain gone", r)
    finish()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # anything unexpected: report, count, stop
        ok(False, "flow ran to the end", repr(e))
        finish()
