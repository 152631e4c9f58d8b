"""Telling people: each alert's firing and resolution goes to the rule's e-mail addresses
(Django's mail) and to its webhook (a JSON POST signed with HMAC-SHA256), retried with backoff
until delivered or given up; the rule's page shows the log.

A webhook request carries ``X-Dockboard-Event`` (fired or resolved), ``X-Dockboard-Delivery``
(the delivery's id: the same on each retry), ``X-Dockboard-Timestamp`` and
``X-Dockboard-Signature: sha256=HEX``, the HMAC of ``TIMESTAMP.BODY`` under the rule's secret.
Redirects are not followed. A team's rule may only reach public addresses, checked as the
request is made: a webhook is no way into the host's own network.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from stats.models import Alert, AlertDelivery

ATTEMPTS = 10
FIRST_RETRY_SECONDS = 5
LONGEST_RETRY_SECONDS = 15 * 60
TIMEOUT_SECONDS = 5
BATCH = 50


class DeliveryFailed(Exception):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def queue(alert: Alert, event: str) -> None:
    rule = alert.rule
    now = timezone.now()
    targets = [("email", address) for address in rule.emails.split()]
    if rule.webhook_url:
        targets.append(("webhook", rule.webhook_url))
    AlertDelivery.objects.bulk_create(
        AlertDelivery(alert=alert, event=event, channel=channel, target=target,
                      next_attempt_at=now)
        for channel, target in targets
    )  # fmt: skip


def deliver_due() -> int:
    """Send what is due; the number delivered."""
    now = timezone.now()
    due = (
        AlertDelivery.objects.filter(delivered_at=None, failed_at=None, next_attempt_at__lte=now)
        .select_related("alert__rule")
        .order_by("next_attempt_at")[:BATCH]
    )
    delivered = 0
    for delivery in due:
        delivery.attempts += 1
        try:
            (_webhook if delivery.channel == "webhook" else _email)(delivery)
        except DeliveryFailed as failure:
            delivery.last_error = str(failure)[:500]
            if delivery.attempts >= ATTEMPTS:
                delivery.failed_at = timezone.now()
            else:
                wait = min(
                    FIRST_RETRY_SECONDS * 2 ** (delivery.attempts - 1), LONGEST_RETRY_SECONDS
                )
                delivery.next_attempt_at = timezone.now() + timedelta(seconds=wait)
        else:
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivered += 1
        delivery.save()
    return delivered


def payload(delivery: AlertDelivery) -> dict:
    alert = delivery.alert
    return {
        "event": delivery.event,
        "rule": {"id": alert.rule_id, "name": alert.rule.name, "kind": alert.rule.kind},
        "alert": {
            "id": alert.pk,
            "engine": alert.engine,
            "container_id": alert.container_id,
            "container_name": alert.container_name,
            "message": alert.message,
            "fired_at": alert.fired_at.isoformat(),
            "resolved_at": alert.resolved_at and alert.resolved_at.isoformat(),
            "resolution": alert.resolution,
        },
    }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _webhook(delivery: AlertDelivery) -> None:
    rule = delivery.alert.rule
    if rule.team_id is not None:
        check_public(delivery.target)
    body = json.dumps(payload(delivery)).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked by the form
        delivery.target,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Dockboard",
            "X-Dockboard-Event": delivery.event,
            "X-Dockboard-Delivery": str(delivery.pk),
            "X-Dockboard-Timestamp": timestamp,
            "X-Dockboard-Signature": signature(rule.webhook_secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        raise DeliveryFailed(str(getattr(error, "reason", error))) from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")


def check_public(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address that is not public."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError) as error:
        raise DeliveryFailed(str(error)) from None
    for text in found:
        address = ipaddress.ip_address(text.split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise DeliveryFailed(_("%(host)s is not a public address.") % {"host": host})


def _email(delivery: AlertDelivery) -> None:
    alert = delivery.alert
    fired = delivery.event == "fired"
    subject = (
        _("[Dockboard] %(message)s") if fired else _("[Dockboard] Resolved: %(message)s")
    ) % {"message": alert.message}
    lines = [alert.message, "", _("Rule: %(rule)s") % {"rule": alert.rule.name}]
    if not fired:
        lines.append(_("Resolved: %(how)s") % {"how": alert.resolution})
    try:
        send_mail(subject[:200], "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [delivery.target])
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise DeliveryFailed(str(error)) from None
