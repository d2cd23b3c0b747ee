"""«Справка»: the list of answers with its search (``?q=``) and each answer's own page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from sferum_portal.params import param_text

from .models import Answer
from .search import answers_search

# Words to try when a search finds nothing: topics the answers cover.
SUGGESTED_WORDS = ("статистика", "роль", "чат", "родители", "бот", "МЭШ", "приглашение")


@login_required
def answer_list(request):
    query = param_text(request.GET, "q")
    found = answers_search(query) if query else None
    everything = None
    if found is None or not found.hits:
        everything = Answer.objects.only("slug", "question", "source", "number")
    return render(
        request,
        "answers/list.html",
        {
            "query": query,
            "found": found,
            "answers": everything,
            "suggested_words": SUGGESTED_WORDS,
        },
    )


@login_required
def answer_detail(request, slug: str):
    answer = get_object_or_404(Answer, slug=slug)
    return render(request, "answers/detail.html", {"answer": answer})
