package io.captainos.core.kernel;

import io.captainos.core.CaptainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel configuration as symbols: {@code CONFIG_X=value} lines and {@code # CONFIG_X is not set} lines (value
 * {@code n}). Our defconfigs are fragments in this form, merged onto a base configuration.
 */
public final class KernelConfig {
    private static final Pattern SET = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
    private static final Pattern UNSET = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");
    private static final Pattern INCLUDE = Pattern.compile("^#\\s*include\\s+(\\S+)$");
    private final LinkedHashMap<String, String> symbols = new LinkedHashMap<>();

    public static KernelConfig parse(List<String> lines) {
        KernelConfig c = new KernelConfig();
        for (String raw : lines) {
            String line = raw.strip();
            Matcher m = SET.matcher(line);
            if (m.matches()) {
                c.symbols.put(m.group(1), m.group(2));
                continue;
            }
            m = UNSET.matcher(line);
            if (m.matches()) {
                c.symbols.put(m.group(1), "n");
            }
        }
        return c;
    }

    /**
     * Reads a config or fragment. A fragment may start with lines {@code # include <file>} (a comment to Kconfig),
     * which read another fragment of the same folder first; later lines win.
     */
    public static KernelConfig read(Path file) {
        return read(file, 0);
    }

    private static KernelConfig read(Path file, int depth) {
        if (depth > 8) {
            throw new CaptainException("Kernel config includes nest too deep at " + file);
        }
        try {
            KernelConfig c = new KernelConfig();
            List<String> own = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                Matcher m = INCLUDE.matcher(line.strip());
                if (m.matches()) {
                    Path inc = file.resolveSibling(m.group(1));
                    if (!Files.isRegularFile(inc)) {
                        throw new CaptainException(file + " includes " + inc + ", which does not exist");
                    }
                    c.symbols.putAll(read(inc, depth + 1).symbols);
                } else {
                    own.add(line);
                }
            }
            c.symbols.putAll(parse(own).symbols);
            return c;
        } catch (IOException e) {
            throw new CaptainException("Cannot read kernel config " + file + ": " + e.getMessage(), e);
        }
    }

    public Map<String, String> symbols() {
        return symbols;
    }

    /** The value of a symbol: {@code n} when unset or absent. */
    public String get(String symbol) {
        return symbols.getOrDefault(symbol, "n");
    }

    /** This config with every symbol of the fragment set to the fragment's value. */
    public KernelConfig merge(KernelConfig fragment) {
        KernelConfig c = new KernelConfig();
        c.symbols.putAll(symbols);
        c.symbols.putAll(fragment.symbols);
        return c;
    }

    /** The symbols of the fragment whose value the resolved config does not have, as "SYMBOL=wanted (got x)". */
    public static List<String> dropped(KernelConfig fragment, KernelConfig resolved) {
        List<String> dropped = new ArrayList<>();
        fragment.symbols.forEach((k, v) -> {
            String got = resolved.get(k);
            if (!normalize(v).equals(normalize(got))) {
                dropped.add(k + "=" + v + " (got " + got + ")");
            }
        });
        return dropped;
    }

    private static String normalize(String v) {
        return v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2 ? v.substring(1, v.length() - 1) : v;
    }

    /** The config in .config form. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        symbols.forEach((k, v) -> sb.append(v.equals("n") ? "# " + k + " is not set" : k + "=" + v)
                .append('\n'));
        return sb.toString();
    }
}
