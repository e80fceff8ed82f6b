"""A real SMTP receiver for jiandu's tests: every message it accepts is written to DIR as
NNNN.eml (the raw message, envelope recipients in X-Rcpt-To). A recipient whose address
starts with "reject" is refused for good (550), as a real server refuses an unknown mailbox.
Prints "listening HOST:PORT"
once it accepts connections, then runs until killed.

    python3 smtp_sink.py DIR [PORT]     (PORT 0 or absent: a free port)
"""
import asyncio
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.directory, "%04d.eml" % self.count)
        tmp = path + ".part"
        with open(tmp, "wb") as out:
            out.write(b"X-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            data = envelope.original_content or envelope.content
            out.write(data if isinstance(data, bytes) else data.encode())
        os.rename(tmp, path)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "0" else free_port()
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("listening 127.0.0.1:%d" % port, flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
