"""One edit page, declared rather than written out: fetch, form, service, answer.

Every edit page of the portal does the same five things: fetch the object the user
may act on (404 outside their scope, 403 inside it without the right), show a form,
hand the cleaned data to the app's service, show a service's ValidationError on the
form, and on success say so and go back. `ScopedEditView` does them once, so an app's
page names only what differs: `get_object` (the app's selector, with the semantics of
accounts.scoping.get_scoped_object_or_404, or a role check returning None for a new
object), `form_class`, `save` (the service call), `get_success_url` and the message.

core imports no domain app, so the scope rule and the service arrive through those
methods, never through an import here.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views import View

from core.exceptions import EditConflict
from core.forms import apply_errors


@method_decorator(login_required, name="dispatch")
class ScopedEditView(View):
    """GET shows the form; POST validates it, calls `save` and redirects, or shows
    the form again with the service's errors (or the other clerk's change, 409)."""

    form_class = None
    template_name = ""
    success_message = gettext_lazy("已保存。")
    multipart = False  # the form takes files

    def get_object(self):
        """The object the page edits, or None for a new one. Must refuse as the
        scope does: Http404 outside the user's scope, PermissionDenied inside it
        when the role may not act (and for a new one, when it may not create)."""
        raise NotImplementedError

    def get_form_kwargs(self) -> dict:
        return {}

    def save(self, form):
        """Call the app's service with the form's cleaned data; return what it saved."""
        raise NotImplementedError

    def get_success_url(self, saved) -> str:
        raise NotImplementedError

    def get_success_message(self, saved) -> str:
        return self.success_message

    def get_context_data(self) -> dict:
        """What the template needs besides `form` and `conflict`."""
        return {}

    def conflict_form(self, form, conflict: EditConflict):
        """The form to show when someone else saved first. Pages with optimistic
        locking replace it with one that merges the other change (and sets the
        conflict's rows for the template); by default the refusal tops the form."""
        form.add_error(None, str(conflict))
        return form

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def dispatch(self, request, *args, **kwargs):
        # After the login check (the decorator above), before the method's handler:
        # the refusal comes first, whatever is asked of the object.
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form())

    def post(self, request, *args, **kwargs):
        # An empty POST is an unbound form, as GET: the page again, without errors.
        form = self.get_form(request.POST or None, (request.FILES or None) if self.multipart else None)
        conflict = None
        if form.is_valid():
            try:
                saved = self.save(form)
            except EditConflict as exc:
                form, conflict = self.conflict_form(form, exc), exc
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                message = self.get_success_message(saved)
                if message:
                    messages.success(request, message)
                return redirect(self.get_success_url(saved))
        return self.render(form, conflict)

    def render(self, form, conflict=None):
        context = {"form": form, "conflict": conflict, **self.get_context_data()}
        return render(self.request, self.template_name, context, status=409 if conflict else 200)
