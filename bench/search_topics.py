"""The topics of the search corpus (bench.search_corpus): hand-written sentence templates.

Each topic has the words every one of its posts holds (``core``, in the title templates and in
every lead sentence), so a query for one of them is relevant to exactly the topic's posts:
the judgments in bench.search_queries follow from these labels. No word a query looks for
appears in another topic or in the shared sentences; tests/test_bench_search.py checks that
against the generated text. ``{n}``, ``{m}`` are numbers, ``{day}`` a weekday; other slots
come from the topic's ``slots``. Other topics' posts name a topic in passing (``ASIDES``): they
match its words but are not about it, so ranking decides whether the posts about it come first.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    language: str
    sources: tuple[str, ...]  # slugs the topic's posts come from
    tags: tuple[str, ...]
    titles: tuple[str, ...]
    leads: tuple[str, ...]
    sentences: tuple[str, ...]
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Sentences any German post may carry: none holds a word a query looks for.
FILLER_DE = (
    "Das berichtete die Nachrichtenagentur am {day}.",
    "Eine offizielle Stellungnahme lag zunächst nicht vor.",
    "Beobachter rechnen mit weiteren Gesprächen in den kommenden Wochen.",
    "Nach Angaben von Fachleuten sind die Folgen noch nicht abzusehen.",
    "Ein Sprecher der Regierung wollte sich am {day} nicht äußern.",
    "Die Opposition verlangt eine Anhörung im Parlament.",
    "Der Bericht stützt sich auf interne Dokumente und Gespräche mit Beteiligten.",
    "Kritiker werfen den Verantwortlichen vor, die Lage lange verharmlost zu haben.",
    "Ähnliche Meldungen hatte es bereits im vergangenen Jahr gegeben.",
)
FILLER_EN = (
    "The report was published on {day}.",
    "Officials declined to comment on the details.",
    "Analysts expect further talks in the coming weeks.",
    "Observers said the consequences remain hard to predict.",
    "A spokesperson confirmed the figures on {day}.",
)

# A German topic as another post mentions it in passing, core words included.
ASIDES = {
    "kasachstan": "die Unruhen in Kasachstan",
    "energiewende": "die Energiewende",
    "zeitenwende": "die Zeitenwende und das Sondervermögen",
    "wasserstoff": "die Wasserstoffstrategie",
    "aussenpolitik": "die Außenpolitik",
    "aerzte": "die Ärzte",
    "seidenstrasse": "die Neue Seidenstraße",
    "strassenproteste": "die Proteste auf der Straße",
    "loewenthal": "das Buch von Miriam Löwenthal",
    "sanktionen": "die Sanktionen",
    "taiwan": "Taiwan",
    "nato": "die NATO-Osterweiterung",
    "nordstream": "die Pipeline Nord Stream 2",
    "inflation": "die Inflation und die Lebensmittelpreise",
    "startups": "Startups und ihre Software",
    "klimagipfel": "den Klimagipfel und die Emissionen",
    "mali": "Mali",
    "frankreich": "die Präsidentschaftswahl in Frankreich",
    "omikron": "Omikron, die Corona-Krise und den Lockdown",
    "iran": "das Atomabkommen mit dem Iran",
    "afghanistan": "die Hungersnot in Afghanistan",
    "donbass": "den Waffenstillstand im Donbass",
    "arktis": "die Arktis und den Eisbrecher",
    "kuba": "Kuba und die Blockade",
    "pressefreiheit": "die Pressefreiheit",
}
ASIDE = "Am Rande ging es auch um {aside}."
ASIDE_SHARE = 0.35  # of the German posts

DE = "de"
EN = "en"
TASS, GT, GFP, JW, RT, XH, CGTN = (
    "tass", "global-times", "german-foreign-policy", "junge-welt", "rt-de", "xinhua", "cgtn",
)  # fmt: skip

TOPICS: tuple[Topic, ...] = (
    Topic(
        "kasachstan",
        DE,
        (TASS, GFP, GT, RT),
        ("Zentralasien",),
        titles=(
            "Unruhen in Kasachstan: {who} warnt vor Eskalation",
            "Kasachstans Führung verhängt Ausnahmezustand in {city}",
            "Nach der Unruhe: Kasachstan zwischen {who} und Moskau",
        ),
        leads=(
            "Die Unruhen in Kasachstan halten das Land seit Tagen in Atem.",
            "Nach den Unruhen in Kasachstan ringt die Regierung in {city} um Kontrolle.",
            "Die jüngste Unruhe in Kasachstan hat auch die Nachbarländer alarmiert.",
        ),
        sentences=(
            "Präsident Tokajew bat das Militärbündnis OVKS um Unterstützung.",
            "In {city} wurden nach offiziellen Angaben {n} Menschen festgenommen.",
            "Kasachstans Bedeutung für den Handel mit {who} ist groß.",
            "Auslöser der Proteste waren gestiegene Preise für Autogas.",
            "Der frühere Staatschef Nasarbajew verlor seinen Posten im Sicherheitsrat.",
        ),
        slots={
            "city": ("Almaty", "Astana", "Schymkent", "Aqtöbe"),
            "who": ("Peking", "Brüssel", "Washington"),
        },
    ),
    Topic(
        "energiewende",
        DE,
        (GFP, JW, RT),
        ("Klima",),
        titles=(
            "Die Energiewende und ihre Kosten",
            "Energiewende: Industrie fordert {what}",
            "Wie die Energiewende {what} verändert",
        ),
        leads=(
            "Die deutsche Energiewende kommt nach Ansicht der Industrie zu langsam voran.",
            "Für die Energiewende fehlen nach einer Studie {n} Gigawatt an Leistung.",
            "Die Energiewende verlangt nach Ansicht von Ökonomen neue Energie-Partnerschaften.",
        ),
        sentences=(
            "Der Ausbau der Windräder an Land stockt seit Jahren.",
            "Solarparks sollen bis {year} einen großen Teil des Stroms liefern.",
            "Das Stromnetz im Norden ist an vielen Tagen überlastet.",
            "Die Energie aus Wind und Sonne wird an der Börse immer billiger gehandelt.",
            "Versorger warnen vor Engpässen im Winter.",
        ),
        slots={
            "what": ("schnellere Genehmigungen", "den Netzausbau", "günstigen Strom"),
            "year": ("2030", "2035", "2040"),
        },
    ),
    Topic(
        "zeitenwende",
        DE,
        (JW, RT, GFP),
        ("Militär",),
        titles=(
            "Zeitenwende: {n} Milliarden für die Bundeswehr",
            "Was die Zeitenwende für den Haushalt bedeutet",
            "Sondervermögen und Zeitenwende im Bundestag",
        ),
        leads=(
            "Die ausgerufene Zeitenwende soll mit einem Sondervermögen bezahlt werden.",
            "Mit dem Sondervermögen der Zeitenwende will die Regierung die Truppe modernisieren.",
        ),
        sentences=(
            "Die Bundeswehr soll neue Kampfflugzeuge und Hubschrauber erhalten.",
            "Gewerkschaften kritisieren die Aufrüstung auf Kosten von Sozialausgaben.",
            "Das Zwei-Prozent-Ziel soll künftig jedes Jahr erreicht werden.",
            "Rüstungskonzerne melden volle Auftragsbücher.",
        ),
    ),
    Topic(
        "wasserstoff",
        DE,
        (GFP, XH, JW),
        ("Rohstoffe",),
        titles=(
            "Wasserstoffstrategie: Partner in {land} gesucht",
            "Grüner Wasserstoff aus {land}",
            "Die Wasserstoffstrategie der Bundesregierung",
        ),
        leads=(
            "Die nationale Wasserstoffstrategie setzt auf Importe aus {land}.",
            "Mit ihrer Wasserstoffstrategie will Berlin Lieferanten in {land} gewinnen.",
        ),
        sentences=(
            "Elektrolyseure mit einer Leistung von {n} Megawatt sind geplant.",
            "Der Wasserstoff soll per Schiff nach Europa gebracht werden.",
            "Kritiker bezweifeln, dass genug Ökostrom für die Herstellung vorhanden ist.",
            "Deutsche Anlagenbauer hoffen auf Aufträge in Milliardenhöhe.",
        ),
        slots={"land": ("Namibia", "Marokko", "Chile", "Australien")},
    ),
    Topic(
        "aussenpolitik",
        DE,
        (GFP, JW),
        ("Diplomatie",),
        titles=(
            "Die Außenpolitik der Ampel",
            "Außenpolitik: Berlin sucht neue Partner in {region}",
            "Wertegeleitete Außenpolitik auf dem Prüfstand",
        ),
        leads=(
            "Die deutsche Außenpolitik richtet sich neu aus, heißt es aus dem Auswärtigen Amt.",
            "In der Außenpolitik setzt die Bundesregierung verstärkt auf {region}.",
        ),
        sentences=(
            "Die Außenministerin reiste in dieser Woche nach {region}.",
            "Diplomaten sprechen von einem Kurswechsel gegenüber Peking.",
            "Der Koalitionsvertrag nennt Menschenrechte als Leitlinie.",
            "Die Botschafter wurden zu Beratungen nach Berlin gerufen.",
        ),
        slots={"region": ("Südostasien", "Lateinamerika", "Westafrika", "Ostasien")},
    ),
    Topic(
        "aerzte",
        DE,
        (JW, RT),
        ("Gesundheit",),
        titles=(
            "Ärzte warnen vor Engpässen in den Kliniken",
            "Streik: Ärzte in {city} legen die Arbeit nieder",
            "Zu wenige Ärzte auf dem Land",
        ),
        leads=(
            "Die Ärzte an kommunalen Krankenhäusern fordern {n} Prozent mehr Lohn.",
            "Viele Ärzte und Pflegekräfte klagen über Überlastung.",
        ),
        sentences=(
            "Der Marburger Bund rief zu einem Warnstreik in {city} auf.",
            "Auf dem Land bleiben immer mehr Praxen unbesetzt.",
            "Jeder Arzt betreue inzwischen doppelt so viele Patienten wie vor zehn Jahren.",
            "Die Krankenkassen verweisen auf steigende Ausgaben.",
        ),
        slots={"city": ("Hamburg", "Leipzig", "Köln", "Dortmund")},
    ),
    Topic(
        "seidenstrasse",
        DE,
        (GT, XH, GFP, CGTN),
        ("China",),
        titles=(
            "Neue Seidenstraße: Güterzüge nach {city}",
            "Die Neue Seidenstraße und Europa",
            "Seidenstraße: Peking investiert in {city}",
        ),
        leads=(
            "Die Neue Seidenstraße verbindet China mit Häfen und Bahnhöfen in Europa.",
            "Über die Neue Seidenstraße rollen jede Woche {n} Güterzüge.",
        ),
        sentences=(
            "Der Hafen von {city} ist ein wichtiger Knoten des Projekts.",
            "Die Fahrzeit der Containerzüge liegt bei etwa zwölf Tagen.",
            "Brüssel will mit einem eigenen Investitionsprogramm gegenhalten.",
            "Chinesische Staatsbanken finanzieren Häfen und Schienenwege.",
        ),
        slots={"city": ("Duisburg", "Piräus", "Triest", "Budapest")},
    ),
    Topic(
        "strassenproteste",
        DE,
        (JW, RT),
        ("Proteste",),
        titles=(
            "Tausende gehen in {city} auf die Straße",
            "Protest auf der Straße gegen hohe Mieten",
            "Mieter auf der Straße in {city}",
        ),
        leads=(
            "Am {day} gingen in {city} tausende Menschen auf die Straße.",
            "Die Demonstration zog über die {street} und die Straße vor dem Rathaus.",
        ),
        sentences=(
            "Die Veranstalter sprachen von {n} Teilnehmern.",
            "Aufgerufen hatte ein Bündnis aus Mieterinitiativen und Gewerkschaften.",
            "Die Polizei meldete einen friedlichen Verlauf.",
            "Auf Transparenten wurde ein Mietendeckel gefordert.",
        ),
        slots={
            "city": ("Berlin", "München", "Frankfurt"),
            "street": ("Karl-Marx-Allee", "Friedrichstraße", "Schillerpromenade"),
        },
    ),
    Topic(
        "loewenthal",
        DE,
        (JW,),
        ("Bücher",),
        titles=(
            "Miriam Löwenthal über das Exil",
            "Löwenthal: Ein Leben zwischen den Kontinenten",
            "Gespräch mit der Historikerin Löwenthal",
        ),
        leads=(
            "Die Historikerin Miriam Löwenthal stellt ihr neues Buch vor.",
            "In ihrem Buch erzählt Löwenthal die Geschichte ihrer Familie.",
        ),
        sentences=(
            "Das Buch erscheint im {month} bei einem kleinen Verlag.",
            "Die Familie floh {year} über Lissabon nach New York.",
            "Briefe und Tagebücher bilden die Grundlage der Darstellung.",
            "Die Lesung im Literaturhaus war ausverkauft.",
        ),
        slots={"month": ("Februar", "März", "April"), "year": ("1938", "1939", "1941")},
    ),
    Topic(
        "sanktionen",
        DE,
        (TASS, RT, GT),
        ("Russland",),
        titles=(
            "Neue Sanktionen gegen Russland",
            "Sanktionen: Das {n}. Sanktionspaket der EU",
            "Wem die Sanktionen schaden",
        ),
        leads=(
            "Die Sanktionen gegen Russland treffen nach Ansicht von Ökonomen vor allem Europa.",
            "Mit neuen Sanktionen will die EU den Druck auf Moskau erhöhen.",
        ),
        sentences=(
            "Betroffen sind Banken, Reedereien und Rohstoffhändler.",
            "Moskau kündigte Gegenmaßnahmen an.",
            "Der Rubel erholte sich überraschend schnell.",
            "Jede Sanktion müsse einstimmig beschlossen werden, hieß es in Brüssel.",
        ),
    ),
    Topic(
        "taiwan",
        DE,
        (GT, XH, CGTN, TASS),
        ("China",),
        titles=(
            "Taiwan-Frage belastet Beziehungen",
            "Peking warnt Washington wegen Taiwan",
            "Militärmanöver vor Taiwan",
        ),
        leads=(
            "Die Taiwan-Frage bleibt nach Pekings Worten eine rote Linie.",
            "Im Streit um Taiwan verschärft Peking den Ton.",
        ),
        sentences=(
            "Das Außenamt in Peking bestellte den Botschafter ein.",
            "Waffenlieferungen im Wert von {n} Millionen Dollar sorgen für Ärger.",
            "Kriegsschiffe kreuzten mehrere Tage vor der Küste.",
            "Die Insel hat rund 23 Millionen Einwohner.",
        ),
    ),
    Topic(
        "nato",
        DE,
        (TASS, RT, JW),
        ("Russland", "Militär"),
        titles=(
            "NATO-Osterweiterung: Moskau fordert Garantien",
            "Streit um die Osterweiterung der NATO",
            "Die NATO und das Baltikum",
        ),
        leads=(
            "Moskau verlangt ein Ende der NATO-Osterweiterung.",
            "Die Osterweiterung der NATO steht im Mittelpunkt der Gespräche in Genf.",
        ),
        sentences=(
            "Die Allianz verlegt {n} Soldaten in das Baltikum.",
            "Ein Manöver mit Kampfjets begann am {day}.",
            "Russische Diplomaten sprechen von gebrochenen Zusagen.",
            "Das Bündnis lehnt schriftliche Garantien ab.",
        ),
    ),
    Topic(
        "nordstream",
        DE,
        (TASS, RT, GFP),
        ("Gas", "Russland"),
        titles=(
            "Nord Stream 2: Genehmigung ausgesetzt",
            "Die Pipeline Nord Stream 2 und die Gaspreise",
            "Nord Stream: {who} verlangt Stopp der Pipeline",
        ),
        leads=(
            "Die Pipeline Nord Stream 2 ist fertig gebaut, aber nicht in Betrieb.",
            "Um Nord Stream 2 und andere Pipelines wird seit Jahren gestritten.",
        ),
        sentences=(
            "Die Bundesnetzagentur hat das Verfahren ausgesetzt.",
            "Die Gaslieferungen aus dem Osten sind deutlich gesunken.",
            "Flüssiggas aus Übersee ist teurer.",
            "{who} drohte mit Strafmaßnahmen gegen beteiligte Firmen.",
        ),
        slots={"who": ("Washington", "Warschau", "Kiew")},
    ),
    Topic(
        "inflation",
        DE,
        (JW, RT, TASS),
        ("Wirtschaft",),
        titles=(
            "Inflation steigt auf {n} Prozent",
            "Lebensmittelpreise treiben die Inflation",
            "Inflation: Gewerkschaften fordern Ausgleich",
        ),
        leads=(
            "Die Inflation hat den höchsten Stand seit Jahrzehnten erreicht, vor allem wegen der Lebensmittelpreise.",
            "Steigende Lebensmittelpreise lassen die Inflation weiter klettern.",
        ),
        sentences=(
            "Besonders teuer wurden Butter, Mehl und Speiseöl.",
            "Die Zentralbank zögert mit einer Zinserhöhung.",
            "Rentner und Geringverdiener trifft die Teuerung am härtesten.",
            "Sozialverbände fordern einen Zuschlag für Bedürftige.",
        ),
    ),
    Topic(
        "startups",
        DE,
        (XH, GT, RT),
        ("Technik",),
        titles=(
            "Startups in {city} sammeln Rekordsummen",
            "Software aus {city}: Ein Startup erobert den Markt",
            "Die Startup-Szene und die Cloud",
        ),
        leads=(
            "Junge Startups aus {city} setzen auf Software für die Cloud.",
            "Ein Startup aus {city} hat eine Software für Logistik entwickelt.",
        ),
        sentences=(
            "Investoren steckten {n} Millionen Euro in die Firma.",
            "Die Gründer wollen im nächsten Jahr an die Börse.",
            "Viele Entwickler arbeiten im Homeoffice.",
            "Der Wettbewerb um Fachkräfte ist hart.",
        ),
        slots={"city": ("Shenzhen", "Berlin", "Hangzhou", "Tallinn")},
    ),
    Topic(
        "klimagipfel",
        DE,
        (XH, GT, JW, CGTN),
        ("Klima",),
        titles=(
            "Klimagipfel: Einigung in letzter Minute",
            "Emissionen: Was der Klimagipfel beschlossen hat",
            "Vor dem Klimagipfel in {city}",
        ),
        leads=(
            "Beim Klimagipfel in {city} ging es um die Senkung der Emissionen.",
            "Der Klimagipfel hat neue Ziele für die Emissionen der Industriestaaten beschlossen.",
        ),
        sentences=(
            "Entwicklungsländer fordern einen Ausgleichsfonds.",
            "Die Delegationen verhandelten bis in die Nacht.",
            "Umweltgruppen nannten das Ergebnis enttäuschend.",
            "{n} Staaten unterzeichneten die Abschlusserklärung.",
        ),
        slots={"city": ("Glasgow", "Scharm asch-Schaich", "Dubai")},
    ),
    Topic(
        "mali",
        DE,
        (RT, TASS, JW),
        ("Afrika",),
        titles=(
            "Mali: Abzug der europäischen Truppen",
            "Der Sahel und die Regierung in Mali",
            "Mali sucht die Nähe zu Moskau",
        ),
        leads=(
            "Die Militärregierung in Mali hat die französischen Truppen zum Abzug aufgefordert.",
            "In Mali und im ganzen Sahel wächst die Ablehnung der früheren Kolonialmacht.",
        ),
        sentences=(
            "Die Hauptstadt Bamako erlebte große Kundgebungen.",
            "Die UN-Mission umfasst rund {n} Soldaten.",
            "Im Sahel sind mehrere bewaffnete Gruppen aktiv.",
            "Paris spricht von einer schweren Belastung der Beziehungen.",
        ),
    ),
    Topic(
        "frankreich",
        DE,
        (RT, JW, GFP),
        ("Frankreich",),
        titles=(
            "Präsidentschaftswahl in Frankreich: Der erste Wahlgang",
            "Frankreich vor der Präsidentschaftswahl",
            "Die Präsidentschaftswahl und die Linke",
        ),
        leads=(
            "Vor der Präsidentschaftswahl in Frankreich liegen drei Bewerber fast gleichauf.",
            "Die Präsidentschaftswahl in Frankreich gilt als Richtungsentscheidung.",
        ),
        sentences=(
            "Der Amtsinhaber führt in den Umfragen knapp.",
            "Die Wahlbeteiligung dürfte niedrig ausfallen.",
            "Im zweiten Wahlgang wird ein knappes Rennen erwartet.",
            "Die Kandidaten debattierten {n} Minuten im Fernsehen.",
        ),
    ),
    Topic(
        "omikron",
        DE,
        (XH, GT, RT, CGTN),
        ("Corona",),
        titles=(
            "Omikron: Lockdown in {city}",
            "Die Corona-Krise und die Variante Omikron",
            "Omikron breitet sich aus",
        ),
        leads=(
            "Die Variante Omikron verschärft die Corona-Krise in {city}, ein Lockdown droht.",
            "Wegen Omikron und der Corona-Krise verhängen die Behörden in {city} einen Lockdown.",
        ),
        sentences=(
            "Millionen Einwohner müssen sich testen lassen.",
            "Der Lockdown soll zunächst {n} Tage dauern.",
            "Krankenhäuser melden steigende Belegung.",
            "Schulen stellen auf Fernunterricht um.",
        ),
        slots={"city": ("Tianjin", "Xi'an", "Hongkong", "Schanghai")},
    ),
    Topic(
        "iran",
        DE,
        (TASS, RT, GFP),
        ("Nahost",),
        titles=(
            "Atomabkommen mit dem Iran: Gespräche in Wien",
            "Iran: Neue Runde für das Atomabkommen",
            "Das Atomabkommen vor dem Aus?",
        ),
        leads=(
            "In Wien wird über die Rettung des Atomabkommens mit dem Iran verhandelt.",
            "Das Atomabkommen mit dem Iran könnte nach Angaben von Diplomaten gerettet werden.",
        ),
        sentences=(
            "Teheran fordert die Aufhebung aller Strafmaßnahmen.",
            "Die Anreicherung von Uran liegt bei {n} Prozent.",
            "Israel lehnt jede Einigung ab.",
            "Die Gespräche wurden am {day} unterbrochen.",
        ),
    ),
    Topic(
        "afghanistan",
        DE,
        (TASS, JW, XH),
        ("Asien",),
        titles=(
            "Hungersnot in Afghanistan",
            "Afghanistan: Hilfsorganisationen schlagen Alarm",
            "Afghanistan ein halbes Jahr nach dem Abzug",
        ),
        leads=(
            "In Afghanistan droht nach Angaben der UN eine Hungersnot.",
            "Die Hungersnot in Afghanistan trifft vor allem Kinder.",
        ),
        sentences=(
            "Das Vermögen der Zentralbank bleibt im Ausland eingefroren.",
            "Rund {n} Prozent der Bevölkerung sind auf Hilfe angewiesen.",
            "Der Winter verschärft die Lage in den Bergdörfern.",
            "Die Taliban bitten um internationale Anerkennung.",
        ),
    ),
    Topic(
        "donbass",
        DE,
        (TASS, RT),
        ("Russland", "Ukraine"),
        titles=(
            "Donbass: Waffenstillstand gebrochen",
            "Neue Gefechte im Donbass",
            "Der Waffenstillstand im Donbass wackelt",
        ),
        leads=(
            "Im Donbass ist der Waffenstillstand nach Angaben der OSZE erneut verletzt worden.",
            "Der Waffenstillstand im Donbass hält nicht.",
        ),
        sentences=(
            "Die Beobachter zählten {n} Verstöße an einem Tag.",
            "Tausende Bewohner flohen aus Donezk.",
            "Das Minsker Abkommen gilt als gescheitert.",
            "Beide Seiten beschuldigen sich gegenseitig.",
        ),
    ),
    Topic(
        "arktis",
        DE,
        (TASS, XH, GT),
        ("Arktis",),
        titles=(
            "Die Arktis als Schifffahrtsweg",
            "Arktis: Ein neuer Eisbrecher läuft vom Stapel",
            "Wettlauf um die Arktis",
        ),
        leads=(
            "In der Arktis soll ein atomgetriebener Eisbrecher die Nordostpassage offen halten.",
            "Der Eisbrecher soll ganzjährig Fahrten durch die Arktis ermöglichen.",
        ),
        sentences=(
            "Die Nordostpassage verkürzt den Weg nach Asien um {n} Kilometer.",
            "Reedereien aus China zeigen großes Interesse.",
            "Umweltschützer warnen vor Ölunfällen im Eis.",
            "Murmansk ist der wichtigste Hafen der Region.",
        ),
    ),
    Topic(
        "kuba",
        DE,
        (JW, RT),
        ("Lateinamerika",),
        titles=(
            "Kuba und die Blockade",
            "Blockade gegen Kuba: UN-Vollversammlung stimmt ab",
            "Kuba: Versorgung trotz Blockade",
        ),
        leads=(
            "Die Blockade der USA gegen Kuba besteht seit mehr als sechzig Jahren.",
            "Kuba leidet nach eigenen Angaben unter der verschärften Blockade.",
        ),
        sentences=(
            "Medikamente und Ersatzteile sind knapp.",
            "{n} Staaten stimmten für die Aufhebung.",
            "Der Tourismus erholt sich nur langsam.",
            "Havanna setzt auf Partner in Asien.",
        ),
    ),
    Topic(
        "pressefreiheit",
        DE,
        (RT, JW, TASS),
        ("Medien",),
        titles=(
            "Pressefreiheit: Sender abgeschaltet",
            "Zensur im Netz: Plattformen sperren Kanäle",
            "Die Pressefreiheit und ihre Grenzen",
        ),
        leads=(
            "Die Abschaltung des Senders sei ein Angriff auf die Pressefreiheit, erklärte die Redaktion.",
            "Journalistenverbände sehen die Pressefreiheit durch die Sperre in Gefahr.",
        ),
        sentences=(
            "Die Medienanstalt verweist auf eine fehlende Lizenz.",
            "Kritiker sprechen von Zensur.",
            "Der Kanal hatte {n} Abonnenten.",
            "Die Redaktion kündigte rechtliche Schritte an.",
        ),
    ),
    Topic(
        "en_trade",
        EN,
        (GT, XH, CGTN),
        ("Trade",),
        titles=(
            "Tariffs weigh on trade between China and the US",
            "Exporters brace for new tariffs",
            "Trade talks stall over tariffs",
        ),
        leads=(
            "New tariffs on {goods} have cut trade across the Pacific.",
            "Exporters of {goods} say the tariffs are hurting trade.",
        ),
        sentences=(
            "Shipments fell by {n} percent in the last quarter.",
            "Economists warn of higher prices for consumers.",
            "Ports on the east coast reported long queues.",
            "Negotiators plan to meet again next month.",
        ),
        slots={"goods": ("steel", "solar panels", "electric cars")},
    ),
    Topic(
        "en_space",
        EN,
        (XH, CGTN, TASS),
        ("Space",),
        titles=(
            "Astronauts return from the space station",
            "New crew docks with the space station",
            "Space station module launched",
        ),
        leads=(
            "Three astronauts arrived at the space station on {day}.",
            "The space station welcomed its new astronauts after a six-hour flight.",
        ),
        sentences=(
            "The crew will stay in orbit for {n} days.",
            "Experiments include growing rice in microgravity.",
            "The rocket lifted off from the launch centre in Gansu.",
            "Mission control said all systems worked normally.",
        ),
    ),
    Topic(
        "en_vaccines",
        EN,
        (GT, XH, RT),
        ("Health",),
        titles=(
            "Vaccines shipped to {region}",
            "Vaccination campaign reaches rural areas",
            "Vaccine donations for {region}",
        ),
        leads=(
            "A shipment of {n} thousand vaccines arrived in {region}.",
            "Health workers vaccinated thousands of people in {region} this week.",
        ),
        sentences=(
            "Cold storage remains a problem in remote villages.",
            "Officials aim to vaccinate most adults by summer.",
            "Doctors reported few side effects.",
            "The donation was welcomed by local authorities.",
        ),
        slots={"region": ("Africa", "Southeast Asia", "Latin America")},
    ),
)
