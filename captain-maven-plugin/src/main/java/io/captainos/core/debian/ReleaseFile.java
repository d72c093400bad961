package io.captainos.core.debian;

import io.captainos.core.fetch.VerificationException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The signed text of an InRelease file: its fields and the SHA-256 of every index it lists. */
public final class ReleaseFile {
    /** An index file the Release lists. */
    public record Entry(String path, String sha256, long size) {}

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss z", Locale.ENGLISH);
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final Map<String, Entry> sha256 = new LinkedHashMap<>();

    public ReleaseFile(String signedText) {
        String section = null;
        for (String line : signedText.split("\n")) {
            if (line.startsWith(" ") && section != null) {
                if (section.equals("SHA256")) {
                    String[] p = line.trim().split("\\s+");
                    if (p.length == 3 && p[1].chars().allMatch(Character::isDigit)) {
                        sha256.put(p[2], new Entry(p[2], p[0], Long.parseLong(p[1])));
                    }
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                section = line.substring(0, colon);
                fields.put(section, line.substring(colon + 1).trim());
            }
        }
    }

    public String field(String name) {
        return fields.get(name);
    }

    public boolean acquireByHash() {
        return "yes".equalsIgnoreCase(fields.get("Acquire-By-Hash"));
    }

    /** The Release's Date, or null when it has none. */
    public Instant date() {
        String v = fields.get("Date");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(v.trim(), DATE).toInstant();
        } catch (DateTimeParseException e) {
            throw new VerificationException("The signed Release has an unreadable Date: " + v);
        }
    }

    /** The time after which the Release must not be trusted (a replayed old Release), or null when unlimited. */
    public Instant validUntil() {
        String v = fields.get("Valid-Until");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(v.trim(), DATE).toInstant();
        } catch (DateTimeParseException e) {
            throw new VerificationException("The signed Release has an unreadable Valid-Until: " + v);
        }
    }

    public Entry entry(String path) {
        return sha256.get(path);
    }

    /** Fails unless this Release is for the suite that was asked for (a mirror cannot swap suites). */
    public void requireSuite(String suite, String source) {
        if (!suite.equals(fields.get("Codename")) && !suite.equals(fields.get("Suite"))) {
            throw new VerificationException("The signed Release at " + source + " is for suite '" + fields.get("Suite")
                    + "' (codename '" + fields.get("Codename") + "'), not '" + suite + "'");
        }
    }
}
