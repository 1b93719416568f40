"""Small text helpers that every domain (and the demo data) shares."""
import re
import unicodedata


def fold(text):
    """Lower case without accents, for comparing and searching: "Élodie Aït-Télécom" →
    "elodie ait-telecom". Letters without a Latin decomposition (Arabic) are kept."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def ascii_fold(text):
    """``fold`` keeping ASCII only: the base of slugs and company-name keys."""
    return fold(text).encode("ascii", "ignore").decode()


def slugify(text):
    """"Salon de l'Emploi — Rabat 2026" → "salon-de-l-emploi-rabat-2026" (ASCII, for URLs/files)."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text)).strip("-")
