"""Account mails (password reset, address confirmation) through Flask-Mailman: an SMTP server in
production (MAIL_* settings), the console in the demo.

A mail is sent after the response has gone out (the WSGI server closes the response, then sends):
a request page answers as fast whether or not the address has an account, and a slow mail server
holds no one's page.
"""
import logging

from flask import Response, current_app, render_template
from flask_mailman import EmailMessage

log = logging.getLogger(__name__)


def compose(to: str, template: str, **context) -> EmailMessage:
    """A plain-text mail from templates/mail/<template>.txt, its first line the subject."""
    subject, _, body = render_template(f"mail/{template}.txt", **context).partition("\n")
    return EmailMessage(subject=subject.strip(), body=body.lstrip("\n"), to=[to],
                        from_email=current_app.config["MAIL_DEFAULT_SENDER"])


def send_after_response(response: Response, messages: list[EmailMessage]) -> None:
    """Send `messages` once `response` has been sent; a failure is logged (the page cannot change by then)."""
    if not messages:
        return
    app = current_app._get_current_object()

    def send() -> None:
        with app.app_context():
            for message in messages:
                try:
                    message.send()
                except Exception:  # an unreachable mail server must not take the worker down
                    log.exception("could not send the mail %r to %s", message.subject, message.to)

    response.call_on_close(send)
