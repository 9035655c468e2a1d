package org.mhero.csv;

/**
 * A file that was not (completely) imported. Thrown by {@link CsvImport} after the failure is recorded
 * ({@code csv_import.status = failed}, {@code sync_run}) and logged, so the route fails the exchange (the file goes to
 * {@code .failed}) without logging it a second time.
 */
public final class CsvImportFailedException extends RuntimeException {
    public CsvImportFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
