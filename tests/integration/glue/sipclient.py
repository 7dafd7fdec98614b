#!/usr/bin/env python3
"""sipclient.py: a one-request SIP UAC over UDP with MD5 digest, for the glue tests.

Why not sipp: sipp builds the digest username from -au and cannot send the
odd credentials a hostile phone sends (a username with a trailing space, a
realm or domain part of our choosing, a response computed from a given HA1,
a request claiming a dialog that does not exist). This client sends one
REGISTER or INVITE, answers a 401/407 once with the digest it is told to use,
ACKs an INVITE's final response (with --reinvite: then a re-INVITE in the
dialog, whose answer counts), and prints the
final response's status line ("CODE REASON") and, with --show, the values of
the named headers (one "Name: value" line each).

Exit status: 0 when the final code equals --expect (and every --need header is
present), 1 when it does not, 2 on a usage error or a timeout (no final
response within --timeout seconds; "timeout" is printed).

The digest username is taken byte for byte from --auth-user; the HA1 is
either --ha1 (hex, e.g. the real HA1 of another spelling of the user) or
MD5(auth-user:realm:password) with the realm of the challenge.
Python 3 standard library only (Debian: python3).
"""
import argparse
import hashlib
import random
import re
import socket
import sys
import time


def md5(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def rand(n=10):
    return "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


class Response:
    def __init__(self, data):
        text = data.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        m = re.match(r"SIP/2\.0 (\d{3}) ?(.*)", lines[0])
        if not m:
            raise ValueError("not a response: %r" % lines[0])
        self.code = int(m.group(1))
        self.reason = m.group(2)
        self.headers = []  # (lower-case name, value), in order
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                name, value = self.headers[-1]
                self.headers[-1] = (name, value + " " + line.strip())
                continue
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((name.strip().lower(), value.strip()))

    def get(self, name):
        return [v for n, v in self.headers if n == name.lower()]


def parse_challenge(value):
    """Digest parameters of a WWW-/Proxy-Authenticate value, as a dict."""
    if not value.lower().startswith("digest"):
        return {}
    params = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))', value[6:]):
        params[m.group(1).lower()] = m.group(2) if m.group(2) is not None else m.group(3)
    return params


class Client:
    def __init__(self, args):
        self.a = args
        host, port = args.proxy.rsplit(":", 1)
        self.proxy = (host, int(port))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((args.bind, 0))
        self.lip, self.lport = self.sock.getsockname()
        self.call_id = rand(16) + "@sipclient"
        self.from_tag = rand(8)
        self.cseq = 0
        self.dialog = None  # (remote target, Route lines, To tag) after a 2xx
        self.deadline = time.monotonic() + args.timeout

    def build(self, method, ruri, branch, extra, to_tag=None, body=""):
        a = self.a
        to = "<%s>" % a.to_uri + (";tag=%s" % to_tag if to_tag else "")
        lines = [
            "%s %s SIP/2.0" % (method, ruri),
            "Via: SIP/2.0/UDP %s:%d;branch=%s;rport" % (self.lip, self.lport, branch),
            "Max-Forwards: 70",
            "From: <%s>;tag=%s" % (a.from_uri, self.from_tag),
            "To: %s" % to,
            "Call-ID: %s" % self.call_id,
            "CSeq: %d %s" % (self.cseq, "ACK" if method == "ACK" else method),
        ]
        if method != "ACK":
            lines.append("Contact: <%s>" % (a.contact or "sip:%s@%s:%d" % ("ua", self.lip, self.lport)))
        if method == "REGISTER":
            lines.append("Expires: %d" % a.expires)
        lines += extra
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append("Content-Length: %d" % len(body.encode()))
        return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")

    def recv(self, wait):
        self.sock.settimeout(max(0.01, wait))
        try:
            data, _ = self.sock.recvfrom(65535)
        except socket.timeout:
            return None
        if data.startswith(b"SIP/2.0 "):
            return Response(data)
        return None  # a request (e.g. a retransmitted BYE): not ours to answer

    def transaction(self, msg, cseq):
        """Sends msg (retransmitted every 0.5 s until a response) and returns
        the final response of CSeq cseq, or None at the deadline."""
        self.sock.sendto(msg, self.proxy)
        last_send = time.monotonic()
        provisional = False
        while time.monotonic() < self.deadline:
            now = time.monotonic()
            if not provisional and now - last_send >= 0.5:
                self.sock.sendto(msg, self.proxy)
                last_send = now
            r = self.recv(min(0.1, self.deadline - now))
            if r is None:
                continue
            cs = r.get("cseq")
            if not cs or int(cs[0].split()[0]) != cseq:
                continue
            if r.code < 200:
                provisional = True
                continue
            return r
        return None

    def ack(self, ruri, branch, resp):
        to_tag = None
        m = re.search(r";\s*tag=([^;>\s]+)", (resp.get("to") or [""])[0])
        if m:
            to_tag = m.group(1)
        extra = []
        if 200 <= resp.code < 300:
            # end-to-end ACK: to the Contact, through the Record-Route set;
            # the dialog is kept for --reinvite
            m = re.search(r"<([^>]+)>", (resp.get("contact") or [""])[0])
            if m:
                ruri = m.group(1)
            branch = "z9hG4bK" + rand()
            if self.dialog:
                extra = self.dialog[1]  # a target refresh keeps the route set
            else:
                rr = []
                for v in resp.get("record-route"):
                    rr += [x.strip() for x in v.split(",")]
                if rr:
                    extra.append("Route: " + ", ".join(rr))
            self.dialog = (ruri, extra, to_tag)
        self.sock.sendto(self.build("ACK", ruri, branch, extra, to_tag), self.proxy)

    def run(self):
        a = self.a
        method = a.method
        ruri = a.ruri
        body = ""
        if method == "INVITE":
            body = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                    "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") % (self.lip, self.lip)
        auth_hdr = []
        challenged = False
        while True:
            self.cseq += 1
            branch = "z9hG4bK" + rand()
            msg = self.build(method, ruri, branch, a.header + auth_hdr, a.to_tag, body=body)
            r = self.transaction(msg, self.cseq)
            if r is None:
                print("timeout")
                return 2
            if method == "INVITE":
                self.ack(ruri, branch, r)
            if r.code in (401, 407) and not challenged and (a.auth_user is not None):
                name = "www-authenticate" if r.code == 401 else "proxy-authenticate"
                ch = parse_challenge((r.get(name) or [""])[0])
                if "nonce" not in ch:
                    break
                if a.nonce is not None:
                    ch["nonce"] = a.nonce
                realm = a.realm if a.realm is not None else ch.get("realm", "")
                ha1 = a.ha1 or md5("%s:%s:%s" % (a.auth_user, ch.get("realm", ""), a.password or ""))
                ha2 = md5("%s:%s" % (method, ruri))
                qop = ch.get("qop")
                parts = ['username="%s"' % a.auth_user, 'realm="%s"' % realm,
                         'nonce="%s"' % ch["nonce"], 'uri="%s"' % ruri]
                if qop:
                    qop = "auth"
                    cnonce, nc = rand(), "00000001"
                    resp = md5("%s:%s:%s:%s:%s:%s" % (ha1, ch["nonce"], nc, cnonce, qop, ha2))
                    parts += ["qop=%s" % qop, 'cnonce="%s"' % cnonce, "nc=%s" % nc]
                else:
                    resp = md5("%s:%s:%s" % (ha1, ch["nonce"], ha2))
                parts += ['response="%s"' % resp, "algorithm=MD5"]
                if "opaque" in ch:
                    parts.append('opaque="%s"' % ch["opaque"])
                hname = "Authorization" if r.code == 401 else "Proxy-Authorization"
                auth_hdr = ["%s: Digest %s" % (hname, ", ".join(parts))]
                challenged = True
                continue
            break
        if a.reinvite and self.dialog and 200 <= r.code < 300:
            # a re-INVITE in the dialog, through the proxy's Record-Route
            print("%d %s (initial)" % (r.code, r.reason))
            target, route, to_tag = self.dialog
            self.cseq += 1
            branch = "z9hG4bK" + rand()
            r = self.transaction(self.build("INVITE", target, branch, route, to_tag, body=body), self.cseq)
            if r is None:
                print("timeout (re-INVITE)")
                return 2
            self.ack(target, branch, r)
        print("%d %s" % (r.code, r.reason))
        for h in a.show:
            for v in r.get(h):
                print("%s: %s" % (h, v))
        ok = r.code == a.expect
        for h in a.need:
            if not r.get(h):
                print("missing header: %s" % h)
                ok = False
        return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--proxy", required=True, help="HOST:PORT of the proxy (UDP)")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--method", choices=("REGISTER", "INVITE"), required=True)
    p.add_argument("--ruri", required=True)
    p.add_argument("--from", dest="from_uri", required=True)
    p.add_argument("--to", dest="to_uri", required=True)
    p.add_argument("--contact", help="Contact URI (default: this socket)")
    p.add_argument("--expires", type=int, default=60)
    p.add_argument("--auth-user", help="digest username, byte for byte (spaces kept)")
    p.add_argument("--realm", help="digest realm to send (default: the challenge's)")
    p.add_argument("--password")
    p.add_argument("--ha1", help="HA1 to use instead of MD5(user:realm:password)")
    p.add_argument("--nonce", help="nonce to answer with instead of the challenge's")
    p.add_argument("--header", action="append", default=[], help="extra header line")
    p.add_argument("--to-tag", help="To tag on the request (a request claiming a dialog)")
    p.add_argument("--reinvite", action="store_true",
                   help="after a 2xx to the INVITE, send a re-INVITE in the dialog; its answer counts")
    p.add_argument("--show", action="append", default=[], help="print this header of the final response")
    p.add_argument("--need", action="append", default=[], help="fail unless the final response has it")
    p.add_argument("--expect", type=int, required=True, help="expected final status code")
    p.add_argument("--timeout", type=float, default=10.0)
    return Client(p.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
