package io.captainos.core.iso;

import io.captainos.core.Arch;

/**
 * The ISO's grub.cfg: a 5 s menu with one entry whose kernel line holds the serial console and a fixed
 * 1024-character placeholder. A provisioning server that serves the ISO finds the placeholder in the image and
 * overwrites it in place with the machine's real command line, padded with spaces to the same length, so the ISO
 * needs no rebuild per machine.
 */
public final class GrubConfig {
    /** The placeholder's length, which a patcher relies on. */
    public static final int PLACEHOLDER_LENGTH = 1024;
    private static final String PLACEHOLDER_HEAD = "captainos_cmdline_placeholder=";

    private GrubConfig() {}

    /**
     * {@code captainos_cmdline_placeholder=} followed by {@code x} up to 1024 characters. Unpatched, the kernel
     * passes it to init as a harmless environment variable.
     */
    public static String placeholder() {
        return PLACEHOLDER_HEAD + "x".repeat(PLACEHOLDER_LENGTH - PLACEHOLDER_HEAD.length());
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
            sb.append("serial --unit=0 --speed=115200\nterminal_input serial console\nterminal_output serial console\n");
        }
        sb.append("\nmenuentry \"CaptainOS\" {\n");
        sb.append("    linux /boot/vmlinuz console=tty0 console=").append(console(arch)).append(" audit=0 ")
                .append(placeholder()).append('\n');
        sb.append("    initrd /boot/initramfs\n}\n");
        return sb.toString();
    }
}
