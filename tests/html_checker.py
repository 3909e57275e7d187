"""The Nu HTML Checker (vnu.jar, pinned in tools/vnu) over a batch of documents.

One Java process checks the whole batch: a JVM per document would cost about
a second each. Nothing is filtered out; warnings are kept apart from errors.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar"


@dataclass(frozen=True)
class Problem:
    document: str
    line: int | None
    message: str
    extract: str
    error: bool

    def __str__(self) -> str:
        where = f"{self.document}:{self.line}" if self.line else self.document
        return f"{where}: {self.message}\n    {self.extract.strip()[:160]!r}"


def unavailable() -> str | None:
    """Why the checker cannot run here, or None."""
    if shutil.which("java") is None:
        return "needs Java 17+ for the Nu HTML Checker: apt-get install default-jre-headless"
    if not VNU_JAR.exists():
        return f"needs {VNU_JAR.relative_to(ROOT)}: run make install (npm ci --prefix tools/vnu)"
    return None


def _file_name(name: str, used: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:150] or "document"
    candidate, n = stem, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}_{n}"
    used.add(candidate)
    return candidate + ".html"


def check(documents: dict[str, str]) -> list[Problem]:
    """Every problem the checker finds in the documents (name -> HTML), in
    one run; a problem's document is the name it was given."""
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        names: dict[str, str] = {}
        used: set[str] = set()
        for name, html in documents.items():
            file_name = _file_name(name, used)
            (Path(tmp) / file_name).write_text(html, encoding="utf-8")
            names[file_name] = name
        result = subprocess.run(
            ["java", "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", tmp],
            capture_output=True,
            text=True,
            timeout=300,
        )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(
            f"vnu.jar gave no JSON (exit {result.returncode}): {result.stderr[-2000:]}"
        ) from exc
    problems = []
    for message in messages:
        file_name = Path(unquote(urlparse(message.get("url", "")).path)).name
        problems.append(
            Problem(
                document=names.get(file_name, file_name or "?"),
                line=message.get("lastLine"),
                message=message.get("message", ""),
                extract=message.get("extract", ""),
                # "info" with subType "warning" is a warning; "error" and
                # "non-document-error" (a file it could not read) are errors.
                error=message.get("type") != "info",
            )
        )
    return problems
