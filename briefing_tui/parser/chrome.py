"""Stage 2 of the parser: the page's chrome, set apart from its content.

E-mail builders and exporters wrap every issue in the same furniture: "View in browser", image
placeholders ("View image: (url)", "Caption:", "Image source: ..."), share rows, polls, jump
links, "Advertise with us", referral promos, postal addresses. None of it is a title, a lead, a
kicker, a shortlist item or a headline. This stage takes such blocks out of the stream the
structure engine reads; they are kept (in the issue's footer section), never dropped, and a
"Read more" button gives its link to the block it belongs to.
"""

from __future__ import annotations

import re

from briefing_tui.parser.blocks import Block, Kind

_CHROME_LINES = re.compile(
    r"^(?:"
    # Web version and app buttons.
    r"(?:read|view|open)\s+(?:this\s+|the\s+)?(?:e-?mail\s+|issue\s+|post\s+|newsletter\s+)?"
    r"(?:web version|online|on the web|in (?:your |a |the )?(?:browser|app))"
    r"|read in app|open in app|view (?:this )?(?:post|issue) on the web(?: at .*)?"
    # "Is this email difficult to read? View in browser", "Having trouble viewing? Click here".
    r"|[^?]{0,60}\?\s*(?:please\s+)?(?:view|read|open|click|see)\b[^?]{0,40}"
    r"|(?:view|read) (?:the )?(?:web|online) version"
    # Image placeholders of text exports and captions that only credit a picture.
    r"|view image\s*:.*|follow image link\s*:.*|caption\s*:.*|image(?: source| credit|s)?\s*:.*"
    r"|(?:photo|illustration|image|gif|video)\s+(?:by|via|source|credit)\s*:?.*"
    # Buttons.
    r"|read more|read the full (?:story|article|post)|continue reading|keep reading|learn more|"
    r"see more|full story|read (?:it )?here|read more here|click here|→|»"
    # Selling the newsletter itself.
    r"|advertise(?: with us)?|sponsor us|become a sponsor|advertise in [\w .’']+|work with us"
    r"|connect with us|stay connected|follow us(?: on [\w ,&]{1,40})?|join our (?:mailing|email) list"
    r"|(?:hey:?\s*)?want to reach [\d,.]+k?\+? .*|"
    r"(?:subscribe|sign up)(?: (?:here|now|for free|today))?(?: (?:for|to) .*)?"
    r"|subscribe (?:and|so) (?:you )?(?:don['’]t|never) miss\b.{0,40}"
    r"|upgrade to (?:paid|premium|pro)\b.{0,40}|(?:consider )?becom(?:e|ing) a (?:paid|paying|premium) (?:subscriber|member)\b.{0,60}"
    r"|you['’]re (?:currently )?on the free (?:list|plan|tier)\b.*"
    r"|[^.]{1,60} is a reader-supported publication\b.*"
    r"|(?:share|forward|refer) (?:this|us|the \w+|with a friend|[\w ]{0,30} with (?:a friend|friends))[\w ,!]*"
    r"|(?:was this|did someone) (?:e-?mail )?forward(?:ed)? (?:to you|this)\??.*"
    r"|how (?:did you like|would you rate|was) (?:today's|this|today’s) (?:issue|newsletter|edition|email|episode)\??.*"
    r"|how did (?:we|you like it) do\??|how did you like it\??"
    r"|get the most interesting .* (?:delivered )?in (?:a |one )?free .*(?:e-?mail|newsletter).*"
    r"|join [\d,.]+(?:k|m| million| thousand)?\+? (?:readers|subscribers|people|others).*"
    r")[\s.!:→»]*$",
    re.IGNORECASE,
)
#: A reader poll's question: the short linked answers under it are buttons too.
_POLL = re.compile(
    r"^(?:how (?:did you like|would you rate|was|did we do)|what did you think|rate (?:this|today)|"
    r"did you (?:like|enjoy))\b.{0,60}\??$",
    re.IGNORECASE,
)
#: Longest poll answer, in words ("😀 I loved it. It was insightful").
_POLL_ANSWER_WORDS = 8
#: A point's number standing alone over it ("3" above a story in a numbered letter).
_POINT_NUMBER = re.compile(r"^\d{1,2}\.?$")
#: Jump links ("↓ 3", "⬇ Jump to") and rows of social buttons ("X · LinkedIn · Facebook").
_JUMP = re.compile(r"^\s*[↓⬇⤵]\s*\S{0,20}\s*$")
_SOCIAL = re.compile(
    r"^(?:(?:x|twitter|linkedin|facebook|instagram|threads|bluesky|mastodon|youtube|tiktok|email|"
    r"e-mail|reddit|whatsapp|share|tweet|post|copy link|link)(?:\s*[·|•,/]\s*|\s+|$)){2,}$",
    re.IGNORECASE,
)
#: A postal address line: a street number and a postcode (US ZIP, UK, EU).
_ADDRESS = re.compile(
    r"\b\d{1,5}\s+[\w .'’-]{2,40}\b(?:st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|way|drive|dr|"
    r"suite|ste|floor|pmb|place|pl|centre|center|square)\b.{0,80}?"
    r"(?:\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b\d{4,5}\s+[A-Z][a-z]+)",
    re.IGNORECASE,
)
_UK_POSTCODE_LINE = re.compile(r",\s*[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\s*,", re.IGNORECASE)
#: Buttons whose link belongs to the block before them.
_BUTTON = re.compile(
    r"^(?:read more|read the full (?:story|article|post)|continue reading|keep reading|full story|"
    r"read (?:it )?here|read more here|see more|learn more|click here|→|»)[\s.!:→»]*$",
    re.IGNORECASE,
)


#: A text export's picture placeholder: "View image: (url)", "Follow image link: (url)" and the
#: picture's caption, however long the URLs make it.
_IMAGE_PLACEHOLDER = re.compile(
    r"^(?:(?:view image|follow image link)\s*:\s*\(\S+\)\s*)+(?:caption\s*:[^\n]{0,200})?$", re.IGNORECASE
)


def is_image_placeholder(block: Block) -> bool:
    """A text export's stand-in for a picture ("View image: (url)", "Caption: ...")."""
    text = block.text.strip()
    return text[:1] in "VvFf" and bool(_IMAGE_PLACEHOLDER.match(text))


def is_chrome(block: Block) -> bool:
    """Is ``block`` page furniture rather than part of the issue?"""
    text = block.text.strip()
    if is_image_placeholder(block):
        return True
    if not text or len(text) > 300 or block.kind is Kind.HEADING and len(text) > 60:
        return False
    if _CHROME_LINES.match(text) or _JUMP.match(text) or _SOCIAL.match(text) or _POINT_NUMBER.match(text):
        return True
    return len(text) < 200 and (bool(_ADDRESS.search(text)) or bool(_UK_POSTCODE_LINE.search(text)))


def _is_poll_answer(block: Block) -> bool:
    """A poll's answer: one short line that is all link ("🙂 Interesting enough")."""
    text = block.text.strip()
    return (
        len(block.links) == 1
        and len(text.split()) <= _POLL_ANSWER_WORDS
        and len(block.links[0].text) >= len(text) * 0.8
    )


def is_button(block: Block) -> bool:
    return bool(_BUTTON.match(block.text.strip()))


def split_chrome(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """(content blocks, chrome blocks). A button's links move to the content block before it."""
    kept: list[Block] = []
    chrome: list[Block] = []
    poll = False
    separated = False
    for block in blocks:
        if poll and _is_poll_answer(block):
            chrome.append(block)
            continue
        poll = bool(_POLL.match(block.text.strip()))
        if is_chrome(block):
            # A row of share or jump buttons, or a point's number, ends what stood above it: the
            # next block starts a new part, as after a rule.
            separated = separated or _is_separator(block)
            if block.links and kept and is_button(block):
                previous = kept[-1]
                known = {link.url for link in previous.links}
                previous.links = previous.links + [link for link in block.links if link.url not in known]
            chrome.append(block)
            continue
        if separated:
            block.after_break, separated = True, False
        kept.append(block)
    return kept, chrome


def _is_separator(block: Block) -> bool:
    text = block.text.strip()
    return bool(_JUMP.match(text) or _SOCIAL.match(text) or _POINT_NUMBER.match(text))
