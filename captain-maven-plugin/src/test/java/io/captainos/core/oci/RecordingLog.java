package io.captainos.core.oci;

import io.captainos.core.BuildLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A build log that keeps every line, so tests can look for what was (and was not) said. */
final class RecordingLog implements BuildLog {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void info(String message) {
        lines.add("INFO " + message);
    }

    @Override
    public void warn(String message) {
        lines.add("WARN " + message);
    }

    @Override
    public void debug(String message) {
        lines.add("DEBUG " + message);
    }

    String all() {
        return String.join("\n", lines);
    }
}
