package org.mhero.csv;

import org.junit.jupiter.api.Test;
import org.mhero.ihris.HealthWorkerRecord;
import org.mhero.ihris.LocationHierarchy;
import org.mhero.phone.PhoneNormalizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvRowMapperTest {
    static final List<String> HEADER = List.of("Employee Code", "First Name", "Last Name", "Full Name", "Phone",
            "National ID", "Gender", "Active", "Cadre", "Job Title", "Facility", "District", "County", "Country");

    static Map<String, String> columns() {
        Map<String, String> m = new LinkedHashMap<>();
        String[] fields = {"id", "given", "family", "name", "phone", "national.id", "gender", "active", "cadre", "job",
                "facility", "district", "region", "country"};
        for (int i = 0; i < fields.length; i++) m.put(fields[i], HEADER.get(i));
        return m;
    }

    final CsvRowMapper mapper = new CsvRowMapper(columns(), new PhoneNormalizer("LR"));
    final CsvRowMapper.Header header = mapper.bind(HEADER);

    CsvRowMapper.Mapped map(String... cells) {
        return mapper.map(header, Arrays.asList(cells));
    }

    @Test
    void mapsARowToACsvRecordWithItsFacilityChain() {
        CsvRowMapper.Mapped m = map("LR-MOH-0003", " Fatu ", "Kamara", "", "0777234567 / 0881234567", "NID-1", "F", "yes",
                "Midwife", "Certified Midwife", "Phebe Hospital", "Suakoko", "Bong", "Liberia");
        assertThat(m.rejected()).isFalse();
        HealthWorkerRecord r = m.record();
        assertThat(r.registry()).isEqualTo("csv");
        assertThat(r.sourceId()).isEqualTo("LR-MOH-0003");
        assertThat(r.displayName()).isEqualTo("Fatu Kamara");
        assertThat(r.givenNames()).isEqualTo("Fatu");
        assertThat(r.familyName()).isEqualTo("Kamara");
        assertThat(r.gender()).isEqualTo("female");
        assertThat(r.active()).isTrue();
        assertThat(r.cadre()).isEqualTo("Midwife");
        assertThat(r.jobTitle()).isEqualTo("Certified Midwife");
        assertThat(r.nationalId()).isEqualTo("NID-1");
        assertThat(r.employeeNumber()).isNull();
        assertThat(r.facilitySourceId()).isEqualTo("liberia/bong/suakoko/phebe-hospital");
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::e164).containsExactly("+231777234567", "+231881234567");
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::primary).containsExactly(true, false);
        assertThat(r.phones()).extracting(HealthWorkerRecord.Phone::rank).containsExactly(1, 2);

        assertThat(m.locations()).extracting(LocationHierarchy.Node::sourceId).containsExactly("liberia", "liberia/bong",
                "liberia/bong/suakoko", "liberia/bong/suakoko/phebe-hospital");
        LocationHierarchy.Node facility = m.locations().get(3);
        assertThat(facility.level()).isEqualTo("facility");
        assertThat(facility.name()).isEqualTo("Phebe Hospital");
        assertThat(facility.parentSourceId()).isEqualTo("liberia/bong/suakoko");
        assertThat(facility.path()).isEqualTo("/liberia/bong/suakoko/phebe-hospital");
        assertThat(facility.countryId()).isEqualTo("liberia");
        assertThat(facility.regionId()).isEqualTo("liberia/bong");
        assertThat(facility.districtId()).isEqualTo("liberia/bong/suakoko");
        assertThat(m.locations().get(0).level()).isEqualTo("country");
        assertThat(m.locations().get(0).countryId()).isEqualTo("liberia");
        assertThat(m.locations().get(0).parentSourceId()).isNull();
    }

    @Test
    void theSameRowGivesTheSameRecordAndTheSameLocations() {
        String[] row = {"LR-1", "Musu", "Kollie", "", "0770123456", "", "", "", "", "", "Redemption Hospital", "Greater Monrovia", "Montserrado", "Liberia"};
        CsvRowMapper.Mapped a = map(row), b = map(row);
        assertThat(a.record().contentHash()).isEqualTo(b.record().contentHash());
        assertThat(a.locations()).isEqualTo(b.locations());
    }

    @Test
    void locationIdsIgnoreCaseAccentsAndPunctuationAndMarkSkippedLevels() {
        assertThat(CsvRowMapper.slug("  G.W. Harley  Hospital ")).isEqualTo("g-w-harley-hospital");
        assertThat(CsvRowMapper.slug("Côte d'Ivoire")).isEqualTo("cote-d-ivoire");
        assertThat(CsvRowMapper.slug("...")).isEmpty();
        List<LocationHierarchy.Node> chain = CsvRowMapper.locations("Liberia", null, "Buchanan", null);
        assertThat(chain).extracting(LocationHierarchy.Node::sourceId).containsExactly("liberia", "liberia/-/buchanan");
        assertThat(chain.get(1).parentSourceId()).isEqualTo("liberia");
        assertThat(chain.get(1).regionId()).isNull();
        assertThat(chain.get(1).level()).isEqualTo("district");
        assertThat(CsvRowMapper.locations(null, null, null, null)).isEmpty();
    }

    @Test
    void theWorkersLocationIsTheDeepestGiven() {
        CsvRowMapper.Mapped m = map("LR-20", "Korto", "Johnson", "", "0884567890", "", "F", "yes", "", "", "", "Buchanan", "Grand Bassa", "Liberia");
        assertThat(m.record().facilitySourceId()).isEqualTo("liberia/grand-bassa/buchanan");
    }

    @Test
    void theFullNameIsUsedWhenGivenAndFamilyAreBlank() {
        HealthWorkerRecord r = map("LR-11", "", "", "Esther  Tarpeh", "", "", "", "", "", "", "", "", "", "").record();
        assertThat(r.displayName()).isEqualTo("Esther Tarpeh");
        assertThat(r.givenNames()).isNull();
        assertThat(r.familyName()).isNull();
        assertThat(r.phones()).as("a blank phone cell is no phone").isEmpty();
        assertThat(r.facilitySourceId()).isNull();
        assertThat(r.gender()).isNull();
    }

    @Test
    void rowsWithoutIdOrNameAreRejectedWithAReasonThatHoldsNoContent() {
        CsvRowMapper.Mapped noId = map("  ", "Garmai", "Sumo", "", "0775550198", "", "", "", "", "", "", "", "", "");
        assertThat(noId.rejected()).isTrue();
        assertThat(noId.rejection()).isEqualTo("no id (column 'Employee Code' is blank)");
        CsvRowMapper.Mapped noName = map("LR-9", "", " ", "", "0886777001", "", "", "", "", "", "", "", "", "");
        assertThat(noName.rejection()).isEqualTo("no name ('First Name', 'Last Name', 'Full Name' blank)");
        assertThat(map("", "", "", "", "0886777001").rejection()).contains("no id", "no name").doesNotContain("0886");
    }

    @Test
    void shortRowsReadTheMissingCellsAsBlankAndLongRowsAreRejected() {
        CsvRowMapper.Mapped shortRow = map("LR-1", "Musu", "Kollie");
        assertThat(shortRow.rejected()).isFalse();
        assertThat(shortRow.record().phones()).isEmpty();
        List<String> trailingBlanks = new ArrayList<>(Arrays.asList("LR-1", "Musu", "Kollie"));
        for (int i = 0; i < 15; i++) trailingBlanks.add(" ");
        assertThat(mapper.map(header, trailingBlanks).rejected()).as("trailing empty cells are harmless").isFalse();
        List<String> shifted = new ArrayList<>(HEADER.stream().map(x -> "").toList());
        shifted.set(0, "LR-1");
        shifted.set(1, "Moses");
        shifted.add("Jr.");
        assertThat(mapper.map(header, shifted).rejection()).isEqualTo("15 cells but the header has 14 columns (a delimiter inside an unquoted value?)");
    }

    @Test
    void readsActiveAndGenderLeniently() {
        assertThat(map("1", "A", "B", "", "", "", "m", "No").record()).satisfies(r -> {
            assertThat(r.active()).isFalse();
            assertThat(r.gender()).isEqualTo("male");
        });
        assertThat(map("1", "A", "B", "", "", "", "Woman", "INACTIVE").record().active()).isFalse();
        assertThat(map("1", "A", "B", "", "", "", "x", "1").record()).satisfies(r -> {
            assertThat(r.active()).isTrue();
            assertThat(r.gender()).isNull();
        });
        assertThat(map("1", "A", "B", "", "", "", "", "retired").rejection()).isEqualTo("column 'Active' is neither yes nor no");
    }

    @Test
    void keepsUnusableNumbersWithTheirReasonAndTheSameNumberOnce() {
        List<HealthWorkerRecord.Phone> p = map("1", "A", "B", "", "07701, 0770123456 or +231 770 123 456").record().phones();
        assertThat(p).extracting(HealthWorkerRecord.Phone::invalidReason).containsExactly("TOO_SHORT", null);
        assertThat(p.get(1).e164()).isEqualTo("+231770123456");
        assertThat(p.get(1).primary()).isTrue();
    }

    @Test
    void headersMatchIgnoringCaseAndBlanksAndMissingOptionalColumnsAreListed() {
        CsvRowMapper.Header h = mapper.bind(List.of(" employee code ", "FULL   NAME", "phone"));
        assertThat(h.missing()).contains("given ('First Name')", "cadre ('Cadre')").hasSize(11);
        HealthWorkerRecord r = mapper.map(h, List.of("X1", "Ann Flomo", "0770123456")).record();
        assertThat(r.sourceId()).isEqualTo("X1");
        assertThat(r.displayName()).isEqualTo("Ann Flomo");
    }

    @Test
    void aHeaderWithoutTheIdOrAnyNameColumnCannotBeImported() {
        assertThatThrownBy(() -> mapper.bind(List.of("Code", "First Name", "Phone")))
                .isInstanceOf(CsvFormatException.class).hasMessageContaining("no id column 'Employee Code'")
                .hasMessageContaining("column.id of org.mhero.csv");
        assertThatThrownBy(() -> mapper.bind(List.of("Employee Code", "Phone")))
                .isInstanceOf(CsvFormatException.class).hasMessageContaining("none of the name columns");
        assertThatThrownBy(() -> mapper.bind(List.of("Employee Code", "Phone", "Full Name", "phone")))
                .isInstanceOf(CsvFormatException.class).hasMessageContaining("'phone' twice");
        assertThat(mapper.bind(List.of("Employee Code", "Full Name", "Notes", "Notes")).missing()).isNotEmpty();
    }
}
