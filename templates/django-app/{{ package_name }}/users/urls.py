"""Routes of the auth and user endpoints (mounted under /api/v1/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("users/me", views.MeView.as_view(), name="users-me"),
    path("users/me/password", views.PasswordView.as_view(), name="users-me-password"),
    path("users", views.UserListView.as_view(), name="users-list"),
]
