"""How to cite a resource: APA (7th edition, for reports) and BibTeX."""

from __future__ import annotations

import re

from research.models import Resource

BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_ENTRY: dict[str, str] = {
    Resource.Kind.REPORT: "techreport",
    Resource.Kind.BRIEF: "techreport",
    Resource.Kind.ARTICLE: "article",
    Resource.Kind.DATASET: "misc",
    Resource.Kind.PRESENTATION: "misc",
    Resource.Kind.TOOLKIT: "misc",
}


def people(authors: str) -> list[str]:
    return [name.strip() for name in authors.split(";") if name.strip()]


def apa_name(name: str) -> str:
    """ "Ana María Díaz" → "Díaz, A. M."; "Díaz, Ana" stays in that order."""
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
    else:
        *firsts, last = name.split()
        first = " ".join(firsts)
    initials = " ".join(f"{part[0]}." for part in re.split(r"[\s]+", first) if part)
    return f"{last}, {initials}" if initials else last


def apa_authors(names: list[str]) -> str:
    formatted = [apa_name(n) for n in names]
    if len(formatted) == 1:
        return formatted[0]
    return ", ".join(formatted[:-1]) + ", & " + formatted[-1]


def apa(resource: Resource, url: str) -> str:
    """A plain-text APA reference (the page shows the title in italics)."""
    publishers = resource.publishers()
    names = people(resource.authors)
    who = apa_authors(names) if names else "; ".join(publishers)
    end = "" if who.endswith(".") else "."
    parts = [f"{who}{end} ({resource.published_on.year}). {resource.own_title}."]
    # APA leaves the publisher out when it is the author already.
    if names and publishers:
        parts.append(", ".join(publishers) + ".")
    parts.append(url)
    return " ".join(parts)


def bibtex_escape(text: str) -> str:
    text = " ".join(text.split())  # no line breaks inside a field
    return "".join(BIBTEX_SPECIAL.get(c, c) for c in text)


def bibtex(resource: Resource, url: str) -> str:
    """A BibTeX entry; every field is escaped, so no title can end the entry."""
    key = re.sub(r"[^a-z0-9]", "", resource.slug.lower())[:40] + str(resource.published_on.year)
    fields = [("title", "{" + bibtex_escape(resource.own_title) + "}")]
    names = people(resource.authors)
    if names:
        fields.append(("author", " and ".join(bibtex_escape(n) for n in names)))
    publishers = resource.publishers()
    if publishers:
        name = "institution" if BIBTEX_ENTRY[resource.kind] == "techreport" else "publisher"
        fields.append((name, bibtex_escape(", ".join(publishers))))
    fields += [
        ("year", str(resource.published_on.year)),
        ("url", bibtex_escape(url)),
        ("language", "spanish" if resource.language == Resource.Language.SPANISH else "english"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{BIBTEX_ENTRY[resource.kind]}{{{key},\n{body}\n}}"
