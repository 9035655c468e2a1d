package org.mhero.it;

import org.junit.FixMethodOrder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestWatcher;
import org.junit.runner.Description;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.LogLevelOption;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.exam.util.Filter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

import javax.inject.Inject;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sql.DataSource;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.features;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

/**
 * The mhero feature in a stock Karaf 4.4: it installs from the built feature repository, every bundle goes Active,
 * the practitioners of a (sandbox) iHRIS land in PostgreSQL, and configuration edits take effect without a restart
 * (a bad value is reported with its PID and key, and the rest keeps running). Karaf's log is printed on failure.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class MheroFeatureIT {
    private static final long DEADLINE_MS = 90_000;

    @Inject
    BundleContext bundleContext;

    @Inject
    @Filter(value = "(dataSourceName=mhero)", timeout = 120_000)
    DataSource dataSource;

    @Inject
    ConfigurationAdmin configAdmin;

    @Inject
    SessionFactory sessionFactory;

    @Rule
    public TestWatcher printKarafLogOnFailure = new TestWatcher() {
        @Override
        protected void failed(Throwable e, Description d) {
            try {
                Path log = Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
                System.err.println("===== " + d.getMethodName() + " failed: Karaf log " + log + " =====");
                List<String> lines = Files.readAllLines(log);
                lines.subList(Math.max(0, lines.size() - 400), lines.size()).forEach(System.err::println);
                System.err.println("===== end of Karaf log =====");
            } catch (Exception ex) {
                System.err.println("could not read the Karaf log: " + ex);
            }
        }
    };

    @Configuration
    public Option[] config() throws Exception {
        ItEnvironment env = ItEnvironment.get();
        String karaf = System.getProperty("karaf.version", "4.4.8");
        String mhero = System.getProperty("mhero.version");
        int base = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        return new Option[] {
                karafDistributionConfiguration()
                        .frameworkUrl(maven("org.apache.karaf", "apache-karaf").version(karaf).type("tar.gz"))
                        .karafVersion(karaf)
                        .name("Apache Karaf")
                        .unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                keepRuntimeFolder(),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevelOption.LogLevel.INFO),
                systemTimeout(180_000),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(base)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", Integer.toString(base + 1)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", Integer.toString(base + 2)),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository")),
                editConfigurationFilePut("etc/system.properties", "mhero.it.ihrisB", env.ihrisB.baseUrl()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.practitionersA", Integer.toString(ItEnvironment.PRACTITIONERS_A)),
                editConfigurationFilePut("etc/system.properties", "mhero.it.practitionersB", Integer.toString(ItEnvironment.PRACTITIONERS_B)),
                replaceConfigurationFile("etc/org.ops4j.datasource-mhero.cfg", env.cfg("org.ops4j.datasource-mhero",
                        Map.of("url", env.db.jdbcUrl(), "user", env.db.user(), "password", env.db.password())).toFile()),
                replaceConfigurationFile("etc/org.mhero.ihris.cfg", env.cfg("org.mhero.ihris",
                        Map.of("base.url", env.ihrisA.baseUrl(), "sync.on.start", "true")).toFile()),
                replaceConfigurationFile("etc/org.mhero.dhis2.cfg", env.cfg("org.mhero.dhis2",
                        Map.of("base.url", env.dhis2.baseUrl())).toFile()),
                // 20 calls/s and one recipient per broadcast call, so that a broadcast to every reachable worker takes
                // seconds: long enough for a channel edit to land while it is being sent
                replaceConfigurationFile("etc/org.mhero.rapidpro.cfg", env.cfg("org.mhero.rapidpro",
                        Map.of("api.url", env.rapidpro.baseUrl(), "api.token", env.rapidpro.token(), "rate.limit", "20/1s")).toFile()),
                replaceConfigurationFile("etc/org.mhero.channel.cfg", env.cfg("org.mhero.channel",
                        Map.of("rapidpro.batch.size", "1", "dispatch.poll.ms", "100",
                                "dlr.base.url", "http://127.0.0.1:" + env.apiPort)).toFile()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.kannelUrl", env.kannel.sendsmsUrl()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.kannelBase", env.kannel.baseUrl()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.rapidproBase", env.rapidpro.baseUrl()),
                // the JSON API on a free port; a user with the role mhero and one without (Karaf's realm 'karaf')
                replaceConfigurationFile("etc/org.mhero.api.cfg", env.cfg("org.mhero.api",
                        Map.of("http.host", "127.0.0.1", "http.port", Integer.toString(env.apiPort))).toFile()),
                editConfigurationFilePut("etc/users.properties", "broadcaster", "it-secret,mhero"),
                editConfigurationFilePut("etc/users.properties", "onlooker", "it-secret,viewer"),
                editConfigurationFilePut("etc/system.properties", "mhero.it.apiPort", Integer.toString(env.apiPort)),
                editConfigurationFilePut("etc/system.properties", "mhero.it.rapidproApi", env.rapidpro.apiUrl()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.rapidproToken", env.rapidpro.token()),
                editConfigurationFilePut("etc/system.properties", "mhero.it.dhis2Users",
                        Long.toString(env.dhis2UsersWithPhone())),
                features(maven("org.mhero", "mhero-features").version(mhero).classifier("features").type("xml"), "mhero"),
        };
    }

    @Test
    public void a_everyBundleIsActive() {
        waitFor("the mHero CamelContext to start", () -> camelState("mhero").equals("Started"));
        try {
            waitFor("every bundle Active (fragments Resolved)", () -> notActive().isEmpty());
        } catch (AssertionError e) {
            throw new AssertionError("bundles not active: " + notActive(), e);
        }
        Set<String> ours = Set.of("org.mhero.routes", "org.mhero.blueprint", "org.mhero.commands");
        long found = java.util.Arrays.stream(bundleContext.getBundles()).filter(b -> ours.contains(b.getSymbolicName())).count();
        assertEquals("the three mHero bundles installed", 3, found);
    }

    @Test
    public void b_practitionersOfTheFhirServerAndDhis2UsersLandInPostgres() throws Exception {
        int expected = Integer.getInteger("mhero.it.practitionersA");
        long dhis2Users = Long.getLong("mhero.it.dhis2Users");
        waitFor(expected + " practitioners in PostgreSQL", () -> count("select count(*) from source_link where registry = 'ihris'") == expected);
        waitFor(dhis2Users + " DHIS2 users in PostgreSQL", () -> count("select count(*) from source_link where registry = 'dhis2'") == dhis2Users);
        assertEquals("every source record belongs to one health worker", expected + dhis2Users,
                count("select count(*) from source_link") );
        assertTrue("at most one worker per source record", count("select count(*) from health_worker") <= expected + dhis2Users);
        waitFor("contact groups recomputed", () -> count("select count(*) from contact_group where member_count > 0") > 0);
        waitFor("reachable workers pushed to RapidPro", () -> count("select count(*) from rapidpro_contact where contact_uuid is not null") > 0);
        assertTrue("a shared number is never pushed", count("select count(*) from rapidpro_contact r join phone p "
                + "on p.health_worker_id = r.health_worker_id and p.is_primary where p.shared and r.contact_uuid is not null") == 0);
        assertTrue("phones were normalised", count("select count(*) from phone where e164 like '+231%'") > expected / 2);
        assertTrue("unusable numbers are kept with a reason", count("select count(*) from phone where invalid_reason is not null") > 0);
        assertTrue("facilities resolved", count("select count(*) from health_worker where facility_id is not null") > expected / 2);
        assertEquals("the run is recorded", 0, count("select count(*) from sync_run where status = 'failed'"));
    }

    @Test
    public void c_aBadValueIsLoggedWithPidAndKeyAndAGoodEditTakesEffectWithoutRestart() throws Exception {
        int a = Integer.getInteger("mhero.it.practitionersA");
        int b = Integer.getInteger("mhero.it.practitionersB");
        waitFor(a + " practitioners from server A", () -> count("select count(*) from source_link where registry = 'ihris'") == a);
        long bundleId = bundle("org.mhero.routes").getBundleId();

        org.osgi.service.cm.Configuration cfg = configAdmin.getConfiguration("org.mhero.ihris", null);
        Dictionary<String, Object> props = copy(cfg.getProperties());
        props.put("sync.cron", "every five minutes");
        cfg.update(props);
        waitFor("the bad cron to be reported", () -> karafLog().stream().anyMatch(l -> l.contains("ERROR")
                && l.contains("org.mhero.ihris") && l.contains("sync.cron") && l.contains("every five minutes")));
        waitFor("the context to run on without ihris-sync", () -> "Started".equals(camelState("mhero")));

        props.put("sync.cron", "0 0 3 * * ?");
        props.put("base.url", System.getProperty("mhero.it.ihrisB"));
        cfg.update(props);
        waitFor(b + " practitioners after switching to server B", () -> count("select count(*) from source_link where registry = 'ihris'") == b);
        assertEquals("Karaf and the bundle were not restarted", Bundle.ACTIVE, bundleContext.getBundle(bundleId).getState());
    }

    @Test
    public void d_theShellCommandsShowGroupsPreviewsRunsAndProblems() throws Exception {
        waitFor("contact groups recomputed", () -> count("select count(*) from contact_group where member_count > 0") > 0);
        String groups = shell("mhero:groups");
        assertTrue(groups, groups.contains("bong-nurses-midwives") && groups.contains("doctors"));
        long nurses = count("select count(*) from health_worker where cadre = 'nurse'");
        String preview = shell("mhero:group-preview 'cadre = nurse'");
        assertTrue(preview, preview.matches("(?s).*count\\s*\\|\\s*" + nurses + "\\b.*"));
        String runs = shell("mhero:sync-status");
        assertTrue(runs, runs.contains("ihris") && runs.contains("ok"));
        assertTrue(shell("mhero:problems"), shell("mhero:problems").contains("no configuration problems"));
        waitFor("no sync running", () -> count("select count(*) from sync_run where status = 'running'") == 0);
        long before = count("select count(*) from sync_run where source = 'ihris'");
        String started = shell("mhero:sync --full ihris");
        assertTrue(started, started.contains("full resync of ihris started"));
        waitFor("the full resync to finish", () -> count("select count(*) from sync_run where source = 'ihris'") > before
                && count("select count(*) from sync_run where status = 'running'") == 0);
        assertEquals("the full resync re-read every practitioner and changed nothing", "ok " + Integer.getInteger("mhero.it.practitionersB") + " 0 0",
                String.join(" ", query("select status, seen, created, updated from sync_run where source = 'ihris' order by id desc limit 1")));
    }

    @Test
    public void e_aBroadcastPostedOverHttpReachesRapidProAndTheShellShowsIt() throws Exception {
        waitFor("the doctors group computed", () -> count("select member_count from contact_group where name = 'doctors'") > 0);
        String api = "http://127.0.0.1:" + Integer.getInteger("mhero.it.apiPort") + "/api/broadcasts";
        String body = "{\"title\": \"it-broadcast\", \"text\": \"Please confirm your facility\", \"groups\": [\"doctors\"]}";
        waitFor("the API to listen", () -> http("GET", api, null, null)[0].equals("401"));
        String[] none = http("POST", api, body, null);
        assertEquals(none[1], "401", none[0]);
        assertEquals("403", http("POST", api, body, "onlooker:it-secret")[0]);
        assertEquals("no broadcast without the role", 0, count("select count(*) from broadcast"));
        String[] created = http("POST", api, body, "broadcaster:it-secret");
        assertEquals(created[1], "201", created[0]);
        long id = Long.parseLong(created[1].replaceAll("(?s).*?\"id\":(\\d+).*", "$1"));
        long reachable = count("select count(*) from delivery where broadcast_id = " + id + " and status <> 'skipped'");
        assertTrue("the doctors group has reachable members", reachable > 0);
        waitFor("every reachable doctor handed to RapidPro", () -> count("select count(*) from delivery where broadcast_id = " + id
                + " and status = 'accepted'") == reachable);
        String seen = http("GET", System.getProperty("mhero.it.rapidproApi") + "broadcasts.json", null,
                "Token " + System.getProperty("mhero.it.rapidproToken"))[1];
        assertTrue(seen, seen.contains("Please confirm your facility"));
        String status = shell("mhero:broadcast-status " + id);
        assertTrue(status, status.contains("it-broadcast") && status.matches("(?s).*accepted\\s*\\|\\s*" + reachable + "\\b.*"));
        String list = shell("mhero:broadcast-status");
        assertTrue(list, list.contains("it-broadcast") && list.contains("broadcaster"));
    }

    @Test
    public void f_anEditOfTheActiveChannelSendsTheRestOfABroadcastInFlightAndTheNextOneThroughKannel() throws Exception {
        waitFor("contact groups recomputed", () -> count("select count(*) from contact_group where member_count > 0") > 0);
        long bundleId = bundle("org.mhero.routes").getBundleId();
        String text = "Cholera alert: boil drinking water (it-swap)";
        String created = shell("mhero:broadcast --title it-swap --rule reachable '" + text + "'");
        assertTrue(created, created.matches("(?s)broadcast \\d+ sending.*"));
        long id = Long.parseLong(created.replaceAll("(?s)broadcast (\\d+) .*", "$1"));
        String of = " from delivery where broadcast_id = " + id;
        long recipients = count("select count(*)" + of + " and status <> 'skipped'");
        assertTrue("recipients: " + recipients, recipients >= 50);
        waitFor("RapidPro takes the first recipients", () -> count("select count(*)" + of + " and status = 'accepted'") >= 5);

        // the edit, as an operator's save of etc/org.mhero.channel.cfg arrives: active = kannel, and Kannel's URL
        org.osgi.service.cm.Configuration cfg = configAdmin.getConfiguration("org.mhero.channel", null);
        Dictionary<String, Object> props = copy(cfg.getProperties());
        props.put("active", "kannel");
        props.put("kannel.url", System.getProperty("mhero.it.kannelUrl"));
        cfg.update(props);
        String taken = " and status in ('accepted', 'sent', 'delivered')";
        waitFor("every recipient handed over", () -> count("select count(*)" + of + taken) == recipients);
        long viaRapidPro = count("select count(*)" + of + taken + " and channel = 'rapidpro'");
        long viaKannel = count("select count(*)" + of + taken + " and channel = 'kannel'");
        assertTrue("RapidPro took the first part (" + viaRapidPro + "), Kannel the rest (" + viaKannel + ")", viaRapidPro > 0 && viaKannel > 0);

        // the simulators' own records: each recipient got the message once, from one of the two
        List<String> rapidpro = lines(System.getProperty("mhero.it.rapidproBase") + "/sandbox/outgoing?text=" + encode(text));
        List<String> kannel = lines(System.getProperty("mhero.it.kannelBase") + "/sandbox/sent?text=" + encode(text));
        assertEquals("RapidPro messages", viaRapidPro, rapidpro.size());
        assertEquals("Kannel messages", viaKannel, kannel.size());
        Set<String> numbers = new java.util.HashSet<>(kannel);
        rapidpro.forEach(urn -> numbers.add(urn.replaceFirst("^tel:", "")));
        assertEquals("nobody got it twice", recipients, numbers.size());
        waitFor("Kannel's delivery reports", () -> count("select count(*)" + of + " and channel = 'kannel' and status = 'delivered'") == viaKannel);

        // the next broadcast goes through Kannel only
        String next = "Cholera alert: ORS at every health post (it-swap)";
        String second = shell("mhero:broadcast --title it-swap-2 --group doctors '" + next + "'");
        long id2 = Long.parseLong(second.replaceAll("(?s)broadcast (\\d+) .*", "$1"));
        long recipients2 = count("select count(*) from delivery where broadcast_id = " + id2 + " and status <> 'skipped'");
        waitFor("the next broadcast delivered through Kannel", () -> count("select count(*) from delivery where broadcast_id = " + id2
                + " and status = 'delivered' and channel = 'kannel'") == recipients2);
        assertEquals(recipients2, lines(System.getProperty("mhero.it.kannelBase") + "/sandbox/sent?text=" + encode(next)).size());
        assertEquals(0, lines(System.getProperty("mhero.it.rapidproBase") + "/sandbox/outgoing?text=" + encode(next)).size());
        assertEquals("Karaf and the bundle were not restarted", Bundle.ACTIVE, bundleContext.getBundle(bundleId).getState());
        assertTrue("no message text in Karaf's log", karafLog().stream().noneMatch(l -> l.contains("Cholera alert")));
    }

    private static String encode(String s) { return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8); }

    /** The non-empty lines of a GET's body (a simulator's record); fails on anything but 200. */
    private static List<String> lines(String url) {
        String[] r = http("GET", url, null, null);
        assertEquals(url + ": " + r[1], "200", r[0]);
        return r[1].lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    public void g_anSmsFromAHealthWorkerIsStoredRoutedAndAnsweredAndABadTokenIsRefused() throws Exception {
        String phone = query("select p.e164 from phone p join health_worker h on h.id = p.health_worker_id"
                + " where p.e164 is not null and not p.shared and h.active and not h.opted_out order by p.id limit 1").get(0);
        String intake = "http://127.0.0.1:" + Integer.getInteger("mhero.it.apiPort") + "/inbound/kannel?to=1234&id=it-mo-1&text=HELP&from="
                + java.net.URLEncoder.encode(phone, java.nio.charset.StandardCharsets.UTF_8) + "&token=";
        assertEquals("401", http("GET", intake + "not-the-secret", null, null)[0]);
        assertEquals("nothing stored without the secret", 0, count("select count(*) from inbound_message"));
        String[] ok = http("GET", intake + "change-me-kannel-inbound", null, null);
        assertEquals(ok[1], "200", ok[0]);
        assertEquals("Kannel would send a non-empty answer to the phone", "", ok[1]);
        waitFor("HELP routed", () -> count("select count(*) from inbound_message where external_id = 'it-mo-1' and status = 'done' and route = 'help'") == 1);
        waitFor("the help reply handed to the active channel", () -> count("select count(*) from delivery d join broadcast b on b.id = d.broadcast_id"
                + " where b.origin like 'inbound:%:reply' and d.status in ('accepted', 'sent', 'delivered')") == 1);
        String inbox = shell("mhero:inbox --route help");
        assertTrue(inbox, inbox.contains("help") && inbox.contains("help sent") && !inbox.contains(phone));
    }

    @Test
    public void h_theReportOfABroadcastOverHttpAndInTheShell() throws Exception {
        long id = count("select id from broadcast where title = 'it-broadcast'");
        assertTrue("the broadcast of e_ exists", id > 0);
        long targeted = count("select count(*) from delivery where broadcast_id = " + id);
        String report = "http://127.0.0.1:" + Integer.getInteger("mhero.it.apiPort") + "/api/reports/broadcasts/" + id;
        assertEquals("401", http("GET", report, null, null)[0]);
        String[] ok = http("GET", report, null, "broadcaster:it-secret");
        assertEquals(ok[1], "200", ok[0]);
        assertTrue(ok[1], ok[1].contains("{\"step\":\"targeted\",\"count\":" + targeted + ",\"percent_of_previous\":null}")
                && ok[1].contains("\"by_cadre\"") && ok[1].contains("\"by_district\""));
        assertEquals("404", http("GET", report.substring(0, report.lastIndexOf('/') + 1) + "999999", null, "broadcaster:it-secret")[0]);
        String shell = shell("mhero:report broadcast " + id);
        assertTrue(shell, shell.contains("it-broadcast") && shell.matches("(?s).*targeted\\s*\\|\\s*" + targeted + "\\b.*"));
        String byCadre = shell("mhero:report --by cadre broadcast " + id);
        assertTrue(byCadre, byCadre.contains("doctor"));
    }

    /** {status, body} of an HTTP call; {@code credentials} is "user:password" (Basic) or a full Authorization value. */
    private static String[] http(String method, String url, String body, String credentials) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5000);
            c.setReadTimeout(30000);
            if (credentials != null) {
                c.setRequestProperty("Authorization", credentials.startsWith("Token ") ? credentials
                        : "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            if (body != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                c.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            int code = c.getResponseCode();
            java.io.InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            String text = in == null ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new String[] {Integer.toString(code), text};
        } catch (Exception e) {
            return new String[] {"-1", e.toString()};
        }
    }

    private List<String> query(String sql) {
        List<String> row = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (rs.next()) for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.add(rs.getString(i));
        } catch (Exception e) {
            throw new AssertionError(sql, e);
        }
        return row;
    }

    private String shell(String command) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, "UTF-8");
        Session session = sessionFactory.create(new java.io.ByteArrayInputStream(new byte[0]), out, out);
        try {
            Object result = session.execute(command);
            if (result != null) out.println(result);
        } finally {
            session.close();
        }
        return bytes.toString("UTF-8");
    }

    private List<String> notActive() {
        List<String> out = new ArrayList<>();
        for (Bundle b : bundleContext.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            if (b.getState() != (fragment ? Bundle.RESOLVED : Bundle.ACTIVE)) out.add(b.getSymbolicName() + " (state " + b.getState() + ")");
        }
        return out;
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> in) {
        Dictionary<String, Object> out = new Hashtable<>();
        for (var keys = in.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            out.put(k, in.get(k));
        }
        return out;
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) if (symbolicName.equals(b.getSymbolicName())) return b;
        throw new AssertionError("no bundle " + symbolicName);
    }

    private long count(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;   // the schema may not exist yet while the feature starts
        }
    }

    private static String camelState(String context) {
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName n : mbs.queryNames(new ObjectName("org.apache.camel:type=context,*"), null)) {
                if (context.equals(mbs.getAttribute(n, "CamelId"))) return String.valueOf(mbs.getAttribute(n, "State"));
            }
        } catch (Exception e) {
            return "unknown: " + e;
        }
        return "absent";
    }

    private static List<String> karafLog() {
        try {
            return Files.readAllLines(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"));
        } catch (Exception e) {
            return List.of();
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) {
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) return;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("timed out after " + DEADLINE_MS + " ms waiting for " + what);
    }
}
