"""The bot's own sentences (not the myths'), in every language it speaks."""

from __future__ import annotations

from bot.spec import LANGS

TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "fr": "Salut ! Je démonte les clichés sur le métier de <b>social media manager</b>. "
              "Écris-moi un cliché que tu as entendu (« le SMM passe ses journées sur "
              "Facebook »…) et je te réponds, sources à l'appui.",
        "en": "Hi! I bust the clichés about the <b>social media manager</b> job. Send me one "
              "you've heard (\"the SMM spends all day on Facebook\"…) and I'll answer it, "
              "with sources.",
    },
    "help_intro": {
        "fr": "Je n'ai pas reconnu de cliché dans ton message. Voici ceux que je connais :",
        "en": "I didn't recognise a cliché in that. Here are the ones I know:",
    },
    "help_commands": {
        "fr": "/myths : tous les mythes · /top5 : le top 5 de l'article · /sources : les "
              "sources · /lang : la langue",
        "en": "/myths: all myths · /top5: the article's top 5 · /sources: the sources · "
              "/lang: language",
    },
    "clarify": {
        "fr": "Tu parles de quel cliché ?",
        "en": "Which cliché do you mean?",
    },
    "myths_title": {"fr": "<b>Les clichés que je démonte</b>", "en": "<b>The clichés I bust</b>"},
    "sources_title": {"fr": "<b>Mes sources</b>", "en": "<b>My sources</b>"},
    "source": {"fr": "Source", "en": "Source"},
    "by": {"fr": "par", "en": "by"},
    "button_other": {"fr": "Un autre mythe", "en": "Another myth"},
    "button_sources": {"fr": "Sources", "en": "Sources"},
    "button_share": {"fr": "Partager", "en": "Share"},
    "button_next": {"fr": "Suivant ›", "en": "Next ›"},
    "button_helpful": {"fr": "👍 Utile", "en": "👍 Helpful"},
    "button_not_helpful": {"fr": "👎 Pas utile", "en": "👎 Not helpful"},
    "top5_title": {
        "fr": "<b>Top 5 des clichés sur le métier de SMM</b> ({n}/{total})",
        "en": "<b>Top 5 clichés about the SMM job</b> ({n}/{total})",
    },
    "cliche": {"fr": "Cliché", "en": "Cliché"},
    "share_text": {"fr": "Un cliché démonté :", "en": "A cliché, busted:"},
}


def text(key: str, lang: str, **values: object) -> str:
    table = TEXTS[key]
    chosen = table.get(lang) or table[LANGS[0]]
    return chosen.format(**values) if values else chosen
