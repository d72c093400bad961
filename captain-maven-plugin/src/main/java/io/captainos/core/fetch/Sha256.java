package io.captainos.core.fetch;

import io.captainos.core.CaptainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** SHA-256 digests as lower-case hex. */
public final class Sha256 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {}

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    public static String of(byte[] bytes) {
        MessageDigest d = newDigest();
        d.update(bytes);
        return hex(d);
    }

    public static String of(Path file) throws IOException {
        MessageDigest d = newDigest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return hex(d);
    }

    /** Normalises a digest to lower case and checks its form. */
    public static String normalize(String digest, String what) {
        String d = digest == null ? "" : digest.trim().toLowerCase(Locale.ROOT);
        if (!HEX.matcher(d).matches()) {
            throw new CaptainException(
                    "Invalid SHA-256 digest '" + digest + "' for " + what + ": expected 64 hexadecimal characters");
        }
        return d;
    }
}
