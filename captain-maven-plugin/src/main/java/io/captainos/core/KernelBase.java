package io.captainos.core;

import java.util.Locale;

/** The make target a config fragment is merged onto ({@code captain.kernel.base}); {@link #id()} is that target. */
public enum KernelBase implements Choice {
    DEFCONFIG,
    TINYCONFIG,
    ALLNOCONFIG;

    @Override
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
