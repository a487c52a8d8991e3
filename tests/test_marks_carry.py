"""Read marks and stars stay with a story when its issue is corrected and stored again.

Story and shortlist ids come from their words, so a newsletter that fixes a title or a lead
after sending gives the story a new id on the next refresh; its marks follow it there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from briefing_tui.cli import main
from briefing_tui.ingest import parse_feed_payload
from briefing_tui.library import Library
from briefing_tui.paths import Locations
from tests.feedserver import STORY_HTML, FeedServer, Issue, rss_feed

STORIES = [
    (
        "Nvidia cuts H200 prices for cloud customers",
        "Nvidia told partners on Monday that list prices for its H200 accelerators fall by a fifth from April.",
    ),
    (
        "EU opens inquiry into app store fees",
        "The European Commission said on Tuesday it will examine whether Apple's new fee schedule breaks the"
        " Digital Markets Act.",
    ),
    (
        "TSMC delays its second Arizona fab",
        "Taiwan Semiconductor pushed production at its second Arizona plant back to 2028, citing equipment"
        " shortages.",
    ),
    (
        "Open-source database forks after licence change",
        "Developers of the Redis project started a community fork after the company moved to a"
        " source-available licence.",
    ),
]
SHORTLIST = [
    "Acme raised $10 million to build warehouse robots in Ohio.",
    "Beta Systems shipped a new version of its vector database.",
]
CORRECTED_STORIES = [
    # the title is corrected
    (
        "Nvidia cuts H200 and H100 prices for cloud customers",
        STORIES[0][1],
    ),
    # the lead is corrected (in its first words, which go into the id)
    (
        STORIES[1][0],
        "The European Commission said on Wednesday it will examine whether Apple's new fee schedule breaks the"
        " Digital Markets Act.",
    ),
    # untouched
    STORIES[2],
    # replaced by another story altogether
    (
        "Quantum startup raises $300 million",
        "PsiQuantum closed a funding round led by sovereign funds to build a utility-scale machine in Brisbane.",
    ),
]
CORRECTED_SHORTLIST = [
    "Acme raised $12 million to build warehouse robots in Ohio.",
    SHORTLIST[1],
]


@dataclass
class Edition(Issue):
    """An issue with the stories and shortlist given."""

    pieces: tuple = ()
    quick: tuple = ()

    def html(self) -> str:
        parts = ["<p>Good morning. Here is today's briefing.</p>"]
        for title, lead in self.pieces:
            parts.append(
                STORY_HTML.format(
                    title=title,
                    lead=lead,
                    bullet="Analysts expect the change to ripple through the market.",
                    number=self.number,
                    bottom="Watch what rivals do next.",
                )
            )
        parts.append("<h2>Shortlist</h2><ul>" + "".join(f"<li>{text}</li>" for text in self.quick) + "</ul>")
        return "\n".join(parts)


def feed(stories, shortlist) -> bytes:
    return rss_feed([Edition(7, guid="briefing-7", pieces=tuple(stories), quick=tuple(shortlist))], "Morning Wire")



@pytest.fixture
def library():
    lib = Library(Locations.resolve())
    yield lib
    lib.close()


def listed(capsys, *flags: str) -> list[dict]:
    code = main(["list", "--json", *flags])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


class Delivery:
    """The same issue stored twice: fetched from a real feed server, or imported from one file."""

    def __init__(self, how: str, library: Library, server: FeedServer, tmp_path):
        self.how, self.library = how, library
        if how == "refresh":
            self.route = server.feed("/wire.xml", feed(STORIES, SHORTLIST))
            library.add_feed(server.url("/wire.xml"))
        else:
            self.path = tmp_path / "wire.rss"
            self.path.write_bytes(feed(STORIES, SHORTLIST))

    def store(self) -> tuple[str, str]:
        """Store the issue as it is now; (its id, what happened to it)."""
        if self.how == "refresh":
            report = self.library.refresh()
            [outcome] = report.outcomes
            assert outcome.status == "updated", outcome.error
            status = "new" if outcome.new else "updated" if outcome.updated else "unchanged"
        else:
            report = self.library.import_paths([str(self.path)])
            assert not report.errors, report.errors
            status = "new" if report.new else "updated" if report.updated else "unchanged"
        [issue] = self.library.issues()
        return issue.id, status

    def correct(self, stories, shortlist) -> None:
        if self.how == "refresh":
            self.route.set(feed(stories, shortlist))
        else:
            self.path.write_bytes(feed(stories, shortlist))


@pytest.mark.parametrize("how", ["refresh", "import"])
def test_marks_and_stars_follow_corrected_stories(how, library, server, tmp_path, capsys):
    delivery = Delivery(how, library, server, tmp_path)
    issue_id, status = delivery.store()
    assert status == "new"
    first = library.open_issue(issue_id).briefing
    assert [story.title for story in first.stories] == [title for title, _lead in STORIES]
    edited, relead, untouched, replaced = (story.id for story in first.stories)
    library.mark_read([edited, untouched, replaced, first.shortlist[0].id], issue_id)
    library.set_starred(relead, issue_id, True)
    assert listed(capsys)[0]["unread_stories"] == 1

    delivery.correct(CORRECTED_STORIES, CORRECTED_SHORTLIST)
    assert delivery.store() == (issue_id, "updated")

    view = library.open_issue(issue_id)
    stories = view.briefing.stories
    assert [story.title for story in stories] == [title for title, _lead in CORRECTED_STORIES]
    # the corrected stories and shortlist item are new ids that kept their marks
    assert stories[0].id != edited and stories[1].id != relead and view.briefing.shortlist[0].id != first.shortlist[0].id
    assert stories[2].id == untouched
    assert stories[0].id in view.read and stories[2].id in view.read
    assert stories[1].id in view.starred and stories[1].id not in view.read
    assert view.briefing.shortlist[0].id in view.read and view.briefing.shortlist[1].id not in view.read
    # the story that was replaced does not inherit the mark of the one it replaced
    assert stories[3].id not in view.read | view.starred
    # the marks of the old ids are kept too
    assert library.state.read_ids([edited, replaced]) == {edited, replaced}
    assert library.state.starred_ids([relead]) == {relead}

    [issue] = listed(capsys)
    assert (issue["id"], issue["stories"], issue["unread_stories"]) == (issue_id, 4, 2)
    assert [i["id"] for i in listed(capsys, "--unread")] == [issue_id]
    library.mark_read([stories[1].id, stories[3].id], issue_id)
    assert listed(capsys, "--unread") == []


def test_a_story_that_moved_and_was_corrected_keeps_its_mark_and_one_story_takes_one_mark(library, server, tmp_path):
    delivery = Delivery("refresh", library, server, tmp_path)
    issue_id, _status = delivery.store()
    first = library.open_issue(issue_id).briefing
    library.mark_read([first.stories[3].id], issue_id)
    library.set_starred(first.stories[3].id, issue_id, True)

    # a new story on top; the last one corrected ("Developers" -> "Maintainers") and now fifth
    corrected = (STORIES[3][0], STORIES[3][1].replace("Developers of", "Maintainers of"))
    fresh = ("Apple sues a former engineer", "Apple filed a lawsuit accusing a former engineer of taking chip plans.")
    delivery.correct([fresh, *STORIES[:3], corrected], SHORTLIST)
    delivery.store()

    view = library.open_issue(issue_id)
    moved = view.briefing.stories[4]
    assert moved.id != first.stories[3].id and moved.title == STORIES[3][0]
    assert view.read == {moved.id} and view.starred == {moved.id}


def test_a_corrected_story_that_has_marks_of_its_own_keeps_just_those(library, server, tmp_path):
    delivery = Delivery("refresh", library, server, tmp_path)
    issue_id, _status = delivery.store()
    first = library.open_issue(issue_id).briefing
    library.mark_read([first.stories[0].id], issue_id)
    library.set_starred(first.stories[0].id, issue_id, True)
    library.set_starred(first.stories[1].id, issue_id, True)
    # the first corrected story was read already under its new id (in a copy of the issue
    # stored elsewhere): it keeps that mark and does not take the old story's star
    [corrected] = parse_feed_payload("copy", feed(CORRECTED_STORIES, SHORTLIST)).issues
    new_id = corrected.briefing.stories[0].id
    library.state.mark_read([(new_id, None)])

    delivery.correct(CORRECTED_STORIES, SHORTLIST)
    delivery.store()

    view = library.open_issue(issue_id)
    stories = view.briefing.stories
    assert stories[0].id == new_id
    assert view.read == {new_id} and new_id not in view.starred
    # the other corrected story, which had no marks under its new id, takes its star
    assert view.starred == {stories[1].id}
    assert library.state.starred_ids() == {first.stories[0].id, first.stories[1].id, stories[1].id}
