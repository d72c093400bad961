package io.captainos.core.state;

import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a stage built last, by the digest of its inputs. The stamp is removed before a build starts and written
 * after it succeeds, so an interrupted build is never taken for a finished one.
 */
public final class StageStamp {
    private final Path file;

    public StageStamp(Path file) {
        this.file = file;
    }

    /** Null when the stage is up to date; otherwise the reason it must build. */
    public String staleReason(InputHash inputs, List<Path> outputs) {
        List<String> missing = new ArrayList<>();
        for (Path o : outputs) {
            if (!Files.isRegularFile(o)) {
                missing.add(o.getFileName().toString());
            }
        }
        if (!missing.isEmpty()) {
            return "output missing: " + String.join(", ", missing);
        }
        if (!Files.isRegularFile(file)) {
            return "no record of an earlier build";
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(inputs.digest())) {
                return "inputs changed" + changed(lines, inputs);
            }
            return null;
        } catch (IOException e) {
            return "unreadable record " + file + ": " + e.getMessage();
        }
    }

    private static String changed(List<String> recorded, InputHash inputs) {
        List<String> now = List.of(inputs.describe().split("\n"));
        List<String> diff = new ArrayList<>();
        for (String l : now) {
            if (!recorded.contains(l)) {
                diff.add(l.substring(0, Math.max(0, l.indexOf('='))));
            }
        }
        return diff.isEmpty()
                ? ""
                : " (" + String.join(", ", diff.subList(0, Math.min(5, diff.size()))) + (diff.size() > 5 ? ", ..." : "")
                        + ")";
    }

    public void invalidate() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new CaptainException("Cannot remove " + file + ": " + e.getMessage(), e);
        }
    }

    public void record(InputHash inputs) {
        Files2.writeAtomically(file, inputs.digest() + "\n" + inputs.describe());
    }
}
