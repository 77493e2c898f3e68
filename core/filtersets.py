"""The base of every list's filter set (pages, REST API and exports share one per list)."""

import django_filters

from core.forms import add_bootstrap_classes


class PortalFilterSet(django_filters.FilterSet):
    """Filter forms styled for the staff pages."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            add_bootstrap_classes(form, small=True)
            form._styled = True
        return form

    def prepare_form(self, form):
        """Adjust the form's widgets for showing it on a page (not needed
        when the filter set only filters, as in the API and exports)."""
