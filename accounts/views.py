from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.scoping import user_scope


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.session.pop("expired", False)
        return context


@login_required
def profile(request):
    """The user's own page: their role and scope, and their API token."""
    new_token = None
    if request.method == "POST":
        action = request.POST.get("token")
        if action == "create":
            # Shown once on this response, never stored in a message or cookie.
            Token.objects.filter(user=request.user).delete()
            new_token = Token.objects.create(user=request.user).key
        elif action == "revoke":
            Token.objects.filter(user=request.user).delete()
            messages.success(request, _("已撤销API令牌。"))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "scope": user_scope(request.user),
            "has_token": new_token is not None or Token.objects.filter(user=request.user).exists(),
            "new_token": new_token,
        },
    )
