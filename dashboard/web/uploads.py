"""Uploads refused by their size before anything reads them. Django's CSRF check reads a
multipart body to its end (onto the disk) to find its token: a view that takes files is exempt
from the middleware's check, asks ``too_large`` first, then checks CSRF itself
(``csrf_protect``), as Django's documentation shows for upload handlers."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dashboard.notation.units import format_size

FORM_FRAMING = 64 * 1024  # a form's own fields and multipart boundaries, beside its files


def too_large(request: HttpRequest) -> bool:
    sent = int(request.META.get("CONTENT_LENGTH") or 0)
    return sent > settings.DOCKBOARD_UPLOAD_MAX_BYTES + FORM_FRAMING


def refusal() -> str:
    return _("The files are larger than an upload may be (%(most)s).") % {
        "most": format_size(settings.DOCKBOARD_UPLOAD_MAX_BYTES)
    }
