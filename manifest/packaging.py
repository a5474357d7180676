"""Build and validate the Teams app package (the zip an admin uploads as a custom app).

Why this exists: Teams rejects a bad package with a vague message after the upload, so the
build checks everything first, offline, and writes nothing unless the package is valid:

* the manifest against the official JSON schema its ``$schema`` URL names, read from the
  pinned npm package ``@microsoft/app-manifest`` (``make schemas`` installs it under
  ``manifest/node_modules``), with Python's ``jsonschema`` ``Draft7Validator`` (the files say
  draft-04 but use ``const``, which the draft-04 validator silently skips);
* each localization file against the bundled localization schema, and its keys against the
  manifest (a key that matches nothing is a translation Teams silently ignores);
* what no schema checks: icon pixel sizes, the outline icon being white on transparent, the
  app id and bot id being the configured one, the zip layout (every file at the root).

The app id, bot id, version and developer details are never edited by hand: ``manifest.json``
holds ``${{NAME}}`` placeholders (the Teams Toolkit convention) that the build fills from the
settings and the installed project version.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.config import DEVELOPER_NAME_MAX_CHARS, is_https_url
from knowledge.store.atomic import atomic_write_bytes

#: This package's folder: the template, fr.json and icons are its package data, so the build
#: works from an installed project as from a checkout.
MANIFEST_DIR = Path(__file__).resolve().parent
ICONS_SUBDIR = "icons"
SCHEMA_ROOT = MANIFEST_DIR / "node_modules/@microsoft/app-manifest/build/json-schemas/teams"
PACKAGE_FILENAME = "calling-plan-assistant.zip"
#: Relative to the working folder (``make package`` runs in the project).
DEFAULT_OUT = Path("build") / PACKAGE_FILENAME
DISTRIBUTION = "calling-plan-assistant"
MANIFEST_NAME = "manifest.json"

COLOR_ICON_SIZE = (192, 192)
OUTLINE_ICON_SIZE = (32, 32)
# Pixel size per ``icons`` key of the manifest.
ICON_SIZES = {"color": COLOR_ICON_SIZE, "outline": OUTLINE_ICON_SIZE, "color32x32": OUTLINE_ICON_SIZE}

SCHEMAS_MISSING_HINT = "run `make schemas` (or `cd manifest && npm ci`)"

_PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
# "https://developer.microsoft.com[/en-us]/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
_SCHEMA_PATH = re.compile(
    r"^(?:/[a-z]{2}(?:-[a-z]{2})?)?/json-schemas/teams/(v[0-9.]+|vDevPreview)/([A-Za-z.]+\.json)$", re.I
)
# One step of a localization key: "bots[0].commandLists[1].commands[2].description".
_KEY_STEP = re.compile(r"([A-Za-z_$][A-Za-z0-9_$]*)|\[([0-9]+)\]")


class PackageError(Exception):
    """The package cannot be built: a one-line message saying what to fix."""


class SchemaFilesMissing(PackageError):
    """The bundled Teams JSON schemas are not installed (``make schemas`` installs them)."""


# -- inputs -----------------------------------------------------------------------------------

# Where each input comes from, for error messages that name what the admin has to set.
INPUT_SOURCES = {
    "app_id": "MicrosoftAppId",
    "version": f"the {DISTRIBUTION} version",
    "developer_name": "DEVELOPER_NAME",
    "developer_website_url": "DEVELOPER_WEBSITE_URL",
    "developer_privacy_url": "DEVELOPER_PRIVACY_URL",
    "developer_terms_url": "DEVELOPER_TERMS_URL",
}


class PackageInputs(BaseModel):
    """Everything the build takes from outside the manifest folder, checked once here."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    app_id: str
    version: str
    developer_name: str
    developer_website_url: str
    developer_privacy_url: str
    developer_terms_url: str

    @field_validator("app_id")
    @classmethod
    def _guid(cls, value: str) -> str:
        if not value:
            raise ValueError(
                "is not set: set the environment variable MicrosoftAppId to the Microsoft App ID "
                "(a GUID) of your Azure Bot"
            )
        if not _GUID.match(value):
            raise ValueError(
                f"{value!r} is not a GUID: expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, "
                "the Microsoft App ID of your Azure Bot"
            )
        return value

    @field_validator("version")
    @classmethod
    def _semver(cls, value: str) -> str:
        if not _SEMVER.match(value):
            raise ValueError(f"{value!r} is not MAJOR.MINOR.PATCH, which Teams requires")
        return value

    @field_validator("developer_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise ValueError("is not set (the publisher name Teams shows on the app)")
        if len(value) > DEVELOPER_NAME_MAX_CHARS:
            raise ValueError(f"{value!r} is longer than the {DEVELOPER_NAME_MAX_CHARS} characters Teams allows")
        return value

    @field_validator("developer_website_url", "developer_privacy_url", "developer_terms_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value:
            raise ValueError("is not set (Teams requires an https:// URL)")
        if not is_https_url(value):
            raise ValueError(f"{value!r} is not an https:// URL, which Teams requires")
        return value


def project_version() -> str:
    """The installed project version (``pyproject.toml``), used as the app version."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise PackageError(f"{DISTRIBUTION} is not installed, so its version is unknown: run `make setup`") from exc


def package_inputs(settings_like: Any, version: str | None = None) -> PackageInputs:
    """Read the package inputs from a settings object (``bot.config.Settings`` or alike).

    ``settings_like`` needs the attributes ``APP_ID``, ``DEVELOPER_NAME``,
    ``DEVELOPER_WEBSITE_URL``, ``DEVELOPER_PRIVACY_URL`` and ``DEVELOPER_TERMS_URL``.
    """
    raw = {
        "app_id": getattr(settings_like, "APP_ID", None),
        "version": version if version is not None else project_version(),
        "developer_name": getattr(settings_like, "DEVELOPER_NAME", None),
        "developer_website_url": getattr(settings_like, "DEVELOPER_WEBSITE_URL", None),
        "developer_privacy_url": getattr(settings_like, "DEVELOPER_PRIVACY_URL", None),
        "developer_terms_url": getattr(settings_like, "DEVELOPER_TERMS_URL", None),
    }
    raw = {key: "" if value is None else str(value) for key, value in raw.items()}
    try:
        return PackageInputs(**raw)
    except ValidationError as exc:
        raise PackageError("; ".join(_describe_input_error(err) for err in exc.errors())) from exc


def _describe_input_error(err: Mapping[str, Any]) -> str:
    field = str(err["loc"][0]) if err.get("loc") else "input"
    source = INPUT_SOURCES.get(field, field)
    ctx_error = (err.get("ctx") or {}).get("error")
    return f"{source} {ctx_error if ctx_error is not None else err['msg']}"


# -- the manifest template --------------------------------------------------------------------


def placeholder_values(inputs: PackageInputs) -> dict[str, str]:
    """The ``${{NAME}}`` values the template may use."""
    return {
        "MicrosoftAppId": inputs.app_id,
        "VERSION": inputs.version,
        "DEVELOPER_NAME": inputs.developer_name,
        "DEVELOPER_WEBSITE_URL": inputs.developer_website_url,
        "DEVELOPER_PRIVACY_URL": inputs.developer_privacy_url,
        "DEVELOPER_TERMS_URL": inputs.developer_terms_url,
    }


def read_json(path: Path) -> Any:
    """A JSON file from the manifest folder, or a :class:`PackageError` saying what is wrong."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise PackageError(f"{path} is missing") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{path} is not valid JSON: {exc}") from exc


def render_manifest(inputs: PackageInputs, manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    """The template ``manifest.json`` with every ``${{NAME}}`` placeholder filled."""
    template_path = manifest_dir / MANIFEST_NAME
    template = read_json(template_path)
    if not isinstance(template, dict):
        raise PackageError(f"{template_path} must hold a JSON object")
    values = placeholder_values(inputs)

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, str):
            return _PLACEHOLDER.sub(lambda m: _placeholder(m.group(1), values, template_path), node)
        return node

    return fill(template)


def _placeholder(name: str, values: Mapping[str, str], template_path: Path) -> str:
    try:
        return values[name]
    except KeyError:
        known = ", ".join(f"${{{{{key}}}}}" for key in values)
        raise PackageError(
            f"{template_path} uses ${{{{{name}}}}}, which the build does not fill (known: {known})"
        ) from None


def referenced_files(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Files the manifest points to, name -> kind (``"icon"`` or ``"language"``)."""
    found: dict[str, str] = {}
    icons = manifest.get("icons")
    if isinstance(icons, dict):
        for name in icons.values():
            if isinstance(name, str):
                found[name] = "icon"
    info = manifest.get("localizationInfo")
    if isinstance(info, dict):
        default_file = info.get("defaultLanguageFile")
        if isinstance(default_file, str):
            found[default_file] = "language"
        for language in info.get("additionalLanguages") or []:
            if isinstance(language, dict) and isinstance(language.get("file"), str):
                found[language["file"]] = "language"
    return found


def collect_files(manifest: Mapping[str, Any], manifest_dir: Path = MANIFEST_DIR) -> dict[str, bytes]:
    """The package content: ``manifest.json`` plus every file it references, name -> bytes.

    Icons come from ``manifest/icons/`` (drawn by ``manifest/draw_icons.py``), language files
    from ``manifest/``; in the zip each keeps the name the manifest uses.
    """
    files = {MANIFEST_NAME: (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    for name, kind in referenced_files(manifest).items():
        source = manifest_dir / ICONS_SUBDIR / name if kind == "icon" else manifest_dir / name
        try:
            files[name] = source.read_bytes()
        except FileNotFoundError:
            hint = " (run `python manifest/draw_icons.py`)" if kind == "icon" else ""
            raise PackageError(f"{source} is missing, but the manifest references {name!r}{hint}") from None
    return files


# -- schemas ----------------------------------------------------------------------------------


def schema_path(schema_url: str, schema_root: Path = SCHEMA_ROOT) -> Path:
    """The bundled schema file for an official Teams schema URL (as the npm package resolves it).

    Both ``https://developer.microsoft.com/json-schemas/teams/v1.22/...`` and the localized
    ``.../en-us/json-schemas/...`` form are accepted.
    """
    parts = urlsplit(schema_url)
    match = _SCHEMA_PATH.match(parts.path)
    if parts.scheme != "https" or parts.netloc.lower() != "developer.microsoft.com" or not match:
        raise PackageError(
            f"$schema {schema_url!r} is not an official Teams schema URL "
            "(https://developer.microsoft.com/json-schemas/teams/vX.Y/...)"
        )
    if not schema_root.is_dir():
        raise SchemaFilesMissing(
            f"the Teams manifest schemas are not installed ({schema_root} is missing): {SCHEMAS_MISSING_HINT}"
        )
    path = schema_root / match.group(1) / match.group(2)
    if not path.is_file():
        raise PackageError(f"$schema {schema_url!r} is not bundled by @microsoft/app-manifest ({path} is missing)")
    return path


def load_schema(schema_url: str, schema_root: Path = SCHEMA_ROOT) -> dict[str, Any]:
    path = schema_path(schema_url, schema_root)
    text = path.read_text(encoding="utf-8-sig")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # Some schema versions hold "\a" and "\v" escapes, which are not JSON; the npm package
        # rewrites them the same way before parsing.
        return json.loads(text.replace("\\a", "\\u0007").replace("\\v", "\\u000b"))


def schema_problems(document: Any, schema_url: str, label: str, schema_root: Path = SCHEMA_ROOT) -> list[str]:
    """Schema violations of ``document`` as ``"<label> <path>: <message>"`` lines."""
    validator = Draft7Validator(load_schema(schema_url, schema_root))
    try:
        errors = sorted(validator.iter_errors(document), key=lambda e: _dotted(e.absolute_path))
    except re.error as exc:
        # Schemas v1.23+ use \p{L}, which Python's re cannot compile (only reached by
        # manifests with extension functions).
        raise PackageError(
            f"$schema {schema_url} has a pattern Python's re cannot compile ({exc}); "
            "use a manifestVersion whose schema compiles (v1.22 does)"
        ) from exc
    return [f"{label} {_dotted(e.absolute_path) or '(root)'}: {e.message}" for e in errors]


def _dotted(path: Iterable[Any]) -> str:
    """A JSON path as ``bots[0].scopes[2]``, the notation of localization keys."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


# -- our own checks ---------------------------------------------------------------------------


def validate_package(files: Mapping[str, bytes], schema_root: Path = SCHEMA_ROOT) -> list[str]:
    """Every problem with a package's content (zip member name -> bytes); empty means valid.

    Raises :class:`SchemaFilesMissing` when the schemas are not installed: that is a setup
    problem, not a problem of the package.
    """
    manifest_bytes = files.get(MANIFEST_NAME)
    if manifest_bytes is None:
        return [f"{MANIFEST_NAME} is not at the root of the package"]
    manifest, problems = _checked_document(MANIFEST_NAME, manifest_bytes, schema_root)
    if manifest is None:
        return problems  # nothing else makes sense without a parsable, schema-checked manifest
    schema_url = manifest["$schema"]
    problems += id_problems(manifest)
    problems += command_list_problems(manifest)
    problems += version_problems(manifest)
    problems += developer_url_problems(manifest)
    problems += layout_problems(manifest, files)
    for name, kind in referenced_files(manifest).items():
        if name not in files:
            continue  # reported by layout_problems
        if kind == "icon":
            problems += icon_problems(name, files[name], _icon_role(manifest, name))
        else:
            problems += language_file_problems(name, files[name], manifest, schema_url, schema_root)
    return problems


def _checked_document(name: str, payload: bytes, schema_root: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse a JSON file of the package and check it against the schema its ``$schema`` names.

    Returns (the document, its schema and placeholder problems), or (None, why it cannot be
    checked at all): not JSON, not an object, no usable ``$schema``.
    """
    document, problem = _parse_json(name, payload)
    if problem:
        return None, [problem]
    if not isinstance(document, dict):
        return None, [f"{name} must hold a JSON object"]
    schema_url = document.get("$schema")
    if not isinstance(schema_url, str):
        return None, [f"{name} has no $schema URL, so it cannot be validated"]
    problems, usable = _schema_problems_or_reason(document, schema_url, name, schema_root)
    if not usable:
        return None, problems
    return document, problems + placeholder_problems(name, document)


def _schema_problems_or_reason(document: Any, schema_url: str, label: str, schema_root: Path) -> tuple[list[str], bool]:
    """(schema problems, True), or ([why the ``$schema`` cannot be used], False).

    Missing schema files still raise: that is the machine's setup, not the package's fault.
    """
    try:
        return schema_problems(document, schema_url, label, schema_root), True
    except SchemaFilesMissing:
        raise
    except PackageError as exc:
        return [f"{label} {exc}"], False


def _parse_json(name: str, payload: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(payload.decode("utf-8-sig")), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{name} is not valid JSON: {exc}"


def placeholder_problems(name: str, document: Any) -> list[str]:
    """``${{NAME}}`` placeholders left unfilled."""
    return [
        f"{name} {path}: placeholder {value!r} was not filled"
        for path, value in _strings(document)
        if _PLACEHOLDER.search(value)
    ]


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def id_problems(manifest: Mapping[str, Any]) -> list[str]:
    """The app id and every bot id must be the same Microsoft App ID (one Azure Bot)."""
    app_id = manifest.get("id")
    return [
        f"{MANIFEST_NAME} bots[{index}].botId {bot.get('botId')!r} differs from id {app_id!r}"
        for index, bot in enumerate(manifest.get("bots") or [])
        if isinstance(bot, dict) and bot.get("botId") != app_id
    ]


def command_list_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Each command list's scopes must be bot scopes, and no scope may have two lists."""
    problems = []
    for b, bot in enumerate(manifest.get("bots") or []):
        if not isinstance(bot, dict):
            continue
        bot_scopes = set(bot.get("scopes") or [])
        seen: set[str] = set()
        for c, command_list in enumerate(bot.get("commandLists") or []):
            for scope in (command_list.get("scopes") or []) if isinstance(command_list, dict) else []:
                where = f"{MANIFEST_NAME} bots[{b}].commandLists[{c}]"
                if scope not in bot_scopes:
                    problems.append(f"{where}: scope {scope!r} is not one of the bot's scopes {sorted(bot_scopes)}")
                if scope in seen:
                    problems.append(f"{where}: scope {scope!r} already has a command list")
                seen.add(scope)
    return problems


def version_problems(manifest: Mapping[str, Any]) -> list[str]:
    version = manifest.get("version")
    if isinstance(version, str) and not _SEMVER.match(version):
        return [f"{MANIFEST_NAME} version {version!r} is not MAJOR.MINOR.PATCH"]
    return []


def developer_url_problems(manifest: Mapping[str, Any]) -> list[str]:
    """The schema accepts http://, Teams does not."""
    developer = manifest.get("developer")
    if not isinstance(developer, dict):
        return []
    return [
        f"{MANIFEST_NAME} developer.{key} {developer[key]!r} is not an https:// URL"
        for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl")
        if isinstance(developer.get(key), str)
        and not _PLACEHOLDER.search(developer[key])  # reported as unfilled instead
        and not is_https_url(developer[key])
    ]


def layout_problems(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    """Every file at the zip root, every referenced file present, nothing else in the zip."""
    referenced = referenced_files(manifest)
    problems = [
        f"{name} is in a folder; Teams wants every file at the root of the package"
        for name in files
        if "/" in name or "\\" in name
    ]
    problems += [
        f"{name} is referenced by {MANIFEST_NAME} but not in the package" for name in referenced if name not in files
    ]
    problems += [
        f"{name} is in the package but not referenced by {MANIFEST_NAME}"
        for name in files
        if name != MANIFEST_NAME and name not in referenced
    ]
    return problems


def _icon_role(manifest: Mapping[str, Any], name: str) -> str:
    icons = manifest.get("icons") or {}
    return next((role for role, file in icons.items() if file == name), "color")


def icon_problems(name: str, payload: bytes, role: str) -> list[str]:
    """Pixel checks the schema cannot do: PNG, exact size, outline white on transparent.

    ``role`` is the manifest key: ``color`` (192x192), ``outline`` (32x32, every pixel white or
    fully transparent; anti-aliasing lives in the alpha channel) or ``color32x32``.
    """
    try:
        image = Image.open(io.BytesIO(payload))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        return [f"{name} ({role} icon) is not a readable image: {exc}"]
    problems = []
    if image.format != "PNG":
        problems.append(f"{name} ({role} icon) is {image.format}, not PNG")
    expected = ICON_SIZES.get(role)
    if expected and image.size != expected:
        problems.append(
            f"{name} ({role} icon) is {image.size[0]}x{image.size[1]}, Teams wants {expected[0]}x{expected[1]}"
        )
    if role == "outline":
        problems += _outline_problems(name, image)
    return problems


def _outline_problems(name: str, image: Image.Image) -> list[str]:
    if "A" not in image.getbands() and "transparency" not in image.info:
        return [f"{name} (outline icon) has no transparency; Teams wants white on transparent"]
    rgba = image.convert("RGBA")
    raw = rgba.tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    coloured = [
        (i % rgba.width, i // rgba.width) for i, (r, g, b, a) in enumerate(pixels) if a and (r, g, b) != (255, 255, 255)
    ]
    problems = []
    if coloured:
        x, y = coloured[0]
        problems.append(
            f"{name} (outline icon) has {len(coloured)} visible pixels that are not white "
            f"(first at {x},{y}: {pixels[y * rgba.width + x]}); Teams wants white on transparent"
        )
    if not any(a for *_, a in pixels):
        problems.append(f"{name} (outline icon) is fully transparent")
    elif all(a == 255 for *_, a in pixels):
        problems.append(f"{name} (outline icon) has no transparent pixels; Teams wants white on transparent")
    return problems


def language_file_problems(
    name: str,
    payload: bytes,
    manifest: Mapping[str, Any],
    manifest_schema_url: str,
    schema_root: Path = SCHEMA_ROOT,
) -> list[str]:
    """A localization file: valid against its schema (same version as the manifest), and every
    key it translates exists in the manifest (Teams ignores the others silently)."""
    document, problems = _checked_document(name, payload, schema_root)
    if document is None:
        return problems
    schema_url = document["$schema"]
    manifest_version = schema_path(manifest_schema_url, schema_root).parent.name
    if schema_path(schema_url, schema_root).parent.name != manifest_version:
        problems.append(f"{name} $schema is not the {manifest_version} localization schema of {MANIFEST_NAME}")
    for key in document:
        if key in ("$schema", "localizationKeys"):
            continue
        if not _key_exists(manifest, key):
            problems.append(f"{name} key {key!r} matches nothing in {MANIFEST_NAME}")
    return problems


def _key_exists(manifest: Any, key: str) -> bool:
    node = manifest
    position = 0
    for match in _KEY_STEP.finditer(key):
        between = key[position : match.start()]
        if between not in ("", "."):
            return False
        position = match.end()
        name, index = match.groups()
        if name is not None:
            if not isinstance(node, dict) or name not in node:
                return False
            node = node[name]
        else:
            if not isinstance(node, list) or int(index) >= len(node):
                return False
            node = node[int(index)]
    return position == len(key) and position > 0


# -- the zip ----------------------------------------------------------------------------------


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A reproducible zip: ``manifest.json`` first, then the rest by name, fixed timestamps."""
    buffer = io.BytesIO()
    order = sorted(files, key=lambda name: (name != MANIFEST_NAME, name))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def build_package(
    settings_like: Any,
    out: Path = DEFAULT_OUT,
    *,
    version: str | None = None,
    manifest_dir: Path = MANIFEST_DIR,
    schema_root: Path = SCHEMA_ROOT,
) -> Path:
    """Fill, validate and write the Teams app package; return the zip's path.

    ``out`` may be a folder (the zip goes inside as ``calling-plan-assistant.zip``). Nothing is
    written unless the package is valid, and the write is atomic, so a failed build leaves any
    earlier package untouched.
    """
    inputs = package_inputs(settings_like, version)
    manifest = render_manifest(inputs, manifest_dir)
    files = collect_files(manifest, manifest_dir)
    problems = validate_package(files, schema_root)
    if problems:
        raise PackageError(f"the package is not valid ({len(problems)} problem(s)): " + "; ".join(problems))
    out = Path(out)
    if out.is_dir():
        out = out / PACKAGE_FILENAME
    try:
        atomic_write_bytes(out, zip_bytes(files))
    except OSError as exc:
        raise PackageError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out
