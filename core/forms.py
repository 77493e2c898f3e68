from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when
    the form has that field, otherwise at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields else None
        if field == NON_FIELD_ERRORS:
            target = None
        for error in errors:
            message = error if target else _prefix(form, field, error)
            form.add_error(target, message)


def _prefix(form, field, error):
    model = getattr(getattr(form, "_meta", None), "model", None)
    label = field
    if model is not None and field != NON_FIELD_ERRORS:
        try:
            label = str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            label = field
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return text if field == NON_FIELD_ERRORS else f"{label}：{text}"


def add_bootstrap_classes(form, small=False):
    """Give a form's widgets Bootstrap's classes (for forms not rendered by crispy)."""
    from django import forms

    size = "-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", f"form-select form-select{size}")
        else:
            widget.attrs.setdefault("class", f"form-control form-control{size}")
