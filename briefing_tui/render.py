"""Plain renderings of a briefing (Markdown), for export and for the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from briefing_tui.model import Briefing, Link


def _link_list(links: Iterable[Link]) -> str:
    return "\n".join(f"- [{link.text}]({link.url})" for link in links)


def briefing_markdown(briefing: Briefing) -> str:
    """The issue as a Markdown document, structure kept."""
    out = [f"# {briefing.title}"]
    meta = " · ".join(part for part in (briefing.source, briefing.date) if part)
    if meta:
        out.append(f"*{meta}*")
    if briefing.subtitle:
        out.append(briefing.subtitle)
    if briefing.url:
        out.append(f"<{briefing.url}>")
    out.extend(briefing.intro)
    if briefing.intro_links:
        out.append(_link_list(briefing.intro_links))
    if briefing.headlines:
        out.append("## Headlines")
        out.append("\n".join(f"- {headline}" for headline in briefing.headlines))
    for story in briefing.stories:
        title = f"{story.title} (sponsored)" if story.sponsored else story.title
        if story.kicker:
            out.append(f"###### {story.kicker}")
        out.append(f"## {title}")
        if story.lead:
            out.append(story.lead)
        if story.unpacked:
            out.append("**Unpacked:**\n\n" + "\n".join(f"- {bullet}" for bullet in story.unpacked))
        if story.bottom_line:
            out.append(f"**Bottom line:** {story.bottom_line}")
        out.extend(story.body)
        if story.links:
            out.append(_link_list(story.links))
    if briefing.shortlist:
        out.append("## The Shortlist")
        lines: list[str] = []
        grouped = len({item.group for item in briefing.shortlist}) > 1
        group: str | None = None
        for item in briefing.shortlist:
            if grouped and item.group and item.group != group:
                if lines:
                    out.append("\n".join(lines))
                    lines = []
                out.append(f"### {item.group}")
            group = item.group
            lines.append(f"- [{item.text}]({item.url})" if item.url else f"- {item.text}")
        out.append("\n".join(lines))
    if briefing.references:
        out.append("## References")
        lines = []
        for ref in briefing.references:
            label = f"{ref.publisher} — {ref.title}" if ref.publisher else ref.title
            lines.append(f"- [{label}]({ref.url})" if ref.url else f"- {label}")
        out.append("\n".join(lines))
    for section in briefing.sections:
        out.append(f"## {section.title}")
        out.extend(section.body)
        if section.links:
            out.append(_link_list(section.links))
    return "\n\n".join(out)
