from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard import selectors


@login_required
@require_GET
def home(request):
    """工作台: the figures of the user's district, street or community."""
    board = selectors.dashboard(user=request.user)
    return render(request, "dashboard/home.html", {"board": board, "figures": board.figures})
