"""ARCHITECTURE.md's code map must match the tree: one `### crates/<dir>` section per
crate directory, and no section for a crate that is gone. Code maps drift; this keeps
ours honest."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _mapped_paths() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### `?([\w./-]+?)`?\s*$", text, flags=re.MULTILINE))


def test_every_crate_has_a_code_map_section():
    crates = {f"crates/{p.name}" for p in (ROOT / "crates").iterdir() if (p / "Cargo.toml").exists()}
    mapped = {p for p in _mapped_paths() if p.startswith("crates/")}
    assert crates - mapped == set(), "crates missing from ARCHITECTURE.md's code map"
    assert mapped - crates == set(), "ARCHITECTURE.md maps crates that do not exist"


def test_every_mapped_path_exists():
    missing = sorted(p for p in _mapped_paths() if not (ROOT / p).exists())
    assert missing == [], f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_workspace_members_are_the_crates():
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    members = set(re.findall(r'"(crates/[\w-]+)"', cargo.split("[workspace.package]")[0]))
    crates = {f"crates/{p.name}" for p in (ROOT / "crates").iterdir() if (p / "Cargo.toml").exists()}
    assert members == crates
