#!/usr/bin/env bash
# The mHero demo in one command: PostgreSQL, the sandbox of peers (a seeded iHRIS on HAPI FHIR, DHIS2, the RapidPro
# and Kannel simulators) and a stock Apache Karaf with the mhero feature installed and configured against them. After
# the contact sync it sends a broadcast to a group through RapidPro, then switches the live channel to Kannel with one
# edit of etc/org.mhero.channel.cfg and sends the same broadcast through Kannel, showing per-recipient status; then
# inbound messages (a stock report, a record update), and a three-question quiz answered by SMS with its report.
# Ctrl-C stops the sandbox and Karaf. Everything it unpacks lives under ./run (safe to delete).
#   PRACTITIONERS=500  size of the seeded iHRIS      SKIP_BUILD=1  reuse the last build
#   RAPIDPRO_RATE=1200/minute  the sandbox workspace's API budget (RapidPro's real default is 3600/hour)
#   MAVEN_REPO_LOCAL=~/.m2/repository  the Maven repository to build into and install the feature from
#   MVN_FLAGS=  extra Maven flags for the build (e.g. -o to build offline)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/run"
KARAF_VERSION=$(sed -n 's#.*<karaf.version>\(.*\)</karaf.version>.*#\1#p' "$ROOT/pom.xml" | head -1)
MHERO_VERSION=$(sed -n '0,/<version>/s#.*<version>\(.*\)</version>.*#\1#p' "$ROOT/pom.xml" | head -1)
PRACTITIONERS=${PRACTITIONERS:-500}
MAVEN_REPO_LOCAL=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
log() { echo "[run] $*"; }

bash "$ROOT/scripts/postgres.sh"
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building mHero (tests are the other command)"
  # shellcheck disable=SC2086
  (cd "$ROOT" && mvn -B -q ${MVN_FLAGS:-} -Dmaven.repo.local="$MAVEN_REPO_LOCAL" install -DskipTests)
fi

rm -rf "$RUN" && mkdir -p "$RUN"
pids=()
cleanup() {
  log "stopping"
  [ -x "$RUN/karaf/bin/stop" ] && "$RUN/karaf/bin/stop" >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

log "starting the sandbox ($PRACTITIONERS practitioners)"
java -Xmx1g -cp "$ROOT/sandbox/target/classes:$(cat "$ROOT/sandbox/target/runtime-classpath.txt")" \
  org.mhero.sandbox.Sandbox --practitioners "$PRACTITIONERS" --rapidpro-rate "${RAPIDPRO_RATE:-1200/minute}" --env-file "$RUN/sandbox.env" >"$RUN/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -s "$RUN/sandbox.env" ] && break; sleep 0.5; done
[ -s "$RUN/sandbox.env" ] || { cat "$RUN/sandbox.log"; log "the sandbox did not start"; exit 1; }
cat "$RUN/sandbox.log"
# shellcheck disable=SC1091
. "$RUN/sandbox.env"

log "unpacking Apache Karaf $KARAF_VERSION"
TARBALL="$MAVEN_REPO_LOCAL/org/apache/karaf/apache-karaf/$KARAF_VERSION/apache-karaf-$KARAF_VERSION.tar.gz"
# shellcheck disable=SC2086
[ -f "$TARBALL" ] || mvn -B -q ${MVN_FLAGS:-} -Dmaven.repo.local="$MAVEN_REPO_LOCAL" dependency:get -Dartifact="org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz"
tar xzf "$TARBALL" -C "$RUN" && mv "$RUN/apache-karaf-$KARAF_VERSION" "$RUN/karaf"
K="$RUN/karaf"

# the shipped etc/ files, pointed at the sandbox (every other default as shipped); the demo gets a fresh database
cp "$ROOT/etc/"*.cfg "$K/etc/"
su postgres -s /bin/sh -c "psql -qtA -c 'drop database if exists mhero_demo with (force)' -c 'create database mhero_demo owner mhero'" >/dev/null
sed -i "s#^url = .*#url = jdbc:postgresql://127.0.0.1:5432/mhero_demo#" "$K/etc/org.ops4j.datasource-mhero.cfg"
sed -i "s#^base.url = .*#base.url = $IHRIS_URL#" "$K/etc/org.mhero.ihris.cfg"
sed -i "s#^base.url = .*#base.url = $DHIS2_URL#; s#^auth.token = .*#auth.token = $DHIS2_TOKEN#" "$K/etc/org.mhero.dhis2.cfg"
# the sandbox workspace allows 1200/minute so the demo pushes 500 contacts in under a minute; mHero paces to it
sed -i "s#^api.url = .*#api.url = $RAPIDPRO_URL#; s#^api.token = .*#api.token = $RAPIDPRO_TOKEN#; s#^rate.limit = .*#rate.limit = $RAPIDPRO_RATE#" "$K/etc/org.mhero.rapidpro.cfg"
# console access: the karaf user (commented out in a stock Karaf), and an SSH key for scripted commands
sed -i 's/^#karaf = karaf,_g_:admingroup/karaf = karaf,_g_:admingroup/; s/^#_g_\\:admingroup/_g_\\:admingroup/' "$K/etc/users.properties"
KARAF_SSH=""
if command -v ssh-keygen >/dev/null && command -v ssh >/dev/null; then
  ssh-keygen -q -t rsa -b 2048 -N '' -f "$RUN/demo_key"
  echo "karaf=$(cut -d' ' -f2 "$RUN/demo_key.pub"),_g_:admingroup" >> "$K/etc/keys.properties"
  KARAF_SSH="ssh -i $RUN/demo_key -p 8101 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR karaf@127.0.0.1"
fi
# Karaf resolves the mhero feature and bundles from the repository the build installed them into
sed -i "s#^org.ops4j.pax.url.mvn.localRepository *=.*#org.ops4j.pax.url.mvn.localRepository = $MAVEN_REPO_LOCAL#" "$K/etc/org.ops4j.pax.url.mvn.cfg"
grep -q '^org.ops4j.pax.url.mvn.localRepository' "$K/etc/org.ops4j.pax.url.mvn.cfg" \
  || echo "org.ops4j.pax.url.mvn.localRepository = $MAVEN_REPO_LOCAL" >> "$K/etc/org.ops4j.pax.url.mvn.cfg"
# install the feature at boot
sed -i "s#^featuresRepositories = \\\\#featuresRepositories = mvn:org.mhero/mhero-features/$MHERO_VERSION/xml/features, \\\\#" "$K/etc/org.apache.karaf.features.cfg"
sed -i "s#^featuresBoot = \\\\#featuresBoot = mhero, \\\\#" "$K/etc/org.apache.karaf.features.cfg"

# a spreadsheet of health workers, picked up by csv-import (rows without an id or a name are rejected, with the line)
mkdir -p "$K/data/mhero/csv" && cp "$ROOT/etc/samples/health-workers.csv" "$K/data/mhero/csv/"

log "starting Karaf with the mhero feature"
EXTRA_JAVA_OPTS="-Xmx768m -XX:MaxMetaspaceSize=384m" "$K/bin/karaf" server >"$RUN/karaf.out" 2>&1 &
pids+=($!)
LOGF="$K/data/log/karaf.log"
for _ in $(seq 1 240); do
  n=$(grep -c 'sync run .* finished\|sync run .* failed' "$LOGF" 2>/dev/null || true)
  [ "${n:-0}" -ge 2 ] \
    && grep -q 'rapidpro-contacts push finished\|rapidpro-contacts push stopped' "$LOGF" 2>/dev/null && break
  sleep 0.5
done
sleep 1
grep -h 'mHero CamelContext\|Invalid configuration\|sync run\|group \|csv-import\|rapidpro-contacts p' "$LOGF" | sed 's/^.*| //' || true
echo
echo "Merged from several registries (merge_decision):"
PGPASSWORD=mhero psql -h 127.0.0.1 -U mhero mhero_demo -c "select rule, count(*) from merge_decision group by rule order by rule" \
  -c "select count(*) as health_workers_in_two_registries from health_worker h where (select count(distinct registry) from source_link s where s.health_worker_id = h.id) > 1"
if [ -n "$KARAF_SSH" ]; then
  echo "A group preview in the Karaf console (nothing saved):"
  $KARAF_SSH "mhero:group-preview --sample 5 'cadre in (nurse, midwife) and region = \"Bong\" and reachable'" || true
fi

# ---- broadcasts: a group through RapidPro, then one edit of the channel .cfg, then the same through Kannel
DEMO_TEXT='Measles vaccination starts Monday. Collect vaccine carriers at your DHO on Friday.'
PSQL="psql -h 127.0.0.1 -U mhero -qtA mhero_demo"
export PGPASSWORD=mhero
# a command in Karaf's console (ssh's own "Connection ... closed" notice left out)
karaf() { $KARAF_SSH "$1" 2>&1 | grep -v '^Connection to .* closed' || true; }
# waits (at most $1 seconds) until the SQL count $2 is 0
wait_zero() {
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    [ "$($PSQL -c "$2" 2>/dev/null)" = "0" ] && return 0
    sleep 0.5
  done
  log "gave up waiting for: $2"
}
# sends DEMO_TEXT to the doctors group as title $1, waits until every recipient reached $2 (a list of final statuses),
# then shows the broadcast and its recipients
demo_broadcast() {
  local out id
  echo "karaf@root()> mhero:broadcast --title $1 --group doctors '$DEMO_TEXT'"
  out=$(karaf "mhero:broadcast --title $1 --group doctors '$DEMO_TEXT'")
  echo "$out"
  id=$(echo "$out" | sed -n 's/^broadcast \([0-9][0-9]*\) .*/\1/p' | head -1)
  [ -n "$id" ] || { log "the broadcast was not created"; return 0; }
  wait_zero 60 "select count(*) from delivery where broadcast_id = $id and status not in ($2)"
  echo "karaf@root()> mhero:broadcast-status $id"
  karaf "mhero:broadcast-status $id"
  echo "karaf@root()> mhero:broadcast-status --deliveries -n 8 $id"
  karaf "mhero:broadcast-status --deliveries -n 8 $id"
}
if [ -n "$KARAF_SSH" ]; then
  echo
  echo "A broadcast to the doctors group through the active channel, RapidPro (etc/org.mhero.channel.cfg: active = rapidpro):"
  demo_broadcast demo-rapidpro "'accepted', 'skipped', 'failed', 'dead', 'in_doubt'"
  started=$(grep -c "mHero CamelContext 'mhero' started" "$LOGF" || true)
  echo
  echo "One edit of $K/etc/org.mhero.channel.cfg switches the live channel to the sandbox's Kannel (no restart):"
  sed -i "s#^active = .*#active = kannel#; s#^kannel.url = .*#kannel.url = $KANNEL_SENDSMS_URL#" "$K/etc/org.mhero.channel.cfg"
  grep -E '^(active|kannel.url) =' "$K/etc/org.mhero.channel.cfg" | sed 's/^/  /'
  for _ in $(seq 1 60); do
    [ "$(grep -c "mHero CamelContext 'mhero' started" "$LOGF" || true)" -gt "$started" ] && break
    sleep 0.5
  done
  grep -h "mHero CamelContext 'mhero' st" "$LOGF" | tail -2 | sed 's/^.*| //'
  echo
  echo "The same broadcast through Kannel; Kannel's delivery reports move each recipient to delivered:"
  demo_broadcast demo-kannel "'delivered', 'skipped', 'failed', 'dead', 'in_doubt'"
else
  log "no ssh client: the broadcast demo is skipped (in the Karaf console: mhero:broadcast --group doctors 'text')"
fi
# ---- inbound: a stock SMS into DHIS2, a 409 answered to its sender, a validation answer written back to iHRIS.
# The requests are the ones Kannel's sms-service get-url and a RapidPro flow's webhook make (etc/samples/rapidpro).
if [ -n "$KARAF_SSH" ] && command -v curl >/dev/null; then
  INBOUND="http://127.0.0.1:8088/inbound"
  KTOKEN=$(sed -n 's/^kannel.secret = //p' "$K/etc/org.mhero.inbound.cfg")
  RTOKEN=$(sed -n 's/^rapidpro.secret = //p' "$K/etc/org.mhero.inbound.cfg")
  # the facilities of DHIS2's STOCK data set; a DHIS2 worker at one of them, and one at a facility outside it
  ASSIGNED=$(curl -s -H "Authorization: ApiToken $DHIS2_TOKEN" "$DHIS2_URL/api/dataSets?filter=code:eq:STOCK&fields=organisationUnits%5Bid%5D&paging=false" \
    | grep -o '"id":"[A-Za-z0-9]*"' | sed 's/"id":"\(.*\)"/\x27\1\x27/' | paste -sd, -)
  WORKER_SQL="select p.e164 from health_worker h join location l on l.id = h.facility_id and l.registry = 'dhis2'
    join phone p on p.health_worker_id = h.id and p.is_primary and p.e164 is not null and not p.shared
    where not h.opted_out and l.source_id"
  IN_SET=$($PSQL -c "$WORKER_SQL in (${ASSIGNED:-''}) order by h.id limit 1")
  OUT_SET=$($PSQL -c "$WORKER_SQL not in (${ASSIGNED:-''}) and l.level = 'facility' order by h.id limit 1")
  kannel_mo() { # $1 sender, $2 text, $3 Kannel's message id: Kannel's get-url call
    curl -s -o /dev/null -w "  mHero answered %{http_code}\n" -G "$INBOUND/kannel" --data-urlencode "token=$KTOKEN" --data-urlencode "from=$1" \
      --data-urlencode "to=1234" --data-urlencode "text=$2" --data-urlencode "id=$3"
  }
  mask() { sed -E 's/(\+231)[0-9]{7}([0-9]{2})/\1*******\2/g'; }
  show_reply() { # the reply mHero sent back to inbound message $1 (external id), through the outbox
    wait_zero 30 "select count(*) from inbound_message where external_id = '$1' and status in ('received', 'routing')"
    $PSQL -c "select '  route ' || m.route || ', ' || m.status || ': ' || coalesce(m.outcome, '') from inbound_message m where m.external_id = '$1'"
    $PSQL -c "select '  reply: ' || b.text from inbound_message m join broadcast b on b.origin = 'inbound:' || m.id || ':reply' where m.external_id = '$1'"
  }
  echo
  if [ -n "$IN_SET" ]; then
    echo "A stock report by SMS from a DHIS2 health worker (Kannel's get-url call to mHero): STOCK ORS 40, zinc:12"
    kannel_mo "$IN_SET" "STOCK ORS 40, zinc:12" demo-stock-1
    show_reply demo-stock-1
    $PSQL -c "select '  DHIS2 took it: org unit ' || org_unit || ', period ' || period || ', HTTP ' || http_status || ' ' || coalesce(import_status, '')
      || ' ' || coalesce(import_count::text, '') from stock_report order by id desc limit 1" 2>/dev/null || true
  fi
  if [ -n "$OUT_SET" ]; then
    echo "The same from a facility that is not in DHIS2's STOCK data set: DHIS2 answers 409 and the sender is told why:"
    kannel_mo "$OUT_SET" "STOCK ORS 40 ZINC 12" demo-stock-2
    show_reply demo-stock-2
  fi
  PRAC=$($PSQL -c "select s.source_id || ' ' || p.e164 from source_link s join phone p on p.health_worker_id = s.health_worker_id and p.is_primary
    and p.e164 is not null and not p.shared join health_worker h on h.id = s.health_worker_id
    where s.registry = 'ihris' and not h.opted_out order by s.health_worker_id desc limit 1")
  if [ -n "$PRAC" ]; then
    PID=${PRAC%% *}; PHONE=${PRAC#* }
    echo
    echo "A validation answer from the RapidPro flow (its webhook to mHero): the phone is wrong, the new one is 0886 555 123"
    echo "  iHRIS before: $(curl -s "$IHRIS_URL/Practitioner/$PID" | grep -o '"telecom":\[[^]]*\]' | head -1 | mask)"
    curl -s -o /dev/null -w "  mHero answered %{http_code}\n" -H 'Content-Type: application/json' "$INBOUND/rapidpro/webhook?token=$RTOKEN" \
      -d "{\"contact\":{\"uuid\":\"demo-contact-1\",\"name\":\"demo\",\"urn\":\"tel:$PHONE\"},\"flow\":{\"uuid\":\"0f3c5f6b-2a4d-4b4e-9c47-5d1b0c6a7e21\",\"name\":\"Validation\"},\"results\":{\"phone_ok\":{\"value\":\"no\",\"category\":\"No\"},\"new_phone\":{\"value\":\"0886 555 123\",\"category\":\"Has Text\"}},\"run\":{\"uuid\":\"demo-run-1\"},\"input\":null}"
    show_reply demo-run-1
    echo "  iHRIS after:  $(curl -s "$IHRIS_URL/Practitioner/$PID" | grep -o '"telecom":\[[^]]*\]' | head -1 | mask)"
    $PSQL -c "select '  audit: ' || field || ' ' || coalesce(old_value, '') || ' -> ' || coalesce(new_value, '') || ' (' || status || ')' from record_update order by id desc limit 3" 2>/dev/null | mask || true
  fi
  echo "karaf@root()> mhero:inbox -n 5"
  karaf "mhero:inbox -n 5"
fi

# ---- learning: a three-question quiz for the doctors group through Kannel, answered by SMS, scored, with the funnel
if [ -n "$KARAF_SSH" ] && command -v curl >/dev/null; then
  echo
  echo "A three-question quiz for the doctors group: one edit of $K/etc/org.mhero.quiz.cfg (no restart):"
  started=$(grep -c "mHero CamelContext 'mhero' started" "$LOGF" || true)
  cat >> "$K/etc/org.mhero.quiz.cfg" <<'CFG'

# the demo's quiz: the next question as soon as the last one is answered
quiz.demo-ipc.group = doctors
quiz.demo-ipc.keyword = IPC
quiz.demo-ipc.interval.days = 0
quiz.demo-ipc.send.hour =
quiz.demo-ipc.question.1 = How long do you rub your hands with alcohol hand rub? | 5 seconds | 20 to 30 seconds | 2 minutes | answer = B | why = Rub for 20-30 seconds, until the hands are dry.
quiz.demo-ipc.question.2 = Which do you put on first when dressing in PPE? | Gloves | Gown | Goggles | answer = B | why = Gown first; gloves go on last.
quiz.demo-ipc.question.3 = When do you close a sharps container? | When three quarters full | When completely full | answer = A | why = At three quarters, to avoid needle-stick injuries.
CFG
  sed -i 's#^enabled = .*#enabled = true#; s#^send.poll.seconds = .*#send.poll.seconds = 2#' "$K/etc/org.mhero.quiz.cfg"
  grep -E '^(enabled|send.poll.seconds|quiz.demo-ipc.(group|interval.days|question.1)) =' "$K/etc/org.mhero.quiz.cfg" | sed 's/^/  /'
  for _ in $(seq 1 60); do
    [ "$(grep -c "mHero CamelContext 'mhero' started" "$LOGF" || true)" -gt "$started" ] && break
    sleep 0.5
  done
  ENROLLED="from quiz_enrolment e join quiz q on q.id = e.quiz_id and q.name = 'demo-ipc'"
  wait_zero 60 "select 1 - sign(count(*)) $ENROLLED"
  wait_zero 60 "select count(*) $ENROLLED where e.open_position is null and e.finished_at is null"
  echo "  question 1 went to $($PSQL -c "select count(*) $ENROLLED") doctors through the outbox; the first doctor got:"
  DOCS=$($PSQL -c "select p.e164 $ENROLLED join phone p on p.health_worker_id = e.health_worker_id and p.is_primary and p.e164 is not null and not p.shared order by e.id limit 4")
  read -r D1 D2 D3 D4 <<< "$(echo "$DOCS" | paste -sd' ')"
  $PSQL -c "select '    ' || replace(b.text, chr(10), ' / ') $ENROLLED join broadcast b on b.origin = 'quiz:' || e.id || ':1' order by e.id limit 1"
  n=0
  quiz_sms() { # $1 sender, $2 text: a Kannel MO; waits until it is routed and the next question (if any) went out
    n=$((n + 1))
    kannel_mo "$1" "$2" "demo-quiz-$n" >/dev/null
    wait_zero 30 "select count(*) from inbound_message where external_id = 'demo-quiz-$n' and status in ('received', 'routing')"
    wait_zero 30 "select count(*) $ENROLLED where e.open_position is null and e.finished_at is null and e.next_due_at <= now()"
    echo "  $(echo "$1" | mask) sent \"$2\"; mHero replied: $($PSQL -c "select coalesce((select b.text from broadcast b where b.origin = 'inbound:' || m.id || ':reply'),
      (select '(the next question) ' || split_part(b.text, chr(10), 1) from broadcast b where b.origin like 'quiz:%' and b.created_at > m.received_at order by b.id limit 1), '-')
      from inbound_message m where m.external_id = 'demo-quiz-$n'")"
  }
  echo "Four doctors answer by SMS (Kannel's get-url call to mHero); the others stay silent:"
  quiz_sms "$D1" "QUIZ b"; quiz_sms "$D1" "quiz option b"; quiz_sms "$D1" "QUIZ 2"
  quiz_sms "$D2" "QUIZ B"; quiz_sms "$D2" "QUIZ a"
  quiz_sms "$D3" "QUIZ 2"; quiz_sms "$D3" "Quiz B"; quiz_sms "$D3" "QUIZ A"; quiz_sms "$D3" "QUIZ A"
  quiz_sms "$D4" "QUIZ maybe"
  wait_zero 60 "select count(*) from delivery d join broadcast b on b.id = d.broadcast_id where b.origin like 'quiz:%' and d.status not in ('delivered', 'failed', 'skipped', 'dead')"
  echo "karaf@root()> mhero:quiz-report demo-ipc"
  karaf "mhero:quiz-report demo-ipc"
  echo "karaf@root()> mhero:report --by district quiz demo-ipc"
  karaf "mhero:report --by district quiz demo-ipc"
  echo "karaf@root()> mhero:follow-up quiz demo-ipc 'Your IPC quiz is waiting: reply QUIZ to get the question again.'"
  karaf "mhero:follow-up quiz demo-ipc 'Your IPC quiz is waiting: reply QUIZ to get the question again.'"
fi

cat <<MSG

mHero is running in Karaf ($K), its log in $LOGF.
See the synced health workers:
  PGPASSWORD=mhero psql -h 127.0.0.1 -U mhero mhero_demo -c "select h.display_name, h.cadre, l.name as facility, p.e164, p.shared
      from health_worker h left join location l on l.id = h.facility_id left join phone p on p.health_worker_id = h.id and p.is_primary
      order by h.id limit 20"
  PGPASSWORD=mhero psql -h 127.0.0.1 -U mhero mhero_demo -c "select * from sync_run order by id desc limit 5"
  PGPASSWORD=mhero psql -h 127.0.0.1 -U mhero mhero_demo -c "select name, member_count, rule from contact_group"
  PGPASSWORD=mhero psql -h 127.0.0.1 -U mhero mhero_demo -c "select rule, count(*) from merge_decision group by rule"
In the Karaf console (${KARAF_SSH:-$K/bin/client}, or ssh -p 8101 karaf@localhost with password karaf): mhero:groups, mhero:group-preview 'cadre = nurse and region = "Bong"', mhero:sync-status,
mhero:review, mhero:sync --full ihris, mhero:problems, mhero:broadcast --group doctors 'text', mhero:broadcast-status [--deliveries] [id],
mhero:broadcast-cancel id, mhero:broadcast-replay [id], mhero:inbox, mhero:quiz-report name, mhero:report [--by cadre|district|non-responders]
broadcast|flow|quiz id, mhero:follow-up broadcast|flow|quiz id 'text'.
Try next:
  - edit $K/etc/org.mhero.ihris.cfg (sync.cron, page.size, ...): mHero reloads in under a second, no restart;
  - put a bad value in it (sync.cron = never) and watch the log name the PID and the key;
  - set active = rapidpro (or http-aggregator) again in $K/etc/org.mhero.channel.cfg and send another broadcast;
  - the FHIR server: curl '$IHRIS_URL/Practitioner?_count=2'
Ctrl-C stops everything.
MSG
wait "${pids[1]}"
