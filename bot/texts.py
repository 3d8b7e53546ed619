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
    "smalltalk_greetings": {
        "fr": "Salut ! 👋 Écris-moi un cliché sur le métier de social media manager, je te "
              "réponds sources à l'appui. /myths : ceux que je connais.",
        "en": "Hi! 👋 Send me a cliché about the social media manager job and I'll bust it, "
              "with sources. /myths: the ones I know.",
    },
    "smalltalk_thanks": {
        "fr": "Avec plaisir ! Un autre cliché entendu sur le métier ? Écris-le-moi.",
        "en": "You're welcome! Heard another cliché about the job? Send it my way.",
    },
    "unknown_command": {
        "fr": "Je ne connais pas la commande <code>{command}</code>.",
        "en": "I don't know the command <code>{command}</code>.",
    },
    "did_you_mean": {"fr": "Tu voulais dire {command} ?", "en": "Did you mean {command}?"},
    "clarify": {
        "fr": "Tu parles de quel cliché ?",
        "en": "Which cliché do you mean?",
    },
    "clarify_one": {
        "fr": "Tu parles de ce cliché ? Sinon, reformule ou tape /myths.",
        "en": "Is this the cliché you mean? If not, rephrase or type /myths.",
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
    "intro_group": {
        "fr": "Bonjour ! Je démonte les clichés sur le métier de social media manager. "
              "Posez-moi une question avec /ask (ex. <code>/ask le SMM passe ses journées sur "
              "Facebook ?</code>) ou répondez à un de mes messages. Les admins règlent mon "
              "comportement avec /mode, /lang et /cooldown (voir /settings).",
        "en": "Hello! I bust the clichés about the social media manager job. Ask me with /ask "
              "(e.g. <code>/ask SMMs spend all day on Facebook?</code>) or reply to one of my "
              "messages. Admins set how I behave with /mode, /lang and /cooldown (see "
              "/settings).",
    },
    "ask_usage": {
        "fr": "Usage : <code>/ask ta question</code>, par ex. <code>/ask combien gagne un "
              "SMM ?</code>",
        "en": "Usage: <code>/ask your question</code>, e.g. <code>/ask how much does an SMM "
              "earn?</code>",
    },
    "admins_only": {
        "fr": "Seuls les admins du groupe peuvent changer ce réglage.",
        "en": "Only the group's admins can change this setting.",
    },
    "operators_only": {
        "fr": "Cette commande est réservée aux opérateurs du bot.",
        "en": "This command is for the bot's operators only.",
    },
    "groups_only": {
        "fr": "Cette commande sert dans les groupes.",
        "en": "This command is for groups.",
    },
    "mode_usage": {
        "fr": "Usage : <code>/mode auto|mention|off</code> — auto : je réponds aussi aux "
              "messages qui répètent clairement un cliché ; mention : seulement quand on "
              "m'interpelle ; off : seulement aux commandes.",
        "en": "Usage: <code>/mode auto|mention|off</code> — auto: I also answer messages that "
              "clearly repeat a cliché; mention: only when addressed; off: commands only.",
    },
    "lang_usage": {
        "fr": "Usage : <code>/lang auto|fr|en</code>",
        "en": "Usage: <code>/lang auto|fr|en</code>",
    },
    "cooldown_usage": {
        "fr": "Usage : <code>/cooldown MINUTES</code> (0 à 1440) : délai avant de redonner "
              "le même mythe dans ce groupe.",
        "en": "Usage: <code>/cooldown MINUTES</code> (0 to 1440): how long before I answer the "
              "same myth again in this group.",
    },
    "settings": {
        "fr": "<b>Réglages du groupe</b>\nmode : <code>{mode}</code>\nlangue : "
              "<code>{chat_lang}</code>\ncooldown : <code>{cooldown}</code> min\nje lis tous "
              "les messages : {reads}",
        "en": "<b>Group settings</b>\nmode: <code>{mode}</code>\nlanguage: <code>{chat_lang}</code>"
              "\ncooldown: <code>{cooldown}</code> min\nI can read every message: {reads}",
    },
    "yes": {"fr": "oui", "en": "yes"},
    "no": {"fr": "non", "en": "no"},
    "saved": {"fr": "C'est noté.", "en": "Saved."},
    "not_saved": {
        "fr": "Pas encore enregistré : mon stockage refuse d'écrire pour l'instant. Le réglage "
              "s'applique déjà et sera enregistré dès que possible ; si je redémarre avant, il "
              "sera perdu.",
        "en": "Not saved yet: my storage refuses to write right now. The change applies "
              "already and is saved as soon as possible; if I restart before that, it is lost.",
    },
    "auto_needs_reading": {
        "fr": "Mode <code>auto</code> activé, mais je ne vois pas les messages ordinaires de "
              "ce groupe : le mode confidentialité (privacy mode) de Telegram ne me transmet "
              "que les commandes et les réponses à mes messages. Deux solutions : "
              "1) dans @BotFather, /setprivacy → Disable pour ce bot, puis retirez-moi et "
              "rajoutez-moi au groupe ; ou 2) nommez-moi administrateur du groupe.",
        "en": "<code>auto</code> mode is on, but I can't see ordinary messages here: "
              "Telegram's privacy mode only sends me commands and replies to my messages. "
              "Either 1) in @BotFather, /setprivacy → Disable for this bot, then remove me "
              "and add me to the group again; or 2) make me an admin of the group.",
    },
    "admin_check_failed": {
        "fr": "Telegram ne m'a pas dit qui administre ce groupe : réessaie dans un instant.",
        "en": "Telegram didn't tell me who runs this group: please try again in a moment.",
    },
    "busy": {
        "fr": "Je réponds déjà beaucoup ici : repose ta question dans une minute.",
        "en": "I'm answering a lot here already: ask again in a minute.",
    },
    "flood": {
        "fr": "Doucement 🙂 Je réponds à nouveau dans quelques secondes.",
        "en": "Easy 🙂 I'll answer again in a few seconds.",
    },
    "text_only": {
        "fr": "Je ne lis que le texte : écris-moi un cliché sur le métier de SMM.",
        "en": "I only read text: send me a cliché about the SMM job.",
    },
    "no_button": {
        "fr": "Pas de bouton [{n}] ici : écris une question, ou /help.",
        "en": "No button [{n}] here: type a question, or /help.",
    },
    "thanks_vote": {"fr": "Merci pour ton avis !", "en": "Thanks for your feedback!"},
    "expired": {"fr": "Ce bouton n'est plus valable.", "en": "This button has expired."},
    "weekly_usage": {
        "fr": "Usage : <code>/weekly JOUR HH:MM [fuseau]</code>, par ex. <code>/weekly lundi "
              "09:30 Europe/Paris</code> ; <code>/weekly off</code> pour arrêter.",
        "en": "Usage: <code>/weekly DAY HH:MM [timezone]</code>, e.g. <code>/weekly monday "
              "09:30 Europe/London</code>; <code>/weekly off</code> to stop.",
    },
    "weekly_set": {
        "fr": "Mythe de la semaine : chaque {day} à {time} ({tz}).",
        "en": "Myth of the week: every {day} at {time} ({tz}).",
    },
    "weekly_off": {"fr": "Mythe de la semaine arrêté.", "en": "Myth of the week stopped."},
    "weekly_none": {"fr": "Aucun mythe de la semaine prévu ici.",
                    "en": "No myth of the week is scheduled here."},
    "weekly_title": {"fr": "<b>🗓 Le mythe de la semaine</b>", "en": "<b>🗓 Myth of the week</b>"},
    "reload_ok": {"fr": "Contenu rechargé : {n} mythes.", "en": "Content reloaded: {n} myths."},
    "reload_fixed": {"fr": "✅ Contenu corrigé et rechargé : {n} mythes.",
                     "en": "✅ Content fixed and reloaded: {n} myths."},
    "weekly_bad_zone": {
        "fr": "Fuseau horaire inconnu : <code>{zone}</code>.{hint}",
        "en": "Unknown time zone: <code>{zone}</code>.{hint}",
    },
    "weekly_zone_hint": {"fr": " Vouliez-vous dire <code>{best}</code> ?",
                         "en": " Did you mean <code>{best}</code>?"},
    "reload_same": {"fr": "Contenu inchangé.", "en": "Content unchanged."},
    "reload_failed": {
        "fr": "⚠️ Modification du contenu refusée, je garde la version précédente :",
        "en": "⚠️ Content edit refused, I keep the previous version:",
    },
    "stats_title": {"fr": "<b>Statistiques</b> (depuis {since})",
                    "en": "<b>Statistics</b> (since {since})"},
    "stats_empty": {"fr": "Pas encore de statistiques.", "en": "No statistics yet."},
}


def text(key: str, lang: str, **values: object) -> str:
    table = TEXTS[key]
    chosen = table.get(lang) or table[LANGS[0]]
    return chosen.format(**values) if values else chosen
