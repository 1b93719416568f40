"""Small text helpers that every domain (and the demo data) shares."""
import re
import unicodedata


def slugify(text):
    """"Salon de l'Emploi — Rabat 2026" → "salon-de-l-emploi-rabat-2026" (ASCII, for URLs/files)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
