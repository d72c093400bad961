package io.captainos.core.tools;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where each binary lives in the tools bundle (and so in the OS). */
public final class BundleLayout {
    public static final String BIN = "usr/local/bin/";
    public static final String CNI = "opt/cni/bin/";
    public static final String MANIFEST = "usr/share/captainos/tools.manifest";
    /** The setup's containerd client, a link to containerd where this build compiles it (see {@code containerd/main.go}). */
    public static final String AGENT_IMAGE = "usr/libexec/captainos/agent-image";

    public static final List<String> CONTAINERD = List.of("containerd", "containerd-shim-runc-v2", "ctr");
    public static final List<String> CNI_PLUGINS =
            List.of("bridge", "host-local", "loopback", "portmap", "firewall", "tuning");

    private BundleLayout() {}

    /** Maps each binary name to its path in the bundle under {@code dir}, in the given order. */
    public static Map<String, String> place(String dir, List<String> names) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, dir + n);
        }
        return Collections.unmodifiableMap(m);
    }
}
