#!/usr/bin/env bash
# The mHero demo in one command: PostgreSQL, the sandbox of peers (a seeded iHRIS on HAPI FHIR, the RapidPro
# simulator) and a stock Apache Karaf with the mhero feature installed and configured against them.
# Ctrl-C stops the sandbox and Karaf. Everything it unpacks lives under ./run (safe to delete).
#   PRACTITIONERS=500  size of the seeded iHRIS      SKIP_BUILD=1  reuse the last build
#   RAPIDPRO_RATE=1200/minute  the sandbox workspace's API budget (RapidPro's real default is 3600/hour)
#   M2_REPO=/path/to/repository  the local Maven repository to build into and to install the feature from
#                                (default ~/.m2/repository; one per worktree when several people share a machine)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/run"
KARAF_VERSION=$(sed -n 's#.*<karaf.version>\(.*\)</karaf.version>.*#\1#p' "$ROOT/pom.xml" | head -1)
MHERO_VERSION=$(sed -n '0,/<version>/s#.*<version>\(.*\)</version>.*#\1#p' "$ROOT/pom.xml" | head -1)
PRACTITIONERS=${PRACTITIONERS:-500}
M2_REPO=${M2_REPO:-$HOME/.m2/repository}
log() { echo "[run] $*"; }

bash "$ROOT/scripts/postgres.sh"
if [ -z "${SKIP_BUILD:-}" ]; then
  log "building mHero (tests are the other command)"
  (cd "$ROOT" && mvn -B -q -Dmaven.repo.local="$M2_REPO" install -DskipTests)
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
TARBALL="$M2_REPO/org/apache/karaf/apache-karaf/$KARAF_VERSION/apache-karaf-$KARAF_VERSION.tar.gz"
[ -f "$TARBALL" ] || mvn -B -q -Dmaven.repo.local="$M2_REPO" dependency:get -Dartifact="org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz"
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
# Karaf installs the feature (and its bundles) from the repository it was built into
printf '\norg.ops4j.pax.url.mvn.localRepository = %s\n' "$M2_REPO" >> "$K/etc/org.ops4j.pax.url.mvn.cfg"
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
mhero:review, mhero:sync --full ihris, mhero:problems.
Try next:
  - edit $K/etc/org.mhero.ihris.cfg (sync.cron, page.size, ...): mHero reloads in under a second, no restart;
  - put a bad value in it (sync.cron = never) and watch the log name the PID and the key;
  - the FHIR server: curl '$IHRIS_URL/Practitioner?_count=2'
Ctrl-C stops everything.
MSG
wait "${pids[1]}"
