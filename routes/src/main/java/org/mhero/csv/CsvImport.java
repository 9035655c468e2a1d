package org.mhero.csv;

import org.apache.camel.Header;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.store.Failures;
import org.mhero.store.SyncStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stage bean of {@code csv-import}: one file is one run ({@code sync_run} of source {@code csv}, and a
 * {@code csv_import} row). The file is read three times, streaming, one record in memory at a time: for its SHA-256
 * (the same bytes read with the same settings as an earlier successful import are skipped), to validate it as a whole
 * (charset, quoting, the header has the id and a name column) before anything is written, and to import it in chunks
 * of {@value #CHUNK} rows: the chunk's new locations, then its records in one transaction ({@link SyncStore#storePage}),
 * then its rejected rows (line and reason) in {@code csv_rejection}.
 *
 * <p>Only the ids of the file are held for the whole run (a later row with an id seen before is rejected: two rows
 * cannot both be that worker). A failure after the first chunk (a database error) leaves the committed chunks stored;
 * the run is recorded as failed with its counts, and importing the file again writes only what is not stored yet.
 */
public final class CsvImport {
    private static final Logger LOG = LoggerFactory.getLogger(CsvImport.class);
    static final int CHUNK = 500;
    /** storePage's watermark source; the CSV registry has no watermark (every call passes null). */
    static final String SOURCE = "csv";

    /** What one call did; {@code status} is ok or skipped (a failure is thrown). */
    public record Result(long importId, String status, int rows, int created, int updated, int unchanged, int rejected) {}

    private final CsvSettings settings;
    private final SyncStore store;
    private final CsvImportLog log;
    private final CsvRowMapper mapper;

    public CsvImport(CsvSettings settings, SyncStore store, DataSource dataSource, CsvRowMapper mapper) {
        this.settings = settings;
        this.store = store;
        this.log = new CsvImportLog(dataSource);
        this.mapper = mapper;
    }

    /** Counts of one run. */
    private static final class Counts {
        int rows, committedRows, chunks, accepted, created, updated, unchanged, rejected, unreachable;
    }

    /**
     * Imports one file. Throws {@link CsvImportFailedException} (after recording and logging why) when the file cannot
     * be imported; the route then leaves it in {@code .failed}.
     */
    public synchronized Result importFile(@Header("CamelFileAbsolutePath") String path) throws SQLException {
        if (path == null) throw new IllegalArgumentException("no file to import (header CamelFileAbsolutePath)");
        Path file = Path.of(path);
        String name = file.getFileName().toString();
        String reading = settings.readingFingerprint();
        String sha;
        try {
            sha = sha256(file);
        } catch (IOException e) {
            String why = "cannot read the file: " + e;
            long id = log.begin(name, null, reading, null, "failed");
            log.finish(id, "failed", 0, 0, 0, 0, 0, why);
            LOG.error("csv-import {} (import {}) failed before anything was written: {}", name, id, why);
            throw new CsvImportFailedException(why, e);
        }
        Long previous = log.previousImport(sha, reading);
        if (previous != null) {
            long id = log.begin(name, sha, reading, null, "skipped");
            LOG.info("csv-import {} (import {}): skipped, import {} read the same content (sha256 {}) with the same settings",
                    name, id, previous, sha.substring(0, 12));
            return new Result(id, "skipped", 0, 0, 0, 0, 0);
        }

        long t0 = System.nanoTime();
        long runId = store.startRun(CsvRowMapper.REGISTRY);
        long importId = log.begin(name, sha, reading, runId, "running");
        Counts c = new Counts();
        try {
            CsvRowMapper.Header header = validate(file);
            if (!header.missing().isEmpty()) {
                LOG.warn("csv-import {} (import {}): the header has no column for {}; those fields are left blank",
                        name, importId, String.join(", ", header.missing()));
            }
            importRows(file, importId, c);
        } catch (Exception e) {
            String why = describe(e);
            try {
                log.finish(importId, "failed", c.committedRows, c.created, c.updated, c.unchanged, c.rejected, why);
                store.finishRun(runId, "failed", c.chunks, c.accepted, c.created, c.updated, c.unchanged, c.unreachable, why);
            } catch (SQLException | RuntimeException r) {
                LOG.error("csv-import could not record the failure of import {}: {}", importId, r.toString());
            }
            if (c.chunks == 0) {
                LOG.error("csv-import {} (import {}) failed before anything was written: {}", name, importId, why);
            } else {
                LOG.error("csv-import {} (import {}) failed after the first {} rows ({} created, {} updated, {} unchanged, {} rejected); "
                        + "those chunks stay stored, and importing the file again writes only what differs: {}",
                        name, importId, c.committedRows, c.created, c.updated, c.unchanged, c.rejected, why);
            }
            throw new CsvImportFailedException(why, e);
        }
        log.finish(importId, "ok", c.rows, c.created, c.updated, c.unchanged, c.rejected, null);
        store.finishRun(runId, "ok", c.chunks, c.accepted, c.created, c.updated, c.unchanged, c.unreachable, null);
        LOG.info("csv-import {} (import {}, run {}) finished in {} ms: {} rows, {} created, {} updated, {} unchanged, {} rejected, {} without a usable phone",
                name, importId, runId, (System.nanoTime() - t0) / 1_000_000, c.rows, c.created, c.updated, c.unchanged,
                c.rejected, c.unreachable);
        return new Result(importId, "ok", c.rows, c.created, c.updated, c.unchanged, c.rejected);
    }

    /** The whole file is readable in the charset and is CSV, and its header has the id and a name column. */
    private CsvRowMapper.Header validate(Path file) throws IOException {
        try (CsvReader in = open(file)) {
            CsvRowMapper.Header header = header(in);
            for (CsvReader.Row row; (row = in.next()) != null; ) {
                // syntax and charset only; rows are judged while importing
                if (undecodable(row)) throw notInCharset(row.line());
            }
            return header;
        }
    }

    private CsvRowMapper.Header header(CsvReader in) throws IOException {
        CsvReader.Row h = in.next();
        if (h != null && undecodable(h)) throw notInCharset(1);
        if (h == null || h.blank()) throw new CsvFormatException(1, "the file has no header (it is empty or its first line is blank)");
        return mapper.bind(h.cells());
    }

    /**
     * Bytes that are not valid in the charset are decoded as U+FFFD (so the line can be named): a row holding one is
     * not in the configured charset.
     */
    private static boolean undecodable(CsvReader.Row row) {
        for (String c : row.cells()) if (c.indexOf('\uFFFD') >= 0) return true;
        return false;
    }

    private CsvFormatException notInCharset(long line) {
        return new CsvFormatException(line, "line " + line + " is not valid " + settings.charset().name()
                + " (set charset in " + CsvSettings.PID + ", e.g. windows-1252, or save the file as CSV UTF-8)");
    }

    private void importRows(Path file, long importId, Counts c) throws IOException, SQLException {
        Map<String, Long> idLines = new HashMap<>();
        Set<String> locationsStored = new HashSet<>();
        List<HealthWorkerRecord> records = new ArrayList<>();
        List<LocationHierarchy.Node> newLocations = new ArrayList<>();
        List<CsvImportLog.Rejection> rejections = new ArrayList<>();
        int inChunk = 0;
        try (CsvReader in = open(file)) {
            CsvRowMapper.Header header = header(in);
            for (CsvReader.Row row; (row = in.next()) != null; ) {
                if (row.blank()) continue;
                c.rows++;
                inChunk++;
                CsvRowMapper.Mapped m = mapper.map(header, row.cells());
                if (!m.rejected()) {
                    Long first = idLines.putIfAbsent(m.record().sourceId(), row.line());
                    if (first != null) m = new CsvRowMapper.Mapped(null, List.of(), "the same id as line " + first);
                }
                if (m.rejected()) {
                    rejections.add(new CsvImportLog.Rejection(row.line(), m.rejection()));
                } else {
                    records.add(m.record());
                    for (LocationHierarchy.Node n : m.locations()) if (locationsStored.add(n.sourceId())) newLocations.add(n);
                }
                if (inChunk == CHUNK) {
                    flush(importId, records, newLocations, rejections, c);
                    inChunk = 0;
                }
            }
        }
        if (inChunk > 0) flush(importId, records, newLocations, rejections, c);
    }

    /** Stores one chunk: its new locations, its records (one transaction), its rejections; then empties the lists. */
    private void flush(long importId, List<HealthWorkerRecord> records, List<LocationHierarchy.Node> newLocations,
                       List<CsvImportLog.Rejection> rejections, Counts c) throws SQLException {
        if (!newLocations.isEmpty()) store.storeLocations(CsvRowMapper.REGISTRY, newLocations);
        if (!records.isEmpty()) {
            long t = System.nanoTime();
            SyncStore.PageResult r = store.storePage(records, SOURCE, null);
            if (LOG.isDebugEnabled()) {
                LOG.debug("csv-import {} chunk {}: {} records in {} ms, {} created, {} updated, {} unchanged", importId,
                        c.chunks + 1, records.size(), (System.nanoTime() - t) / 1_000_000, r.created(), r.updated(), r.unchanged());
            }
            c.accepted += records.size();
            c.created += r.created();
            c.updated += r.updated();
            c.unchanged += r.unchanged();
            c.unreachable += r.unreachable();
        }
        log.reject(importId, rejections);
        c.rejected += rejections.size();
        c.chunks++;
        c.committedRows = c.rows;
        records.clear();
        newLocations.clear();
        rejections.clear();
    }

    /** Why an import failed, for the log and the tables: never a cell's content (see {@link Failures}). */
    static String describe(Throwable e) {
        if (e instanceof CsvFormatException) return e.getMessage();
        return Failures.describe(e);
    }

    private CsvReader open(Path file) throws IOException {
        InputStream bytes = Files.newInputStream(file);
        var decoder = settings.charset().newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new CsvReader(new InputStreamReader(bytes, decoder), settings.delimiter());
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
