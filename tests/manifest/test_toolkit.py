"""The Microsoft 365 Agents Toolkit project files (m365agents*.yml, env/.env.*) hold together.

Provision, deploy and preview need an Azure / Microsoft 365 account, so what is checked here is
what the toolkit would trip on first: each yml parses with the schema version its header names,
uses only actions the toolkit has, every ``${{VAR}}`` it reads is defined in its environment file
or written by an earlier action, ``manifestPath`` is our template, and the template's
placeholders are the ones both the toolkit (env files) and ``callplan package`` fill.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from manifest import packaging as teams_package

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "manifest" / "manifest.json"
SCHEMA_VERSION = "v1.8"
STAGES = ("provision", "deploy", "publish")  # the order the toolkit's commands run in
# Actions of the v1.x project schema (https://aka.ms/teamsfx-actions) used by bot projects.
KNOWN_ACTIONS = {
    "teamsApp/create",
    "teamsApp/validateManifest",
    "teamsApp/zipAppPackage",
    "teamsApp/validateAppPackage",
    "teamsApp/update",
    "teamsApp/publishAppPackage",
    "teamsApp/extendToM365",
    "botAadApp/create",
    "aadApp/create",
    "aadApp/update",
    "botFramework/create",
    "arm/deploy",
    "azureAppService/zipDeploy",
    "file/createOrUpdateEnvironmentFile",
    "file/createOrUpdateJsonFile",
    "devTool/install",
}
# Set by the toolkit itself, whatever the env file says.
BUILT_IN = {"TEAMSFX_ENV"}
PROJECTS = {"dev": "m365agents.yml", "local": "m365agents.local.yml", "playground": "m365agents.playground.yml"}
_VAR = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def env_file(env: str) -> dict[str, str]:
    """``KEY=value`` lines of env/.env.<env>, comments and blank lines left out."""
    values = {}
    for line in (ROOT / "env" / f".env.{env}").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"env/.env.{env}: {line!r} is not KEY=value"
            values[key.strip()] = value.strip()
    return values


def strings(node: object):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def undefined_variables(project: dict, defined: set[str]) -> list[str]:
    """``stage[i] action: ${{VAR}}`` for each variable read before anything defines it."""
    known = set(defined) | BUILT_IN
    problems = []
    for stage in STAGES:
        for index, action in enumerate(project.get(stage) or []):
            for text in strings(action.get("with", {})):
                for name in _VAR.findall(text):
                    if name not in known:
                        problems.append(f"{stage}[{index}] {action['uses']}: ${{{{{name}}}}}")
            known |= set((action.get("writeToEnvironmentFile") or {}).values())
    return problems


def load(env: str) -> tuple[str, dict]:
    text = (ROOT / PROJECTS[env]).read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


@pytest.mark.parametrize("env", sorted(PROJECTS))
def test_project_file_parses_with_the_schema_version_it_names(env):
    text, project = load(env)
    assert project["version"] == SCHEMA_VERSION
    assert f"https://aka.ms/teams-toolkit/{SCHEMA_VERSION}/yaml.schema.json" in text.splitlines()[0]
    assert (ROOT / project["environmentFolderPath"]).resolve() == ROOT / "env"
    assert any(project.get(stage) for stage in STAGES)
    for stage in STAGES:
        for action in project.get(stage) or []:
            assert action["uses"] in KNOWN_ACTIONS, f"{PROJECTS[env]} {stage}: unknown action {action['uses']}"


@pytest.mark.parametrize("env", sorted(PROJECTS))
def test_every_variable_is_defined_before_use(env):
    _, project = load(env)
    assert undefined_variables(project, set(env_file(env))) == []


def test_the_check_catches_a_variable_nobody_defines():
    _, project = load("dev")
    project["provision"][1]["with"]["messagingEndpoint"] = "${{NOT_DEFINED_ANYWHERE}}/api/messages"
    assert undefined_variables(project, set(env_file("dev"))) == [
        "provision[1] botFramework/create: ${{NOT_DEFINED_ANYWHERE}}"
    ]
    # A variable written by a later action is still undefined at the point of use.
    _, project = load("dev")
    assert undefined_variables(project, set(env_file("dev")) - {"MicrosoftAppId"}) == []
    project["provision"].reverse()
    assert "botFramework/create: ${{MicrosoftAppId}}" in " ".join(
        undefined_variables(project, set(env_file("dev")) - {"MicrosoftAppId"})
    )


@pytest.mark.parametrize("env", ["dev", "local"])
def test_manifest_path_is_our_template_and_its_placeholders_are_filled(env):
    _, project = load(env)
    paths = [
        action["with"]["manifestPath"]
        for stage in STAGES
        for action in project.get(stage) or []
        if "manifestPath" in action.get("with", {})
    ]
    assert paths, f"{PROJECTS[env]} never builds the app package"
    assert {(ROOT / path).resolve() for path in paths} == {MANIFEST}
    used = set(_VAR.findall(MANIFEST.read_text(encoding="utf-8")))
    # The toolkit fills them from the env file (MicrosoftAppId: written by provision)...
    assert used <= set(env_file(env)) | BUILT_IN
    # ...and `callplan package` from the settings: the same names for both.
    assert used <= set(
        teams_package.placeholder_values(
            teams_package.PackageInputs(
                app_id="0f8d6a4e-2b1c-4d3e-9f10-1a2b3c4d5e6f",
                version="1.0.0",
                developer_name="x",
                developer_website_url="https://a.example",
                developer_privacy_url="https://a.example",
                developer_terms_url="https://a.example",
            )
        )
    )


@pytest.mark.parametrize("env", ["dev", "local"])
def test_env_files_carry_the_project_version(env):
    assert env_file(env)["VERSION"] == teams_package.project_version()


def test_toolkit_secrets_files_are_ignored_and_env_files_are_not():
    for env in PROJECTS:
        ignored = subprocess.run(["git", "check-ignore", "-q", f"env/.env.{env}.user"], cwd=ROOT)
        assert ignored.returncode == 0, f"env/.env.{env}.user would be committed"
        kept = subprocess.run(["git", "check-ignore", "-q", f"env/.env.{env}"], cwd=ROOT)
        assert kept.returncode == 1, f"env/.env.{env} is ignored by git"
