package io.captainos.core.state;

import io.captainos.core.Arch;
import io.captainos.core.ReleaseFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a stage's results for one arch live, the same shape for every stage: a folder of named files, the record of
 * the inputs they were built from ({@code inputs.stamp}), and for stages whose files belong to a kernel release, the
 * kernel version ({@code kernel.version}). A file may be attached to the Maven project (a type and a classifier) and
 * published to {@code out/} under its release name.
 */
public final class StageOutputs {
    /**
     * One file of a stage.
     *
     * @param role       what it is to the stage ({@code bundle}, {@code vmlinuz}); how callers find it
     * @param name       its name in the stage's folder
     * @param type       the Maven artifact type it is attached as; null when it is not attached
     * @param classifier the Maven classifier it is attached with
     * @param release    the kind of release file it is published to {@code out/} as; null when it is not published
     */
    public record File(String role, String name, String type, String classifier, ReleaseFiles.Kind release) {
        /** A file kept in the stage's folder only. */
        public static File kept(String role, String name) {
            return new File(role, name, null, null, null);
        }

        /** A file attached to the project. */
        public static File attached(String role, String name, String type, String classifier) {
            return new File(role, name, type, classifier, null);
        }

        /** This file, also published to {@code out/} as a release file of {@code kind}. */
        public File published(ReleaseFiles.Kind kind) {
            return new File(role, name, type, classifier, kind);
        }
    }

    private final String stage;
    private final Arch arch;
    private final String what;
    private final Path dir;
    private final List<File> files;
    private final boolean versioned;

    /**
     * @param stage     the stage's name in messages ({@code tools})
     * @param arch      the arch the files are for; null when they cover every arch
     * @param what      what the stage makes, for messages ({@code bundle}, {@code ISO})
     * @param dir       the folder that holds the files and the records
     * @param versioned whether the files belong to a kernel release, whose version is recorded with them
     */
    public StageOutputs(String stage, Arch arch, String what, Path dir, boolean versioned, List<File> files) {
        this.stage = stage;
        this.arch = arch;
        this.what = what;
        this.dir = dir;
        this.files = List.copyOf(files);
        this.versioned = versioned;
    }

    /** {@code tools (x86_64)}: how the log names this stage and arch. */
    public String label() {
        return arch == null ? stage : stage + " (" + arch.linux() + ")";
    }

    /** The stage's name: {@code tools}. */
    public String stage() {
        return stage;
    }

    public Arch arch() {
        return arch;
    }

    public String what() {
        return what;
    }

    public Path dir() {
        return dir;
    }

    public List<File> files() {
        return files;
    }

    public boolean versioned() {
        return versioned;
    }

    /** The file of a role; fails for a role the stage does not have. */
    public Path path(String role) {
        return files.stream()
                .filter(f -> f.role().equals(role))
                .findFirst()
                .map(f -> dir.resolve(f.name()))
                .orElseThrow(() -> new IllegalArgumentException(stage + " has no output " + role));
    }

    public Path stamp() {
        return dir.resolve("inputs.stamp");
    }

    /** The kernel version the files were built for, written after them and before the stamp. */
    public Path versionRecord() {
        return dir.resolve("kernel.version");
    }

    /** Every file that a finished build has: the outputs and, when versioned, the version record. */
    public List<Path> finished() {
        List<Path> all = new ArrayList<>();
        files.forEach(f -> all.add(dir.resolve(f.name())));
        if (versioned) {
            all.add(versionRecord());
        }
        return all;
    }

    /** The recorded kernel version; null when there is none (never built, or not versioned). */
    public String kernelVersion() {
        if (!versioned) {
            return null;
        }
        try {
            String v = Files.readString(versionRecord()).trim();
            return v.isEmpty() ? null : v;
        } catch (IOException e) {
            return null;
        }
    }
}
