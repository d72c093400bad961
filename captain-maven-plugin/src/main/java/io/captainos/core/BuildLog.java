package io.captainos.core;

/** Where the core reports progress; the Maven layer adapts its own log to this. */
public interface BuildLog {
    void info(String message);

    void warn(String message);

    void debug(String message);

    /** A log that prints nothing: for tests and for callers that do not care. */
    static BuildLog silent() {
        return new BuildLog() {
            @Override
            public void info(String message) {}

            @Override
            public void warn(String message) {}

            @Override
            public void debug(String message) {}
        };
    }
}
