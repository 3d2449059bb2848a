"""The benchmark dataset's text: titles, and bodies put together from a pool of blocks.

The blocks (paragraphs, headings, quotes, lists) are rendered once. Many hold slots for a
post's own words (bench.lexicon): a slot is a placeholder of letters only, which Markdown and
HTML both keep as written, so a block's Markdown and HTML are each split at their slots once,
and a body fills every slot with a word of its post's topic in both. The words are letters
only too (a person's two names have a space between them), so they need no escaping and stand
in the HTML as in the Markdown. Every block's slots, filled with the longest words, still fit
BLOCK_MAX.

A lead (a body's first paragraph) has slots only where its text is well past the longest
excerpt, so the excerpt of every body is its lead's, made once.
"""

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.html import make_excerpt, plain_text, render_markdown
from bench.lexicon import WORD_MAX, Kind, Lexicon, Topic, capitalised, utf8_size
from bench.phrases import (
    ADVERBIALS,
    AFFECTED,
    HEADINGS,
    JUDGEMENTS,
    OBJECTS,
    PLACE_NAMES,
    QUOTES,
    ROLES,
    SECTIONS,
    SPEAKERS,
    SUBJECTS,
    TAG_NAMES,
    TOPIC_HEADINGS,
    TOPIC_ITEMS,
    TOPIC_SENTENCES,
    VERBS,
    WHEN,
)

# Body sizes in UTF-8 bytes: a body grows by whole blocks until it reaches its target, and no
# block adds more than BLOCK_MAX, so every body lies between 2,000 and 4,000 bytes.
BODY_TARGET = (2100, 3300)
BLOCK_MAX = 680
SLOTS = {kind: f"Qz{kind.value}zQ" for kind in Kind}
_SLOT = re.compile("Qz([PLOT])zQ")
# What a slot can add to a block beyond its placeholder.
_SLOT_ROOM = WORD_MAX - len(SLOTS[Kind.THING])
# The plain text before a lead's first slot is longer than an excerpt (make_excerpt's 280
# characters), with room to spare.
_LEAD_FIXED = 320
# The chance that a sentence of a block with slots names the post's words.
TOPIC_SHARE = 0.45


def _bound(text: str) -> int:
    """The most bytes ``text`` can have once its slots are filled."""
    return utf8_size(text) + len(_SLOT.findall(text)) * _SLOT_ROOM


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    slug: str
    place: str
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """A Markdown block of the pool, rendered once: its Markdown and HTML as format strings
    with a ``{}`` for each slot (their own braces doubled), and the slots' kinds."""

    markdown: str
    html: str
    slots: tuple[Kind, ...]
    size: int  # bytes of its Markdown without the slots

    def fill(self, topic: Topic) -> tuple[str, str, int]:
        """Markdown, HTML and size in bytes of the block with the topic's words in its slots."""
        if not self.slots:
            return self.markdown, self.html, self.size
        words = [topic.word(kind) for kind in self.slots]
        sizes = topic.sizes
        return (
            self.markdown.format(*words),
            self.html.format(*words),
            self.size + sum(sizes[word] for word in words),
        )


@dataclass(frozen=True, slots=True)
class Lead(Block):
    excerpt: str


class Writer:
    """German-like text from the word lists, every choice drawn from one random.Random; the
    post's own words come from the lexicon."""

    def __init__(self, rng: random.Random, sources: Sequence[SourceSpec], lexicon: Lexicon) -> None:
        self.rng = rng
        self.lexicon = lexicon
        self.domains = [domain for source in sources for domain in source.domains]

    def _pick(self, words: Sequence[str]) -> str:
        return words[self.rng.randrange(len(words))]

    def subject(self) -> str:
        return self._pick(SUBJECTS).format(place=self._pick(PLACE_NAMES))

    def clause(self) -> str:
        return f"{self.subject()} {self._pick(VERBS)} {self._pick(OBJECTS)}"

    def url(self) -> str:
        return (
            f"https://{self._pick(self.domains)}/{self._pick(SECTIONS)}/"
            f"{self.rng.randint(100_000, 999_999)}"
        )

    def slotted(self, template: str) -> str:
        """A template's slots as placeholders, its other fields from the word lists."""
        return template.format(
            P=SLOTS[Kind.PERSON],
            L=SLOTS[Kind.PLACE],
            O=SLOTS[Kind.ORGANISATION],
            T=SLOTS[Kind.THING],
            verb=self._pick(VERBS),
            object=self._pick(OBJECTS),
            adverbial=self._pick(ADVERBIALS),
            quote=self._pick(QUOTES),
            role=self._pick(ROLES),
            when=self._pick(WHEN),
            heading=self._pick(HEADINGS),
            affected=self._pick(AFFECTED),
            number=self.rng.randint(2, 480),
            thousands=f"{self.rng.randint(2, 950) * 100:,}".replace(",", "."),
        )

    def topic_sentence(self) -> str:
        return capitalised(self.slotted(self._pick(TOPIC_SENTENCES)))

    def sentence(self, slots: bool = False) -> str:
        rng = self.rng
        if slots and rng.random() < TOPIC_SHARE:
            return self.topic_sentence()
        roll = rng.random()
        if roll < 0.35:
            obj = self._pick(OBJECTS)
            if rng.random() < 0.15:
                obj = f"**{obj}**"
            return (
                f"{capitalised(self.subject())} {self._pick(VERBS)} {obj} {self._pick(ADVERBIALS)}."
            )
        if roll < 0.55:
            adverbial = capitalised(self._pick(ADVERBIALS))
            if rng.random() < 0.15:
                adverbial = f"*{adverbial}*"
            return f"{adverbial} {self._pick(VERBS)} {self.subject()} {self._pick(OBJECTS)}."
        if roll < 0.67:
            return f"„{self._pick(QUOTES)}“, sagte {self._pick(SPEAKERS)}."
        if roll < 0.75:
            return f"Kritiker sprechen von einem {self._pick(JUDGEMENTS)} Schritt."
        if roll < 0.83:
            return (
                f"Betroffen sind nach ersten Schätzungen rund {rng.randint(2, 950) * 100:,} "
                f"{self._pick(AFFECTED)}.".replace(",", ".")
            )
        if roll < 0.90:
            return (
                f"Die Kosten werden auf {rng.randint(2, 480)} Millionen Euro geschätzt; "
                f"eine Entscheidung soll {self._pick(WHEN)} fallen."
            )
        if roll < 0.94:
            return f"Mehr dazu steht in einem [ausführlichen Bericht]({self.url()})."
        if roll < 0.97:
            return f"Der vollständige Bericht: {self.url()}"
        return (
            f"{capitalised(self.clause())}; Fachleute rechnen trotzdem mit weiteren Verzögerungen."
        )

    def paragraph(self, low: int, high: int, slots: bool = False) -> str:
        """Sentences up to a target size between low and high, overshooting by 60 at most
        (sizes with the slots filled by the longest words)."""
        target = self.rng.randint(low, high)
        sentences: list[str] = []
        size = -1
        while size < target:
            sentence = self.sentence(slots)
            if size + 1 + _bound(sentence) <= high + 60:
                sentences.append(sentence)
                size += 1 + _bound(sentence)
        return " ".join(sentences)

    def heading(self, slots: bool = False) -> str:
        if slots and self.rng.random() < 0.5:
            return f"## {capitalised(self.slotted(self._pick(TOPIC_HEADINGS)))}"
        if self.rng.random() < 0.5:
            return f"## {self._pick(HEADINGS)}"
        return f"## {self._pick(HEADINGS)}: {self._pick(PLACE_NAMES)}"

    def quote(self, slots: bool = False) -> str:
        if slots and self.rng.random() < 0.5:
            return self.slotted("> „{quote}“ – {P}, {role} bei {O}")
        return f"> „{self._pick(QUOTES)}“ – {capitalised(self._pick(SPEAKERS))}"

    def bullet_list(self, slots: bool = False) -> str:
        count = self.rng.randint(3, 5)
        if slots:
            items = [self.slotted(self._pick(TOPIC_ITEMS)) for _ in range(count)]
        else:
            items = self.rng.sample(OBJECTS, count)
        return "\n".join(f"- {capitalised(item)}" for item in items)

    def topic(self) -> Topic:
        return self.lexicon.topic(self.rng)

    def title(self, topic: Topic) -> str:
        """A title; most name the topic's first words, which its body names again."""
        roll = self.rng.random()
        if roll < 0.15:
            return f"{topic.word(Kind.PLACE)}: {capitalised(self.clause())}"
        if roll < 0.30:
            return f"Streit um {topic.word(Kind.THING)} in {topic.word(Kind.PLACE)}"
        if roll < 0.42:
            return f"{topic.word(Kind.PERSON)} {self._pick(VERBS)} {self._pick(OBJECTS)}"
        if roll < 0.54:
            return f"{topic.word(Kind.THING)}: {capitalised(self.clause())}"
        if roll < 0.62:
            return f"{topic.word(Kind.ORGANISATION)} {self._pick(VERBS)} {self._pick(OBJECTS)}"
        if roll < 0.75:
            return capitalised(self.clause())
        if roll < 0.87:
            return f"{self._pick(TAG_NAMES)}: {capitalised(self.clause())}"
        if roll < 0.93:
            return f"Streit um {self._pick(OBJECTS)} in {self._pick(PLACE_NAMES)}"
        return f"„{self._pick(QUOTES)}“ – {capitalised(self.clause())}"


def _template(text: str) -> tuple[str, list[str]]:
    """The text as a format string with ``{}`` for its slots, and the slots' kinds."""
    parts = _SLOT.split(text)
    template = "{}".join(part.replace("{", "{{").replace("}", "}}") for part in parts[::2])
    return template, parts[1::2]


class BodyPool:
    """Leads (first paragraphs) and follow-up units (a paragraph, maybe after a heading, quote
    or list), each rendered once; bodies are a lead and units, separated by blank lines, with
    the post's words in their slots."""

    def __init__(self, writer: Writer) -> None:
        self.leads = [self._lead(writer) for _ in range(1500)]
        self.units = [self._block(writer.paragraph(200, 500, slots=True)) for _ in range(3000)]
        extras = (
            [writer.heading(slots=True) for _ in range(300)]
            + [writer.quote(slots=True) for _ in range(300)]
            + [writer.bullet_list(slots=True) for _ in range(300)]
        )
        # Every unit ends with a paragraph, so two lists never meet and merge into one.
        self.units += [
            self._block(f"{extra}\n\n{writer.paragraph(150, 250, slots=True)}") for extra in extras
        ]

    @staticmethod
    def _block(markdown: str) -> Block:
        largest = _bound(markdown)
        if largest + 2 > BLOCK_MAX:
            raise RuntimeError(f"a block of up to {largest} bytes is larger than {BLOCK_MAX}")
        template, kinds = _template(markdown)
        html, html_kinds = _template(render_markdown(markdown))
        if kinds != html_kinds:
            raise RuntimeError(f"the slots of a block did not come through rendering: {markdown!r}")
        slots = tuple(Kind(kind) for kind in kinds)
        return Block(template, html, slots, utf8_size(_SLOT.sub("", markdown)))

    @classmethod
    def _lead(cls, writer: Writer) -> Lead:
        """A paragraph without slots, longer than an excerpt, then one or two sentences that
        name the post's words."""
        while True:
            fixed = writer.paragraph(340, 420)
            templates = writer.rng.sample(TOPIC_SENTENCES, writer.rng.randint(1, 2))
            named = [capitalised(writer.slotted(template)) for template in templates]
            markdown = " ".join([fixed, *named])
            if _bound(markdown) + 2 > BLOCK_MAX:
                continue
            rendered = render_markdown(markdown)
            slot = _SLOT.search(plain_text(rendered, len(rendered)))
            # The excerpt is made of the text before the first slot, whatever fills it.
            if slot is not None and slot.start() >= _LEAD_FIXED:
                break
        block = cls._block(markdown)
        excerpt = make_excerpt(markdown)
        # A cut excerpt means the lead alone is longer than any excerpt, so a body's excerpt
        # is its lead's whatever follows.
        if not excerpt.endswith(" …") or _SLOT.search(excerpt):
            raise RuntimeError("a lead paragraph is shorter than an excerpt")
        return Lead(
            markdown=block.markdown,
            html=block.html,
            slots=block.slots,
            size=block.size,
            excerpt=excerpt,
        )

    def body(self, rng: random.Random, topic: Topic) -> tuple[str, str, str]:
        """Markdown, HTML and excerpt of a new body, its slots filled from the topic."""
        lead = self.leads[rng.randrange(len(self.leads))]
        target = rng.randint(*BODY_TARGET)
        first, first_html, size = lead.fill(topic)
        markdown, html = [first], [first_html]
        while size < target:
            unit = self.units[rng.randrange(len(self.units))]
            unit_markdown, unit_html, unit_size = unit.fill(topic)
            markdown.append(unit_markdown)
            html.append(unit_html)
            size += 2 + unit_size
        return "\n\n".join(markdown), "".join(html), lead.excerpt
