package io.captainos.core.qemu;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The kernel command line a test boot gets: the console, the keys the OS reads (README, "The OS"), and extra words. */
public final class KernelCommandLine {
    /** Every key the booted OS reads from the command line, in the order they are written. */
    public static final List<String> KEYS = List.of(
            "tink_worker_image",
            "docker_registry",
            "registry_username",
            "registry_password",
            "grpc_authority",
            "worker_id",
            "tinkerbell_tls",
            "tinkerbell_insecure_tls",
            "insecure_registries",
            "syslog_host",
            "syslog_port",
            "facility",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
            "ipam",
            "vlan_id",
            "hw_addr",
            "sshd",
            "ssh_authorized_keys");

    private KernelCommandLine() {}

    /**
     * @param values key to value; empty values are left out
     * @param extra  words appended as they are (may hold spaces between words)
     * @param where  how a person sets a key, for the error message (e.g. {@code -Dcaptain.qemu.})
     */
    public static String build(Arch arch, Map<String, String> values, String extra, String where) {
        List<String> words = new ArrayList<>(List.of("console=" + QemuMachine.console(arch), "audit=0"));
        for (String key : KEYS) {
            String v = values.get(key);
            if (v == null || v.isEmpty()) {
                continue;
            }
            if (v.chars().anyMatch(Character::isWhitespace)) {
                throw new CaptainException("The value of " + where + key + " holds whitespace ('" + v + "'): kernel"
                        + " command line values cannot; remove the spaces (lists are comma-separated)");
            }
            words.add(key + "=" + v);
        }
        if (extra != null && !extra.isBlank()) {
            words.add(extra.trim());
        }
        return String.join(" ", words);
    }
}
