"""The gatekeeper of pull, build and push jobs: administrators follow every job, everyone else
the jobs they asked for; a missing job and someone else's answer "not found" alike."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.engine.errors import NotFound
from images.models import BuildJob, PullJob, PushJob


def visible_pull_jobs(user: User) -> QuerySet[PullJob]:
    """Administrators follow every pull; everyone else the pulls they asked for."""
    return _asked_by(user, PullJob.objects.select_related("requested_by"))


def access_pull_job(user: User, job_id: object) -> PullJob:
    """A pull job, or ``NotFound`` alike for a missing or hidden one."""
    job = visible_pull_jobs(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such pull: %(ref)s") % {"ref": job_id})
    return job


def visible_build_jobs(user: User) -> QuerySet[BuildJob]:
    """Administrators follow every build; everyone else the builds they asked for."""
    return _asked_by(user, BuildJob.objects.select_related("requested_by"))


def _asked_by[J: (PullJob, BuildJob, PushJob)](user: User, jobs: QuerySet[J]) -> QuerySet[J]:
    grants = grants_for(user)
    if grants.admin:
        return jobs
    return jobs.filter(requested_by_id=grants.user_id) if grants.has_team else jobs.none()


def access_build_job(user: User, job_id: object) -> BuildJob:
    """A build job, or ``NotFound`` alike for a missing or hidden one."""
    job = visible_build_jobs(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such build: %(ref)s") % {"ref": job_id})
    return job


def visible_push_jobs(user: User) -> QuerySet[PushJob]:
    """Administrators follow every push; everyone else the pushes they asked for."""
    return _asked_by(user, PushJob.objects.select_related("requested_by"))


def access_push_job(user: User, job_id: object) -> PushJob:
    """A push job, or ``NotFound`` alike for a missing or hidden one."""
    job = visible_push_jobs(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such push: %(ref)s") % {"ref": job_id})
    return job
