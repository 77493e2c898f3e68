"""Ledger pages of what is recorded about an estate: illegal structures, work notes, attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.scoping import Action
from communities import selectors, services
from communities.forms import AttachmentForm, IllegalStructureForm, NoteForm
from communities.models import EstateAttachment
from communities.views._common import estate_section
from core.edit_views import ScopedEditView


class StructureEdit(ScopedEditView):
    """A new illegal structure of the estate (no pk) or one of its structures."""

    form_class = IllegalStructureForm
    template_name = "communities/structure_form.html"
    success_message = gettext_lazy("已保存违法建设记录。")

    def get_object(self):
        estate = selectors.estate_for(user=self.request.user, estate_id=self.kwargs["estate_pk"], action=Action.CHANGE)
        structure_id = self.kwargs.get("pk")
        self.structure = (
            None
            if structure_id is None
            else selectors.structure_for(
                user=self.request.user, estate_id=estate.pk, structure_id=structure_id, action=Action.CHANGE
            )
        )
        return estate

    def get_form_kwargs(self):
        return {"instance": self.structure}

    def save(self, form):
        return services.save_illegal_structure(
            user=self.request.user,
            estate_id=self.object.pk,
            data=form.cleaned_data,
            structure_id=self.structure.pk if self.structure else None,
        )

    def get_success_url(self, structure):
        return estate_section(self.object.pk, "structures")

    def get_context_data(self):
        return {
            "estate": self.object,
            "structure": self.structure,
            "heading": _("编辑违法建设") if self.structure else _("登记违法建设"),
            "cancel_url": estate_section(self.object.pk, "structures"),
        }


structure_edit = StructureEdit.as_view()


@login_required
@require_POST
def note_add(request, estate_pk):
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(user=request.user, estate_id=estate_pk, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已添加工作记录。"))
    else:
        messages.error(request, _("请填写工作记录内容（最多5000字）。"))
    return redirect(estate_section(estate_pk, "notes"))


@login_required
@require_POST
def attachment_add(request, estate_pk):
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                user=request.user,
                estate_id=estate_pk,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已上传附件。"))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(estate_section(estate_pk, "attachments"))


@login_required
@require_GET
def attachment_download(request, pk):
    attachment = selectors.attachment_for(user=request.user, attachment_id=pk)
    inline = attachment.kind == EstateAttachment.Kind.PHOTO and request.GET.get("inline") == "1"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk):
    attachment = selectors.attachment_for(user=request.user, attachment_id=pk, action=Action.CHANGE)
    services.delete_attachment(user=request.user, attachment_id=attachment.pk)
    messages.success(request, _("已删除附件。"))
    return redirect(estate_section(attachment.estate_id, "attachments"))
