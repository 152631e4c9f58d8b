from django.urls import path

from labs import class_views, library_views, session_views

app_name = "labs"
urlpatterns = [
    path("labs/", library_views.lab_list, name="list"),
    path("labs/import/", library_views.lab_import, name="import"),
    path("labs/<slug:slug>/", library_views.lab_detail, name="detail"),
    path("labs/<slug:slug>/v<int:number>.toml", library_views.lab_download, name="download"),
    path("classes/<int:class_id>/", class_views.roster, name="roster"),
    path("classes/<int:class_id>/roster.csv", class_views.roster_csv, name="roster_csv"),
    path("classes/<int:class_id>/end/", class_views.class_end, name="class_end"),
    path(
        "classes/<int:class_id>/grades.csv",
        class_views.class_grades,
        {"kind": "csv"},
        name="grades_csv",
    ),
    path(
        "classes/<int:class_id>/grades.json",
        class_views.class_grades,
        {"kind": "json"},
        name="grades_json",
    ),
    path("classes/<int:class_id>/parameters/", class_views.class_parameters, name="parameters"),
    path("classes/<int:class_id>/start/", class_views.class_start, name="start"),
    path("sessions/<int:session_id>/", session_views.session_page, name="session"),
    path(
        "sessions/<int:session_id>/steps/<int:step>/check/",
        session_views.session_check,
        name="check",
    ),
    path("sessions/<int:session_id>/end/", session_views.session_end, name="session_end"),
    path("sessions/<int:session_id>/extend/", session_views.session_extend, name="extend"),
    path("sessions/<int:session_id>/reset/", session_views.session_reset, name="reset"),
    path("sessions/<int:session_id>/resume/", session_views.session_resume, name="resume"),
    path(
        "sessions/<int:session_id>/workspace.tar",
        session_views.session_workspace,
        name="workspace",
    ),
]
