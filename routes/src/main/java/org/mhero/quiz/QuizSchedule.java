package org.mhero.quiz;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** Spaced timing: the next question is due {@code intervalDays} after the last one, at {@code sendHour} local time. */
public final class QuizSchedule {
    private QuizSchedule() {}

    /** The first slot at or after {@code from}: {@code from} itself without a send hour, else the next time it is that hour. */
    public static Instant firstAtOrAfter(Instant from, Integer sendHour, ZoneId zone) {
        if (sendHour == null) return from;
        ZonedDateTime t = from.atZone(zone).withHour(sendHour).withMinute(0).withSecond(0).withNano(0);
        if (t.toInstant().isBefore(from)) t = t.plusDays(1);
        return t.toInstant();
    }

    /** The slot of the question after one sent at {@code sent}. */
    public static Instant next(Instant sent, int intervalDays, Integer sendHour, ZoneId zone) {
        ZonedDateTime t = sent.atZone(zone).plusDays(intervalDays);
        if (sendHour != null) t = t.withHour(sendHour).withMinute(0).withSecond(0).withNano(0);
        return t.toInstant();
    }
}
