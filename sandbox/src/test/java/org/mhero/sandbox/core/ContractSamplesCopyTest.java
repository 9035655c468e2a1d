package org.mhero.sandbox.core;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract tests read the repository's copy of the shared contract samples ({@code contracts/samples}), so that a
 * clone builds on its own. Where the shared contracts sit beside the clone ({@code ../shared/contracts}, as for every
 * developer and CI here), the copy must be byte for byte the same: a changed, added or removed sample fails here.
 */
class ContractSamplesCopyTest {
    @Test
    void theCopyIsTheSharedSamplesByteForByte() throws IOException {
        Path copy = Path.of(System.getProperty("mhero.contracts.dir", "../contracts"), "samples");
        Path shared = Path.of(System.getProperty("mhero.shared.contracts.dir", "../../shared/contracts"), "samples");
        assertThat(copy).isDirectory();
        Map<String, byte[]> ours = files(copy);
        assertThat(ours).as("samples of every peer").containsKeys("rapidpro/PROVENANCE.md", "dhis2/PROVENANCE.md");
        Assumptions.assumeTrue(Files.isDirectory(shared), "no shared contracts beside this clone: nothing to compare with");
        Map<String, byte[]> theirs = files(shared);
        assertThat(ours.keySet()).as("the same files").isEqualTo(theirs.keySet());
        theirs.forEach((name, bytes) -> assertThat(ours.get(name)).as(name).isEqualTo(bytes));
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }
}
