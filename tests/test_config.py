"""The optional config file."""

from __future__ import annotations

import pytest

from briefing_tui.config import ConfigError, load_config


def test_missing_file_means_defaults(tmp_path):
    config = load_config(tmp_path / "none.toml")
    assert config.fetch.jobs == 8 and config.mark_read_on_open is True and config.keys == {}


def test_dotted_binding_ids_work_quoted_or_bare(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nsection.bottom_line = "3,B"\n"section.shortlist" = "4"\nnext_unread = "x"\n')
    assert load_config(path).keys == {"section.bottom_line": "3,B", "section.shortlist": "4", "next_unread": "x"}


@pytest.mark.parametrize(
    "text, words",
    [
        ("[fetch]\njobs = 0\n", "fetch.jobs"),
        ("[reader]\nmark_read_on_open = 'yes'\n", "reader.mark_read_on_open"),
        ("[keys]\nnext_unread = 3\n", "keys.next_unread"),
        ("not toml at all = = =\n", "not valid TOML"),
        ("[fetch]\njobs = inf\n", "fetch.jobs"),
        ("[fetch]\njobs = nan\n", "fetch.jobs"),
        ("[fetch]\ntimeout = nan\n", "fetch.timeout"),
        ("[fetch]\ntotal_timeout = inf\n", "fetch.total_timeout"),
        ("[fetch]\njobs = 100000\n", "fetch.jobs"),
    ],
)
def test_a_bad_file_names_the_file_and_the_key_in_one_line(tmp_path, text, words):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and words in message and "\n" not in message
