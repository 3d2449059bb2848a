"""The fixed word lists of the benchmark dataset's text (bench.dataset): sentence parts, and
the sentences that name a post's own words (bench.lexicon) through slots.

A template's ``{P}``, ``{L}``, ``{O}`` and ``{T}`` are slots for a person, place,
organisation and thing of the post's topic; its other fields are filled from these lists once,
when the pool of blocks is made.
"""

# Fictional places and their adjectives, for source names and text.
PLACES = [
    ("Nordhafen", "Nordhafener"), ("Elbtal", "Elbtaler"), ("Süderau", "Süderauer"),
    ("Rheinbrück", "Rheinbrücker"), ("Mühlbach", "Mühlbacher"), ("Grünwiesen", "Grünwiesener"),
    ("Ostermoor", "Ostermoorer"), ("Lindenau", "Lindenauer"), ("Bärental", "Bärentaler"),
    ("Fürstenhagen", "Fürstenhagener"), ("Weißenfurt", "Weißenfurter"),
    ("Kleinölsen", "Kleinölsener"), ("Hochmoor", "Hochmoorer"), ("Sandkrug", "Sandkruger"),
    ("Kieferstadt", "Kieferstädter"), ("Tannenbühl", "Tannenbühler"),
]  # fmt: skip
PAPERS = [
    "Tageblatt", "Rundschau", "Kurier", "Anzeiger", "Allgemeine", "Nachrichten", "Bote", "Echo",
    "Zeitung", "Post", "Volksblatt", "Morgenpost", "Abendblatt", "Wochenspiegel", "Landeszeitung",
]  # fmt: skip
PLACE_NAMES = [place for place, _ in PLACES]
SECTIONS = ["politik", "wirtschaft", "kultur", "region", "sport", "wissen", "meinung"]
TAG_NAMES = [
    "Energie", "Wärmepumpen", "Klimaschutz", "Verkehr", "Öffentlicher Nahverkehr", "Mieten",
    "Wohnungsbau", "Bildung", "Schulen", "Gesundheit", "Krankenhäuser", "Pflege", "Rente",
    "Steuern", "Haushalt", "Arbeitsmarkt", "Gewerkschaften", "Landwirtschaft", "Umwelt",
    "Wasser", "Digitalisierung", "Datenschutz", "Justiz", "Polizei", "Kommunalpolitik",
    "Landespolitik", "Bundespolitik", "Europa", "Außenpolitik", "Migration", "Kultur", "Theater",
    "Musik", "Sport", "Fußball", "Wissenschaft", "Hochschulen", "Medien", "Pressefreiheit",
    "Wetter", "Hochwasser", "Tourismus", "Handel", "Industrie", "Mittelstand", "Bahn",
    "Radverkehr", "Stadtentwicklung", "Soziales", "Familie", "Verbraucher", "Lebensmittel",
]  # fmt: skip
SUBJECTS = [
    "die Bundesregierung", "der Stadtrat von {place}", "die Opposition", "der Landkreis {place}",
    "die Verbraucherzentrale", "ein Bündnis aus Umweltverbänden", "die Gewerkschaft",
    "der Wirtschaftsminister", "die Bürgermeisterin von {place}", "das Bundesamt für Verkehr",
    "die Industrie- und Handelskammer", "der Mieterverein", "die Ärztekammer",
    "der Bauernverband", "die Europäische Kommission", "das Verwaltungsgericht",
    "die Landesregierung", "der Gemeinderat von {place}", "der Zweckverband {place}",
    "der Rechnungshof", "die Kultusministerin", "eine Bürgerinitiative aus {place}",
    "der Verkehrsverbund", "die Handwerkskammer", "der Landrat", "die Schulleitung",
    "der Energieversorger", "die Staatsanwaltschaft", "ein Gutachten der Hochschule {place}",
    "der Sozialverband", "die Klinikleitung", "der Umweltausschuss",
]  # fmt: skip
VERBS = [
    "kritisiert", "fordert", "begrüßt", "prüft", "verteidigt", "unterstützt", "bezweifelt",
    "verschiebt", "plant", "bestätigt", "untersucht", "befürwortet", "stoppt", "überarbeitet",
    "blockiert", "beschleunigt", "hinterfragt", "verwirft erneut", "überprüft", "fördert",
]  # fmt: skip
OBJECTS = [
    "die geplante Erhöhung der Grundsteuer", "den Ausbau der Stromnetze",
    "das neue Schulgesetz", "die Schließung des Hallenbads", "den Neubau der Ortsumgehung",
    "die Förderung von Wärmepumpen", "die Reform der Pflegeversicherung",
    "den Haushaltsentwurf für das kommende Jahr", "die Sanierung der Brücke über die Aue",
    "die Preiserhöhung im Nahverkehr", "das Tempolimit in der Innenstadt",
    "die Fusion der beiden Kreiskrankenhäuser", "den Bau von 400 Sozialwohnungen",
    "die Privatisierung der Müllabfuhr", "die Öffnungszeiten der Bürgerämter",
    "das Verbot von Einwegverpackungen", "die Mietpreisbremse", "den Stellenabbau im Werk",
    "die Digitalisierung der Gesundheitsämter", "die Verlängerung der Straßenbahnlinie",
    "den Hochwasserschutz am Fluss", "die Gebühren für Kindertagesstätten",
    "die Ansiedlung eines Chipwerks", "das Konzept für autofreie Sonntage",
    "die Übernahme der Lokalzeitung", "den Ausstieg aus der Braunkohle",
    "die Zusammenlegung der Grundschulen", "die Vergabe der Bauaufträge",
    "den Rückbau des alten Güterbahnhofs", "die Ausweitung der Videoüberwachung",
    "das Förderprogramm für Lastenräder", "die Neuordnung der Landkreise",
]  # fmt: skip
ADVERBIALS = [
    "am Dienstag", "nach langen Verhandlungen", "trotz heftiger Kritik", "überraschend deutlich",
    "in einer ersten Stellungnahme", "seit Wochen", "vor der Landtagswahl",
    "zum wiederholten Mal", "mit Nachdruck", "im zweiten Anlauf", "angesichts steigender Kosten",
    "hinter verschlossenen Türen", "bis zum Frühjahr", "nach einem Bericht der Lokalpresse",
    "am späten Abend", "auf Druck der Anwohner", "ohne Gegenstimme", "völlig unerwartet",
    "nach monatelangem Streit", "in der Sitzung am Donnerstag", "für die nächsten fünf Jahre",
]  # fmt: skip
SPEAKERS = [
    "eine Sprecherin des Ministeriums", "der Fraktionsvorsitzende", "die Geschäftsführerin",
    "ein Anwohner", "der Landrat", "die Vorsitzende des Ausschusses",
    "ein Sprecher der Stadtwerke", "die Präsidentin der Kammer", "ein Betriebsrat",
    "die Schulleiterin", "ein Gutachter", "der Bürgermeister",
]  # fmt: skip
QUOTES = [
    "Wir brauchen jetzt schnelle Lösungen", "Das ist ein wichtiges Signal für die Region",
    "So kann es nicht weitergehen", "Die Zahlen sprechen eine deutliche Sprache",
    "Wir haben die Sorgen der Bürgerinnen und Bürger ernst genommen",
    "Niemand hat mit einer so großen Beteiligung gerechnet", "Das Geld fehlt an allen Ecken",
    "Für die Beschäftigten ist das eine gute Nachricht", "Wir prüfen alle rechtlichen Schritte",
    "Die Entscheidung kommt Jahre zu spät", "Jetzt müssen den Worten Taten folgen",
    "Ohne Zuschüsse wird das nicht funktionieren",
]  # fmt: skip
JUDGEMENTS = [
    "überfälligen", "gefährlichen", "mutigen", "halbherzigen", "teuren", "symbolischen",
    "fragwürdigen", "vernünftigen", "übereilten", "längst nötigen",
]  # fmt: skip
AFFECTED = [
    "Haushalte", "Beschäftigte", "Schülerinnen und Schüler", "Pendlerinnen und Pendler",
    "Betriebe", "Mieterinnen und Mieter", "Patientinnen und Patienten", "Fahrgäste",
]  # fmt: skip
WHEN = [
    "im Herbst", "noch vor Jahresende", "in der nächsten Sitzung", "frühestens im Sommer",
    "nach der Sommerpause", "bis Ende des Monats", "im kommenden Frühjahr",
]  # fmt: skip
HEADINGS = [
    "Was die Reform bedeutet", "Kritik aus der Opposition", "Wie es weitergeht",
    "Die Zahlen im Überblick", "Stimmen aus der Region", "Hintergrund", "Offene Fragen",
    "Was Betroffene jetzt wissen müssen", "Streit um die Kosten", "Die Vorgeschichte",
    "Reaktionen", "Ein Blick über die Grenze", "Was Fachleute sagen", "Der Zeitplan",
]  # fmt: skip
ROLES = [
    "Sprecherin", "Sprecher", "Geschäftsführerin", "Vorstand", "Projektleiterin",
    "Betriebsrätin", "Pressesprecher", "Abteilungsleiter", "Gutachterin", "Aufsichtsrat",
]  # fmt: skip
# Sentences that name the post's own words; the other fields are filled once, in the pool.
# None has two slots of one kind: a post with one place would name it twice in a row.
TOPIC_SENTENCES = [
    "{P} aus {L} {verb} {object} {adverbial}.",
    "Nach Angaben von {P} geht es dabei vor allem um das Projekt {T}.",
    "In {L} wird seit Monaten über {T} gestritten.",
    "„{quote}“, sagte {P} von der {O} AG.",
    "Die {O} GmbH mit Sitz in {L} will sich {when} äußern.",
    "Auch das Stichwort {T} fiel in der Debatte mehrfach.",
    "{P}, {role} bei {O}, verwies auf die Erfahrungen mit {T} in {L}.",
    "Der Streit um {T} beschäftigt inzwischen auch den Kreistag in {L}.",
    "Unterstützung kommt vom Verein {O} aus {L}.",
    "Kritik an {T} äußerte {P}.",
    "Wie {P} berichtet, prüft die {O} AG bereits das Konzept {T}.",
    "Das Vorhaben {T} soll {when} im Rathaus von {L} vorgestellt werden.",
    "{P} aus {L} sieht in {T} eine Chance für die Region.",
    "Die Kosten für {T} in {L} werden auf {number} Millionen Euro geschätzt.",
    "Betroffen sind nach Angaben der {O} rund {thousands} {affected} in {L}.",
    "Für {P} ist {T} {adverbial} zum Thema geworden.",
    "Zwischen {L} und der Kreisstadt soll {when} über {T} entschieden werden.",
    "Die Gespräche mit {O} über {T} laufen {adverbial}.",
]  # fmt: skip
TOPIC_HEADINGS = [
    "{T}: {heading}", "Was {T} für {L} bedeutet", "{heading}: {L}", "Der Fall {T}",
    "{P} im Gespräch", "Streit um {T}",
]  # fmt: skip
TOPIC_ITEMS = ["{T}", "{T} in {L}", "{T} und die Folgen", "Die Rolle von {O}", "{object}"]
