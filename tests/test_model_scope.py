"""Every model of the portal says how it hangs off the organisation tree.

`accounts.scoping.scoped()` restricts a queryset through the model's
`scope_paths` (or its `scope_q` classmethod). A model that declares neither
cannot be scoped at all, so every new model must either declare its scope or
be named below with the reason it needs none. Historical models
(django-simple-history) need no entry of their own: they are exempt exactly
when the model they record declares a scope, since their rows are only ever
shown through that model's history on a page that scoped it first.
"""

from django.apps import apps

from accounts.scoping import scope_q

# The project's own apps ("org" is where the organisation tree is moving).
PROJECT_APPS = {"accounts", "communities", "complaints", "core", "dashboard", "org", "propertymgmt", "renovation"}
LEVELS = ("district", "street", "community")

# Models that declare no scope, and why none is needed. Keyed by app_label.Model.
UNSCOPED = {
    # --- Platform rows that belong to one user, never to a node of the tree.
    "core.SavedFilter": "one user's own saved query string; read by owner, and the scope is applied when it is used",
    "core.ExportJob": "handed only to the user who requested it; its rows were chosen through that user's scope",
    "core.RateCounter": "rate-limit counter keyed by a hash of the client; no organisation data",
    "communities.ImportBatch": "one uploader's preview; read by uploaded_by, each row scoped again when committed",
    # --- Users: the scope is computed *from* the user (accounts.scoping.user_scope).
    "accounts.User": "the user is the subject of scoping, not its object; accounts are managed in the admin",
    # --- Reference data, the same for the whole portal (seeded by data migrations, edited in the admin).
    "complaints.Category": "complaint categories and their deadlines: public (the resident's form lists them)",
    "complaints.ReplyTemplate": "reply wording per category: reference data, no case data in it",
    "complaints.DailyCounter": "the day's last case number; a sequence, no case data",
    "propertymgmt.ScoringScheme": "assessment scoring rules: reference data",
    "propertymgmt.ScoreFactor": "score → share of the balance: reference data",
    "propertymgmt.VoteThreshold": "quorum and passing shares by vote subject (Civil Code art. 278): reference data",
    # --- Rows reached only through a scoped parent (the parent is looked up with scoped() first).
    "complaints.Step": "a case's steps, read only through the scoped Complaint (or its tracking token)",
    "complaints.Photo": "a case's photos, served only after the Complaint is found in scope (or by its token)",
    "complaints.TrackingCode": "a case's one-time SMS codes, checked against the case the resident named",
    "complaints.ExtensionRequest": "a case's extension requests, decided through the scoped Complaint",
    "complaints.PhoneView": "audit of who saw a phone number, written through the scoped Complaint",
    "complaints.Notification": "the case's outbox, read by the delivery task only, never shown on a page",
    "propertymgmt.VoteElector": "a vote's register, read only through the scoped OwnersVote (or a one-time code)",
    "propertymgmt.Ballot": "a vote's ballots, read only through the scoped OwnersVote",
    "propertymgmt.PayeeAccountView": "who saw a full account number: written and listed through the scoped Payee",
    "propertymgmt.Reminder": "reminders of a CommitteeStep, written by the beat task, never shown on a page",
    # --- Rollups that carry their own node ids and are read per node by their selectors.
    "complaints.MonthlyStat": "measures per month and street; the measures selector filters it by the user's node",
    "dashboard.MonthlySnapshot": "figures per node and month; the dashboard reads the row of the user's own node",
}


# Declared scopes known to be incomplete: none. The test fails when one appears, and
# an entry here must name the finding until the scope is fixed.
KNOWN_GAPS: dict[str, str] = {}


def _project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def _is_history(model) -> bool:
    return getattr(model, "instance_type", None) is not None and model.__name__.startswith("Historical")


def _declares_scope(model) -> bool:
    return getattr(model, "scope_q", None) is not None or getattr(model, "scope_paths", None) is not None


def test_every_model_declares_its_scope_or_is_listed_with_a_reason():
    unscoped = []
    for model in _project_models():
        label = model._meta.label
        if _declares_scope(model) or label in UNSCOPED:
            continue
        if _is_history(model) and _declares_scope(model.instance_type):
            continue
        unscoped.append(label)
    assert not unscoped, (
        "models that declare neither scope_paths nor scope_q (declare one, see accounts/scoping.py, "
        "or add them to UNSCOPED in tests/test_model_scope.py with the reason): " + ", ".join(unscoped)
    )


def test_the_unscoped_list_names_only_current_models_without_a_scope():
    """A stale entry would exempt a future model of the same name silently."""
    models = {m._meta.label: m for m in _project_models()}
    stale = [label for label in UNSCOPED if label not in models or _declares_scope(models[label])]
    assert not stale, f"remove from UNSCOPED (gone, or now scoped): {stale}"
    assert all(reason.strip() for reason in UNSCOPED.values())


def test_every_declared_scope_builds_a_filter_at_every_level():
    """scope_paths name all three levels, and every path (or scope_q) is a valid lookup."""
    broken = []
    for model in _project_models():
        if not _declares_scope(model):
            continue
        if getattr(model, "scope_q", None) is None and set(model.scope_paths) < set(LEVELS):
            broken.append(model._meta.label)
            continue
        for level in LEVELS:
            try:
                str(model._default_manager.filter(scope_q(model, level, 1)).query)
            except Exception as error:
                broken.append(f"{model._meta.label} at {level}: {error!r}")
    assert sorted(broken) == sorted(KNOWN_GAPS), (
        "scopes that do not cover district, street and community (or name a missing field), "
        "compared with KNOWN_GAPS: " + "; ".join(broken)
    )
