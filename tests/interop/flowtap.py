"""flowtap.py: what the python interop flows (zeep_flow.py, suds_flow.py)
share: the live server's address and login from tests/lib/with-server.sh,
and their "ok N - ..." / "not ok N - ..." lines with the closing
"NAME: P passed, F failed" that run-tests reads."""
import os
import sys

URL = os.environ.get("NGN_TEST_URL") or sys.exit("NGN_TEST_URL not set: run under tests/lib/with-server.sh")
LOGIN, PASSWORD = os.environ["NGN_TEST_LOGIN"], os.environ["NGN_TEST_PASSWORD"]
_count = {"n": 0, "passed": 0, "failed": 0}


def ok(cond, what, diag=None):
    _count["n"] += 1
    if cond:
        _count["passed"] += 1
        print(f"ok {_count['n']} - {what}")
    else:
        _count["failed"] += 1
        print(f"not ok {_count['n']} - {what}")
        if diag is not None:
            for line in str(diag).splitlines():
                print(f"#   {line}")
    return cond


def finish(name):
    print(f"{name}: {_count['passed']} passed, {_count['failed']} failed")
    sys.exit(1 if _count["failed"] else 0)
