"""What apps add to `/metrics`: receivers of ``metric_families`` answer a list of
prometheus-client metric families, read at scrape time, holding only what ``user`` may see
(their containers; the installation's own figures only for administrators)."""

from django.dispatch import Signal

# Sent by the scrape with the keyword ``user``; each receiver answers a list of metric families.
metric_families = Signal()
