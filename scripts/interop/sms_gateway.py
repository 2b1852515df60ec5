"""A test SMS gateway for Guanxi: an HTTP server shaped like the common Chinese SMS
services (form or JSON in, {"code": 0} out), for the tests and for trying the gateway
settings by hand. Python's standard library only.

    sms_gateway.py OUTDIR

Prints "READY <port>" and serves on 127.0.0.1 until its standard input closes. Every
request is stored as OUTDIR/NNNNNN.json (method, path, headers, body as text). The
number in the request steers the answer: one ending in 500 gets HTTP 500 (try later),
in 400 gets HTTP 200 with {"code": 2, "msg": "号码无效"} (refused), any other gets
HTTP 200 with {"code": 0, "msg": "OK", "sid": …}. A request without the key "test-key"
(in the body, the query or the Authorization header) gets HTTP 401.
"""
import json, os, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-key"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, payload):
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        server = self.server
        with server.lock:
            server.count += 1
            name = os.path.join(server.outdir, "%06d.json" % server.count)
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
            with open(name + ".part", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.replace(name + ".part", name)
        everything = self.path + " " + body + " " + (self.headers.get("Authorization") or "")
        if KEY not in everything:
            return self.answer(401, {"code": 401, "msg": "unauthorised"})
        if "500&" in everything or "500\"" in everything or everything.rstrip().endswith("500"):
            return self.answer(500, {"code": 500, "msg": "busy"})
        if "400&" in everything or "400\"" in everything:
            return self.answer(200, {"code": 2, "msg": "号码无效"})
        self.answer(200, {"code": 0, "msg": "OK", "sid": server.count})

    do_GET = do_POST = handle_any


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.outdir, server.count, server.lock = outdir, 0, threading.Lock()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("READY %d" % server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
