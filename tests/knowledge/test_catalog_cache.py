"""The validated catalog kept between processes (``knowledge/catalog_cache.py``): a cached
catalog is the catalog the files give, any edit of a file makes a new one, a broken cache file
is rebuilt, and a folder that cannot be written just means no cache."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from knowledge import catalog as catalog_module
from knowledge.catalog import DATA_DIR, CatalogError, _load
from knowledge.catalog_cache import CACHE_FOLDER, cache_key, cache_path, load_or_build

FILES = list(catalog_module._FILENAMES.values())
CODE = list(catalog_module._CODE)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns(CACHE_FOLDER))
    return folder


def same(a: catalog_module.Catalog, b: catalog_module.Catalog) -> bool:
    """Every attribute equal (the models compare by value)."""
    return vars(a) == vars(b) and len(vars(a)) > 10


def load(folder: Path) -> catalog_module.Catalog:
    return load_or_build(folder, cache_key(folder, FILES, CODE), _load, catalog_module.Catalog)


def test_the_cached_catalog_is_the_catalog_the_files_give(data: Path):
    built = load(data)
    cached_file = cache_path(data, cache_key(data, FILES, CODE))
    assert cached_file.is_file()
    calls: list[Path] = []

    def build(d: Path) -> catalog_module.Catalog:
        calls.append(d)
        return _load(d)

    again = load_or_build(data, cache_key(data, FILES, CODE), build, catalog_module.Catalog)
    assert calls == []  # read from the cache, not validated again
    assert same(again, built) and same(again, _load(data))


def test_any_edit_of_a_data_file_gives_a_new_catalog(data: Path):
    before = load(data)
    texts = json.loads((data / "texts.json").read_text("utf-8"))
    key = next(iter(texts["texts"]))
    texts["texts"][key] = "edited"
    (data / "texts.json").write_text(json.dumps(texts), "utf-8")
    after = load(data)
    assert after.texts[key] == "edited" != before.texts[key]
    assert len(list((data / CACHE_FOLDER).glob("catalog-*.pickle"))) == 1  # the old one removed


def test_a_broken_data_file_raises_and_caches_nothing(data: Path):
    (data / "plans.json").write_text("{", "utf-8")
    with pytest.raises(CatalogError, match=r"plans\.json"):
        load(data)
    assert not (data / CACHE_FOLDER).exists()


def test_a_truncated_cache_file_is_rebuilt(data: Path):
    load(data)
    cached_file = cache_path(data, cache_key(data, FILES, CODE))
    cached_file.write_bytes(cached_file.read_bytes()[:100])
    assert same(load(data), _load(data))
    assert pickle.loads(cached_file.read_bytes()) is not None  # rewritten whole


def test_a_folder_that_cannot_be_written_gets_no_cache(data: Path):
    (data / CACHE_FOLDER).write_text("not a folder")  # mkdir and writes fail under it
    assert same(load(data), _load(data))
