"""Generate ``countries.json``: how admins name countries, for the recognizer.

Run once (and again only when the aliases below change) and commit the JSON::

    .venv/bin/python -m dialogs.locales.build_countries

Why generated and committed: the names come from babel's CLDR data (2.9.1, pinned by
botbuilder-dialogs), English and French, for every ISO 3166-1 alpha-2 code, so no country list
is typed by hand; the JSON is reviewable in a diff and loads in a millisecond at run time.
The hand-written part is what CLDR does not have: everyday aliases ("UK", "États-Unis" without
accents is handled by folding, "Angleterre") and the adjectives admins use for people
("French users", "utilisateurs allemands").

Keys are *folded* (lower case, no accents, punctuation as spaces), the form the recognizer
matches on. A folded name claimed by two codes is dropped rather than guessed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel import Locale

from dialogs.nlu.i18n import fold

OUT = Path(__file__).with_name("countries.json")

#: CLDR territory codes that are not ISO 3166-1 countries (or are exceptional reservations
#: nobody types): unions, pseudo-locales, unknown region, sub-territories without a dial plan.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "EA", "IC", "DG", "CP"}

#: Codes CLDR does not have that the catalog does: AN (Netherlands Antilles), withdrawn from ISO
#: 3166-1 but still a row of Microsoft's outbound-callable list (knowledge/data/countries.json).
#: Named by ALIASES below.
EXTRA_CODES = frozenset({"AN"})

#: Everyday names CLDR does not give. Folded on output.
ALIASES: dict[str, list[str]] = {
    "AN": ["Netherlands Antilles", "the Netherlands Antilles", "Antilles néerlandaises"],
    "GB": [
        "UK",
        "U.K.",
        "Britain",
        "Great Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Grande-Bretagne",
        "Angleterre",
        "Écosse",
        "Pays de Galles",
        "Irlande du Nord",
        "Royaume Uni",
        "Royaume-Unis",  # a common slip after "États-Unis"
    ],
    "US": [
        "USA",
        "U.S.A.",
        "United States of America",
        "America",
        "the States",
        "Etats-Unis d'Amérique",
        "Amérique",
        # "us" alone is a pronoun; after an article it is only ever the country ("in the us",
        # "appellent que les US"), and French admins borrow "the States" ("aux States")
        "the US",
        "les US",
        "aux States",
        "les States",
    ],
    "NL": ["Holland", "Hollande", "the Netherlands"],
    "CZ": ["Czech Republic", "République tchèque", "Czech Rep", "Rep tchèque", "Rép. tchèque"],
    "KR": ["Korea", "Corée"],
    "HK": ["Hong Kong"],
    "MO": ["Macao", "Macau"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "MM": ["Burma", "Birmanie"],
    "LC": ["Saint Lucia"],
    "KN": ["Saint Kitts and Nevis"],
    "VC": ["Saint Vincent and the Grenadines"],
    "PM": ["Saint Pierre and Miquelon"],
    "VA": ["Vatican", "Holy See"],
    "RU": ["Russian Federation"],
    "AE": ["UAE", "Emirates", "Émirats"],
    "ZA": ["RSA"],
    "TL": ["East Timor"],
    "MK": ["Macedonia", "Macédoine"],
    "SZ": ["Swaziland"],
    "TR": ["Turkiye", "Türkiye"],
    "PR": ["Porto Rico"],
    "DE": ["Deutschland"],
    "CH": ["Schweiz", "Suisse"],
    "ES": ["España"],
    "MU": ["Île Maurice", "Mauritius Island"],
    "RE": ["La Réunion", "Reunion Island", "Île de la Réunion"],
    "JO": ["Kingdom of Jordan"],
    "TD": ["Republic of Chad"],
}

#: CLDR names that are far more often something else in an admin's message: a meeting
#: ("salle de réunion") or a first name. Those countries stay reachable by the aliases above
#: and by ISO code.
COMMON_WORDS = ["reunion", "maurice", "chad", "jordan"]

#: Codes that admins only write as an upper-case token (the lower-case form is an ordinary
#: English word: "us", ...). Checked case-sensitively, before folding.
CASE_SENSITIVE = {"US": "US", "U.S.": "US", "U.S.A.": "US", "USA": "US", "UK": "GB", "UAE": "AE"}

#: Upper-case two-letter tokens that are ISO codes but also everyday words or IT acronyms
#: ("IT team", "in AD", "NO!", "HR"): taken as a country only after a place preposition.
AMBIGUOUS_CODES = [
    "AD",
    "AI",
    "AM",
    "AN",
    "AS",
    "AT",
    "BE",
    "BY",
    "CA",
    "CV",
    "DO",
    "GO",
    "HI",
    "HR",
    "ID",
    "IN",
    "IS",
    "IT",
    "ME",
    "MS",
    "MY",
    "NO",
    "OR",
    "PA",
    "PM",
    "PS",
    "SO",
    "TO",
    "TV",
    "UM",
    "VA",
]

#: Words after which a two-letter code (any case) or an ambiguous upper-case code is a place.
PLACE_PREPOSITIONS = [
    "in",
    "from",
    "to",
    "for",
    "into",
    "en",
    "depuis",
    "vers",
    "pour",
    "au",
    "aux",
    "du",
    "de",
    "des",
    "dans",
]

#: Adjectives for people and numbers of a country ("French users", "salariés allemands").
#: English forms are listed; French forms are generated from the masculine singular.
ADJECTIVES_EN: dict[str, list[str]] = {
    "US": ["American", "US-based"],
    "CA": ["Canadian"],
    "GB": ["British", "English", "Scottish", "Welsh"],
    "FR": ["French"],
    "DE": ["German"],
    "ES": ["Spanish"],
    "IT": ["Italian"],
    "NL": ["Dutch"],
    "BE": ["Belgian"],
    "CH": ["Swiss"],
    "AT": ["Austrian"],
    "IE": ["Irish"],
    "PT": ["Portuguese"],
    "SE": ["Swedish"],
    "DK": ["Danish"],
    "NO": ["Norwegian"],
    "FI": ["Finnish"],
    "PL": ["Polish"],
    "CZ": ["Czech"],
    "SK": ["Slovak", "Slovakian"],
    "SI": ["Slovenian"],
    "HR": ["Croatian"],
    "HU": ["Hungarian"],
    "RO": ["Romanian"],
    "BG": ["Bulgarian"],
    "GR": ["Greek"],
    "LU": ["Luxembourgish"],
    "EE": ["Estonian"],
    "LV": ["Latvian"],
    "LT": ["Lithuanian"],
    "JP": ["Japanese"],
    "AU": ["Australian"],
    "NZ": ["New Zealand"],
    "SG": ["Singaporean"],
    "MX": ["Mexican"],
    "PR": ["Puerto Rican"],
    "IN": ["Indian"],
    "CN": ["Chinese"],
    "BR": ["Brazilian"],
    "MA": ["Moroccan"],
    "TN": ["Tunisian"],
    "DZ": ["Algerian"],
    "ZA": ["South African"],
    "IL": ["Israeli"],
    "KR": ["Korean", "South Korean"],
}
ADJECTIVES_FR: dict[str, list[str]] = {
    "US": ["américain", "étatsunien"],
    "CA": ["canadien"],
    "GB": ["britannique", "anglais", "écossais"],
    "FR": ["français"],
    "DE": ["allemand"],
    "ES": ["espagnol"],
    "IT": ["italien"],
    "NL": ["néerlandais", "hollandais"],
    "BE": ["belge"],
    "CH": ["suisse"],
    "AT": ["autrichien"],
    "IE": ["irlandais"],
    "PT": ["portugais"],
    "SE": ["suédois"],
    "DK": ["danois"],
    "NO": ["norvégien"],
    "FI": ["finlandais"],
    "PL": ["polonais"],
    "CZ": ["tchèque"],
    "SK": ["slovaque"],
    "SI": ["slovène"],
    "HR": ["croate"],
    "HU": ["hongrois"],
    "RO": ["roumain"],
    "BG": ["bulgare"],
    "GR": ["grec"],
    "LU": ["luxembourgeois"],
    "EE": ["estonien"],
    "LV": ["letton"],
    "LT": ["lituanien"],
    "JP": ["japonais"],
    "AU": ["australien"],
    "NZ": ["néo-zélandais"],
    "SG": ["singapourien"],
    "MX": ["mexicain"],
    "PR": ["portoricain"],
    "IN": ["indien"],
    "CN": ["chinois"],
    "BR": ["brésilien"],
    "MA": ["marocain"],
    "TN": ["tunisien"],
    "DZ": ["algérien"],
    "ZA": ["sud-africain"],
    "IL": ["israélien"],
    "KR": ["coréen", "sud-coréen"],
}


def key(name: str) -> str:
    """The folded, space-separated form the recognizer matches on."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(name.replace("’", "'"))))


def french_forms(masculine: str) -> list[str]:
    """Masculine/feminine, singular/plural of a French adjective of nationality."""
    irregular = {"grec": ["grec", "grecque", "grecs", "grecques"]}
    if masculine in irregular:
        return irregular[masculine]
    if masculine.endswith("e"):
        return [masculine, masculine + "s"]
    if masculine.endswith(("s", "x")):  # français, hollandais, suédois
        return [masculine, masculine + "e", masculine + "es"]
    if masculine.endswith(("ien", "on")):  # canadien, letton
        return [masculine, masculine + "ne", masculine + "s", masculine + "nes"]
    return [masculine, masculine + "e", masculine + "s", masculine + "es"]


def variants(name: str) -> list[str]:
    """A CLDR name and its usable parts: "Myanmar (Burma)" -> itself, "Myanmar", "Burma";
    "St. Lucia" -> also "Saint Lucia"; "Congo - Kinshasa" stays whole ("Congo" is ambiguous)."""
    out = [name]
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    if match:
        out += [match.group(1), match.group(2)]
    if name.startswith("St. "):
        out.append("Saint " + name[4:])
    return out


def build() -> dict:
    codes = sorted(
        {code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES}
        | EXTRA_CODES
    )
    claims: dict[str, set[str]] = {}

    def claim(name: str, code: str) -> None:
        folded = key(name)
        if folded:
            claims.setdefault(folded, set()).add(code)

    for lang in ("en", "fr"):
        territories = Locale(lang).territories
        for code in codes:
            if code not in territories:
                continue  # an extra code (EXTRA_CODES): named by its aliases only
            for name in variants(territories[code]):
                claim(name, code)
    names = {k: next(iter(v)) for k, v in claims.items() if len(v) == 1}
    dropped = sorted(k for k, v in claims.items() if len(v) > 1)
    for code, aliases in ALIASES.items():  # explicit aliases win over dropped ambiguities
        for alias in aliases:
            names[key(alias)] = code
    # Lower-case "us" is a pronoun: the case-sensitive table handles "US".
    for word in ("us", *COMMON_WORDS):
        names.pop(word, None)

    adjectives: dict[str, str] = {}
    for code, words in ADJECTIVES_EN.items():
        for word in words:
            adjectives[key(word)] = code
    for code, words in ADJECTIVES_FR.items():
        for word in words:
            for form in french_forms(word):
                adjectives[key(form)] = code

    return {
        "_generated_by": "dialogs/locales/build_countries.py from babel "
        "(CLDR) territory names in English and French plus hand-written aliases; do not edit",
        "codes": codes,
        "names": dict(sorted(names.items())),
        "case_sensitive": CASE_SENSITIVE,
        "adjectives": dict(sorted(adjectives.items())),
        "ambiguous_codes": sorted(AMBIGUOUS_CODES),
        "place_prepositions": PLACE_PREPOSITIONS,
        "dropped_ambiguous_names": dropped,
    }


def main() -> int:
    data = build()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['codes'])} codes, {len(data['names'])} names, {len(data['adjectives'])} adjectives)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
