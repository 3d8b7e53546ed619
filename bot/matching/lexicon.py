"""Words the normaliser folds: job titles, abbreviations, SMS spellings, filler words.

Canonical tokens are chosen so that "smm", "social media manager" and
"gestionnaire de réseaux sociaux" all become one token: otherwise a three-word
job title would weigh three times as much as the one word that says what the
cliché is about.
"""

from __future__ import annotations

# Multi-word phrases, matched on the accent-free, lower-case text before splitting.
PHRASES: dict[str, str] = {
    "social media managers": "smm",
    "social media manager": "smm",
    "social media management": "smm",
    "social medias managers": "smm",
    "social manager": "smm",
    "social media mgr": "smm",
    "gestionnaire de reseaux sociaux": "smm",
    "gestionnaires de reseaux sociaux": "smm",
    "gestionnaire des reseaux sociaux": "smm",
    "gestionnaires des reseaux sociaux": "smm",
    "responsable des reseaux sociaux": "smm",
    "responsable reseaux sociaux": "smm",
    "charge de communication digitale": "smm",
    "community managers": "cm",
    "community manager": "cm",
    "community management": "cm",
    "reseaux sociaux": "socials",
    "reseau social": "socials",
    "social networks": "socials",
    "social network": "socials",
    "social media": "socials",
    "social medias": "socials",
    "n importe qui": "nimporte_qui",
    "n importe quel": "nimporte_qui",
    "tout le monde peut": "nimporte_qui peut",
    "service client": "service_client",
    "service clients": "service_client",
    "relation client": "service_client",
    "customer service": "service_client",
    "customer support": "service_client",
    "customer care": "service_client",
    "top 5": "top5",
    "top five": "top5",
    "point 5": "fifth",
    "point five": "fifth",
    "number 5": "fifth",
    "number five": "fifth",
    "5 eme": "fifth",
    "visage humain": "human_face",
    "human face": "human_face",
}

# Single tokens: abbreviations, SMS spellings and close variants of the same word.
TOKENS: dict[str, str] = {
    # job titles and platforms
    "smm": "smm", "smms": "smm", "sm": "socials", "cm": "cm", "cms": "cm",
    "fb": "facebook", "fbk": "facebook", "facebk": "facebook", "insta": "instagram",
    "ig": "instagram", "rs": "socials", "rezo": "socials", "reso": "socials",
    "tweeter": "tweet", "tweete": "tweet", "tweets": "tweet", "tweeting": "tweet",
    "tweeted": "tweet", "twitte": "tweet", "twitter": "twitter",
    "li": "linkedin", "lnkd": "linkedin",
    "fifth": "fifth", "5th": "fifth", "5e": "fifth", "5eme": "fifth", "5ieme": "fifth",
    "cinquieme": "fifth", "5em": "fifth", "cinq": "5", "five": "5",
    # French SMS
    "c": "c est", "cest": "c est", "koi": "quoi", "kwa": "quoi", "pk": "pourquoi",
    "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "bcp": "beaucoup",
    "tjs": "toujours", "tjrs": "toujours", "toujour": "toujours", "qqn": "quelqu un",
    "qqun": "quelqu un", "kelkun": "quelqu un", "nimp": "nimporte_qui",
    "nimporte": "nimporte_qui", "jsp": "je sais pas", "ds": "dans", "avc": "avec",
    "pr": "pour", "dc": "donc", "d1": "d un", "ki": "qui", "ke": "que", "kan": "quand",
    "cmt": "comment", "cmnt": "comment", "combien": "combien", "cb": "combien",
    "cbn": "combien", "tt": "tout", "tte": "toute", "ts": "tous", "mtn": "maintenant",
    "auj": "aujourd hui", "jr": "jour", "jrs": "jours", "jours": "jour", "journee": "jour",
    "journees": "jour", "taf": "boulot", "job": "boulot", "metier": "boulot",
    "travail": "boulot", "salaire": "salaire", "remuneration": "salaire", "paye": "salaire",
    "paie": "salaire", "payes": "salaire", "salaires": "salaire", "thune": "salaire",
    "diplome": "diplome", "diplomes": "diplome", "formations": "formation",
    "ecoles": "ecole",
    # English SMS
    "u": "you", "ur": "your", "r": "are", "ppl": "people", "pls": "please", "plz": "please",
    "bc": "because", "cuz": "because", "coz": "because", "bcuz": "because",
    "idk": "i don t know", "rn": "right now", "gonna": "going to", "wanna": "want to",
    "tho": "though", "thx": "thanks", "dunno": "don t know", "cant": "can t",
    "dont": "don t", "doesnt": "doesn t", "isnt": "isn t", "im": "i m", "whats": "what s",
    "days": "day", "salary": "salary", "salaries": "salary", "wage": "salary",
    "wages": "salary", "pay": "salary", "paid": "salary", "earn": "earn", "earns": "earn",
    "degree": "degree", "degrees": "degree", "diploma": "diploma",
    "jobs": "job_en", "work": "job_en",
}

# Words that carry no meaning for telling one cliché from another (after folding).
STOPWORDS_FR = frozenset(
    """
    a au aux avec c ce cet cette ces ca d de des du elle elles en et est etre eux il ils
    j je l la le les leur leurs lui m ma me mes moi mon n ne nos notre nous on ou par
    pas pour qu que quel quelle quels quelles qui s sa se ses si son sont sur t ta te
    tes toi ton tu un une vos votre vous y es suis sommes etes ont ai as avons avez a
    ete etait fait faire alors donc car mais tres trop bien bon ben bah euh hein quoi
    genre vraiment aussi encore juste meme deja ici la dans plus moins tout tous toute
    toutes
    """.split()
)
STOPWORDS_EN = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been
    being am i me my you your he she it its we our they their them this that these those
    there here do does did done have has had having so very really just too also what
    which who whom whose how when where why not no yes s t m re ve ll d can could would
    should will shall may might must don isn doesn aren than then there into about up
    out over all any some lol like
    """.split()
)
STOPWORDS = STOPWORDS_FR | STOPWORDS_EN

# Words that say which language a message is in (beyond the examples' own vocabulary).
LANG_HINTS = {
    "fr": STOPWORDS_FR - STOPWORDS_EN
    | {"combien", "pourquoi", "comment", "metier", "boulot", "salaire", "gagne", "peut",
       "faut", "mdr", "ptdr", "jsp", "tkt", "beaucoup", "toujours", "quelqu", "nimporte_qui",
       "ouais", "oui", "non", "merci", "rien", "sais"},
    "en": STOPWORDS_EN - STOPWORDS_FR
    | {"how", "much", "why", "does", "job", "anyone", "everyone", "always", "lmao", "lol",
       "people", "please", "because", "thanks", "yeah", "earn", "salary", "whole"},
}
