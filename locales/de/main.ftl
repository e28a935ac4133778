# devpulse: what members see, in German (formal "Sie").
#
# Same ids as ../en/main.ftl, which explains the format. Terms used
# throughout: Umfrage (survey), Umfragerunde (survey cycle), Reibung /
# Reibungsbericht / Reibungsprotokoll (friction / friction report / friction
# log), Plattform-Team, Teamleitung (team lead), „Betrifft mich auch“ (me too),
# % positiv (% favourable). Write no HTML, `<`, `>` or `&`.

## Every page: the layout (templates/base.html).

base-skip = Zum Inhalt springen
base-footer = devpulse · Antworten sind anonym.
base-footer-k = devpulse · Antworten sind anonym: Für Gruppen mit weniger als { $k } Personen wird kein Ergebnis angezeigt.

## Shared by several pages.

common-team-results-link = Ergebnisse Ihres Teams
common-error-prefix = Fehler:
common-your-page = Ihre Seite
common-area = Bereich
common-hidden = verborgen
common-not-saved = Ihre Antworten sind noch nicht gespeichert
common-problems = { $n ->
    [one] Es gibt ein Problem
   *[other] Es gibt { $n } Probleme
}

## The front page (pages/home.html).

home-title = Start
home-intro = Umfragen zur Developer Experience und ein Reibungsprotokoll für Plattform-Teams: was Ihre Entwicklerinnen und Entwickler ausbremst, nach Priorität geordnet, mit einer Anonymität, der sie vertrauen können.
home-instance = Diese Instanz
home-teams = Teams
home-active-members = Aktive Mitglieder
home-surveys = Umfragen
home-open-cycles = Offene Umfragerunden
home-closed-cycles = Abgeschlossene Umfragerunden
home-open-friction = Offene Reibungsberichte
home-developer = Für Entwicklerinnen und Entwickler
home-dev-link-intro = Ihre persönliche Seite ist der Link in den E-Mails, die devpulse Ihnen geschickt hat
home-dev-lost = Link verloren?
home-dev-get-link = Per E-Mail anfordern
home-dev-more = Dort beantworten Sie offene Umfragen und melden Reibung in weniger als einer Minute. Umfrageantworten sind anonym: Für Gruppen mit weniger als { $k } Personen wird kein Ergebnis angezeigt, und keine Antwort wird mit Ihnen verknüpft.
home-platform = Für das Plattform-Team
home-sign-in = In der Konsole anmelden
home-admin-added = ein Admin wird angelegt mit
home-token = Ein API-Token erstellen:
home-token-use = dann die JSON-API nutzen, beschrieben im
home-openapi = OpenAPI-Dokument
home-priorities = Die Prioritäten der letzten abgeschlossenen Runde:
home-or = oder
home-health = Betriebszustand:

## Getting one's link by email (pages/lost_link.html).

lost-title = Ihr Link
lost-heading = Persönlichen Link anfordern
lost-sent = Wenn die Adresse zu einem Mitglied gehört, ist der Link unterwegs. Sehen Sie in einer Minute in Ihr Postfach.
lost-intro = Geben Sie die dienstliche E-Mail-Adresse ein, an die devpulse schreibt. Gehört sie zu einem Mitglied, schicken wir ihm seinen persönlichen Link; die Antwort ist in jedem Fall dieselbe.
lost-email = E-Mail
lost-submit = Link per E-Mail senden

## The survey form (pages/survey.html).

survey-anonymity = So wird Ihre Anonymität geschützt
survey-anonymity-stored = Ihre Antworten werden nur mit Ihrem Team und dem heutigen Datum gespeichert: nie mit Ihrem Namen, Ihrer E-Mail-Adresse oder diesem Link.
survey-anonymity-link = Dieser Link hält nur fest, dass er benutzt wurde, nicht welche Antworten er gesendet hat.
survey-anonymity-k = Für Gruppen mit weniger als { $k } Personen wird kein Ergebnis angezeigt, und Ergebnisse erscheinen erst, nachdem die Umfrage am { $closes-on } endet.
survey-parts = Teile der Umfrage
survey-part = Teil { $n } von { $total }: { $title }
survey-submit = Antworten senden

## One question of the survey form (partials/question.html).

question-required = (Pflichtfeld)
question-pick = Wählen Sie bis zu 3.
question-hours = Stunden pro Woche, 0 bis { $max }.
question-comment-hint = Das Plattform-Team sieht Kommentare nur für Gruppen ab 10 Personen, in zufälliger Reihenfolge und ohne Ihr Team.

## The survey form when nothing could be saved (pages/not_saved.html).

notsaved-title = Noch nicht gespeichert
notsaved-heading = Wir konnten unsere Datenbank gerade nicht erreichen
notsaved-text = Es wurde nichts gespeichert, und Ihr Link ist noch unbenutzt. Ihre Antworten sind auf dieser Seite aufbewahrt: Senden Sie sie in einer Minute erneut.
notsaved-submit = Antworten erneut senden

## A request from another site, refused (pages/refused.html).

refused-title = Abgelehnt
refused-text = Diese Anfrage kam von einer anderen Website und wurde deshalb abgelehnt. Es wurde nichts geändert.
refused-kept = Wenn Sie sie selbst gesendet haben, finden Sie hier Ihre Eingaben zum Kopieren, bevor Sie es auf der Seite von devpulse erneut versuchen:
refused-home = Zu devpulse

## The member's own page (pages/member.html).

member-title = Ihre Seite
member-heading = Ihre devpulse-Seite
member-team-line = Team { $team }. Diese Seite gehört Ihnen: Geben Sie ihren Link nicht weiter.
member-results-link = Was aus den Umfragen wurde: Sie haben gesagt, wir haben gehandelt
member-renewed = Das ist Ihr neuer Link: Der alte funktioniert nicht mehr. Wir haben ihn Ihnen auch per E-Mail geschickt; setzen Sie ein Lesezeichen auf diese Seite.
member-surveys = Umfragen
member-answered = beantwortet, danke
member-closes-on = endet am { $date }
member-no-survey = Für Sie ist gerade keine Umfrage offen.
member-friction = Reibung melden
member-filed = Danke: Ihr Bericht steht im Reibungsprotokoll.
member-friction-hint = Stehen Sie vor einem Hindernis? Teilen Sie es dem Plattform-Team in weniger als einer Minute mit. Ihr Team wird erfasst; Ihr Name wird nur gespeichert, wenn Sie eine Rückmeldung wünschen.
member-area = Bereich
member-choose-area = Bereich wählen…
member-minutes = Verlorene Minuten pro Vorfall
member-frequency = Wie oft kommt das vor?
member-severity = Wie schlimm ist es?
member-follow-up = E-Mail an mich, sobald das Plattform-Team etwas unternimmt
member-file = Bericht einreichen
member-recent = Aktuelle offene Berichte
member-voted-added = Danke: Ihr „Betrifft mich auch“ wurde gezählt.
member-voted-already = Bei diesem Bericht haben Sie bereits „Betrifft mich auch“ angegeben.
member-all-areas = Alle Bereiche
member-search-label = Suche
member-search = Suchen
member-report = Bericht
member-me-too-col = Betrifft mich auch
member-action = Aktion
member-you-too = Sie auch
member-me-too-label = Betrifft mich auch: { $title }
member-me-too = Betrifft mich auch
member-no-match = Kein offener Bericht passt.
member-followed = Berichte, denen Sie folgen
member-on-roadmap = auf der Roadmap: { $roadmap }
member-follow-none = Sie folgen keinem Bericht. Setzen Sie beim Einreichen das Häkchen bei „E-Mail an mich“, um hier seinen Status zu sehen.
member-link = Ihr Link
member-link-hint = Link versehentlich weitergeleitet? Fordern Sie einen neuen an: Der alte Link funktioniert sofort nicht mehr, und der neue wird Ihnen per E-Mail geschickt.
member-new-link = Neuen Link anfordern

## You said, we did (pages/member_results.html).

results-title = Sie haben gesagt, wir haben gehandelt
results-intro = Was die Organisation in der Umfrage gesagt hat, die am { $date } endete ({ $responses ->
        [one] { $responses } Antwort
       *[other] { $responses } Antworten
    }), und was das Plattform-Team dagegen unternimmt. Niemandes Antworten lassen sich herauslesen: Für weniger als { $k } Personen wird keine Zahl angezeigt.
results-intro-index = Was die Organisation in der Umfrage gesagt hat, die am { $date } endete ({ $responses ->
        [one] { $responses } Antwort
       *[other] { $responses } Antworten
    }, DevEx-Index { $index }), und was das Plattform-Team dagegen unternimmt. Niemandes Antworten lassen sich herauslesen: Für weniger als { $k } Personen wird keine Zahl angezeigt.
results-hurts = Was am meisten schmerzt
results-nothing-planned = noch nichts auf der Roadmap
results-satisfied = Wie zufrieden die Menschen sind, Bereich für Bereich
results-caption = % positiv in der Organisation nach Bereich, mit der Veränderung seit der vorigen Umfrage
results-favourable = Positiv
results-change = Veränderung seit der vorigen Umfrage (Punkte)
results-new = neu
results-hidden = verborgen: { $why }
results-doing = Was das Plattform-Team unternimmt
results-since-shipped = Seit der Auslieferung: { $effect }.
results-no-roadmap = Noch steht nichts auf der Roadmap.
results-none = Noch ist keine Umfrage abgeschlossen. Sobald eine abgeschlossen ist, sehen Sie hier, was alle gesagt haben und was das Plattform-Team daraufhin unternimmt.

## A team lead's view of their team (pages/member_team.html).

team-title = Ergebnisse Ihres Teams
team-heading = { $team }: Ergebnisse Ihres Teams
team-intro = Ihr Team im Vergleich zur Organisation, Bereich für Bereich, in jeder abgeschlossenen Umfrage. Eine Zahl wird nur ab { $k } Antworten angezeigt, und nur dort, wo sich daraus keine kleinere Gruppe durch Subtraktion errechnen lässt.
team-hidden-everywhere = Die Zahlen Ihres Teams sind bisher in jeder Umfrage verborgen: Zu wenige aus Ihrem Team haben geantwortet, oder ihre Anzeige würde die Antworten eines anderen Teams erkennbar machen. Zum Vergleich stehen unten die Zahlen der Organisation. Mit mehr Antworten beim nächsten Mal erscheinen die Ihres Teams.
team-caption = % positiv: Ihr Team, dann die Organisation, nach Umfrage
team-index = DevEx-Index
team-why-hidden = Warum „verborgen“: weniger als { $k } Antworten, oder die Zahl würde eine kleinere Gruppe durch Subtraktion erkennbar machen.
team-votes = Was Ihr Team verbessert sehen möchte
team-vote = { $area }: { $share } der Antwortenden Ihres Teams
team-votes-hidden = Die Stimmen Ihres Teams sind verborgen: { $why }.
team-no-survey = Noch ist keine Umfrage abgeschlossen.
team-friction = Offene Reibung Ihres Teams
team-friction-caption = Offene Reibungsberichte Ihres Teams, die meisten Stunden pro Woche zuerst
team-report = Bericht
team-status = Status
team-hours = Stunden pro Woche
team-no-friction = Ihr Team hat keinen offenen Reibungsbericht.
team-org = gesamt

## Emails (templates/emails/): subject lines, then the text and HTML parts. Text parts keep their line breaks; keep lines under 80 characters.

email-footer = Gesendet von devpulse für Ihr Plattform-Team. Umfrageantworten sind anonym: Ergebnisse werden nur für Gruppen ab { $k } Personen angezeigt, und keine Antwort wird mit Ihnen verknüpft.
email-paste = Oder kopieren Sie diese Adresse in Ihren Browser:
email-followup-asked = Sie wollten Neuigkeiten zu Ihrem Reibungsbericht
email-followup-linked-to = Er gehört zum Roadmap-Eintrag
email-followup-button = Ihre Berichte ansehen
email-followup-asked-txt = Sie wollten Neuigkeiten zu Ihrem Reibungsbericht „{ $title }“.
email-followup-linked-txt = Er gehört zum Roadmap-Eintrag „{ $roadmap-title }“ ({ $roadmap-status }).
email-followup-see-txt = Alle Berichte, denen Sie folgen, finden Sie auf Ihrer Seite:
email-followup-subject = Ihr Reibungsbericht „{ $title }“: { $headline }
email-hello = Guten Tag,
email-invitation-intro = Ihr Plattform-Team möchte wissen, was Sie ausbremst. Diese Umfrage dauert etwa drei Minuten.
email-answer-button = Umfrage beantworten
email-invitation-closes-on = Sie endet am
email-invitation-personal = Der Link ist persönlich und funktioniert einmal.
email-invitation-anonymous = Ihre Antworten sind anonym: Sie werden nur mit Ihrem Team und dem Datum gespeichert, nie mit Ihrem Namen oder diesem Link.
email-last-survey = Was aus der letzten Umfrage wurde und was das Plattform-Team getan hat:
email-results-page = Ihre Ergebnisseite
email-lead-also = Als Teamleitung außerdem:
email-personal-page-log = Ihre persönliche Seite mit offenen Umfragen und dem Reibungsprotokoll:
email-invitation-intro-txt =
    Ihr Plattform-Team möchte wissen, was Sie ausbremst. Die Umfrage
    „{ $survey-title }“ dauert etwa drei Minuten:
email-invitation-closes-txt =
    Sie endet am { $closes-on }.
    Der Link ist persönlich und funktioniert einmal.
email-invitation-anonymous-txt =
    Ihre Antworten sind anonym: Sie werden nur mit Ihrem Team und dem Datum
    gespeichert, nie mit Ihrem Namen oder diesem Link, und für Gruppen mit
    weniger als { $k } Personen wird kein Ergebnis angezeigt.
email-team-results-txt = Die Ergebnisse Ihres Teams, für Sie als Teamleitung:
email-invitation-subject = { $survey-title }: drei Minuten, anonym, endet am { $closes-on }
email-reminder-title = Erinnerung: { $survey-title }
email-reminder-heading = Haben Sie noch drei Minuten?
email-the-survey = Die Umfrage
email-closes-on = endet am
email-reminder-not-heard = , und wir haben noch nichts von Ihnen gehört.
email-reminder-only-unused = Erinnerungen gehen nur an Links, die noch nicht benutzt wurden.
email-reminder-intro-txt =
    Zur Erinnerung: Die Umfrage „{ $survey-title }“ ist noch offen, bis sie am
    { $closes-on } endet, und wir haben noch nichts von Ihnen gehört.
    Sie dauert etwa drei Minuten:
email-reminder-anonymous-txt =
    Ihre Antworten sind anonym: Für Gruppen mit weniger als { $k } Personen wird
    kein Ergebnis angezeigt, und keine Antwort wird je mit Ihnen verknüpft. Falls
    Sie schon geantwortet haben: Danke! Erinnerungen gehen nur an Links, die noch
    nicht benutzt wurden.
email-reminder-subject = Erinnerung: { $survey-title } endet am { $closes-on }
email-team-results-link = die Ergebnisse Ihres Teams
email-results-subject = { $survey-title }: die Ergebnisse sind da
email-results-heading = Die Ergebnisse sind da
email-closed-on = endete am
email-results-thanks = Danke an alle, die geantwortet haben; hier ist, was daraus wurde.
email-results-top = Was nach Ansicht der Organisation zuerst behoben werden muss und was das Plattform-Team dagegen unternimmt:
email-results-nothing-planned = Dafür steht noch nichts auf der Roadmap.
email-results-too-few = Zu wenige haben geantwortet, um Ergebnisse anzuzeigen: devpulse zeigt für weniger als { $k } Antworten kein Ergebnis, damit sich keine Antwort jemandem zuordnen lässt. Bei der nächsten Umfrage zählt Ihre Antwort.
email-results-button = Sehen, was Sie gesagt und wir getan haben
email-results-lead-see = Als Teamleitung sehen Sie hier
email-results-team-link = die Ergebnisse Ihres Teams im Vergleich zur Organisation
email-results-intro-txt =
    Die Umfrage „{ $survey-title }“ endete am { $closes-on }. Danke an alle,
    die geantwortet haben; hier ist, was daraus wurde.
email-results-top-txt =
    Was nach Ansicht der Organisation zuerst behoben werden muss und was das
    Plattform-Team dagegen unternimmt:
email-results-too-few-txt =
    Zu wenige haben geantwortet, um Ergebnisse anzuzeigen: devpulse zeigt für
    weniger als { $k } Antworten kein Ergebnis, damit sich keine Antwort jemandem
    zuordnen lässt. Bei der nächsten Umfrage zählt Ihre Antwort.
email-results-page-txt = Was Sie gesagt haben und was das Plattform-Team getan hat, sehen Sie hier:
email-results-team-txt = Als Teamleitung: die Ergebnisse Ihres Teams im Vergleich zur Organisation:
email-welcome-heading = Willkommen bei devpulse
email-welcome-added = Sie wurden in devpulse dem Team
email-welcome-where = hinzugefügt. Dort sammelt Ihr Plattform-Team Umfragen zur Developer Experience und Reibungsberichte, um zu entscheiden, was als Nächstes behoben wird.
email-open-page = Ihre persönliche Seite öffnen
email-welcome-from-there = Dort können Sie offene Umfragen beantworten und Reibung melden, sobald Sie darauf stoßen. Geben Sie den Link nicht weiter: Er funktioniert ohne Passwort.
email-welcome-added-txt =
    Sie wurden in devpulse dem Team „{ $team-name }“ hinzugefügt. Dort sammelt
    Ihr Plattform-Team Umfragen zur Developer Experience und Reibungsberichte,
    um zu entscheiden, was als Nächstes behoben wird.
email-your-page-txt = Ihre persönliche Seite:
email-welcome-from-there-txt =
    Dort können Sie offene Umfragen beantworten und Reibung melden, sobald Sie
    darauf stoßen. Geben Sie den Link nicht weiter: Er funktioniert ohne Passwort.
email-welcome-anonymous-txt =
    Umfrageantworten sind anonym: Ergebnisse werden nur für Gruppen ab { $k }
    Personen angezeigt, und keine Antwort wird je mit Ihnen verknüpft.
email-welcome-subject = Willkommen bei devpulse, { $team-name }
email-your-link-subject = Ihr devpulse-Link
email-your-link-heading = Ihre persönliche devpulse-Seite
email-your-link-intro = Hier beantworten Sie offene Umfragen und melden Reibung, sobald Sie darauf stoßen.
email-keep-link = Geben Sie den Link nicht weiter: Er funktioniert ohne Passwort.
email-your-link-intro-txt =
    Hier ist Ihre persönliche devpulse-Seite. Dort beantworten Sie offene
    Umfragen und melden Reibung, sobald Sie darauf stoßen:
email-new-link-subject = Ihr neuer devpulse-Link
email-new-link-heading = Ihr neuer persönlicher Link
email-new-link-intro-txt =
    Sie haben bei devpulse einen neuen persönlichen Link angefordert.
    Ihr alter Link funktioniert nicht mehr.
email-new-link-intro = Sie haben bei devpulse einen neuen persönlichen Link angefordert. Ihr alter Link funktioniert nicht mehr.
email-new-link-keep = Geben Sie den Link nicht weiter: Er funktioniert ohne Passwort. Wenn Sie keinen neuen Link angefordert haben, hat es jemand getan, der Ihren alten Link hatte: Dieser neue Link steht nur in dieser E-Mail.
email-new-link-keep-txt =
    Geben Sie den Link nicht weiter: Er funktioniert ohne Passwort. Wenn Sie
    keinen neuen Link angefordert haben, hat es jemand getan, der Ihren alten
    Link hatte: Dieser neue Link steht nur in dieser E-Mail.

## The default survey (src/domain/devex.rs). A platform team can reword
## it; a question is translated only while it still reads as in English.

bank-title = Check-in zur Developer Experience
bank-description = Drei Minuten, einmal im Quartal: Wie zufrieden sind Sie mit den Dingen, die Ihren Arbeitstag prägen? Die Antworten sind anonym und werden nur für Gruppen angezeigt, die groß genug sind, dass niemand herausgegriffen werden kann.
bank-q-build_test = Wie zufrieden sind Sie damit, wie schnell Sie Ihren Code bauen und testen können?
bank-q-ci = Wie zufrieden sind Sie mit der Continuous Integration: mit ihrer Geschwindigkeit und ihrer Zuverlässigkeit?
bank-q-code_review = Wie zufrieden sind Sie damit, wie schnell und wie gut Ihr Code reviewt wird?
bank-q-deploy = Wie zufrieden sind Sie damit, wie eine Änderung deployt und ausgeliefert wird?
bank-q-local_env = Wie zufrieden sind Sie mit Ihrer lokalen Entwicklungsumgebung?
bank-q-docs = Wie zufrieden sind Sie mit der Dokumentation, die Sie für Ihre Arbeit brauchen?
bank-q-codebase = Wie zufrieden sind Sie damit, wie leicht sich die Codebasis verstehen und ändern lässt?
bank-q-debugging = Wie zufrieden sind Sie mit den Werkzeugen zum Debuggen und Beobachten Ihrer Systeme?
bank-q-cross_team = Wie zufrieden sind Sie damit, wie Sie von anderen Teams bekommen, was Sie brauchen?
bank-q-change_confidence = Wie sicher sind Sie, dass eine Änderung nicht unerwartet etwas kaputt macht?
bank-q-deep_work = Wie zufrieden sind Sie mit der Zeit, die Sie für konzentrierte, ungestörte Arbeit haben?
bank-q-planning = Wie zufrieden sind Sie damit, wie klar Ihre Prioritäten und Pläne sind?
bank-q-on_call = Wie zufrieden sind Sie mit Ihrer Belastung durch Rufbereitschaft?
bank-q-incident_response = Wie zufrieden sind Sie damit, wie mit Störungen umgegangen wird?
bank-q-priority_pick = Wählen Sie bis zu drei Bereiche, deren Verbesserung Ihnen am meisten helfen würde.
bank-q-hours = Wie viele Stunden pro Woche verlieren Sie ungefähr durch Reibung in Ihren Werkzeugen und Abläufen?
bank-q-comment = Möchten Sie dem Plattform-Team sonst noch etwas mitteilen? (optional)

## The 14 default areas (first migration), translated while their name is
## still the English default.

area-build_test = Build- und Testgeschwindigkeit
area-ci = Continuous Integration
area-code_review = Code-Review
area-deploy = Deployment und Release
area-local_env = Lokale Entwicklungsumgebung
area-docs = Dokumentation
area-codebase = Codebasis und technische Schulden
area-debugging = Debugging und Observability
area-cross_team = Teamübergreifende Zusammenarbeit
area-change_confidence = Sicherheit bei Änderungen
area-deep_work = Zeit für konzentrierte Arbeit
area-planning = Planung und Prioritäten
area-on_call = Belastung durch Rufbereitschaft
area-incident_response = Umgang mit Störungen

## The survey form's answers and parts (src/routes/pages.rs).

likert-1 = Sehr unzufrieden
likert-2 = Unzufrieden
likert-3 = Neutral
likert-4 = Zufrieden
likert-5 = Sehr zufrieden
section-feedback_loops = Feedback-Schleifen
section-cognitive_load = Kognitive Belastung
section-flow_state = Flow
section-other = Mehr über Ihre Arbeit
section-priorities = Prioritäten und Zeit
survey-problem-question = Frage { $n }: { $message }
survey-too-large = Das Formular ist größer als { $n } KiB, daher wurde nichts gespeichert. Kürzen Sie Ihren Kommentar und senden Sie es erneut.
survey-unsaved = Wir konnten unsere Datenbank gerade nicht erreichen, daher wurde nichts gespeichert, und Ihr Link ist noch unbenutzt. Ihre Antworten stehen noch in diesem Formular: Senden Sie es in einer Minute erneut.

## Notice pages: a heading and a sentence.

notice-answered-heading = Bereits beantwortet
notice-answered = Dieser Umfragelink wurde bereits benutzt. Danke für Ihre Teilnahme.
notice-closed-heading = Diese Umfrage ist beendet
notice-closed = Diese Umfrage nimmt keine Antworten mehr an. Die nächste kommt per E-Mail.
notice-unavailable-heading = Bitte versuchen Sie es erneut
notice-unavailable = Wir konnten unsere Datenbank gerade nicht erreichen. Es wurde nichts gespeichert: Versuchen Sie es in einer Minute erneut.
notice-conflict-heading = Das hat nicht geklappt
notice-invalid-heading = Bitte prüfen Sie Ihre Eingaben
notice-broken-heading = Etwas ist schiefgegangen
notice-broken = Bei uns ist etwas schiefgegangen. Der Fehler wurde protokolliert, und es wurde nichts gespeichert.
notice-compressed-heading = Das Formular kam nicht als Formular an
notice-compressed = Komprimierte Formulare werden nicht angenommen, daher wurde nichts gespeichert. Gehen Sie zurück und senden Sie es erneut.
notice-partial-heading = Das Formular kam nicht vollständig an
notice-partial = Es wurde nichts gespeichert. Gehen Sie zurück und senden Sie es erneut.
notice-thanks-heading = Vielen Dank
notice-thanks = Ihre Antworten sind gespeichert, ohne Ihren Namen und ohne Ihren Link. Ergebnisse erscheinen, sobald die Umfrage beendet ist, und nur für Gruppen, die groß genug sind, dass niemand herausgegriffen werden kann.
notice-limited-heading = Das ist eine Menge Reibung
notice-limited = Sie haben in der letzten Stunde viele Berichte eingereicht. Bitte versuchen Sie es in { $minutes ->
        [one] einer Minute
       *[other] { $minutes } Minuten
    } erneut.
notice-back-to-page = Zurück zu Ihrer Seite
notice-lead-only = Diese Seite ist für Teamleitungen. Bitten Sie das Plattform-Team, Sie als Leitung Ihres Teams einzutragen.

## The friction form on the member's page (src/routes/member.rs).

frequency-daily = Täglich
frequency-weekly = Wöchentlich
frequency-monthly = Monatlich
frequency-one_off = Nur einmal
severity-1 = 1 Kleinigkeit
severity-2 = 2 lästig
severity-3 = 3 schmerzhaft
severity-4 = 4 blockiert mich
friction-field-title = Was hat Sie ausgebremst, in einer Zeile?
friction-field-trying_to = Was wollten Sie gerade tun?
friction-field-blocked_by = Was stand Ihnen im Weg?
friction-field-expected = Was hätten Sie stattdessen erwartet? (optional)

## Statuses of friction reports and roadmap items.

status-new = neu
status-triaged = gesichtet
status-planned = geplant
status-in_progress = in Arbeit
status-done = erledigt
status-wont_fix = wird nicht behoben
status-proposed = vorgeschlagen
status-shipped = ausgeliefert
status-dropped = verworfen

## The results pages' figures (src/routes/member_results.rs).

change-up = { $n ->
    [one] um einen Punkt gestiegen
   *[other] um { $n } Punkte gestiegen
}
change-down = { $n ->
    [one] um einen Punkt gesunken
   *[other] um { $n } Punkte gesunken
}
change-unchanged = unverändert
why-fewer-than-k = weniger als { $k } Antworten
why-differencing = verborgen, damit sich keine kleinere Gruppe durch Subtraktion errechnen lässt
effect-not-measured = die Wirkung in der Umfrage ist noch nicht gemessen
effect-survey = % positiv { $change }
effect-no-survey-before = vor der Auslieferung gab es keine Umfrage zum Vergleich
effect-survey-hidden = der Vergleich in der Umfrage ist verborgen ({ $why })
effect-friction = die Reibung änderte sich von { $before } auf { $after } Stunden pro Woche
effect-friction-later = die Wirkung auf die Reibung zeigt sich 90 Tage nach der Auslieferung

## What a follow-up email says changed (src/email.rs).

email-followup-headline-status = jetzt { $status }
email-followup-change-status = Sein Status hat sich von „{ $from }“ zu „{ $to }“ geändert.
email-followup-headline-linked = auf der Roadmap
email-followup-change-linked = Das Plattform-Team hat ihn mit einem Roadmap-Eintrag verknüpft.
email-followup-headline-shipped = eine Lösung wurde ausgeliefert
email-followup-change-shipped = Der Roadmap-Eintrag „{ $item }“, mit dem er verknüpft ist, wurde ausgeliefert.

## Validation messages shown next to a form's fields.

msg-enter-number = geben Sie eine Zahl ein
msg-likert-range = muss eine ganze Zahl von 1 bis 5 sein
msg-nps-range = muss eine ganze Zahl von 0 bis 10 sein
msg-hours-range = muss eine Stundenzahl von 0 bis { $n } sein
msg-pick-at-most = wählen Sie höchstens { $n } Bereiche
msg-unknown-area = { $n } ist kein bekannter Bereich
msg-unknown-area-named = unbekannter Bereich { $n }
msg-not-a-question = { $n } ist keine Frage dieser Umfrage
msg-answered-twice = diese Frage wurde zweimal beantwortet
msg-needs-answer = diese Frage braucht eine Antwort
msg-not-utf8 = das Formular war kein gültiger UTF-8-Text
msg-not-empty = darf nicht leer sein
msg-at-most-chars = darf höchstens { $n } Zeichen lang sein
msg-control-chars = darf keine Steuerzeichen enthalten
msg-bidi = darf keine bidirektionalen Steuerzeichen enthalten (U+202A bis U+202E, U+2066 bis U+2069)
msg-minutes-range = muss zwischen 1 und { $n } Minuten (einer Woche) liegen
msg-severity-range = muss zwischen 1 (Kleinigkeit) und 4 (blockiert mich) liegen
msg-choose-area = wählen Sie den Bereich
msg-whole-minutes = geben Sie eine ganze Zahl von Minuten ein
msg-choose-severity = wählen Sie einen Schweregrad

## Dates and numbers.

date = { $day }. { $month-name } { $year }
date-long = { $weekday-name }, { $day }. { $month-name } { $year }
date-short = { $day }. { $month-name } { $year }
decimal-separator = {","}
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember
month-short-1 = Jan.
month-short-2 = Feb.
month-short-3 = März
month-short-4 = Apr.
month-short-5 = Mai
month-short-6 = Juni
month-short-7 = Juli
month-short-8 = Aug.
month-short-9 = Sept.
month-short-10 = Okt.
month-short-11 = Nov.
month-short-12 = Dez.
weekday-1 = Montag
weekday-2 = Dienstag
weekday-3 = Mittwoch
weekday-4 = Donnerstag
weekday-5 = Freitag
weekday-6 = Samstag
weekday-7 = Sonntag
