"""The impact score (0-14) and its inputs that do not come from a model.

Formula (docs/triage.md has worked examples)::

    impact = clamp(severity + page_weight + sentiment_points + similar_points, 0, 14)

    severity          0..6  worst problem named in the text (lexicon.py), halved for
                            non-bugs and zero for praise (the engine does that adjustment)
    page_weight       0..3  how much is at stake on the page (checkout / login = 3)
    sentiment_points  0..2  negative 2, neutral 1, positive 0
    similar_points    0..3  0 similar items -> 0, 1-2 -> 1, 3-9 -> 2, 10+ -> 3

The term maxima add up to exactly 14, Fluister's top score, so no term is ever cut off by
the final clamp unless a caller passes out-of-range inputs; the clamp is still applied so
the 0..14 contract holds for *any* input.

Additive integer points were chosen over a learned regressor because there is no labelled
priority data to learn from, and because a triager must be able to see (in
``TriageResult.signals``) why an item scored 8 and disagree with a specific term.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlsplit

from triage.engine.text import fold

# Fluister's impactScore range; the model's check constraint, the LLM check and the API
# read these.
IMPACT_MIN = 0
IMPACT_MAX = 14
MAX_SEVERITY = 6
MAX_PAGE_WEIGHT = 3
SENTIMENT_POINTS = {"negative": 2, "neutral": 1, "positive": 0}
MAX_SIMILAR_POINTS = 3
# Minolith caps page_url at 2,000 characters; anything longer is not a real page address.
MAX_PAGE_CHARS = 2_000


def _wordset(words: str) -> frozenset[str]:
    """Whitespace-separated word list -> frozenset (keeps long lists readable)."""
    return frozenset(words.split())


# Page keywords in the five languages, folded (no accents) and without separators so that
# "/sign-in", "/signin" and "/Sign_In" all match "signin".
_PAGE_KEYWORDS: dict[int, frozenset[str]] = {
    3: _wordset(
        # money: a broken page here loses revenue directly
        "checkout checkouts pay payment payments billing cart basket subscribe subscription "
        "purchase buy afrekenen kassa betalen betaling betalingen winkelwagen winkelmand "
        "kasse bezahlen zahlung zahlungen warenkorb kaufen paiement panier abonnement "
        "commander pago pagos pagar carrito cesta suscripcion comprar "
        # access: a broken page here locks users out of everything else
        "login logon signin signup register registration password auth oauth sso 2fa mfa "
        "inloggen aanmelden registreren registratie wachtwoord anmelden einloggen "
        "registrieren registrierung passwort connexion inscription motdepasse "
        "iniciarsesion acceso registro contrasena"
    ),
    2: _wordset(
        "account profile settings dashboard search upload export import order orders "
        "booking bookings reservation invoice invoices pricing plans api "
        "profiel instellingen zoeken bestelling bestellingen boeking factuur facturen "
        "prijzen konto profil einstellungen suche bestellung bestellungen buchung "
        "rechnung rechnungen preise compte parametres recherche commande commandes "
        "facture factures tarifs cuenta perfil ajustes configuracion busqueda pedido "
        "pedidos reserva reservas factura facturas precios"
    ),
    1: _wordset(
        "home index help faq about contact blog docs support overons helpcentrum hilfe "
        "kontakt uberuns aide apropos ayuda contacto"
    ),
}
# Words that, in the *text*, show which flow the user was in when no page was given. Only
# the money/access words: "search" in a sentence does not mean the search page broke.
_TEXT_PAGE_WORDS = _PAGE_KEYWORDS[3] | _wordset(
    "afrekenknop betaalpagina inlogscherm loginknop ideal paypal anmeldung zahlungsmethode kaufen"
)
_TEXT_PAIRS = frozenset({"log in", "sign in", "sign up", "check out", "mot de", "iniciar sesion"})
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


def clamp(value: int, lo: int, hi: int) -> int:
    """Bound ``value`` to ``[lo, hi]``."""
    return max(lo, min(hi, value))


def similar_points(similar_count: int) -> int:
    """Points for how many similar items the project already has (0..3).

    Logarithmic-ish buckets: the second report of a problem matters much more than the
    thirty-first, and a flood of duplicates must not drown out severity.
    """
    if similar_count <= 0:
        return 0
    if similar_count <= 2:
        return 1
    if similar_count <= 9:
        return 2
    return MAX_SIMILAR_POINTS


def impact_score(*, severity: int, page_weight: int, sentiment: str, similar_count: int) -> int:
    """Combine the four terms into Fluister's 0..14 ``impactScore``.

    Each term is clamped to its own range first (so one absurd input cannot dominate) and
    the sum is clamped again, so the result is always an int in 0..14. ``sentiment`` must be
    one of "positive", "neutral", "negative"; anything else is a programming error and
    raises ``ValueError`` rather than silently scoring as neutral.
    """
    try:
        mood = SENTIMENT_POINTS[sentiment]
    except KeyError:
        raise ValueError(f"unknown sentiment {sentiment!r}") from None
    total = (
        clamp(int(severity), 0, MAX_SEVERITY)
        + clamp(int(page_weight), 0, MAX_PAGE_WEIGHT)
        + mood
        + similar_points(int(similar_count))
    )
    return clamp(total, IMPACT_MIN, IMPACT_MAX)


def _keyword_weight(words: list[str]) -> tuple[int, str]:
    """Highest page weight among single words and 2-3 word joins ("sign"+"in")."""
    best, match = 0, ""
    candidates = list(words)
    candidates += [a + b for a, b in itertools.pairwise(words)]
    candidates += [a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)]
    for cand in candidates:
        for weight in (3, 2, 1):
            if weight > best and cand in _PAGE_KEYWORDS[weight]:
                best, match = weight, cand
    return best, match


def url_path(raw: str) -> str:
    """The path part of a page given as a URL or a path, without query or fragment.

    Pages come from anonymous visitors: a URL that urllib refuses (``http://[::1/x`` raises
    "Invalid IPv6 URL") falls back to everything after its host instead of an error.
    """
    if "://" in raw:
        try:
            return urlsplit(raw).path
        except ValueError:
            rest = raw.split("://", 1)[1]
            raw = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return raw.split("?", 1)[0].split("#", 1)[0]


def page_weight_for_path(page: str) -> tuple[int, str]:
    """Weight (0..3) of the page a feedback item was sent from, and the keyword matched.

    Accepts a path ("/nl/afrekenen"), a full URL or a bare name ("checkout"); the host and
    query string are ignored. The site root ("/") gets 1: everyone sees it.
    """
    if not page or not page.strip():
        return 0, ""
    raw = page.strip()[:MAX_PAGE_CHARS]
    path = url_path(raw)
    words = [w for w in _SPLIT_RE.split(fold(path)) if w]
    if not words:
        return 1, "/"
    return _keyword_weight(words)


def page_weight_for_text(words: list[str]) -> tuple[int, str]:
    """Weight implied by money/access words in the text itself, one less than a real page.

    ``words`` are the normalised word tokens (``features.Analysis.words``). "I cannot
    pay" sent without a page is still a payment problem, but a mention is weaker evidence
    than the page the widget reported, hence the -1 (max 2).
    """
    for a, b in itertools.pairwise(words):
        if f"{a} {b}" in _TEXT_PAIRS:
            return MAX_PAGE_WEIGHT - 1, f"{a} {b}"
    for w in words:
        if w in _TEXT_PAGE_WORDS:
            return MAX_PAGE_WEIGHT - 1, w
    return 0, ""
