"""A small bilingual dictionary: feedback words in nl, de, fr and es -> their English twin.

The category head learns most of what it knows about real feedback from English reviews
(data/real/), and nl / de / fr / es feedback shares none of their words. With this table
the feature extractor adds a shared *concept* feature next to the original word: ``appli``
and ``app`` both give ``t:app``, ``plante`` and ``crashes`` both give ``t:crashes``, so what
the category head learns from English reviews applies to the same idea in the other four
languages. The original word stays a feature, so nothing the model knew before is lost. Only
the category head uses the ``t:`` features (train.py): the tone heads are trained on the
hand-written set alone, where "merci" in "merci d'ajouter" is politeness, not praise.

Keys are folded like everything else (lower case, no accents: text.normalize). Only content
words with one clear meaning in feedback are listed; function words are left out on
purpose (they carry style, not intent). A value may hold several English words.
"""

from __future__ import annotations


def _table(pairs: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for line in pairs.strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        english, foreign = line.split(":", 1)
        for word in foreign.split():
            out[word] = tuple(english.split("+"))
    return out


_PAIRS = """
# english: nl de fr es (folded forms and common inflections)
app: appli applis application applications aplicacion aplicaciones
game: jeu jeux spel spiel juego
crashes: plante plantage plantages crasht crashen stuerzt
crashes: sturzt absturz absturze abstuerze crashea cuelga
bug: beug beugs bugue buggue bogue fout fouten fehler errores
freezes: fige figee bloque vastloopt hangt einfriert friert congela congelada
slow: lent lente lenteur rame traag langsam lento lenta
works: marche fonctionne marchent fonctionnent werkt
works: werken funktioniert funktionieren funciona funcionan
error: erreur foutmelding fehlermeldung
problem: probleme problemes souci soucis probleem problemen probleme problema problemas
login: connexion connecter inloggen aanmelden anmelden einloggen anmeldung
account: compte konto cuenta
password: mdp wachtwoord passwort contrasena
update: maj mise aktualisierung actualizacion actualizar
add: ajouter ajoutez ajout rajouter toevoegen voeg
add: hinzufugen hinzufuegen einbauen anadir agregar anadid agregad
option: possibilite optie moglichkeit opcion
feature: fonctionnalite fonctionnalites functie functies funktion funktionen funcion funciones
missing: manque ontbreekt fehlt falta
please: svp veuillez graag alsjeblieft bitte porfa
thanks: merci bedankt dank danke gracias
great: super genial geniale excellent excellente top
great: geweldig fantastisch toll klasse genial excelente
perfect: parfait parfaite perfect perfekt perfecto perfecta
good: bien bon bonne goed gut bueno buena
love: adore adorer liebe encanta
useless: nul nulle inutile nutteloos nutzlos inutil
worst: pire slechtste schlechteste peor
terrible: horrible catastrophique vreselijk schrecklich horrible
ads: pub pubs publicite publicites reclame reclames werbung anuncios publicidad
pay: payer payant betalen bezahlen pagar
subscription: abonnement suscripcion
recommend: recommande aanrader aanbevelen empfehlen empfehle recomiendo
download: telecharger telecharge downloaden herunterladen descargar
useful: utile handig nuetzlich nutzlich util
easy: facile makkelijk einfach facil
screen: ecran scherm bildschirm pantalla
black: noir zwart schwarz negra negro
open: ouvre ouvrir ouvert openen opent offnen oeffnen abre abrir
load: charger chargement laden cargar carga
star: etoile etoiles ster sterren stern sterne estrella estrellas
phone: telephone telefoon telefono movil
sync: synchronisation synchro synchroniser synchroniseren synchronisieren sincronizar
dark: sombre donker dunkel oscuro
language: langue taal sprache idioma
fix: corriger corrigez repareren oplossen beheben arreglar arreglad
refund: rembourse remboursement rembourser terugbetaling erstattung reembolso
uninstalled: desinstalle desinstallee verwijderd deinstalliert desinstalado
scam: arnaque oplichting betrug estafa
notification: melding meldingen benachrichtigung notificacion notificaciones
"""

TRANSLATIONS: dict[str, tuple[str, ...]] = _table(_PAIRS)
# The English words themselves, so an English text gets the same "t:" feature as its twin.
TARGETS: frozenset[str] = frozenset(e for twins in TRANSLATIONS.values() for e in twins)
