"""The benchmark dataset's own vocabulary: tens of thousands of invented names and compounds,
drawn by posts with a Zipf distribution, as a real archive's words are.

A press review names people, places, organisations and things (mostly compound nouns, some
with loan words) that few of its posts mention, and a few that many do. The lexicon builds
such words from the seed: surnames, places and organisations from German-looking syllables
(umlauts and ß included), things by compounding real German noun stems. Each kind's words are
ranked, and a post draws from each kind with probability falling as 1/rank (Zipf, exponent 1),
so most words are in very few posts and the first ranks in many.

A post's ``Topic`` is the words it drew; its text takes them in turn and mentions the first
ones again and again, as an article does its subject. Every word is letters only (a person
is a first name and a surname), at most ``WORD_MAX`` bytes, so it can stand anywhere in
Markdown and HTML as it is.
"""

import random
from bisect import bisect
from enum import StrEnum
from itertools import accumulate

WORD_MAX = 32  # UTF-8 bytes of any word of the lexicon, a person's two names included
ZIPF_EXPONENT = 1.0
# The chance that a post's next mention of a kind is a word it has not named yet.
NEW_WORD = 0.6


class Kind(StrEnum):
    PERSON = "P"
    PLACE = "L"
    ORGANISATION = "O"
    THING = "T"


# How many words of each kind the lexicon holds, and the fewest and most draws of each kind
# one post makes; a post draws few more often than many.
SIZES = {Kind.PERSON: 12_000, Kind.PLACE: 6_000, Kind.ORGANISATION: 4_000, Kind.THING: 20_000}
DRAWN = {Kind.PERSON: (1, 6), Kind.PLACE: (1, 4), Kind.ORGANISATION: (1, 3), Kind.THING: (2, 18)}

FIRST_NAMES = [
    "Anna", "Jana", "Katrin", "Sabine", "Monika", "Petra", "Julia", "Lena", "Miriam", "Sophie",
    "Ursula", "Renate", "Claudia", "Birgit", "Heike", "Nadine", "Franziska", "Charlotte",
    "Hannah", "Lea", "Marie", "Greta", "Käthe", "Jördis", "Ilse", "Annegret", "Dörte", "Elif",
    "Aylin", "Nora", "Ines", "Kerstin", "Silke", "Tanja", "Ulrike", "Yvonne", "Zoë", "Maren",
    "Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Jörg", "Björn", "Sören", "Günther",
    "Klaus", "Peter", "Frank", "Matthias", "Martin", "Tobias", "Jens", "Uwe", "Holger", "Dirk",
    "Lukas", "Felix", "Jonas", "Maximilian", "Florian", "Sebastian", "Christoph", "Hendrik",
    "Kai", "Mehmet", "Emre", "Torsten", "Volker", "Wolfgang", "Rüdiger", "Detlef", "Malte",
    "Ole", "Timo", "Henning", "Benedikt", "Konstantin", "Jakob",
]  # fmt: skip
ONSETS = [
    "b", "br", "bl", "d", "dr", "f", "fr", "fl", "g", "gr", "gl", "h", "k", "kr", "kl", "l",
    "m", "n", "p", "pf", "pl", "r", "s", "sch", "schw", "schl", "st", "str", "sp", "t", "tr",
    "w", "wr", "z", "zw", "v", "j",
]  # fmt: skip
# A second syllable starts more simply, as in Gerber, Kolbe, Hansen.
SOFT_ONSETS = ["", "l", "n", "r", "s", "t", "d", "b", "g", "m", "w", "k", "h", "ch"]
VOWELS = ["a", "e", "i", "o", "u", "ä", "ö", "ü", "au", "ei", "ie", "eu", "a", "e", "i", "o"]
CODAS = ["", "", "", "n", "r", "l", "m", "s", "ck", "nd", "rt", "lt", "ng", "st", "tz", "ch",
         "rk", "ns", "ld", "rn", "lm", "ff"]  # fmt: skip
LONG_CODAS = ["ß", "ßen"]  # after a diphthong only, as German writes ß
SURNAME_ENDINGS = [
    "mann", "er", "ke", "ski", "sen", "hoff", "bauer", "meier", "berg", "ner", "stein",
    "hardt", "inger", "wald", "ler", "roth", "weiß", "strauß", "bach", "brink", "kamp",
    "ow", "itz", "el", "ig", "haus", "mayr", "huber", "feld", "lich", "beck", "schmidt",
]  # fmt: skip
PLACE_ENDINGS = [
    "hausen", "dorf", "brück", "au", "stedt", "ingen", "heim", "bach", "furt", "roda", "witz",
    "hagen", "burg", "feld", "walde", "tal", "see", "büttel", "leben", "rode", "weiler",
    "kirchen", "münster", "stätt", "ow", "itz", "stein", "holz", "wiesen", "grund", "moor",
    "fließ", "heide", "berg", "siel", "lohe",
]  # fmt: skip
PLACE_PREFIXES = ["Groß", "Klein", "Ober", "Nieder", "Alt", "Neu", "Hohen", "Sankt", "Süd", "Nord"]
ORGANISATION_ENDINGS = [
    "ix", "on", "ara", "ento", "ium", "ova", "etta", "ant", "is", "eon", "tec", "ag", "ia",
    "ex", "ora", "unda", "werk", "haus", "bau", "gut", "flug", "stahl", "energie", "logistik",
]  # fmt: skip
# German noun stems: as a compound's head, and as its first part (with the linking element).
STEMS = [
    ("Haushalt", "Haushalts"), ("Wohnung", "Wohnungs"), ("Schule", "Schul"), ("Strom", "Strom"),
    ("Netz", "Netz"), ("Wasser", "Wasser"), ("Verkehr", "Verkehrs"), ("Energie", "Energie"),
    ("Miete", "Miet"), ("Straße", "Straßen"), ("Brücke", "Brücken"), ("Bahn", "Bahn"),
    ("Rad", "Rad"), ("Kind", "Kinder"), ("Steuer", "Steuer"), ("Rente", "Renten"),
    ("Pflege", "Pflege"), ("Klinik", "Klinik"), ("Arzt", "Ärzte"), ("Gericht", "Gerichts"),
    ("Polizei", "Polizei"), ("Hafen", "Hafen"), ("Flughafen", "Flughafen"), ("Wald", "Wald"),
    ("Feld", "Feld"), ("Bauer", "Bauern"), ("Markt", "Markt"), ("Preis", "Preis"),
    ("Lohn", "Lohn"), ("Arbeit", "Arbeits"), ("Betrieb", "Betriebs"), ("Werk", "Werks"),
    ("Gewerbe", "Gewerbe"), ("Handel", "Handels"), ("Dorf", "Dorf"), ("Stadt", "Stadt"),
    ("Land", "Landes"), ("Kreis", "Kreis"), ("Gemeinde", "Gemeinde"), ("Bürger", "Bürger"),
    ("Wahl", "Wahl"), ("Partei", "Partei"), ("Rat", "Rats"), ("Amt", "Amts"),
    ("Gesetz", "Gesetzes"), ("Reform", "Reform"), ("Plan", "Plan"), ("Bau", "Bau"),
    ("Hochwasser", "Hochwasser"), ("Deich", "Deich"), ("Ufer", "Ufer"), ("Fluss", "Fluss"),
    ("Klima", "Klima"), ("Wärme", "Wärme"), ("Heizung", "Heizungs"), ("Gas", "Gas"),
    ("Wind", "Wind"), ("Sonne", "Sonnen"), ("Kohle", "Kohle"), ("Speicher", "Speicher"),
    ("Leitung", "Leitungs"), ("Kabel", "Kabel"), ("Daten", "Daten"), ("Schutz", "Schutz"),
    ("Recht", "Rechts"), ("Kosten", "Kosten"), ("Förderung", "Förder"), ("Geld", "Geld"),
    ("Kredit", "Kredit"), ("Bank", "Bank"), ("Versicherung", "Versicherungs"),
    ("Vertrag", "Vertrags"), ("Streik", "Streik"), ("Tarif", "Tarif"), ("Ausbildung", "Ausbildungs"),
    ("Hochschule", "Hochschul"), ("Forschung", "Forschungs"), ("Labor", "Labor"),
    ("Museum", "Museums"), ("Theater", "Theater"), ("Bühne", "Bühnen"), ("Festival", "Festival"),
    ("Verein", "Vereins"), ("Stadion", "Stadion"), ("Halle", "Hallen"), ("Bad", "Bäder"),
    ("Garten", "Garten"), ("Park", "Park"), ("Platz", "Platz"), ("Turm", "Turm"),
    ("Kirche", "Kirchen"), ("Friedhof", "Friedhofs"), ("Schiff", "Schiffs"), ("Fähre", "Fähr"),
    ("Lager", "Lager"), ("Grenze", "Grenz"), ("Zoll", "Zoll"), ("Abfall", "Abfall"),
    ("Müll", "Müll"), ("Lärm", "Lärm"), ("Luft", "Luft"), ("Boden", "Boden"),
    ("Weg", "Wege"), ("Tunnel", "Tunnel"), ("Kreuzung", "Kreuzungs"), ("Ampel", "Ampel"),
    ("Parkhaus", "Parkhaus"), ("Bus", "Bus"), ("Zug", "Zug"), ("Takt", "Takt"),
    ("Ticket", "Ticket"), ("Gebühr", "Gebühren"), ("Abgabe", "Abgaben"), ("Zuschuss", "Zuschuss"),
    ("Gutachten", "Gutachten"), ("Prüfung", "Prüfungs"), ("Verfahren", "Verfahrens"),
    ("Affäre", "Affären"), ("Skandal", "Skandal"), ("Streit", "Streit"), ("Krise", "Krisen"),
    ("Gipfel", "Gipfel"), ("Konzept", "Konzept"), ("Modell", "Modell"), ("Projekt", "Projekt"),
    ("Programm", "Programm"), ("Fonds", "Fonds"), ("Quote", "Quoten"), ("Grenzwert", "Grenzwert"),
    ("Pflicht", "Pflicht"), ("Verbot", "Verbots"), ("Zulage", "Zulagen"), ("Pauschale", "Pauschal"),
    # Loan words, written as German writes them in compounds.
    ("Software", "Software"), ("Cloud", "Cloud"), ("Plattform", "Plattform"),
    ("Management", "Management"), ("Service", "Service"), ("Team", "Team"),
    ("Streaming", "Streaming"), ("Leasing", "Leasing"), ("Sharing", "Sharing"),
    ("Tracking", "Tracking"), ("Hotspot", "Hotspot"), ("Cluster", "Cluster"),
    ("Audit", "Audit"), ("Lobby", "Lobby"), ("Campus", "Campus"), ("Event", "Event"),
    ("Monitoring", "Monitoring"), ("Update", "Update"), ("Design", "Design"), ("Roaming", "Roaming"),
]  # fmt: skip


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def utf8_size(text: str) -> int:
    return len(text.encode())


class _Syllables:
    """German-looking syllables and names from one random.Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: list[str]) -> str:
        return items[self.rng.randrange(len(items))]

    def syllable(self, onsets: list[str]) -> str:
        vowel = self.pick(VOWELS)
        if len(vowel) == 2 and self.rng.random() < 0.15:
            return self.pick(onsets) + vowel + self.pick(LONG_CODAS)
        return self.pick(onsets) + vowel + self.pick(CODAS)

    def stem(self) -> str:
        first = self.syllable(ONSETS)
        return first if self.rng.random() < 0.6 else first + self.syllable(SOFT_ONSETS)

    def surname(self) -> str:
        return capitalised(self.stem() + self.pick(SURNAME_ENDINGS))

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.surname()}"

    def place(self) -> str:
        name = self.stem() + self.pick(PLACE_ENDINGS)
        if self.rng.random() < 0.15:
            return self.pick(PLACE_PREFIXES) + name
        return capitalised(name)

    def organisation(self) -> str:
        return capitalised(self.stem() + self.pick(ORGANISATION_ENDINGS))

    def thing(self) -> str:
        parts = 2 if self.rng.random() < 0.8 else 3
        chosen = [STEMS[index] for index in self.rng.sample(range(len(STEMS)), parts)]
        head = chosen[-1][0]
        return chosen[0][1] + "".join(first.lower() for _, first in chosen[1:-1]) + head.lower()


class Topic:
    """The words one post drew, by kind, in order of their importance to it."""

    __slots__ = ("random", "sizes", "used", "words")

    def __init__(self, rng: random.Random, words: dict[Kind, list[str]], sizes: dict[str, int]):
        self.random = rng.random
        self.words = words
        self.sizes = sizes  # UTF-8 bytes of every word of the lexicon
        self.used = dict.fromkeys(words, 0)

    def word(self, kind: Kind) -> str:
        """The next word of the kind to write: a new one, or one already written, the first
        ones most often."""
        words = self.words[kind]
        used = self.used[kind]
        if used < len(words) and (not used or self.random() < NEW_WORD):
            self.used[kind] = used + 1
            return words[used]
        return words[int(used * self.random() ** 2)]


class Lexicon:
    """Each kind's words in rank order, and their cumulative Zipf weights."""

    def __init__(self, seed: int) -> None:
        # Its own generator: the lexicon is the same whatever else the seed's generator makes.
        syllables = _Syllables(random.Random(f"lexicon-{seed}"))
        makers = {
            Kind.PERSON: syllables.person,
            Kind.PLACE: syllables.place,
            Kind.ORGANISATION: syllables.organisation,
            Kind.THING: syllables.thing,
        }
        taken: set[str] = set()
        self.sizes: dict[str, int] = {}
        self.words: dict[Kind, list[str]] = {}
        self.weights: dict[Kind, list[float]] = {}
        for kind, size in SIZES.items():
            words: list[str] = []
            while len(words) < size:
                word = makers[kind]()
                folded = word.casefold()
                if folded not in taken and len(word) >= 5 and utf8_size(word) <= WORD_MAX:
                    taken.add(folded)
                    words.append(word)
                    self.sizes[word] = utf8_size(word)
            self.words[kind] = words
            self.weights[kind] = list(
                accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, size + 1))
            )

    def draw(self, rng: random.Random, kind: Kind, count: int) -> list[str]:
        """``count`` draws of the kind's words by Zipf weight, each word once, first drawn
        first."""
        words, weights = self.words[kind], self.weights[kind]
        total = weights[-1]
        drawn = [words[bisect(weights, rng.random() * total)] for _ in range(count)]
        return list(dict.fromkeys(drawn))

    def topic(self, rng: random.Random) -> Topic:
        """A post's words: a few to a few dozen, fewer more often than many."""
        words = {}
        for kind, (low, high) in DRAWN.items():
            words[kind] = self.draw(rng, kind, low + int((high - low + 1) * rng.random() ** 2))
        return Topic(rng, words, self.sizes)
