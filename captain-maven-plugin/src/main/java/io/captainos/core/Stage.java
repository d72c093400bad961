package io.captainos.core;

import java.util.Locale;

/** The build stages, in pipeline order, with the names of their settings. */
public enum Stage {
    KERNEL("KERNEL_MODE"),
    TOOLS("TOOLS_MODE"),
    INITRAMFS("MKOSI_MODE"),
    ISO("ISO_MODE");

    private final String modeEnv;

    Stage(String modeEnv) {
        this.modeEnv = modeEnv;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The property of this stage's mode, e.g. {@code captain.tools.mode}. */
    public String modeProperty() {
        return property("mode");
    }

    /** The environment variable of this stage's mode, e.g. {@code TOOLS_MODE}. */
    public String modeEnv() {
        return modeEnv;
    }

    /** The property that forces a rebuild, e.g. {@code captain.tools.force}. */
    public String forceProperty() {
        return property("force");
    }

    /** A property of this stage: {@code captain.<stage>.<name>}. */
    public String property(String name) {
        return "captain." + id() + "." + name;
    }
}
