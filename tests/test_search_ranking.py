"""How search ranks the rows of an issue: a story above the shortlist items and references that
repeat its words, and above the issue's own list of headlines; section filters keep working;
the search screen lays out a first page of the ranked hits and the rest as they are reached."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.widgets import OptionList

from briefing_tui.library import Library
from briefing_tui.model import Briefing, Reference, ShortlistItem, Story
from briefing_tui.paths import Locations
from briefing_tui.ui.app import styles_dir
from briefing_tui.ui.screens import search as search_module
from briefing_tui.ui.screens.search import SearchScreen
from tests.ui_support import settle

FILLER = (
    "Analysts expect the first units to reach customers before the end of the quarter, with volume"
    " shipments following once the yields of the new line settle and the packaging partners sign on."
)

ISSUE = Briefing(
    title="The Harbor Brief: a photonic switch, a second fab and steady rates",
    source="Harbor Brief",
    date="2026-03-02",
    intro=("Good morning. Three stories today, and a short list of what else moved.",),
    headlines=(
        "Quillon ships a photonic switch",
        "A second fab for Ohio",
        "Harbor rates hold",
        "Tidewater pricing slips",  # a headline that no story of the issue carries
    ),
    stories=(
        Story(
            id="s-quillon",
            title="Quillon ships a photonic switch",
            lead="The Oslo startup began shipping its first switch to two cloud providers on Tuesday, months after a delayed tape-out.",
            unpacked=(FILLER, "The switch moves light between racks without converting it to electrical signals first.", FILLER),
            bottom_line="Optics inside the data center are no longer a lab curiosity.",
        ),
        Story(
            id="s-fab",
            title="A second fab for Ohio",
            lead="The chipmaker Zorblax said on Monday it would open a second fab near Columbus, doubling its output of power chips by 2028.",
            unpacked=(FILLER, "The state offered tax credits worth about a fifth of the cost of the plant.", FILLER),
            bottom_line="Power chips are where the domestic build-out is moving fastest.",
        ),
        Story(
            id="s-rates",
            title="Harbor rates hold",
            lead="The central bank left its policy rate unchanged for a third meeting, citing sticky services inflation.",
            unpacked=(FILLER, FILLER),
            bottom_line="No cut before the summer.",
        ),
    ),
    shortlist=(
        ShortlistItem(id="q-zorblax", text="Zorblax hired a finance chief."),
        ShortlistItem(id="q-other", text="A robotics startup raised a seed round."),
    ),
    references=(
        Reference(title="Zorblax plans Ohio fab", publisher="Wire"),
        Reference(title="Rates held", publisher="Wire"),
    ),
)

#: Another issue, so that the words of the first are rare in the index (as real words are).
OTHER = Briefing(
    title="The Ledger: budgets and batteries",
    source="Ledger",
    date="2026-03-01",
    headlines=("Budgets tighten", "Batteries get cheaper"),
    stories=(
        Story(id="s-budget", title="Budgets tighten", lead="Departments were told to cut travel. " + FILLER, unpacked=(FILLER,)),
        Story(id="s-battery", title="Batteries get cheaper", lead="Cell prices fell again. " + FILLER, unpacked=(FILLER,)),
    ),
    shortlist=tuple(ShortlistItem(id=f"q-ledger-{n}", text=f"Item {n} of the day's short list.") for n in range(4)),
    references=tuple(Reference(title=f"Report {n}", publisher="Desk") for n in range(4)),
)


@pytest.fixture
def library():
    library = Library(Locations.resolve())
    with library.cache.transaction():
        for key, briefing in (("harbor", ISSUE), ("ledger", OTHER)):
            library.cache.store_issue(
                origin="import:test", key=key, raw=key, content_type="text/plain", hints={}, briefing=briefing
            )
    yield library
    library.close()


def _ids(hits) -> list[str]:
    return [hit.item_id for hit in hits]


def test_a_story_whose_lead_names_a_word_ranks_above_a_shortlist_item_and_a_reference(library):
    ids = _ids(library.search("zorblax"))
    assert set(ids) == {"s-fab", "q-zorblax", "r-1"}
    assert ids[0] == "s-fab"


def test_the_issue_row_does_not_outrank_a_story_for_a_word_of_its_title(library):
    hits = library.search("quillon")
    assert hits[0].item_id == "s-quillon" and hits[0].section == "headlines"
    ids = _ids(hits)
    if "" in ids:  # the issue's own row, found through its list of headlines: after the story
        assert ids.index("") > ids.index("s-quillon")
    # nor for two words of the title
    assert library.search("photonic switch")[0].item_id == "s-quillon"


def test_a_word_only_the_list_of_headlines_holds_still_finds_the_issue(library):
    hits = library.search("tidewater")
    assert [(hit.item_id, hit.title) for hit in hits] == [("", ISSUE.title)]


def test_section_filters_keep_to_their_section(library):
    headlines = library.search("section:headlines quillon")
    assert headlines[0].item_id == "s-quillon"
    assert {hit.section for hit in headlines} == {"headlines"}
    assert _ids(library.search("section:lead zorblax")) == ["s-fab"]
    assert _ids(library.search("section:shortlist zorblax")) == ["q-zorblax"]
    assert _ids(library.search("section:references zorblax")) == ["r-1"]
    assert _ids(library.search("section:bottomline chips")) == ["s-fab"]
    assert _ids(library.search("zorblax", section="shortlist")) == ["q-zorblax"]
    # a section alone lists its items, newest issue first
    assert _ids(library.search("section:shortlist"))[:2] == ["q-zorblax", "q-other"]


def test_every_hit_of_a_word_is_still_returned(library):
    # ranking orders hits; it drops none (the issue's row last, with nothing but its headline list)
    ids = _ids(library.search("harbor"))
    assert "s-rates" in ids and ids.index("s-rates") < ids.index("")


class SearchApp(App):
    CSS_PATH = [styles_dir() / "app.tcss"]

    def __init__(self, library, query: str) -> None:
        super().__init__()
        self.library = library
        self.query_text = query
        self.returned = []

    def on_mount(self) -> None:
        self.push_screen(SearchScreen(self.library, query=self.query_text), self.returned.append)


async def test_the_search_screen_lays_out_a_first_page_and_the_rest_as_it_is_reached(library):
    total = 45
    many = Briefing(
        title="The Filler Digest",
        source="Filler",
        date="2026-02-20",
        stories=tuple(
            Story(id=f"s-filler-{n}", title=f"Glimmerwick story {n}", lead=f"Glimmerwick number {n}.") for n in range(total)
        ),
    )
    with library.cache.transaction():
        library.cache.store_issue(
            origin="import:test", key="filler", raw="filler", content_type="text/plain", hints={}, briefing=many
        )
    app = SearchApp(library, "glimmerwick")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        results = screen.query_one("#search-results", OptionList)
        page = screen.page_size()
        assert search_module.MIN_PAGE <= page < 20
        assert len(screen.hits) == total
        assert f"{total} results" in str(screen.query_one("#search-status").render())
        assert results.option_count == page
        # the cursor walks on past the first page: the next one is laid out before it gets there
        for _ in range(page):
            await pilot.press("down")
        await pilot.pause()
        assert results.highlighted == page
        assert results.option_count == 2 * page
        # scrolling to the end of the list lays out the rest
        for _ in range(total):
            results.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            if results.option_count == total:
                break
        assert results.option_count == total
        chosen = screen.hits[page]
        await pilot.press("enter")
        await settle(pilot)
    # the hit jumped to is the one under the cursor
    assert [(jump.issue_id, jump.item_id) for jump in app.returned] == [(chosen.issue_id, chosen.item_id)]


def test_snippets_are_cut_from_the_columns_that_can_hold_the_match():
    from briefing_tui.store.query import SearchQuery
    from briefing_tui.store.snippets import Highlighter

    highlighter = Highlighter(SearchQuery.parse("zorb", partial=True))
    assert highlighter.may_match("The chipmaker Zorblax said so.")
    assert not highlighter.may_match("Nothing of the kind here.")
    assert not highlighter.may_match("")
    # text with other than ASCII is always looked at: its words fold (Zörblax is zorblax)
    assert highlighter.may_match("Die Firma Zörblax.")
    assert "\x02Zörblax\x03" in highlighter.snippet("Die Firma Zörblax.")[1]


def test_a_hit_shows_the_section_that_holds_its_words(library):
    [hit] = library.search("tax credits")
    assert (hit.item_id, hit.section) == ("s-fab", "unpacked") and "\x02tax credits\x03" in hit.snippet.replace("\x03 \x02", " ")
    story, issue = library.search('"second fab"')
    assert (story.item_id, story.section) == ("s-fab", "headlines")
    assert (issue.item_id, issue.section) == ("", "body")  # the issue's list of headlines
