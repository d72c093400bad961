package io.captainos.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of the plugin's code, from its imports: Maven adapters on top, the pipeline below them, the stages
 * below the pipeline, and no package cycle anywhere.
 */
class PackageGraphTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.captainos\\.[\\w.]*?)\\.[A-Z]");
    private static final List<String> STAGES = List.of(
            "io.captainos.core.kernel",
            "io.captainos.core.tools",
            "io.captainos.core.initramfs",
            "io.captainos.core.iso",
            "io.captainos.core.oci");

    /** Each package's imports of the plugin's other packages. */
    private static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(SOURCES)) {
            files = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path f : files) {
            String pkg = SOURCES.relativize(f.getParent()).toString().replace('/', '.');
            Set<String> deps = g.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (String line : Files.readAllLines(f)) {
                Matcher m = IMPORT.matcher(line);
                if (m.find() && !m.group(1).equals(pkg)) {
                    deps.add(m.group(1));
                }
            }
        }
        return g;
    }

    @Test
    void theStagesAreBelowThePipelineAndTheCoreKnowsNoMaven() throws IOException {
        Map<String, Set<String>> g = graph();
        assertTrue(g.containsKey("io.captainos.core.pipeline"), g.keySet().toString());
        for (String stage : STAGES) {
            assertTrue(g.containsKey(stage), stage);
            assertTrue(
                    g.get(stage).stream()
                            .noneMatch(
                                    d -> d.equals("io.captainos.core.pipeline") || d.startsWith("io.captainos.maven")),
                    stage + " imports " + g.get(stage));
        }
        assertTrue(
                g.get("io.captainos.core.pipeline").containsAll(STAGES.subList(0, 4)),
                "the pipeline assembles the stages");
        g.forEach((pkg, deps) -> {
            if (pkg.startsWith("io.captainos.core")) {
                assertTrue(deps.stream().noneMatch(d -> d.startsWith("io.captainos.maven")), pkg + " imports " + deps);
            }
        });
    }

    @Test
    void noPackageCycle() throws IOException {
        Map<String, Set<String>> g = graph();
        List<String> cycles = new ArrayList<>();
        for (String start : g.keySet()) {
            // a cycle through start: start reaches itself
            Set<String> seen = new TreeSet<>();
            List<String> todo = new ArrayList<>(g.get(start));
            while (!todo.isEmpty()) {
                String p = todo.remove(todo.size() - 1);
                if (p.equals(start)) {
                    cycles.add(start);
                    break;
                }
                if (seen.add(p)) {
                    todo.addAll(g.getOrDefault(p, Set.of()));
                }
            }
        }
        assertEquals(List.of(), cycles, "packages on an import cycle");
    }
}
