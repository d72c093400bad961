package io.captainos.core.iso;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The ISO's grub.cfg: a 5 s menu with one entry whose kernel line holds the serial console and a fixed
 * 1024-character placeholder. A provisioning server that serves the ISO finds the placeholder in the image and
 * overwrites it in place with the machine's real command line, padded with spaces to the same length, so the ISO
 * needs no rebuild per machine.
 */
public final class GrubConfig {
    /** The placeholder's length, which a patcher relies on. */
    public static final int PLACEHOLDER_LENGTH = 1024;

    private static final String MAGIC_RESOURCE = "/io/captainos/iso/magic-string.txt";

    private GrubConfig() {}

    /**
     * The magic string Tinkerbell's smee searches the ISO for (its default {@code MagicString}, the one HookOS
     * and the reference CaptainOS carry): 1024 lower-case letters and digits. Unpatched, the kernel passes it to
     * init as a harmless argument.
     */
    public static String placeholder() {
        return Magic.VALUE;
    }

    /** Loaded on first use, from the bundled copy of the string. */
    private static final class Magic {
        static final String VALUE = load();

        private static String load() {
            byte[] bytes;
            try (InputStream in = GrubConfig.class.getResourceAsStream(MAGIC_RESOURCE)) {
                if (in == null) {
                    throw new CaptainException(
                            MAGIC_RESOURCE + " is missing from the plugin: rebuild it with" + " -Dcaptain.bootstrap");
                }
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new CaptainException("Cannot read " + MAGIC_RESOURCE + ": " + e.getMessage(), e);
            }
            if (bytes.length != PLACEHOLDER_LENGTH) {
                throw new CaptainException(MAGIC_RESOURCE + " holds " + bytes.length + " bytes, smee's magic string"
                        + " is " + PLACEHOLDER_LENGTH + " (no newline): restore it from git");
            }
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] < 0x21 || bytes[i] > 0x7e) {
                    throw new CaptainException(MAGIC_RESOURCE + " has byte 0x" + String.format("%02x", bytes[i])
                            + " at " + i + ": smee's magic string is printable ASCII without spaces; restore it"
                            + " from git");
                }
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    /** The serial console of an arch with its speed, as the kernel takes it. */
    public static String console(Arch arch) {
        return (arch == Arch.ARM64 ? "ttyAMA0" : "ttyS0") + ",115200";
    }

    public static String render(Arch arch) {
        StringBuilder sb = new StringBuilder();
        sb.append("set timeout=5\nset default=0\n");
        if (arch == Arch.AMD64) {
            // EFI and BIOS GRUB on x86 both drive the first UART; arm64 UEFI consoles include the PL011 already.
            sb.append(
                    "serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\n");
        }
        sb.append("\nmenuentry \"CaptainOS\" {\n");
        sb.append("    linux /boot/vmlinuz console=tty0 console=")
                .append(console(arch))
                .append(" audit=0 ")
                .append(placeholder())
                .append('\n');
        sb.append("    initrd /boot/initramfs\n}\n");
        return sb.toString();
    }
}
