"""Original sample content for ``presseschau demo``.

Six fictional sources and about thirty posts, in the shape of a press-review blog's day
archives: excerpts ending in "Weiterlesen" and the original address, bare link posts, a video
post, a cut excerpt, photo captions and translation credits. Every text, name and address here
is invented; the domains use the reserved ``.example`` top-level domain.

Times are site-local (Europe/Berlin). 2026-10-25 is the night summer time ends, and posts just
after midnight and just before it show that day archives follow local days.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoSource:
    name: str
    homepage_url: str
    domains: tuple[str, ...]
    language: str
    description: str


@dataclass(frozen=True)
class DemoPost:
    title: str
    source: str | None
    local_time: str
    body: str
    original_url: str | None = None
    credit: str | None = None
    tags: tuple[str, ...] = field(default=())
    language: str = "de"


SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        name="Nordkurier Rundschau",
        homepage_url="https://nordkurier-rundschau.example/",
        domains=("nordkurier-rundschau.example",),
        language="de",
        description=(
            "Regionale Tageszeitung für Nordhafen und das Küstenland mit Schwerpunkt auf "
            "Stadt, Verkehr und Wetter."
        ),
    ),
    DemoSource(
        name="Alpenländische Wirtschaftszeitung",
        homepage_url="https://alpenwirtschaft.example/",
        domains=("alpenwirtschaft.example",),
        language="de",
        description=(
            "Wirtschaftsblatt aus dem Alpenraum, das über Messen, Industrie, Energie und "
            "Landwirtschaft berichtet."
        ),
    ),
    DemoSource(
        name="Der Zeitspiegel",
        homepage_url="https://zeitspiegel.example/",
        domains=("zeitspiegel.example", "zeitspiegel-magazin.example"),
        language="de",
        description=(
            "Wöchentliches Nachrichtenmagazin mit langen Reportagen über Infrastruktur, "
            "Wissenschaft und Gesellschaft."
        ),
    ),
    DemoSource(
        name="Harbour Ledger",
        homepage_url="https://harbour-ledger.example/",
        domains=("harbour-ledger.example",),
        language="en",
        description=(
            "Englischsprachige Hafen- und Schifffahrtszeitung aus der Küstenstadt Port Ellery."
        ),
    ),
    DemoSource(
        name="Diario del Altiplano",
        homepage_url="https://diario-altiplano.example/",
        domains=("diario-altiplano.example",),
        language="es",
        description=(
            "Spanischsprachige Tageszeitung aus dem Hochland, bekannt für ihre Berichte über "
            "Landwirtschaft und Kultur."
        ),
    ),
    DemoSource(
        name="Rjabinowy Westnik",
        homepage_url="https://rjabinovy-vestnik.example/",
        domains=("rjabinovy-vestnik.example",),
        language="ru",
        description=(
            "Russischsprachige Regionalzeitung von der mittleren Wolga mit Berichten über "
            "Flussschifffahrt und Landwirtschaft."
        ),
    ),
)

POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        title="Zeitumstellung: Nachtzüge warten eine Stunde länger",
        source="Nordkurier Rundschau",
        local_time="2026-10-25T01:30",
        body=(
            "In der Nacht zum Sonntag werden die Uhren um drei Uhr auf zwei Uhr "
            "zurückgestellt. Für die Nachtzüge im Küstenland bedeutet das einen ungewöhnlichen "
            "Fahrplan: Wer planmäßig vor der Umstellung abfährt, aber erst danach ankommen "
            "soll, hält unterwegs so lange, bis die Uhrzeit wieder stimmt.\n\n"
            "Betroffen sind nach Angaben des Verkehrsverbunds vier Verbindungen, darunter der "
            "späte Regionalexpress von Nordhafen nach Kaltenbach. Reisende müssen an einem der "
            "Unterwegsbahnhöfe mit einer Standzeit von rund einer Stunde rechnen. Die Wagen "
            "bleiben geheizt, der Bordservice bleibt geöffnet.\n\n"
            "Weiterlesen\n"
            "https://www.nordkurier-rundschau.example/artikel/40117"
        ),
        original_url="https://www.nordkurier-rundschau.example/artikel/40117",
        tags=("Bahn", "Verkehr"),
    ),
    DemoPost(
        title="Warum dieser Sonntag 25 Stunden hat",
        source=None,
        local_time="2026-10-25T03:30",
        body=(
            "Wer in dieser Nacht wach war, hat die Stunde zwischen zwei und drei Uhr zweimal "
            "erlebt. Seit drei Uhr Sommerzeit gilt wieder die Normalzeit, die Uhren sind um "
            "eine Stunde zurückgesprungen. Der Sonntag ist damit der längste Tag des Jahres – "
            "zumindest auf dem Papier.\n\n"
            "Funkuhren stellen sich in der Regel selbst um, Backöfen, Autos und manche "
            "Heizungssteuerungen dagegen nicht. Ein kurzer Rundgang durch die Wohnung lohnt "
            "sich, bevor am Montag der Wecker klingelt."
        ),
        tags=("Wissenschaft",),
    ),
    DemoPost(
        title="Straßenbahnlinie 4 fährt ab Montag über die neue Südbrücke",
        source="Nordkurier Rundschau",
        local_time="2026-10-28T06:45",
        body=(
            "Nach gut zwei Jahren Bauzeit ist die neue Südbrücke über den Hafenkanal fertig. "
            "Ab Montag rollen die Bahnen der Linie 4 wieder auf direktem Weg zwischen "
            "Hauptbahnhof und Werftviertel, die Umleitung über die Altstadt entfällt. Die "
            "Verkehrsbetriebe rechnen mit sechs Minuten kürzerer Fahrzeit.\n\n"
            "Die Brücke hat neben den Gleisen zwei breite Radwege und einen Gehweg mit "
            "Sitzstufen zum Wasser hin. Am Wochenende zuvor lädt die Stadt zu einem "
            "Brückenfest mit Führungen über die Baustelle ein.\n\n"
            "Die Südbrücke in der Abenddämmerung, kurz vor der ersten Probefahrt. (Foto: "
            "Bildagentur Weitblick)\n\n"
            "Weiterlesen\n"
            "https://www.nordkurier-rundschau.example/artikel/40233"
        ),
        original_url="https://www.nordkurier-rundschau.example/artikel/40233",
        tags=("Verkehr", "Stadt"),
    ),
    DemoPost(
        title="Größte Fachmesse für Landtechnik öffnet ihre Tore",
        source="Alpenländische Wirtschaftszeitung",
        local_time="2026-10-28T08:10",
        body=(
            "https://alpenwirtschaft.example/messe/landtechnik-2026\n\n"
            "Rund 900 Aussteller aus 31 Ländern zeigen in dieser Woche auf dem Messegelände in "
            "Rabenfels, wie sich Felder mit weniger Diesel, weniger Dünger und mehr Daten "
            "bewirtschaften lassen. Die Veranstalter erwarten bis Sonntag mehr als 120.000 "
            "Besucher.\n\n"
            "Im Mittelpunkt stehen elektrische Hoftraktoren, kleine Feldroboter für das "
            "Unkrauthacken und Sensoren, die den Wasserbedarf einzelner Pflanzenreihen melden. "
            "Viele Betriebe kämen weniger wegen der großen Maschinen als wegen der "
            "Nachrüstlösungen für vorhandene Geräte, sagt eine Sprecherin der Messe.\n\n"
            "Für Schulklassen gibt es erstmals einen eigenen Parcours, auf dem Jugendliche "
            "unter Anleitung einen Mähdrescher-Simulator steuern können."
        ),
        original_url="https://alpenwirtschaft.example/messe/landtechnik-2026",
        tags=("Landwirtschaft", "Messe"),
    ),
    DemoPost(
        title="Port Ellery opens its new ferry terminal",
        source="Harbour Ledger",
        local_time="2026-10-28T10:30",
        body="",
        original_url="https://harbour-ledger.example/news/2026/10/ferry-terminal-opens",
        tags=("Häfen",),
        language="en",
    ),
    DemoPost(
        title="Der lange Weg zur Schiene (I)",
        source="Der Zeitspiegel",
        local_time="2026-10-28T13:05",
        body=(
            "Die Strecke zwischen Nordhafen und Kaltenbach ist 74 Kilometer lang, eingleisig "
            "und seit 1983 ohne Personenverkehr. Nun soll sie wieder in Betrieb gehen. Der "
            "erste Teil unserer Reportage begleitet die Planerinnen und Planer, die alte "
            "Brücken vermessen, Bahnsteige neu zeichnen und mit den Gemeinden über Haltepunkte "
            "verhandeln.\n\n"
            "„Jeder Bahnübergang ist ein eigenes Projekt“, sagt die Projektleiterin beim "
            "Besuch an einem Feldweg, an dem noch die alten Schranken stehen. Dreißig solcher "
            "Übergänge gibt es auf der Strecke; elf sollen durch Brücken oder Unterführungen "
            "ersetzt werden.\n\n"
            "Weiterlesen\n"
            "https://www.zeitspiegel.example/reportage/der-lange-weg-zur-schiene-1"
        ),
        original_url="https://www.zeitspiegel.example/reportage/der-lange-weg-zur-schiene-1",
        tags=("Bahn", "Verkehr"),
    ),
    DemoPost(
        title="Kaffeeernte im Hochland fällt kleiner aus als erwartet",
        source="Diario del Altiplano",
        local_time="2026-10-28T16:40",
        body=(
            "Die Genossenschaften im Hochtal von Valle Sereno melden für die laufende Saison "
            "eine um etwa ein Fünftel kleinere Kaffeeernte als im Vorjahr. Grund sei vor allem "
            "der ungewöhnlich trockene Juli, in dem die Blüten vieler Sträucher vorzeitig "
            "abgefallen seien.\n\n"
            "Die Qualität der Bohnen sei dagegen gut, heißt es aus den Sammelstellen. Weil "
            "weniger Ware auf den Markt komme, rechnen die Erzeuger mit höheren Preisen, die "
            "den Ernteausfall teilweise ausgleichen könnten.\n\n"
            "Mehrere Gemeinden wollen im kommenden Jahr Regenrückhaltebecken anlegen, um die "
            "Pflanzungen in trockenen Monaten bewässern zu können. Ein regionales "
            "Förderprogramm übernimmt dabei bis zur Hälfte der Kosten.\n\n"
            "https://diario-altiplano.example/campo/2026/10/cosecha-cafe"
        ),
        original_url="https://diario-altiplano.example/campo/2026/10/cosecha-cafe",
        credit="Übersetzung Kollektiv Zwischenzeilen",
        tags=("Landwirtschaft", "Wetter"),
    ),
    DemoPost(
        title="Chorfestival: Zwölf Ensembles an einem Abend",
        source=None,
        local_time="2026-10-28T21:15",
        body=(
            "Zum Abschluss des Herbstchorfestivals standen am Mittwochabend zwölf Ensembles "
            "auf der Bühne der Stadthalle – vom Kinderchor bis zum Seemannschor, dessen "
            "ältestes Mitglied über achtzig ist. Beim letzten Lied durfte das Publikum "
            "mitsingen und tat das mit Hingabe.\n\n"
            "Im nächsten Jahr soll das Festival auf zwei Wochenenden wachsen. Die Anmeldung "
            "für Chöre beginnt im Februar."
        ),
        tags=("Kultur", "Musik"),
    ),
    DemoPost(
        title="Wetterdienst erwartet ersten Nachtfrost im Flachland",
        source="Nordkurier Rundschau",
        local_time="2026-10-30T07:30",
        body=(
            "Nach einem ungewöhnlich milden Oktober wird es am Wochenende deutlich kälter. In "
            "klaren Nächten können die Temperaturen im Binnenland auf minus zwei Grad fallen, "
            "an der Küste bleibt es knapp über dem Gefrierpunkt.\n\n"
            "Gärtnereien raten, empfindliche Kübelpflanzen spätestens jetzt ins Haus zu holen. "
            "Autofahrer sollten am Morgen mit Reif auf Brücken und in Senken rechnen.\n\n"
            "Weiterlesen\n"
            "https://nordkurier-rundschau.example/wetter/40301"
        ),
        original_url="https://nordkurier-rundschau.example/wetter/40301",
        tags=("Wetter",),
    ),
    DemoPost(
        title="Neues Forschungsschiff läuft zur ersten Probefahrt aus",
        source="Harbour Ledger",
        local_time="2026-10-30T09:50",
        body=(
            "https://www.harbour-ledger.example/news/2026/10/research-vessel-sea-trials\n\n"
            "Das neue Forschungsschiff der Meeresstation von Port Ellery hat am Donnerstag zum "
            "ersten Mal den Hafen verlassen. Auf der zehntägigen Probefahrt sollen Antrieb, "
            "Winden und Labore unter Seebedingungen getestet werden.\n\n"
            "Das 68 Meter lange Schiff fährt mit einem Hybridantrieb aus Dieselgeneratoren und "
            "Batterien. In Schutzgebieten und Häfen kann es mehrere Stunden rein elektrisch "
            "und damit besonders leise fahren – ein Vorteil für akustische Messungen an "
            "Meeressäugern.\n\n"
            "Ab dem Frühjahr soll es Forschungsgruppen aus mehreren Ländern zur Verfügung "
            "stehen."
        ),
        original_url="https://www.harbour-ledger.example/news/2026/10/research-vessel-sea-trials",
        tags=("Wissenschaft", "Häfen"),
    ),
    DemoPost(
        title="Wasserstoffbusse: Bilanz nach dem ersten Jahr",
        source="Der Zeitspiegel",
        local_time="2026-10-30T12:20",
        body="",
        original_url="https://zeitspiegel-magazin.example/wirtschaft/wasserstoffbusse-bilanz",
        tags=("Energie", "Verkehr"),
    ),
    DemoPost(
        title="Rundgang durch die Herbstausstellung im Stadtmuseum",
        source=None,
        local_time="2026-10-30T18:00",
        body="VIDEO\n\nhttps://video.example/watch/herbstausstellung-stadtmuseum",
        original_url="https://video.example/watch/herbstausstellung-stadtmuseum",
        tags=("Kultur",),
    ),
    DemoPost(
        title="Flussschifffahrt an der Wolga endet für diese Saison",
        source="Rjabinowy Westnik",
        local_time="2026-10-30T23:50",
        body=(
            "Mit der Ankunft des letzten Ausflugsschiffs am Freitagabend ist die "
            "Passagiersaison auf dem mittleren Abschnitt der Wolga beendet. Die Reedereien "
            "zählten in diesem Jahr rund 410.000 Fahrgäste, etwas mehr als im Vorjahr.\n\n"
            "Über den Winter werden die Schiffe in der Werft überholt; zwei ältere "
            "Tragflügelboote erhalten neue Motoren. Der Frachtverkehr läuft je nach Eislage "
            "noch bis Ende November weiter.\n\n"
            "Weiterlesen\n"
            "https://rjabinovy-vestnik.example/news/2026/10/30/navigatsiya"
        ),
        original_url="https://rjabinovy-vestnik.example/news/2026/10/30/navigatsiya",
        tags=("Verkehr", "Häfen"),
    ),
    DemoPost(
        title="Nachtbaustelle: Zubringer zur Küstenautobahn bis Mittwoch gesperrt",
        source="Nordkurier Rundschau",
        local_time="2026-11-02T00:20",
        body=(
            "Seit Mitternacht ist der Zubringer zwischen Nordhafen-Ost und der Küstenautobahn "
            "in beide Richtungen gesperrt. Bis Mittwochfrüh wird dort die Fahrbahndecke "
            "erneuert; gearbeitet wird rund um die Uhr.\n\n"
            "Die Umleitung führt über die Deichstraße und ist ausgeschildert. Für Lastwagen "
            "über 7,5 Tonnen empfiehlt die Straßenmeisterei, die Anschlussstelle Werftviertel "
            "zu nutzen.\n\n"
            "Weiterlesen\n"
            "https://www.nordkurier-rundschau.example/artikel/40388"
        ),
        original_url="https://www.nordkurier-rundschau.example/artikel/40388",
        tags=("Verkehr",),
    ),
    DemoPost(
        title="Der lange Weg zur Schiene (II)",
        source="Der Zeitspiegel",
        local_time="2026-11-02T07:05",
        body=(
            "Im zweiten Teil geht es um das Geld. Rund 310 Millionen Euro soll die "
            "Reaktivierung der Strecke kosten, den größten Teil tragen Bund und Land. Die "
            "Gemeinden entlang der Trasse zahlen für Bahnhofsumfeld, Parkplätze und "
            "Radabstellanlagen – und ringen darum, wer welchen Anteil übernimmt.\n\n"
            "Ein Gutachten rechnet mit 3.800 Fahrgästen pro Werktag. Das klingt nach wenig, "
            "reicht aber für einen Stundentakt, der in den Hauptverkehrszeiten auf einen "
            "Halbstundentakt verdichtet werden soll. Entscheidend sei, dass die Anschlüsse in "
            "Nordhafen passen, sagen Fahrgastverbände.\n\n"
            "Weiterlesen\n"
            "https://zeitspiegel.example/reportage/der-lange-weg-zur-schiene-2"
        ),
        original_url="https://zeitspiegel.example/reportage/der-lange-weg-zur-schiene-2",
        tags=("Bahn",),
    ),
    DemoPost(
        title="Solarpark auf ehemaliger Mülldeponie liefert ersten Strom",
        source="Alpenländische Wirtschaftszeitung",
        local_time="2026-11-02T09:40",
        body=(
            "Wo bis 2009 der Hausmüll des Bezirks abgelagert wurde, stehen jetzt 21.000 "
            "Solarmodule. Der Solarpark auf der ehemaligen Deponie bei Rabenfels hat in der "
            "vergangenen Woche erstmals Strom ins Netz eingespeist und soll rechnerisch rund "
            "6.000 Haushalte versorgen.\n\n"
            "Weil der Deponiekörper nicht durchbohrt werden darf, stehen die Gestelle auf "
            "Betonfundamenten, die auf der Abdeckschicht aufliegen. Zwischen den Modulreihen "
            "weiden künftig Schafe, die das Gras kurz halten.\n\n"
            "Der Betreiber, ein Zusammenschluss aus Stadtwerken und einer "
            "Bürgergenossenschaft, will die Hälfte des Gewinns in weitere Projekte im Bezirk "
            "stecken.\n\n"
            "Weiterlesen\n"
            "https://www.alpenwirtschaft.example/energie/solarpark-deponie-rabenfels"
        ),
        original_url="https://www.alpenwirtschaft.example/energie/solarpark-deponie-rabenfels",
        tags=("Energie", "Umwelt"),
    ),
    DemoPost(
        title="Bibliotheken verlängern im Winter ihre Öffnungszeiten",
        source="Nordkurier Rundschau",
        local_time="2026-11-02T11:55",
        body="",
        original_url="https://nordkurier-rundschau.example/artikel/40402",
        tags=("Kultur", "Stadt"),
    ),
    DemoPost(
        title="Handballerinnen gewinnen Pokalspiel nach Verlängerung",
        source="Nordkurier Rundschau",
        local_time="2026-11-02T15:30",
        body=(
            "Mit 31:29 nach Verlängerung haben sich die Handballerinnen des TSV Nordhafen am "
            "Sonntag ins Viertelfinale des Landespokals gekämpft. Vor 1.400 Zuschauern in der "
            "Kanalhalle lag die Mannschaft zur Pause noch mit vier Toren zurück.\n\n"
            "Im Viertelfinale wartet Anfang Dezember der Tabellenführer der Oberliga. Karten "
            "gibt es ab kommender Woche an der Hallenkasse.\n\n"
            "Weiterlesen\n"
            "https://nordkurier-rundschau.example/sport/40411"
        ),
        original_url="https://nordkurier-rundschau.example/sport/40411",
        tags=("Sport",),
    ),
    DemoPost(
        title="Neue Getreidesorten sollen Trockenperioden besser überstehen",
        source="Rjabinowy Westnik",
        local_time="2026-11-02T19:45",
        body=(
            "https://www.rjabinovy-vestnik.example/news/2026/11/02/selektsiya\n\n"
            "Ein Züchtungsinstitut in der Region hat drei neue Sommerweizensorten zur "
            "staatlichen Prüfung angemeldet. Sie sollen auch dann stabile Erträge bringen, "
            "wenn im Juni mehrere Wochen lang kein Regen fällt.\n\n"
            "Die Sorten wurden in den vergangenen sechs Jahren auf Versuchsfeldern in drei "
            "Klimazonen getestet. Im Mittel lagen die Erträge in trockenen Jahren um zwölf "
            "Prozent über denen der bisher verbreiteten Sorten.\n\n"
            "Saatgut für landwirtschaftliche Betriebe könnte nach Angaben des Instituts "
            "frühestens 2028 in größeren Mengen verfügbar sein."
        ),
        original_url="https://www.rjabinovy-vestnik.example/news/2026/11/02/selektsiya",
        credit="Übersetzung Kollektiv Zwischenzeilen",
        tags=("Landwirtschaft", "Wissenschaft"),
    ),
    DemoPost(
        title="Stadtrat beschließt Sanierung der Fußgängerbrücke am Hafen",
        source="Nordkurier Rundschau",
        local_time="2026-11-04T06:15",
        body=(
            "Die Fußgängerbrücke zwischen Fischmarkt und Speicherinsel wird ab dem kommenden "
            "Frühjahr saniert. Der Stadtrat hat am Dienstagabend einstimmig 4,2 Millionen Euro "
            "für die Arbeiten freigegeben. Die Stahlkonstruktion aus den Sechzigerjahren ist "
            "stellenweise stark verrostet; seit dem Sommer dürfen nur noch zwanzig Personen "
            "gleichzeitig auf die Brücke.\n\n"
            "Während der Bauzeit soll eine Fähre im Zehnminutentakt zwischen beiden Ufern "
            "pendeln. Offen ist noch, ob die Brücke anschließend auch für Lastenräder "
            "freigegeben wird; die Verwaltung soll bis zum Jahresende prüfen, ob …"
        ),
        original_url="https://www.nordkurier-rundschau.example/artikel/40455",
        tags=("Stadt", "Verkehr"),
    ),
    DemoPost(
        title="Exportmesse für Maschinenbau meldet Besucherrekord",
        source="Alpenländische Wirtschaftszeitung",
        local_time="2026-11-04T08:30",
        body="",
        original_url="https://alpenwirtschaft.example/messe/maschinenbau-besucherrekord",
        tags=("Messe", "Wirtschaft"),
    ),
    DemoPost(
        title="Gezeitenkraftwerk: Probebetrieb beginnt im Frühjahr",
        source="Harbour Ledger",
        local_time="2026-11-04T12:45",
        body=(
            "Vor der Hafeneinfahrt von Port Ellery sind die letzten beiden Turbinen des "
            "geplanten Gezeitenkraftwerks auf dem Meeresgrund verankert worden. Der "
            "Probebetrieb soll im März beginnen, zunächst mit halber Leistung.\n\n"
            "Anders als Wind und Sonne lässt sich der Gezeitenstrom Jahre im Voraus berechnen. "
            "Genau das macht die Anlage für den Netzbetreiber interessant, der mit ihr die "
            "Steuerung eines kleinen Inselnetzes erproben will.\n\n"
            "Weiterlesen\n"
            "https://harbour-ledger.example/news/2026/11/tidal-plant-trial"
        ),
        original_url="https://harbour-ledger.example/news/2026/11/tidal-plant-trial",
        tags=("Energie", "Häfen"),
    ),
    DemoPost(
        title="Maisfest im Hochtal: Ein Dorf feiert seine Ernte",
        source="Diario del Altiplano",
        local_time="2026-11-04T17:10",
        body=(
            "Drei Tage lang hat das Dorf San Ciriaco del Valle die Maisernte gefeiert. Auf dem "
            "Hauptplatz waren Kolben in mehr als vierzig Farben ausgestellt, von fast weißen "
            "bis zu tief violetten Sorten, deren Saatgut nur in wenigen Familien weitergegeben "
            "wird.\n\n"
            "Den Abschluss bildete ein Umzug, bei dem die Nachbarschaften mit geschmückten "
            "Karren durch die Gassen zogen. (Foto: Archiv Diario del Altiplano)\n\n"
            "Weiterlesen\n"
            "https://www.diario-altiplano.example/cultura/2026/11/fiesta-del-maiz"
        ),
        original_url="https://www.diario-altiplano.example/cultura/2026/11/fiesta-del-maiz",
        tags=("Kultur", "Landwirtschaft"),
    ),
    DemoPost(
        title="Wetterrückblick Oktober: mild, nass und stürmisch",
        source=None,
        local_time="2026-11-04T22:05",
        body=(
            "Der Oktober war im Küstenland rund 1,8 Grad wärmer als im langjährigen Mittel. "
            "Dazu fiel mit 96 Litern pro Quadratmeter fast anderthalbmal so viel Regen wie "
            "üblich; allein das Sturmtief in der dritten Woche brachte an einem Tag mehr als "
            "30 Liter.\n\n"
            "Die Sonne schien gut 90 Stunden und damit etwas weniger als in einem "
            "durchschnittlichen Oktober. Erst in der letzten Nacht des Monats meldeten mehrere "
            "Stationen im Binnenland leichten Frost."
        ),
        tags=("Wetter",),
    ),
    DemoPost(
        title="Fernwärmenetz wächst um 14 Kilometer",
        source="Nordkurier Rundschau",
        local_time="2026-11-05T07:20",
        body=(
            "Die Stadtwerke Nordhafen wollen ihr Fernwärmenetz in den nächsten vier Jahren um "
            "14 Kilometer verlängern. Zuerst sind das Werftviertel und die Siedlung am "
            "Lotsenberg an der Reihe, wo viele ältere Gasheizungen ersetzt werden müssen.\n\n"
            "Die Wärme soll zu einem wachsenden Teil aus einer Großwärmepumpe kommen, die dem "
            "Hafenwasser Energie entzieht. Eigentümer können ab Januar in einem "
            "Online-Verzeichnis nachsehen, wann ihre Straße an der Reihe ist.\n\n"
            "Weiterlesen\n"
            "https://nordkurier-rundschau.example/artikel/40481"
        ),
        original_url="https://nordkurier-rundschau.example/artikel/40481",
        tags=("Energie", "Stadt"),
    ),
    DemoPost(
        title="Strecke nach Kaltenbach: Planfeststellung abgeschlossen",
        source="Der Zeitspiegel",
        local_time="2026-11-05T09:00",
        body=(
            "https://www.zeitspiegel-magazin.example/kurz/planfeststellung-kaltenbach\n\n"
            "Für die Reaktivierung der Bahnstrecke zwischen Nordhafen und Kaltenbach liegt nun "
            "der Planfeststellungsbeschluss vor. Damit darf gebaut werden; die ersten Arbeiten "
            "an Brücken und Durchlässen sollen im Sommer beginnen.\n\n"
            "Gegen den Beschluss kann innerhalb eines Monats geklagt werden. Der "
            "Fahrgastbetrieb ist weiterhin für Ende 2029 geplant."
        ),
        original_url="https://www.zeitspiegel-magazin.example/kurz/planfeststellung-kaltenbach",
        tags=("Bahn",),
    ),
    DemoPost(
        title="Uhrenmuseum erhält eine historische Turmuhr",
        source="Rjabinowy Westnik",
        local_time="2026-11-05T11:30",
        body="",
        original_url="https://rjabinovy-vestnik.example/news/2026/11/05/chasy",
        tags=("Kultur",),
    ),
    DemoPost(
        title="Windkraft: Gemeinden sollen stärker am Ertrag beteiligt werden",
        source="Alpenländische Wirtschaftszeitung",
        local_time="2026-11-05T14:15",
        body=(
            "Gemeinden, auf deren Gebiet neue Windräder entstehen, sollen künftig pro "
            "erzeugter Kilowattstunde eine feste Abgabe erhalten. Ein entsprechender Entwurf "
            "liegt dem Landtag vor und soll noch vor Weihnachten beschlossen werden.\n\n"
            "Für ein durchschnittliches Windrad kämen so rund 25.000 Euro im Jahr zusammen. "
            "Die Betreiber können die Abgabe teilweise mit ihren Pachtzahlungen verrechnen. "
            "Umweltverbände begrüßen den Entwurf, Wirtschaftsvertreter fordern eine "
            "Obergrenze.\n\n"
            "Weiterlesen\n"
            "https://alpenwirtschaft.example/energie/windkraft-beteiligung"
        ),
        original_url="https://alpenwirtschaft.example/energie/windkraft-beteiligung",
        tags=("Energie", "Wirtschaft"),
    ),
    DemoPost(
        title="Sternwarte im Hochland veröffentlicht ihre erste Himmelskarte",
        source="Diario del Altiplano",
        local_time="2026-11-05T16:50",
        body=(
            "Die neue Sternwarte auf dem Cerro Lucero hat nach zweijähriger Testphase ihre "
            "erste vollständige Himmelskarte veröffentlicht. Sie verzeichnet mehr als 40 "
            "Millionen Sterne und Galaxien des südlichen Himmels und ist frei im Netz "
            "zugänglich.\n\n"
            "Die Anlage liegt auf 4.600 Metern Höhe, wo die Luft trocken und der Himmel "
            "außergewöhnlich dunkel ist. Schulen aus der Region können über ein Programm der "
            "Sternwarte eigene Beobachtungszeit beantragen.\n\n"
            "Weiterlesen\n"
            "https://diario-altiplano.example/ciencia/2026/11/primer-mapa-del-cielo"
        ),
        original_url="https://diario-altiplano.example/ciencia/2026/11/primer-mapa-del-cielo",
        tags=("Wissenschaft",),
    ),
    DemoPost(
        title="Leuchtturmmuseum öffnet nach Restaurierung wieder",
        source="Harbour Ledger",
        local_time="2026-11-05T20:30",
        body="",
        original_url="https://www.harbour-ledger.example/news/2026/11/lighthouse-museum-reopens",
        tags=("Kultur", "Häfen"),
    ),
)
