#!/usr/bin/env python3
"""A webhook receiver for the tests: listens on a free loopback port,
writes the port to PORT_FILE once it listens, and appends every POST it
gets to LOG_FILE as one JSON line ({"path", "headers", "body"}, the body
as received). It answers 500 to the first --fail-first requests and 200
to the rest, so a test sees the sender retry."""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("log_file")
    ap.add_argument("--fail-first", type=int, default=0)
    args = ap.parse_args()
    state = {"seen": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8")
            state["seen"] += 1
            status = 500 if state["seen"] <= args.fail_first else 200
            with open(args.log_file, "a") as f:
                f.write(json.dumps({"path": self.path, "headers": dict(self.headers.items()),
                                    "body": body, "answered": status}) + "\n")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
