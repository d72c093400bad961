package io.captainos.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A setting whose value is one of a fixed set of names: the enums of the build's typed settings. */
public interface Choice {
    /** The name a user writes, e.g. {@code debian-image}. */
    String id();

    /**
     * The constant named {@code value} (case and surrounding blanks ignored), or an error that names the setting
     * and lists the allowed values.
     */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String value, Setting setting) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.id().equals(v)) {
                return e;
            }
        }
        throw new CaptainException("Unknown value '" + value + "' for " + setting.property()
                + (setting.env() == null ? "" : " (" + setting.env() + ")") + ": use one of "
                + Arrays.stream(type.getEnumConstants()).map(Choice::id).collect(Collectors.joining(", ")));
    }
}
