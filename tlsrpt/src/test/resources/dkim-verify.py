#!/usr/bin/python3
"""Independent DKIM verifier for the tests, run with Debian's /usr/bin/python3 (package python3-dkim, dkimpy).

usage: dkim-verify.py KEY-NAME KEY-RECORD < message
Verifies the topmost DKIM-Signature of the message on stdin as an RFC 8460 report (dkimpy's tlsrpt='strict':
the key record must say s=tlsrpt, l= is not honoured). The key record is answered for KEY-NAME instead of a DNS
lookup; any other name is unknown. Exit status 0 when the signature verifies, 1 otherwise (reason on stderr).
"""
import logging
import sys

import dkim

key_name = sys.argv[1].rstrip(".").encode()
key_record = sys.argv[2].encode()


def dnsfunc(name, timeout=5):
    if name.rstrip(b".") == key_name:
        return key_record
    sys.stderr.write("asked for an unexpected key name: %r\n" % name)
    return None


logging.basicConfig(stream=sys.stderr, level=logging.ERROR)
message = sys.stdin.buffer.read()
ok = dkim.verify(message, logger=logging.getLogger("dkim"), dnsfunc=dnsfunc, tlsrpt="strict")
print("pass" if ok else "fail")
sys.exit(0 if ok else 1)
