package io.captainos.core;

import java.util.Locale;

/** Whether kernel compiles go through ccache ({@code captain.kernel.ccache}). */
public enum Ccache implements Choice {
    /** When ccache is installed. */
    AUTO,
    /** Always: a missing ccache is a missing host program. */
    TRUE,
    /** Never. */
    FALSE;

    @Override
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
