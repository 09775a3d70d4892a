#!/usr/bin/python3
"""Reads a report mail on stdin with Python's own email parser, the way report consumers such as parsedmarc find a
TLSRPT report: the part whose type is application/tlsrpt+gzip, base64-decoded and gunzipped, then JSON.

Prints one JSON object: the top-level type, its report-type, the part's file name and the report's report-id and
policy domains. Exit status 1 with a reason when no such part exists or it does not decode.
"""
import email
import email.policy
import gzip
import json
import sys

message = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
for part in message.walk():
    if part.get_content_type() == "application/tlsrpt+gzip":
        report = json.loads(gzip.decompress(part.get_payload(decode=True)))
        print(json.dumps({
            "content-type": message.get_content_type(),
            "report-type": message.get_param("report-type"),
            "filename": part.get_filename(),
            "report-id": report["report-id"],
            "policy-domains": [p["policy"]["policy-domain"] for p in report["policies"]],
        }))
        sys.exit(0)
sys.stderr.write("no application/tlsrpt+gzip part\n")
sys.exit(1)
