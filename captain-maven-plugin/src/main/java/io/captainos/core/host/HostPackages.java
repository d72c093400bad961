package io.captainos.core.host;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What each stage needs on the build host, declared once in {@code requirements.tsv}: the plugin checks it before a
 * native stage, the builder image installs it, and CI reads the same file.
 */
public final class HostPackages {
    /** One row of the file. */
    record Row(String stage, Requirement requirement, String when) {}

    private static final List<Row> ROWS = read();

    private HostPackages() {}

    /** What {@code stage} needs to build for {@code target} on a {@code host} (null when neither arch). */
    public static List<Requirement> of(String stage, Arch target, Arch host) {
        List<Requirement> r = new ArrayList<>();
        for (Row row : ROWS) {
            if (row.stage().equals(stage) && needed(row.when(), target, host)) {
                r.add(row.requirement());
            }
        }
        return r;
    }

    /** A requirement the stage uses when present ({@code optional} rows), by name. */
    public static Requirement optional(String stage, String name) {
        return ROWS.stream()
                .filter(r -> r.stage().equals(stage) && r.requirement().name().equals(name))
                .map(Row::requirement)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(stage + " lists no " + name));
    }

    /** Every package the builder image has when it runs on {@code arch}: all but the other arch's own rows. */
    public static List<String> builder(Arch arch) {
        TreeSet<String> packages = new TreeSet<>();
        for (Row row : ROWS) {
            String w = row.when();
            boolean mine = switch (w) {
                case "any", "builder", "native", "optional" -> true;
                default ->
                    w.equals(arch.debian())
                            || w.equals("optional-" + arch.debian())
                            || (w.startsWith("cross-") && !w.equals("cross-" + arch.debian()));
            };
            if (mine) {
                packages.add(row.requirement().debianPackage());
            }
        }
        return new ArrayList<>(packages);
    }

    private static boolean needed(String when, Arch target, Arch host) {
        return switch (when) {
            case "any" -> true;
            case "native" -> target == host;
            case "builder", "optional" -> false;
            default -> {
                if (target == null) {
                    yield false;
                }
                if (when.startsWith("cross-")) {
                    yield target != host && when.equals("cross-" + target.debian());
                }
                yield when.equals(target.debian());
            }
        };
    }

    private static List<Row> read() {
        List<Row> rows = new ArrayList<>();
        for (String line : Resources.lines(HostPackages.class, "/io/captainos/host/requirements.tsv")) {
            String[] f = line.split("\t");
            if (f.length != 5 || !(f[1].equals("program") || f[1].equals("file"))) {
                throw new CaptainException("Bad row in requirements.tsv: '" + line + "'");
            }
            rows.add(new Row(
                    f[0],
                    f[1].equals("program") ? Requirement.program(f[2], f[3]) : Requirement.file(f[2], f[3]),
                    f[4]));
        }
        return List.copyOf(rows);
    }
}
