package io.captainos.core.iso;

import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a machine's kernel command line into a copy of a CaptainOS (or HookOS) ISO the way Tinkerbell's smee does
 * when it serves one: it finds the magic string of the grub.cfg's kernel line ({@link GrubConfig#placeholder()}) in
 * the image's bytes, writes 1024 spaces over it and then the command line from the same offset. Nothing else in
 * the image changes, so the ISO boots with that command line without a rebuild.
 */
public final class IsoPatch {
    /** How much of the image is searched at a time; a match across two reads is found too. */
    static final int BUFFER = 1 << 20;

    private final Path source;
    private final long offset;

    private IsoPatch(Path source, long offset) {
        this.source = source;
        this.offset = offset;
    }

    /**
     * Writes {@code target}: {@code source} with its placeholder replaced by {@code cmdline} padded with spaces.
     * The command line is checked before the source is read; the target appears complete or not at all.
     */
    public static void patch(Path source, Path target, String cmdline) {
        checkCmdline(cmdline);
        checkTarget(source, target);
        of(source).writeTo(target, cmdline);
    }

    /** Finds the placeholder of an ISO: its one copy of the magic string. */
    public static IsoPatch of(Path source) {
        if (!Files.isRegularFile(source)) {
            throw new CaptainException("No ISO at " + source + ": give the path of a CaptainOS ISO (e.g."
                    + " out/captainos-<kver>-x86_64.iso)");
        }
        List<Long> found = placeholderOffsets(source);
        if (found.isEmpty()) {
            throw new CaptainException(source + " has no smee placeholder (the " + GrubConfig.PLACEHOLDER_LENGTH
                    + "-character magic string on the grub.cfg's kernel line): it was probably built by an older"
                    + " CaptainOS, is already patched, or is not a CaptainOS/HookOS ISO; patch an unpatched ISO of"
                    + " this CaptainOS");
        }
        if (found.size() > 1) {
            throw new CaptainException(source + " carries smee's magic string " + found.size() + " times (at bytes "
                    + found + "), expected once: smee would patch only one of them; rebuild the ISO with"
                    + " captainos-iso");
        }
        return new IsoPatch(source, found.get(0));
    }

    /** The ISO this patch reads. */
    public Path source() {
        return source;
    }

    /** Where the placeholder starts in the image, in bytes. */
    public long offset() {
        return offset;
    }

    /** Writes a copy of the source with the placeholder replaced, atomically. */
    public void writeTo(Path target, String cmdline) {
        checkCmdline(cmdline);
        checkTarget(source, target);
        byte[] placeholder = GrubConfig.placeholder().getBytes(StandardCharsets.US_ASCII);
        byte[] patched = new byte[placeholder.length];
        Arrays.fill(patched, (byte) ' ');
        byte[] line = cmdline.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(line, 0, patched, 0, line.length);
        Files2.atomically(target, tmp -> {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (!Arrays.equals(read(ch, offset, placeholder.length), placeholder)) {
                    throw new CaptainException(source + " changed while it was being patched: the placeholder is"
                            + " no longer at byte " + offset + "; patch it again once it is complete");
                }
                writeFully(ch, offset, patched);
            }
        });
    }

    /**
     * The command line an ISO carries at a placeholder offset (of the unpatched image, {@link #offset()}), without
     * the padding; the magic string itself when the ISO is not patched.
     */
    public static String cmdline(Path iso, long offset) {
        try (FileChannel ch = FileChannel.open(iso, StandardOpenOption.READ)) {
            return new String(read(ch, offset, GrubConfig.PLACEHOLDER_LENGTH), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + iso + ": " + e.getMessage(), e);
        }
    }

    /** {@code captainos-6.12.57-x86_64-patched.iso} beside {@code captainos-6.12.57-x86_64.iso}. */
    public static Path defaultTarget(Path source) {
        String name = source.getFileName().toString();
        String patched = name.endsWith(".iso")
                ? name.substring(0, name.length() - ".iso".length()) + "-patched.iso"
                : name + "-patched";
        return source.resolveSibling(patched);
    }

    /** Where every copy of the magic string starts in a file, read as a stream. */
    static List<Long> placeholderOffsets(Path file) {
        try {
            return offsets(file, GrubConfig.placeholder().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Each read goes after the last {@code pattern.length - 1} bytes of the one before, so a match that spans two
     * reads is seen whole, and none is seen twice.
     */
    private static List<Long> offsets(Path file, byte[] pattern) throws IOException {
        int keep = pattern.length - 1;
        byte[] buf = new byte[keep + BUFFER];
        List<Long> found = new ArrayList<>();
        long start = 0;
        int kept = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                int read = in.readNBytes(buf, kept, BUFFER);
                int len = kept + read;
                for (int i = 0; i + pattern.length <= len; i++) {
                    if (buf[i] == pattern[0] && Arrays.equals(buf, i, i + pattern.length, pattern, 0, pattern.length)) {
                        found.add(start + i);
                    }
                }
                if (read < BUFFER) {
                    return found;
                }
                kept = Math.min(keep, len);
                System.arraycopy(buf, len - kept, buf, 0, kept);
                start += len - kept;
            }
        }
    }

    /**
     * A command line fits when it is at most 1024 bytes of printable ASCII: smee writes it into the kernel line of
     * grub.cfg, where a line break would end the line and other control or non-ASCII characters do not belong.
     */
    public static void checkCmdline(String cmdline) {
        if (cmdline == null) {
            throw new CaptainException("No command line given: pass the kernel arguments to write into the ISO");
        }
        for (int i = 0; i < cmdline.length(); ) {
            int c = cmdline.codePointAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new CaptainException("The command line has " + describe(c) + " at character "
                        + (cmdline.codePointCount(0, i) + 1) + ": it goes on the grub.cfg kernel line, which takes"
                        + " printable ASCII on one line only; remove it (separate arguments with spaces)");
            }
            i += Character.charCount(c);
        }
        if (cmdline.length() > GrubConfig.PLACEHOLDER_LENGTH) {
            throw new CaptainException("The command line is " + cmdline.length() + " bytes, the ISO's placeholder holds"
                    + " at most " + GrubConfig.PLACEHOLDER_LENGTH + ": shorten it (leave out arguments that repeat a"
                    + " default)");
        }
    }

    private static String describe(int c) {
        String code = String.format("U+%04X", c);
        return switch (c) {
            case '\n' -> "a newline (" + code + ")";
            case '\r' -> "a carriage return (" + code + ")";
            case '\t' -> "a tab (" + code + ")";
            default ->
                c < 0x20 || c == 0x7f
                        ? "the control character " + code
                        : "the non-ASCII character '" + Character.toString(c) + "' (" + code + ")";
        };
    }

    private static void checkTarget(Path source, Path target) {
        boolean same = source.toAbsolutePath()
                .normalize()
                .equals(target.toAbsolutePath().normalize());
        try {
            same = same || Files.exists(target) && Files.exists(source) && Files.isSameFile(source, target);
        } catch (IOException e) {
            throw new CaptainException("Cannot compare " + source + " with " + target + ": " + e.getMessage(), e);
        }
        if (same) {
            throw new CaptainException("The target " + target + " is the source ISO: writing over it would lose its"
                    + " placeholder; choose another target (by default the source's name with -patched)");
        }
    }

    private static byte[] read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(length);
        while (bb.hasRemaining()) {
            if (ch.read(bb, position + bb.position()) < 0) {
                throw new CaptainException("The image ends before byte " + (position + length) + ": it is shorter"
                        + " than the placeholder offset says; is it the ISO the offset was found in?");
            }
        }
        return bb.array();
    }

    private static void writeFully(FileChannel ch, long position, byte[] bytes) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(bytes);
        while (bb.hasRemaining()) {
            ch.write(bb, position + bb.position());
        }
    }
}
