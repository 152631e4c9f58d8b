"""The sinks the settings configure (DOCKBOARD_AUDIT_SYSLOG, _FILE, _HTTP; see the README)."""

from django.conf import settings

from audit.json_lines import FileSink, HttpSink
from audit.sink import Sink
from audit.syslog import SyslogSink


def configured() -> list[Sink]:
    sinks: list[Sink] = []
    if settings.DOCKBOARD_AUDIT_SYSLOG:
        sinks.append(
            SyslogSink(settings.DOCKBOARD_AUDIT_SYSLOG, settings.DOCKBOARD_AUDIT_SYSLOG_CA)
        )
    if settings.DOCKBOARD_AUDIT_FILE:
        sinks.append(FileSink(settings.DOCKBOARD_AUDIT_FILE))
    if settings.DOCKBOARD_AUDIT_HTTP:
        sinks.append(HttpSink(settings.DOCKBOARD_AUDIT_HTTP, settings.DOCKBOARD_AUDIT_HTTP_TOKEN))
    return sinks
