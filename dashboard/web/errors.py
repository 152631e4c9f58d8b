"""The last resort for a request that failed outside what the pages handle themselves.

A database that is busy (SQLite locked past its timeout) or gone (PostgreSQL restarting)
answers 503 with what happened and what to do; anything else a plain 500 page. Neither shows a
traceback, and neither touches the database (it may be the thing that failed) or the session.
"""

import logging
import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        log.warning("database error on %s: %s", request.path, error)
        context = {
            "heading": _("Database busy"),
            "message": _(
                "Dockboard's database did not answer in time (it is busy or restarting). Try "
                "again in a moment; what you sent may not have been saved."
            ),
        }
        status = 503
    else:
        context = {
            "heading": _("Something went wrong"),
            "message": _("Dockboard could not answer this request. It has been logged."),
        }
        status = 500
    if request.method == "GET":
        context["again"] = request.get_full_path()
    return HttpResponse(render_to_string("server_error.html", context), status=status)
