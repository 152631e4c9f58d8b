"""The sign-in pages, at the root under the names other pages reverse (``login``)."""

from django.urls import path

from signon import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("oidc/authenticate/", views.start, name="oidc_authenticate"),
    path("oidc/callback/", views.callback, name="oidc_callback"),
]
