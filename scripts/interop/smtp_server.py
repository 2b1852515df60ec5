"""A real SMTP server for Guanxi's mail tests: aiosmtpd with STARTTLS (or TLS from the
start) and AUTH, under a certificate authority of its own (trustme).

    smtp_server.py OUTDIR [--implicit-tls] [--no-tls] [--login-only]

Writes the CA certificate to OUTDIR/ca.pem, prints "READY <port>" and serves until its
standard input closes. Every accepted message is stored byte for byte as
OUTDIR/NNNNNN.eml, its envelope beside it as NNNNNN.json. Recipients steer the answers:
temp-… gets 451 (try later), perm-… gets 550 (no such user), slow-… gets no answer to
its text for 30 seconds.
"""
import asyncio, json, os, socket, ssl, sys, threading, time

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = b"guanxi", "密码-Secret 1".encode()


class Handler:
    def __init__(self, outdir):
        self.outdir, self.count, self.lock = outdir, 0, threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("temp-"):
            return "451 4.3.0 Mailbox busy, try again later"
        if address.startswith("perm-"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.startswith("slow-") for r in envelope.rcpt_tos):
            await asyncio.sleep(30)
        with self.lock:
            self.count += 1
            name = os.path.join(self.outdir, "%06d" % self.count)
        with open(name + ".eml", "wb") as out:
            out.write(envelope.original_content)
        with open(name + ".json", "w") as out:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                       "tls": server.transport.get_extra_info("ssl_object") is not None, "auth": bool(session.authenticated)}, out)
        return "250 2.0.0 Queued as %06d" % self.count


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD
    return AuthResult(success=ok, handled=False)


def main():
    outdir = sys.argv[1]
    options = set(sys.argv[2:])
    ca = trustme.CA()
    ca.cert_pem.write_to_path(os.path.join(outdir, "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tls = "--no-tls" not in options
    implicit = "--implicit-tls" in options
    settings = dict(hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=tls,
                    auth_require_tls=True, server_hostname="localhost")
    if "--login-only" in options:
        settings["auth_exclude_mechanism"] = ["PLAIN"]
    if implicit:
        # aiosmtpd counts only STARTTLS as encryption for AUTH; here all of it is TLS.
        settings.update(ssl_context=context, auth_require_tls=False)
    elif tls:
        settings.update(tls_context=context, require_starttls=True)
    controller = Controller(Handler(outdir), **settings)
    controller.start()
    print("READY %d" % port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
