"""The links from the portal's pages to «Справка»: ``{% answers_for "flag:rate_above_100" as
found %}`` gives the answers whose topics hold any of the keys, each with its address.

The topic → answers index is read in one query the first time a page asks and kept in the
render context and on the request, so a page with a hundred steps still costs one query."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from ..models import Answer

register = template.Library()

_CACHE = "_answers_topic_index"
# How-to templates by model name: the rollout app's step and plan item templates (the answers
# app may not import rollout, it only reads the object's model name and code).
_HOWTO_KINDS = {"checkliststeptemplate": "step", "planitemtemplate": "item"}


@dataclass(frozen=True)
class AnswerLink:
    question: str
    url: str


def topic_index() -> dict[str, list[AnswerLink]]:
    index: dict[str, list[AnswerLink]] = {}
    for answer in Answer.objects.only("slug", "question", "topics", "number"):
        link = AnswerLink(answer.question, answer.get_absolute_url())
        for key in answer.topics or []:
            index.setdefault(key, []).append(link)
    return index


def _index(context) -> dict[str, list[AnswerLink]]:
    """The index of this render (its render context), else of this request, else read now."""
    render = context.render_context
    index = render.get(_CACHE)
    if index is None:
        request = context.get("request")
        index = getattr(request, _CACHE, None)
        if index is None:
            index = topic_index()
            if request is not None:
                setattr(request, _CACHE, index)
        render[_CACHE] = index
    return index


@register.simple_tag(takes_context=True)
def answers_for(context, *keys) -> list[AnswerLink]:
    """The answers of any of ``keys`` (by key, then in the table's order), each once."""
    keys = [key for key in keys if key]
    if not keys:
        return []
    index = _index(context)
    found = dict.fromkeys(link for key in keys for link in index.get(key, ()))
    return list(found)


@register.simple_tag(takes_context=True)
def answers_for_flags(context, flags, helps) -> list[AnswerLink]:
    """The answers of the flags among ``flags`` ((code, help) pairs) whose help is in ``helps``
    (a group of the dashboard's «Замечания и что делать»)."""
    return answers_for(context, *(f"flag:{code}" for code, help_ in flags if help_ in helps))


@register.filter
def howto_topic(obj) -> str:
    """ "step:‹code›" for a checklist step template, "item:‹code›" for a plan item template."""
    meta = getattr(obj, "_meta", None)
    kind = _HOWTO_KINDS.get(getattr(meta, "model_name", ""))
    return f"{kind}:{obj.code}" if kind else ""
