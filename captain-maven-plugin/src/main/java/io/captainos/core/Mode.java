package io.captainos.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a stage runs. */
public enum Mode {
    /** The builder container when a Docker engine answers, native otherwise. */
    AUTO,
    /** On this host, after checking its programs. */
    NATIVE,
    /** In the builder container. */
    DOCKER,
    /** Not at all: what exists is used. */
    SKIP;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Mode parse(String value, String setting) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Mode m : values()) {
            if (m.id().equals(v)) {
                return m;
            }
        }
        throw new CaptainException("Unknown mode '" + value + "' for " + setting + ": use one of "
                + Arrays.stream(values()).map(Mode::id).collect(Collectors.joining(", ")));
    }
}
