"""``export -o PATH`` writes only to a regular file or a new path, atomically.

A symlink, FIFO, socket, device or directory at PATH is refused with one line and left as it
was (an earlier version replaced ``/dev/full`` with a regular file, and ``-o /`` was a traceback).
"""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from briefing_tui.cli import main

FEED = "https://quokka.example.com/feed.xml"


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(autouse=True)
def one_subscription(capsys):
    assert cli(capsys, "add", FEED, "--no-check")[0] == 0


def refused(capsys, fmt: str, target) -> str:
    code, out, err = cli(capsys, "export", fmt, "-o", target)
    assert (code, out) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith("briefing-tui: ")
    return err


def no_temporaries(directory: Path) -> None:
    assert not [path.name for path in directory.iterdir() if path.name.endswith(".tmp")]


@pytest.mark.parametrize("fmt", ["opml", "json", "markdown"])
def test_a_symlink_is_refused_and_neither_it_nor_its_target_changes(tmp_path, capsys, fmt):
    real = tmp_path / "real.txt"
    real.write_text("keep me\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")

    for path in (link, dangling):
        err = refused(capsys, fmt, path)
        assert "symbolic link" in err

    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "keep me\n"
    assert dangling.is_symlink() and not (tmp_path / "nowhere.txt").exists()
    no_temporaries(tmp_path)


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_without_being_opened(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    err = refused(capsys, "json", fifo)

    assert "FIFO" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    no_temporaries(tmp_path)


def test_a_socket_is_refused(tmp_path, capsys):
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        err = refused(capsys, "opml", path)
    assert "socket" in err
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_device_is_refused(tmp_path, capsys):
    device = tmp_path / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # the same device as /dev/full
    except (PermissionError, OSError):
        pytest.skip("cannot create a device node here")
    before = os.lstat(device)

    err = refused(capsys, "markdown", device)

    assert "device" in err
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    no_temporaries(tmp_path)


def test_directories_are_refused_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    for target in ("/", ".", "..", "folder", "folder/", str(tmp_path / "folder")):
        err = refused(capsys, "opml", target)
        assert "directory" in err, target
    assert list((tmp_path / "folder").iterdir()) == []
    no_temporaries(tmp_path)


def test_a_regular_file_is_replaced_atomically_and_keeps_its_permissions(tmp_path, capsys):
    target = tmp_path / "subs.json"
    target.write_text("old\n")
    target.chmod(0o640)
    inode = os.lstat(target).st_ino

    code, out, err = cli(capsys, "export", "json", "-o", target)

    assert (code, out, err) == (0, "", f"wrote {target}\n")
    assert json.loads(target.read_text())["subscriptions"][0]["url"] == FEED
    info = os.lstat(target)
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o640
    assert info.st_ino != inode  # a new file was renamed over it, not the old one rewritten
    no_temporaries(tmp_path)

    fresh = tmp_path / "new.opml"
    assert cli(capsys, "export", "opml", "-o", fresh)[0] == 0
    assert FEED in fresh.read_text()
    no_temporaries(tmp_path)
