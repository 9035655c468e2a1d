package org.mhero.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.mhero.sandbox.core.RecordedCall;
import org.mhero.sandbox.rapidpro.RapidProOptions;
import org.mhero.sandbox.rapidpro.RapidProSimulator;
import org.mhero.sandbox.sms.KannelOptions;
import org.mhero.sandbox.sms.KannelSimulator;
import org.mhero.sandbox.sms.SmsLog;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A simulated peer for the broadcast benchmarks, in a JVM of its own ({@link Peer#fork}), so that the benchmark JVM's heap
 * is mHero's alone (the simulators keep a record per message). Talks over stdin/stdout, one line each way:
 *
 * <pre>
 * PeerMain kannel   [--throughput TPS] [--threads T]
 * PeerMain rapidpro --rate R [--contacts N --uuids FILE]   (N contacts tel:+23177%07d, their uuids written to FILE)
 * </pre>
 *
 * prints {@code ready <baseUrl> <token>} when listening, then answers {@code stats} with {@code stats <json>} and
 * {@code clear} with {@code cleared}; {@code exit} (or the end of stdin) stops it. Nothing here is a contract of mHero:
 * it only exposes the simulators' own records to a benchmark in another process.
 */
public final class PeerMain {
    private PeerMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        ObjectMapper json = new ObjectMapper();
        AutoCloseable server;
        Stats stats;
        Runnable clear;
        String ready;
        switch (args[0]) {
            case "kannel" -> {
                KannelSimulator k = KannelSimulator.start(KannelOptions.defaults()
                        .throughput(Double.parseDouble(o.getOrDefault("throughput", "0")))
                        .threads(Integer.parseInt(o.getOrDefault("threads", "8"))));
                server = k;
                stats = () -> kannelStats(k);
                clear = () -> {
                    k.log().clear();
                    k.calls().clear();
                };
                ready = k.sendsmsUrl() + " -";
            }
            case "rapidpro" -> {
                RapidProSimulator r = RapidProSimulator.start(RapidProOptions.defaults().rateLimit(o.get("rate")));
                int n = Integer.parseInt(o.getOrDefault("contacts", "0"));
                if (n > 0) {
                    List<String> uuids = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) uuids.add(r.createContact("Worker " + i, String.format("tel:+23177%07d", i)));
                    Files.write(Path.of(o.get("uuids")), uuids, StandardCharsets.UTF_8);
                }
                server = r;
                stats = () -> rapidproStats(r);
                clear = () -> r.calls().clear();
                ready = r.baseUrl() + " " + r.token();
            }
            default -> throw new IllegalArgumentException("unknown peer " + args[0]);
        }
        System.out.println("ready " + ready);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                switch (line.trim()) {
                    case "stats" -> System.out.println("stats " + json.writeValueAsString(stats.get()));
                    case "clear" -> {
                        clear.run();
                        System.out.println("cleared");
                    }
                    case "exit" -> {
                        server.close();
                        System.exit(0);
                    }
                    default -> System.out.println("error unknown command " + line);
                }
                System.out.flush();
            }
        }
        server.close();
        System.exit(0);
    }

    private interface Stats { Map<String, Object> get(); }

    /**
     * What the Kannel simulator took: sendsms requests (by status), messages per recipient (duplicates = recipients
     * accepted more than once), deliveries to the SMSC, DLR callbacks and their answers, and when messages were accepted
     * (epoch milliseconds of the first and last, and of the message at each tenth, for the steady rate).
     */
    static Map<String, Object> kannelStats(KannelSimulator k) {
        Map<String, Object> s = new LinkedHashMap<>();
        List<RecordedCall> calls = k.calls().matching(c -> c.path().equals("/cgi-bin/sendsms"));
        s.put("requests", calls.size());
        s.put("requests_202", calls.stream().filter(c -> c.status() == 202).count());
        s.put("calls_total", k.calls().total());
        List<SmsLog.Message> messages = k.log().messages();
        s.put("messages", messages.size());
        Set<String> seen = new HashSet<>();
        long duplicates = 0;
        for (SmsLog.Message m : messages) if (!seen.add(m.to() + ' ' + m.text())) duplicates++;
        s.put("distinct_recipients", seen.size());
        s.put("duplicates", duplicates);
        s.put("delivered_to_smsc", k.log().delivered().size());
        List<SmsLog.Dlr> dlrs = k.log().dlrs();
        s.put("dlrs", dlrs.size());
        s.put("dlrs_not_200", dlrs.stream().filter(d -> d.httpStatus() != 200).count());
        s.put("dlrs_type_1", dlrs.stream().filter(d -> d.event().equals("1")).count());
        if (!dlrs.isEmpty()) s.put("last_dlr_ms", dlrs.stream().mapToLong(d -> d.at().toEpochMilli()).max().getAsLong());
        long[] at = messages.stream().mapToLong(m -> m.acceptedAt().toEpochMilli()).sorted().toArray();
        if (at.length > 0) {
            s.put("first_ms", at[0]);
            s.put("last_ms", at[at.length - 1]);
            List<Long> deciles = new ArrayList<>();
            for (int d = 0; d <= 10; d++) deciles.add(at[Math.min(at.length - 1, (int) ((long) at.length * d / 10))]);
            s.put("decile_ms", deciles);
            // messages accepted in each second from the first one
            int seconds = (int) ((at[at.length - 1] - at[0]) / 1000) + 1;
            int[] per = new int[seconds];
            for (long t : at) per[(int) ((t - at[0]) / 1000)]++;
            s.put("per_second", per);
        }
        return s;
    }

    /** What the RapidPro simulator was asked: calls by kind and status, contacts it had to create, messages. */
    static Map<String, Object> rapidproStats(RapidProSimulator r) {
        Map<String, Object> s = new LinkedHashMap<>();
        List<RecordedCall> all = r.calls().all();
        s.put("calls_total", r.calls().total());
        s.put("broadcast_calls", all.stream().filter(c -> c.method().equals("POST") && c.path().endsWith("/broadcasts.json") && c.status() < 300).count());
        s.put("contact_calls", all.stream().filter(c -> c.path().endsWith("/contacts.json")).count());
        s.put("http_429", all.stream().filter(c -> c.status() == 429).count());
        s.put("contacts_created_by_messaging", r.contactsCreatedByMessaging());
        s.put("messages", r.outgoing().size());
        all.stream().mapToLong(c -> c.at().toEpochMilli()).min().ifPresent(t -> s.put("first_ms", t));
        return s;
    }
}
