"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives: the tests read the
mails the app sends through it."""
import email
import email.policy
import re
import socket
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Mailbox:
    """What the server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        """aiosmtpd's handler: keep the message, answer 250."""
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        """The messages sent to `address`."""
        return [message for message in self.messages if address in message["To"]]

    @staticmethod
    def body(message) -> str:
        """A message's plain text."""
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, message, path: str) -> str:
        """The first link in a message whose path starts with `path` (its path and query only)."""
        match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", self.body(message))
        assert match, f"no {path} link in: {self.body(message)}"
        return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server():
    """Run an SMTP server on 127.0.0.1; yields (mailbox, port)."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
