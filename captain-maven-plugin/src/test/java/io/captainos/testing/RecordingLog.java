package io.captainos.testing;

import io.captainos.core.BuildLog;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A build log that keeps every line, so tests can look for what was (and was not) said. */
public final class RecordingLog implements BuildLog {
    public final List<String> lines = Collections.synchronizedList(new ArrayList<>());

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

    public String all() {
        return String.join("\n", lines);
    }
}
