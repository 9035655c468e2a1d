package org.mhero.inbound.stock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.IsoFields;
import java.util.List;

/**
 * The DHIS2 data value set of one stock report (contracts/dhis2.md §8) and the query it is posted with: data elements
 * (and the data set and category option combo, when configured) by CODE, the org unit by UID, one period for all values,
 * a synchronous CREATE_AND_UPDATE import. No Camel here.
 */
public final class StockPayload {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StockPayload() {}

    /**
     * The DHIS2 period of a message received at {@code at}: the month ({@code yyyyMM}) or ISO week ({@code yyyyWn}, weeks
     * start on Monday, the year is the week's) containing that instant in {@code zone}, shifted by {@code offset} periods
     * ({@code -1}: the period before, for reports sent after the period they count).
     */
    public static String period(Instant at, ZoneId zone, String type, int offset) {
        LocalDate day = at.atZone(zone).toLocalDate();
        if (StockSettings.WEEKLY.equals(type)) {
            LocalDate d = day.plusWeeks(offset);
            return d.get(IsoFields.WEEK_BASED_YEAR) + "W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        }
        YearMonth m = YearMonth.from(day).plusMonths(offset);
        return String.format("%04d%02d", m.getYear(), m.getMonthValue());
    }

    /** The JSON body: {@code {dataSet?, period, orgUnit, dataValues: [{dataElement, categoryOptionCombo?, value}]}}. */
    public static String body(String dataSet, String period, String orgUnit, String categoryOptionCombo, List<StockGrammar.Item> items) {
        ObjectNode set = JSON.createObjectNode();
        if (dataSet != null) set.put("dataSet", dataSet);
        set.put("period", period);
        set.put("orgUnit", orgUnit);
        ArrayNode values = set.putArray("dataValues");
        for (StockGrammar.Item i : items) {
            ObjectNode v = values.addObject();
            v.put("dataElement", i.dataElement());
            if (categoryOptionCombo != null) v.put("categoryOptionCombo", categoryOptionCombo);
            v.put("value", Long.toString(i.quantity()));
        }
        try {
            return JSON.writeValueAsString(set);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The query string of {@code POST /api/dataValueSets}. */
    public static String query(boolean dataSet, boolean categoryOptionCombo) {
        return "dataElementIdScheme=CODE&orgUnitIdScheme=UID"
                + (dataSet ? "&dataSetIdScheme=CODE" : "")
                + (categoryOptionCombo ? "&categoryOptionComboIdScheme=CODE" : "")
                + "&importStrategy=CREATE_AND_UPDATE&async=false";
    }
}
