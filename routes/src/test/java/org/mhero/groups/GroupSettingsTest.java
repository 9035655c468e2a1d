package org.mhero.groups;

import org.junit.jupiter.api.Test;
import org.mhero.config.Pid;
import org.mhero.testing.ShippedConfig;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GroupSettingsTest {

    static Map<String, String> shipped() {
        return new ShippedConfig().pid(GroupSettings.PID, Map.of()).asMap().get(GroupSettings.PID);
    }

    @Test
    void theShippedGroupsAreValid() {
        Pid pid = new Pid(GroupSettings.PID, shipped());
        GroupSettings s = GroupSettings.from(pid);
        assertThat(pid.problems()).isEmpty();
        assertThat(s.groups()).extracting(GroupDefinition::name)
                .containsExactly("bong-nurses-midwives", "doctors", "lofa-imnci", "monrovia-ebola-ipc");
        assertThat(s.groups()).filteredOn(GroupDefinition::mirror).extracting(GroupDefinition::name).containsExactly("doctors");
        assertThat(s.groups().get(0).rule()).isEqualTo("cadre in (nurse, midwife) and region = \"Bong\" and active");
    }

    @Test
    void namesThePidAndKeyOfEveryProblemAndLeavesBadGroupsOut() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("apply.on.start", "true");
        cfg.put("group.good.rule", "cadre = nurse");
        cfg.put("group.good.mirror", "false");
        cfg.put("group.typo.rule", "cadr = nurse");
        cfg.put("group.typo.mirror", "true");
        cfg.put("group.no-mirror.rule", "active");
        cfg.put("group.Bad_Name.rule", "active");
        cfg.put("group.bad-mirror.rule", "active");
        cfg.put("group.bad-mirror.mirror", "yes");
        cfg.put("group.empty.rule", "");
        cfg.put("group.empty.mirror", "false");
        cfg.put("group.x.rules", "active");
        cfg.put("service.pid", GroupSettings.PID);
        cfg.put("felix.fileinstall.filename", "file:/opt/karaf/etc/org.mhero.groups.cfg");
        Pid pid = new Pid(GroupSettings.PID, cfg);

        GroupSettings s = GroupSettings.from(pid);

        assertThat(s.groups()).containsExactly(new GroupDefinition("good", "cadre = nurse", false));
        assertThat(pid.problems()).extracting(Pid.Problem::toString).containsExactlyInAnyOrder(
                "org.mhero.groups: key 'group.Bad_Name.rule' names group 'Bad_Name': group names are lower case letters,"
                        + " digits and '-' ([a-z0-9-]+, at most 64 characters)",
                "org.mhero.groups: key 'group.x.rules' is not a group key; declare a group with group.<name>.rule and"
                        + " group.<name>.mirror",
                "org.mhero.groups: key 'group.bad-mirror.mirror' = 'yes' is not true or false",
                "org.mhero.groups: key 'group.empty.rule' is empty; write a rule such as cadre in (nurse, midwife) and active",
                "org.mhero.groups: key 'group.no-mirror.mirror' is missing",
                "org.mhero.groups: key 'group.typo.rule' = 'cadr = nurse' is not a valid rule: unknown field 'cadr' at 1;"
                        + " expected one of cadre, job, facility, district, region, country, training, registry, active,"
                        + " opted_out, reachable");
    }

    @Test
    void noGroupsIsAValidConfiguration() {
        Pid pid = new Pid(GroupSettings.PID, Map.of("service.pid", GroupSettings.PID, "apply.on.start", "false"));
        assertThat(GroupSettings.from(pid).groups()).isEmpty();
        assertThat(pid.ok()).isTrue();
    }
}
