"""Every subscription with its unread count, cached issues and last error; refresh, rename,
remove or mark read one feed, add another, or show only its issues."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from briefing_tui.library import AddResult, FeedInfo, Library, StoreError, Subscription
from briefing_tui.text import truncate
from briefing_tui.ui.rendering import shown
from briefing_tui.ui.screens.dialogs import AddFeedScreen, ConfirmScreen, InputScreen
from briefing_tui.ui.widgets.item_list import SpacedOptionList


def feed_name(feed: FeedInfo) -> str:
    return feed.title or feed.url


def feed_row(feed: FeedInfo) -> Table:
    """Name and counts on the first line; the address, and the last error in red, under it."""
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1)
    grid.add_column(no_wrap=True, justify="right")
    name = Text(shown(feed_name(feed), 200), style="bold" if feed.unread else "")
    if feed.issues:
        counts = Text(f"{feed.unread} unread" if feed.unread else "read", style="bold" if feed.unread else "dim")
        counts.append(f" · {feed.issues} issue{'s' if feed.issues != 1 else ''}", style="dim")
    else:
        counts = Text("nothing cached", style="dim")
    grid.add_row(name, counts)
    detail = Text(shown(feed.url, 300) + "  " if feed.title else "", style="dim")
    detail.append(f"fetched {feed.last_success[:16].replace('T', ' ')}" if feed.last_success else "never fetched", style="dim")
    grid.add_row(detail, "")
    if feed.last_error:
        when = f" ({feed.last_error_at[:16].replace('T', ' ')})" if feed.last_error_at else ""
        grid.add_row(Text("✗ " + shown(feed.last_error, 300) + when, style="red"), "")
    return grid


class FeedOption(Option):
    def __init__(self, feed: FeedInfo) -> None:
        super().__init__(feed_row(feed), id=feed.url)
        self.feed = feed


class FeedList(SpacedOptionList):
    HELP_GROUP = "Feeds"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="feeds.down"),
        Binding("k", "cursor_up", "Up", show=False, id="feeds.up"),
    ]


class FeedsScreen(Screen[FeedInfo | None]):
    """Dismissed with the feed whose issues to show (Enter), or None."""

    HELP_GROUP = "Feeds"
    BINDINGS = [
        Binding("r", "refresh_feed", "Refresh feed", id="feeds.refresh"),
        Binding("R", "rename_feed", "Rename", id="feeds.rename"),
        Binding("d,delete", "remove_feed", "Remove", id="feeds.remove"),
        Binding("A", "mark_feed_read", "Mark feed read", id="feeds.mark_read"),
        Binding("a", "add_feed", "Add feed", id="feeds.add"),
        Binding("escape,F", "close", "Back", id="feeds.back"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.title = "Feeds"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Static("Loading…", id="feeds-status")
        yield FeedList(id="feed-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FeedList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="feeds")
    def load(self, keep: str | None = None) -> None:
        try:
            feeds = self.library.feeds()
        except StoreError as error:
            self.app.call_from_thread(self._status, f"Could not read the feeds: {error}")
            return
        self.app.call_from_thread(self._show, feeds, keep)

    def _show(self, feeds: list[FeedInfo], keep: str | None) -> None:
        rows = self.query_one(FeedList)
        keep = keep or (self.current.url if self.current else None)
        place = rows.highlighted or 0
        rows.set_options(FeedOption(feed) for feed in feeds)
        urls = [feed.url for feed in feeds]
        # the same feed, else the row where the cursor was (the feed after a removed one)
        rows.highlighted = urls.index(keep) if keep in urls else (min(place, len(feeds) - 1) if feeds else None)
        failing = sum(1 for feed in feeds if feed.last_error)
        summary = f"{len(feeds)} feed{'s' if len(feeds) != 1 else ''}, {sum(f.unread for f in feeds)} unread"
        if failing:
            summary += f", {failing} failing"
        if not feeds:
            summary = "No feeds yet: press a to add one."
        self._status(summary + "  ·  Enter shows a feed's issues")

    def _status(self, text: str) -> None:
        self.query_one("#feeds-status", Static).update(Text(text))

    @property
    def current(self) -> FeedInfo | None:
        rows = self.query_one(FeedList)
        if rows.highlighted is None or not 0 <= rows.highlighted < rows.option_count:
            return None
        option = rows.get_option_at_index(rows.highlighted)
        return option.feed if isinstance(option, FeedOption) else None

    @on(OptionList.OptionSelected, "#feed-rows")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if isinstance(event.option, FeedOption):
            self.dismiss(event.option.feed)

    def action_close(self) -> None:
        self.dismiss(None)

    # -- one feed ----------------------------------------------------------------------------------
    def _in_background(self, what: str, job: Callable[[], str], keep: str | None = None) -> None:
        """Run ``job`` (a library call) in a worker; its one-line answer is shown, then the rows again."""
        self._status(what + "…")

        def run() -> None:
            try:
                message, severity = job(), "information"
            except (ValueError, StoreError) as error:
                message, severity = str(error), "error"
            self.app.call_from_thread(self.app.notify, message, severity=severity, markup=False)
            self.app.call_from_thread(self.load, keep)

        self.run_worker(run, thread=True, group="feed-jobs")

    def action_refresh_feed(self) -> None:
        feed = self.current
        if feed is None:
            return

        def refresh() -> str:
            report = self.library.refresh(urls=[feed.url], thread=False)
            outcome = report.outcomes[0] if report.outcomes else None
            if outcome is not None and outcome.status == "error":
                raise ValueError(f"{feed_name(feed)}: {outcome.error}")
            return f"Refreshed {truncate(feed_name(feed), 60)}: {report.summary()}."

        self._in_background(f"Refreshing {truncate(feed_name(feed), 60)}", refresh, feed.url)

    def action_rename_feed(self) -> None:
        feed = self.current
        if feed is None:
            return

        def renamed(title: str | None) -> None:
            if title is not None:
                self._in_background("Renaming", lambda: renamed_message(self.library.rename_feed(feed.url, title)), feed.url)

        self.app.push_screen(InputScreen("Name of this feed (empty: the feed's own)", feed.title or ""), renamed)

    def action_remove_feed(self) -> None:
        feed = self.current
        if feed is None:
            return

        def answer(yes: bool) -> None:
            if yes:
                self._in_background(
                    "Removing",
                    lambda: f"Removed {truncate(feed_name(feed), 60)}; its read marks are kept."
                    if self.library.remove_feed(feed.url)
                    else "That feed is gone.",
                )

        self.app.push_screen(ConfirmScreen(f"Unsubscribe from {shown(feed_name(feed), 60)}? Its cached issues go."), answer)

    def action_mark_feed_read(self) -> None:
        feed = self.current
        if feed is not None:
            self.app.push_screen(
                ConfirmScreen(f"Mark every issue of {shown(feed_name(feed), 60)} read?"),
                lambda yes: self._mark_feed_read(feed) if yes else None,
            )

    def _mark_feed_read(self, feed: FeedInfo) -> None:
        if feed is not None:
            def mark() -> str:
                count = self.library.mark_feed_read(feed.url)
                if count is None:
                    return "That feed is gone."
                return f"Marked {count} item{'s' if count != 1 else ''} of {truncate(feed_name(feed), 60)} read."

            self._in_background("Marking read", mark, feed.url)

    def action_add_feed(self) -> None:
        def added(result: AddResult | None) -> None:
            if result is not None:
                self.app.notify(added_message(result), markup=False)
                self.load(result.url)

        self.app.push_screen(AddFeedScreen(self.library), added)


def renamed_message(subscription: Subscription | None) -> str:
    if subscription is None:
        return "That feed is gone."
    if subscription.title:
        return f"Renamed to {truncate(subscription.title, 60)}."
    return "Back to the feed's own name."


def added_message(result: AddResult) -> str:
    """One line on what subscribing did."""
    name = truncate(result.title or result.url, 60)
    if not result.added:
        return f"Already subscribed to {name}."
    text = f"Subscribed to {name}"
    if result.page:
        text += f" (the feed {truncate(result.page, 60)} names)"
    if result.others:
        text += f"; it names {len(result.others)} other feed{'s' if len(result.others) != 1 else ''}"
    return text + "."
