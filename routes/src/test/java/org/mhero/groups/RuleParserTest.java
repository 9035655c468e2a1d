package org.mhero.groups;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleParserTest {

    static Rule.Match match(Field f, String... values) { return new Rule.Match(f, List.of(values)); }

    static Rule.Flag flag(Field f) { return new Rule.Flag(f); }

    static Rule.And and(Rule... parts) { return new Rule.And(List.of(parts)); }

    static Rule.Or or(Rule... parts) { return new Rule.Or(List.of(parts)); }

    static Rule.Not not(Rule r) { return new Rule.Not(r); }

    static void assertError(String rule, int position, String message) {
        assertThatThrownBy(() -> RuleParser.parse(rule))
                .isInstanceOf(RuleException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((RuleException) e).position()).as("position").isEqualTo(position));
    }

    @Test
    void parsesTheExampleRules() {
        assertThat(RuleParser.parse("cadre in (nurse, midwife) and district = \"Bong\" and active"))
                .isEqualTo(and(match(Field.CADRE, "nurse", "midwife"), match(Field.DISTRICT, "Bong"), flag(Field.ACTIVE)));
        assertThat(RuleParser.parse("region = \"Lofa\" or training = IMCI"))
                .isEqualTo(or(match(Field.REGION, "Lofa"), match(Field.TRAINING, "IMCI")));
        assertThat(RuleParser.parse("not opted_out and registry = dhis2"))
                .isEqualTo(and(not(flag(Field.OPTED_OUT)), match(Field.REGISTRY, "dhis2")));
        assertThat(RuleParser.parse("facility = \"Phebe Hospital\"")).isEqualTo(match(Field.FACILITY, "Phebe Hospital"));
        assertThat(RuleParser.parse("country = \"Liberia\"")).isEqualTo(match(Field.COUNTRY, "Liberia"));
        assertThat(RuleParser.parse("job = \"2221-1D\"")).isEqualTo(match(Field.JOB, "2221-1D"));
        assertThat(RuleParser.parse("reachable")).isEqualTo(flag(Field.REACHABLE));
    }

    @Test
    void andBindsTighterThanOrAndNotTighterThanAnd() {
        assertThat(RuleParser.parse("active or reachable and opted_out"))
                .isEqualTo(or(flag(Field.ACTIVE), and(flag(Field.REACHABLE), flag(Field.OPTED_OUT))));
        assertThat(RuleParser.parse("active and reachable or opted_out"))
                .isEqualTo(or(and(flag(Field.ACTIVE), flag(Field.REACHABLE)), flag(Field.OPTED_OUT)));
        assertThat(RuleParser.parse("not active and reachable"))
                .isEqualTo(and(not(flag(Field.ACTIVE)), flag(Field.REACHABLE)));
        assertThat(RuleParser.parse("not not active")).isEqualTo(not(not(flag(Field.ACTIVE))));
    }

    @Test
    void parenthesesOverridePrecedence() {
        assertThat(RuleParser.parse("(active or reachable) and opted_out"))
                .isEqualTo(and(or(flag(Field.ACTIVE), flag(Field.REACHABLE)), flag(Field.OPTED_OUT)));
        assertThat(RuleParser.parse("not (cadre = nurse or cadre = midwife)"))
                .isEqualTo(not(or(match(Field.CADRE, "nurse"), match(Field.CADRE, "midwife"))));
        assertThat(RuleParser.parse("((active))")).isEqualTo(flag(Field.ACTIVE));
    }

    @Test
    void negatedOperatorsBecomeNot() {
        assertThat(RuleParser.parse("cadre != nurse")).isEqualTo(not(match(Field.CADRE, "nurse")));
        assertThat(RuleParser.parse("cadre not in (nurse, midwife)")).isEqualTo(not(match(Field.CADRE, "nurse", "midwife")));
        assertThat(RuleParser.parse("active = false")).isEqualTo(not(flag(Field.ACTIVE)));
        assertThat(RuleParser.parse("active != false")).isEqualTo(flag(Field.ACTIVE));
        assertThat(RuleParser.parse("opted_out = TRUE")).isEqualTo(flag(Field.OPTED_OUT));
    }

    @Test
    void keywordsAndFieldsAreCaseInsensitiveAndValuesKeptAsWritten() {
        assertThat(RuleParser.parse("CADRE IN (Nurse) AND NOT Opted_Out OR Region NOT IN (Bong)"))
                .isEqualTo(or(and(match(Field.CADRE, "Nurse"), not(flag(Field.OPTED_OUT))), not(match(Field.REGION, "Bong"))));
    }

    @Test
    void bareValuesTakeLettersDigitsDashDotSlashAndUnderscore() {
        assertThat(RuleParser.parse("cadre=allied-health")).isEqualTo(match(Field.CADRE, "allied-health"));
        assertThat(RuleParser.parse("job = 2221-1D")).isEqualTo(match(Field.JOB, "2221-1D"));
        assertThat(RuleParser.parse("district = St.Paul_River/2")).isEqualTo(match(Field.DISTRICT, "St.Paul_River/2"));
        assertThat(RuleParser.parse("district in(Gbarnga,Salala)")).isEqualTo(match(Field.DISTRICT, "Gbarnga", "Salala"));
    }

    @Test
    void quotedValuesKeepSpacesKeywordsAndEscapes() {
        assertThat(RuleParser.parse("district = \"St. Paul River\"")).isEqualTo(match(Field.DISTRICT, "St. Paul River"));
        assertThat(RuleParser.parse("facility = \"and or not in ( ) ,\"")).isEqualTo(match(Field.FACILITY, "and or not in ( ) ,"));
        assertThat(RuleParser.parse("facility = \"Say \\\"hi\\\" \\\\ bye\"")).isEqualTo(match(Field.FACILITY, "Say \"hi\" \\ bye"));
        assertThat(RuleParser.parse("facility = \"Saint Joseph's\"")).isEqualTo(match(Field.FACILITY, "Saint Joseph's"));
    }

    @Test
    void sqlInjectionAttemptsAreJustValues() {
        assertThat(RuleParser.parse("district = \"x'; drop table health_worker; --\""))
                .isEqualTo(match(Field.DISTRICT, "x'; drop table health_worker; --"));
        assertThat(RuleParser.parse("cadre in (\"a') or 1=1 --\", nurse)"))
                .isEqualTo(match(Field.CADRE, "a') or 1=1 --", "nurse"));
        // unquoted, the same text is not a rule at all
        assertError("district = x'; drop table health_worker; --", 13, "unexpected character ''' at 13");
        assertError("district = x; drop table health_worker", 13, "unexpected character ';' at 13");
    }

    @Test
    void rendersCanonicalText() {
        Rule r = RuleParser.parse("cadre in (nurse, midwife) and not (district = \"St. Paul River\" or reachable) or job != x");
        assertThat(r).hasToString(
                "(cadre in (\"nurse\", \"midwife\") and not (district = \"St. Paul River\" or reachable)) or job != \"x\"");
        assertThat(RuleParser.parse(r.toString())).as("canonical text parses to the same rule").isEqualTo(r);
        assertThat(RuleParser.parse("facility = \"a \\\"b\\\"\"").toString()).isEqualTo("facility = \"a \\\"b\\\"\"");
    }

    @Test
    void namesAnUnknownFieldWithItsPositionAndTheFieldsThatExist() {
        assertError("cadr = nurse", 1,
                "unknown field 'cadr' at 1; expected one of cadre, job, facility, district, region, country, training, "
                        + "registry, active, opted_out, reachable");
        assertError("active and distrct = Bong", 12, "unknown field 'distrct' at 12");
    }

    @Test
    void reportsSyntaxErrorsWithPositions() {
        assertError("", 1, "empty rule");
        assertError("   ", 1, "empty rule");
        assertError("cadre", 6, "expected '=', '!=', 'in' or 'not in' after 'cadre' at 6, found the end of the rule");
        assertError("cadre nurse", 7, "expected '=', '!=', 'in' or 'not in' after 'cadre' at 7, found 'nurse'");
        assertError("cadre = ", 9, "expected a value at 9, found the end of the rule");
        assertError("cadre = and", 9, "expected a value at 9, found 'and' (quote it: \"and\")");
        assertError("cadre = \"\"", 9, "empty value at 9");
        assertError("cadre = nurse midwife", 15, "unexpected 'midwife' at 15; expected 'and', 'or' or the end of the rule");
        assertError("cadre in nurse", 10, "expected '(' at 10 to start the list, found 'nurse'");
        assertError("cadre in (nurse midwife)", 17, "expected ',' or ')' at 17 in the list opened at 10, found 'midwife'");
        assertError("cadre in (nurse,)", 17, "expected a value at 17, found ')'");
        assertError("cadre not nurse", 11, "expected 'in' after 'not' at 11, found 'nurse'");
        assertError("(active or reachable", 21, "expected ')' at 21 to close '(' at 1, found the end of the rule");
        assertError("active)", 7, "unexpected ')' at 7");
        assertError("active and", 11, "expected a field at 11, found the end of the rule");
        assertError("and active", 1, "expected a field at 1, found 'and'");
        assertError("facility = \"Phebe", 12, "unterminated string starting at 12");
        assertError("cadre == nurse", 8, "expected a value at 8, found '='");
        assertError("cadre <> nurse", 7, "unexpected character '<' at 7");
        assertError("cadre ! nurse", 7, "unexpected character '!' at 7");
    }

    @Test
    void checksFlagsAndRegistries() {
        assertError("active = yes", 10, "expected true or false at 10 for 'active', found 'yes'");
        assertError("active in (true)", 8, "'active' is a yes/no field at 8");
        assertError("registry = dhis", 12, "unknown registry 'dhis' at 12; expected one of ihris, dhis2, csv, rapidpro");
        assertError("registry in (ihris, fhir)", 21, "unknown registry 'fhir' at 21");
        assertThat(RuleParser.parse("registry in (IHRIS, csv, rapidpro)")).isEqualTo(match(Field.REGISTRY, "IHRIS", "csv", "rapidpro"));
    }
}
