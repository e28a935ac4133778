# devpulse: what members see, in English (the reference and the fallback).
#
# For translators: each line `id = text` is one message; keep the id, change
# the text. `{ $name }` is filled in by devpulse (a date, a number, a title);
# keep it, move it where your language needs it. A message may run over
# several lines when each further line is indented; e-mail texts keep their
# line breaks. Write no HTML, `<`, `>` or `&`: the pages put links and bold
# text around the messages. `{ $n -> [one] … *[other] … }` chooses by number.

## Every page: the layout (templates/base.html).

base-skip = Skip to content
base-footer = devpulse · answers are anonymous.
base-footer-k = devpulse · answers are anonymous: no result is shown for a group of fewer than { $k } people.

## Shared by several pages.

common-team-results-link = Your team's results
common-error-prefix = Error:
common-your-page = Your page
common-area = Area
common-hidden = hidden
common-not-saved = Your answers are not saved yet
common-problems = { $n ->
    [one] There is a problem
   *[other] There are { $n } problems
}

## The front page (pages/home.html).

home-title = Home
home-intro = Developer-experience surveys and a friction log for platform teams: what slows your developers down, ranked, with anonymity they can trust.
home-instance = This instance
home-teams = Teams
home-active-members = Active members
home-surveys = Surveys
home-open-cycles = Open survey cycles
home-closed-cycles = Closed survey cycles
home-open-friction = Open friction reports
home-developer = If you are a developer
home-dev-link-intro = Your personal page is the link in the emails devpulse sent you
home-dev-lost = lost it?
home-dev-get-link = Get it by email
home-dev-more = From there you answer open surveys and report friction in under a minute. Survey answers are anonymous: no result is shown for a group of fewer than { $k } people, and no answer is linked to you.
home-platform = If you are on the platform team
home-sign-in = Sign in to the console
home-admin-added = an admin is added with
home-token = Create an API token:
home-token-use = then use the JSON API described in
home-openapi = the OpenAPI document
home-priorities = The ranked priorities of the latest closed cycle:
home-or = or
home-health = Health:

## Getting one's link by email (pages/lost_link.html).

lost-title = Your link
lost-heading = Get your personal link
lost-sent = If that address belongs to a member, their link is on its way. Check your inbox in a minute.
lost-intro = Enter the work email devpulse writes to. If it belongs to a member, we email them their personal link; we say the same either way.
lost-email = Email
lost-submit = Email me my link

## The survey form (pages/survey.html).

survey-anonymity = How your anonymity is protected
survey-anonymity-stored = Your answers are stored with your team and today's date only: never with your name, your email or this link.
survey-anonymity-link = This link only records that it was used, not which answers it sent.
survey-anonymity-k = No result is shown for a group of fewer than { $k } people, and results only appear after the survey closes on { $closes-on }.
survey-parts = Survey parts
survey-part = Part { $n } of { $total }: { $title }
survey-submit = Send my answers

## One question of the survey form (partials/question.html).

question-required = (required)
question-pick = Pick up to 3.
question-hours = Hours per week, 0 to { $max }.
question-comment-hint = Shown to the platform team only for groups of at least 10 people, in random order and without your team.

## The survey form when nothing could be saved (pages/not_saved.html).

notsaved-title = Not saved yet
notsaved-heading = We could not reach our database just now
notsaved-text = Nothing was saved, and your link is still unused. Your answers are kept in this page: send them again in a minute.
notsaved-submit = Send my answers again

## A request from another site, refused (pages/refused.html).

refused-title = Refused
refused-text = This request came from another site, so it was refused. Nothing was changed.
refused-kept = If you sent it yourself, here is what you typed, to copy before you try again from devpulse's own page:
refused-home = Go to devpulse

## The member's own page (pages/member.html).

member-title = Your page
member-heading = Your devpulse page
member-team-line = Team { $team }. This page is yours: keep its link to yourself.
member-results-link = What came of the surveys: you said, we did
member-renewed = This is your new link: the old one no longer works. We emailed it to you too; bookmark this page.
member-surveys = Surveys
member-answered = answered, thank you
member-closes-on = closes on { $date }
member-no-survey = No survey is open for you right now.
member-friction = Report friction
member-filed = Thank you: your report is in the friction log.
member-friction-hint = Hit a wall? Tell the platform team in under a minute. Your team is recorded; your name is stored only if you ask to hear back.
member-area = Area
member-choose-area = Choose the area…
member-minutes = Minutes lost each time
member-frequency = How often does it happen?
member-severity = How bad is it?
member-follow-up = Email me when the platform team does something about it
member-file = File the report
member-recent = Recent open reports
member-voted-added = Thanks: your "me too" is counted.
member-voted-already = You already said "me too" to that one.
member-all-areas = All areas
member-search-label = Search
member-search = Search
member-report = Report
member-me-too-col = Me too
member-action = Action
member-you-too = you too
member-me-too-label = Me too: { $title }
member-me-too = Me too
member-no-match = No open report matches.
member-followed = Reports you follow
member-on-roadmap = on the roadmap: { $roadmap }
member-follow-none = You follow no report. Tick "Email me" when you file one to see its status here.
member-link = Your link
member-link-hint = Forwarded your link by mistake? Get a new one: the old link stops working at once, and the new one is emailed to you.
member-new-link = Get a new link

## You said, we did (pages/member_results.html).

results-title = You said, we did
results-intro = What the organisation said in the survey that closed on { $date } ({ $responses } answers), and what the platform team is doing about it. Nobody's answers can be told apart: no figure is shown for fewer than { $k } people.
results-intro-index = What the organisation said in the survey that closed on { $date } ({ $responses } answers, DevEx index { $index }), and what the platform team is doing about it. Nobody's answers can be told apart: no figure is shown for fewer than { $k } people.
results-hurts = What hurts most
results-nothing-planned = nothing on the roadmap yet
results-satisfied = How satisfied people are, area by area
results-caption = % favourable of the organisation by area, with the change since the previous survey
results-favourable = Favourable
results-change = Change since the survey before (points)
results-new = new
results-hidden = hidden: { $why }
results-doing = What the platform team is doing
results-since-shipped = Since it shipped: { $effect }.
results-no-roadmap = Nothing is on the roadmap yet.
results-none = No survey has closed yet. Once one has, you will see here what everyone said and what the platform team does about it.

## A team lead's view of their team (pages/member_team.html).

team-title = Your team's results
team-heading = { $team }: your team's results
team-intro = Your team against the organisation, area by area, in every closed survey. A figure is shown only for at least { $k } answers, and only where it does not let a smaller group be worked out by subtraction.
team-hidden-everywhere = Your team's figures are hidden in every survey so far: too few of your team answered, or showing them would let another team's answers be worked out. The organisation's figures are below for reference. More answers next time will show your team's own.
team-caption = % favourable: your team, then the organisation, by survey
team-index = DevEx index
team-why-hidden = Why "hidden": fewer than { $k } answers, or showing the figure would let a smaller group be worked out by subtraction.
team-votes = What your team voted to improve
team-vote = { $area }: { $share } of your team's respondents
team-votes-hidden = Your team's votes are hidden: { $why }.
team-no-survey = No survey has closed yet.
team-friction = Your team's open friction
team-friction-caption = Open friction reports of your team, most hours per week first
team-report = Report
team-status = Status
team-hours = Hours per week
team-no-friction = Your team has no open friction report.
team-org = org

## Emails (templates/emails/): subject lines, then the text and HTML parts. Text parts keep their line breaks; keep lines under 80 characters.

email-footer = Sent by devpulse for your platform team. Survey answers are anonymous: results are only shown for groups of at least { $k } people, and no answer is linked to you.
email-paste = Or paste this address into your browser:
email-followup-asked = You asked to hear back about your friction report
email-followup-linked-to = It is linked to the roadmap item
email-followup-button = See your reports
email-followup-asked-txt = You asked to hear back about your friction report "{ $title }".
email-followup-linked-txt = It is linked to the roadmap item "{ $roadmap-title }" ({ $roadmap-status }).
email-followup-see-txt = See all the reports you follow on your page:
email-followup-subject = Your friction report "{ $title }": { $headline }
email-hello = Hello,
email-invitation-intro = Your platform team would like to know what slows you down. This survey takes about three minutes.
email-answer-button = Answer the survey
email-invitation-closes-on = It closes on
email-invitation-personal = The link is personal and works once.
email-invitation-anonymous = Your answers are anonymous: they are stored with your team and the date only, never with your name or this link.
email-last-survey = What came of the last survey, and what the platform team did about it:
email-results-page = your results page
email-lead-also = As a team lead, also
email-personal-page-log = Your personal page, with open surveys and the friction log:
email-invitation-intro-txt =
    Your platform team would like to know what slows you down. The survey
    "{ $survey-title }" takes about three minutes:
email-invitation-closes-txt = It closes on { $closes-on }. The link is personal and works once.
email-invitation-anonymous-txt =
    Your answers are anonymous: they are stored with your team and the date only,
    never with your name or this link, and no result is shown for a group of fewer
    than { $k } people.
email-team-results-txt = Your team's results, for you as its lead:
email-invitation-subject = { $survey-title }: three minutes, anonymous, closes { $closes-on }
email-reminder-title = Reminder: { $survey-title }
email-reminder-heading = Still three minutes?
email-the-survey = The survey
email-closes-on = closes on
email-reminder-not-heard = , and we have not heard from you yet.
email-reminder-only-unused = Reminders only go to links that have not been used.
email-reminder-intro-txt =
    A reminder: the survey "{ $survey-title }" is open until it closes on { $closes-on },
    and we have not heard from you yet. It takes about three minutes:
email-reminder-anonymous-txt =
    Your answers are anonymous: no result is shown for a group of fewer than { $k }
    people, and no answer is ever linked to you. If you already answered, thank you;
    reminders only go to links that have not been used.
email-reminder-subject = Reminder: { $survey-title } closes on { $closes-on }
email-team-results-link = your team's results
email-results-subject = { $survey-title }: the results are out
email-results-heading = The results are out
email-closed-on = closed on
email-results-thanks = Thank you to everyone who answered; here is what came of it.
email-results-top = What the organisation said needs fixing first, and what the platform team is doing about it:
email-results-nothing-planned = Nothing on the roadmap for it yet.
email-results-too-few = Too few people answered for the results to be shown: devpulse shows no result for fewer than { $k } answers, so that no answer can be traced to anyone. The next survey counts on yours.
email-results-button = See what you said, and what we did
email-results-lead-see = As a team lead, see
email-results-team-link = your team's results against the organisation
email-results-intro-txt =
    The survey "{ $survey-title }" closed on { $closes-on }. Thank you to everyone
    who answered; here is what came of it.
email-results-top-txt =
    What the organisation said needs fixing first, and what the platform team is
    doing about it:
email-results-too-few-txt =
    Too few people answered for the results to be shown: devpulse shows no result
    for fewer than { $k } answers, so that no answer can be traced to anyone.
    The next survey counts on yours.
email-results-page-txt = What you said and what the platform team did about it, on your results page:
email-results-team-txt = As a team lead, your team's results against the organisation:
email-welcome-heading = Welcome to devpulse
email-welcome-added = You have been added to the team
email-welcome-where = in devpulse, where your platform team collects developer-experience surveys and friction reports to decide what to fix next.
email-open-page = Open your personal page
email-welcome-from-there = From there you can answer open surveys and report friction the moment you hit it. Keep the link to yourself: it works without a password.
email-welcome-added-txt =
    You have been added to the team "{ $team-name }" in devpulse, where your platform team
    collects developer-experience surveys and friction reports to decide what to fix next.
email-your-page-txt = Your personal page:
email-welcome-from-there-txt =
    From there you can answer open surveys and report friction the moment you hit it.
    Keep the link to yourself: it works without a password.
email-welcome-anonymous-txt =
    Survey answers are anonymous: results are only shown for groups of at least { $k }
    people, and no answer is ever linked to you.
email-welcome-subject = Welcome to devpulse, { $team-name }
email-your-link-subject = Your devpulse link
email-your-link-heading = Your personal devpulse page
email-your-link-intro = This is where you answer open surveys and report friction the moment you hit it.
email-keep-link = Keep the link to yourself: it works without a password.
email-your-link-intro-txt =
    Here is your personal devpulse page, where you answer open surveys and report
    friction the moment you hit it:
email-new-link-subject = Your new devpulse link
email-new-link-heading = Your new personal link
email-new-link-intro = You asked devpulse for a new personal link. Your old link no longer works.
email-new-link-keep = Keep the link to yourself: it works without a password. If you did not ask for a new link, someone who had your old one did: this new link is only in this email.
email-new-link-keep-txt =
    Keep the link to yourself: it works without a password. If you did not ask for
    a new link, someone who had your old one did: this new link is only in this email.
email-new-link-intro-txt = You asked devpulse for a new personal link. Your old link no longer works.

## The default survey (src/domain/devex.rs). A platform team can reword
## it; a question is translated only while it still reads as below.

bank-title = Developer experience check-in
bank-description = Three minutes, once a quarter: how satisfied are you with the things that shape your working day? Answers are anonymous, and only shown for groups large enough that no one can be singled out.
bank-q-build_test = How satisfied are you with how fast you can build and test your code?
bank-q-ci = How satisfied are you with continuous integration: its speed and how reliable it is?
bank-q-code_review = How satisfied are you with how quickly and how well your code gets reviewed?
bank-q-deploy = How satisfied are you with getting a change deployed and released?
bank-q-local_env = How satisfied are you with your local development environment?
bank-q-docs = How satisfied are you with the documentation you need for your work?
bank-q-codebase = How satisfied are you with how easy the codebase is to understand and change?
bank-q-debugging = How satisfied are you with the tools for debugging and observing your systems?
bank-q-cross_team = How satisfied are you with getting what you need from other teams?
bank-q-change_confidence = How confident are you that a change will not break something unexpected?
bank-q-deep_work = How satisfied are you with the time you get for focused, uninterrupted work?
bank-q-planning = How satisfied are you with how clear your priorities and plans are?
bank-q-on_call = How satisfied are you with your on-call load?
bank-q-incident_response = How satisfied are you with how incidents are handled?
bank-q-priority_pick = Pick up to three areas whose improvement would help you most.
bank-q-hours = Roughly how many hours a week do you lose to friction in your tools and processes?
bank-q-comment = Anything else you want the platform team to know? (optional)

## The 14 default areas (first migration), translated while their name is
## still the default.

area-build_test = Build and test speed
area-ci = Continuous integration
area-code_review = Code review
area-deploy = Deployment and release
area-local_env = Local development environment
area-docs = Documentation
area-codebase = Codebase and tech debt
area-debugging = Debugging and observability
area-cross_team = Working across teams
area-change_confidence = Confidence in changes
area-deep_work = Time for deep work
area-planning = Planning and priorities
area-on_call = On-call load
area-incident_response = Incident response

## The survey form's answers and parts (src/routes/pages.rs).

likert-1 = Very dissatisfied
likert-2 = Dissatisfied
likert-3 = Neutral
likert-4 = Satisfied
likert-5 = Very satisfied
section-feedback_loops = Feedback loops
section-cognitive_load = Cognitive load
section-flow_state = Flow state
section-other = More about your work
section-priorities = Priorities and time
# $n is the question's number, $message what is wrong with its answer.
survey-problem-question = Question { $n }: { $message }
survey-too-large = The form is larger than { $n } KiB, so nothing was saved. Shorten your comment and send it again.
survey-unsaved = We could not reach our database just now, so nothing was saved and your link is still unused. Your answers are still in this form: send it again in a minute.

## Notice pages: a heading and a sentence.

notice-answered-heading = Already answered
notice-answered = This survey link has already been used. Thank you for taking part.
notice-closed-heading = This survey has closed
notice-closed = This survey no longer takes answers. The next one will arrive by email.
notice-unavailable-heading = Please try again
notice-unavailable = We could not reach our database just now. Nothing was saved: try again in a minute.
notice-conflict-heading = That did not work
notice-invalid-heading = Please check what you entered
notice-broken-heading = Something went wrong
notice-broken = Something went wrong on our side. It has been logged, and nothing was saved.
notice-compressed-heading = The form did not arrive as a form
notice-compressed = Compressed forms are not accepted, so nothing was saved. Go back and send it again.
notice-partial-heading = The form did not arrive whole
notice-partial = Nothing was saved. Go back and send it again.
notice-thanks-heading = Thank you
notice-thanks = Your answers are stored, without your name and without your link. Results appear once the survey has closed, and only for groups of enough people that no one can be singled out.
notice-limited-heading = That is a lot of friction
notice-limited = You have filed many reports in the last hour. Please try again in { $minutes } minutes.
notice-back-to-page = Back to your page
notice-lead-only = This page is for team leads. Ask the platform team to mark you as your team's lead.

## The friction form on the member's page (src/routes/member.rs).

frequency-daily = Daily
frequency-weekly = Weekly
frequency-monthly = Monthly
frequency-one_off = Just once
severity-1 = 1 papercut
severity-2 = 2 annoying
severity-3 = 3 painful
severity-4 = 4 blocker
friction-field-title = In one line, what slowed you down?
friction-field-trying_to = What were you trying to do?
friction-field-blocked_by = What got in the way?
friction-field-expected = What did you expect instead? (optional)

## Statuses of friction reports and roadmap items.

status-new = new
status-triaged = triaged
status-planned = planned
status-in_progress = in progress
status-done = done
status-wont_fix = wont fix
status-proposed = proposed
status-shipped = shipped
status-dropped = dropped

## The results pages' figures (src/routes/member_results.rs).

# A change in % favourable, for screen readers.
change-up = up { $n } points
change-down = down { $n } points
change-unchanged = unchanged
# Why a figure is hidden.
why-fewer-than-k = fewer than { $k } answers
why-differencing = hidden so that a smaller group cannot be worked out by subtraction
# What a shipped roadmap item changed; the two parts are joined with "; ".
effect-not-measured = its survey effect is not measured yet
effect-survey = % favourable { $change }
effect-no-survey-before = there was no survey before it shipped to compare with
effect-survey-hidden = the survey comparison is hidden ({ $why })
effect-friction = friction went from { $before } to { $after } hours per week
effect-friction-later = its friction effect shows 90 days after shipping

## What a follow-up email says changed (src/email.rs).

email-followup-headline-status = now { $status }
email-followup-change-status = Its status changed from { $from } to { $to }.
email-followup-headline-linked = on the roadmap
email-followup-change-linked = The platform team linked it to a roadmap item.
email-followup-headline-shipped = a fix has shipped
email-followup-change-shipped = The roadmap item it is linked to, "{ $item }", has shipped.

## Validation messages shown next to a form's fields. The store writes
## them in English; { $n } is the part that varies (a number, or a value
## in quotes).

msg-enter-number = enter a number
msg-likert-range = must be a whole number from 1 to 5
msg-nps-range = must be a whole number from 0 to 10
msg-hours-range = must be a number of hours from 0 to { $n }
msg-pick-at-most = pick at most { $n } areas
msg-unknown-area = { $n } is not a known area
msg-unknown-area-named = unknown area { $n }
msg-not-a-question = { $n } is not a question of this survey
msg-answered-twice = this question is answered twice
msg-needs-answer = this question needs an answer
msg-not-utf8 = the form was not valid UTF-8 text
msg-not-empty = must not be empty
msg-at-most-chars = must be at most { $n } characters
msg-control-chars = must not contain control characters
msg-bidi = must not contain bidirectional override or isolate characters (U+202A to U+202E, U+2066 to U+2069)
msg-minutes-range = must be from 1 to { $n } minutes (a week)
msg-severity-range = must be 1 (papercut) to 4 (blocker)
msg-choose-area = choose the area
msg-whole-minutes = enter a whole number of minutes
msg-choose-severity = choose a severity

## Dates and numbers. $day, $year: numbers; $month-name, $weekday-name:
## the names below.

date = { $day } { $month-name } { $year }
date-long = { $weekday-name } { $day } { $month-name } { $year }
date-short = { $day } { $month-name } { $year }
decimal-separator = {"."}
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
month-short-1 = Jan
month-short-2 = Feb
month-short-3 = Mar
month-short-4 = Apr
month-short-5 = May
month-short-6 = Jun
month-short-7 = Jul
month-short-8 = Aug
month-short-9 = Sep
month-short-10 = Oct
month-short-11 = Nov
month-short-12 = Dec
weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
