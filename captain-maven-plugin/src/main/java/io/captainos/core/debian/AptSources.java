package io.captainos.core.debian;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * apt's sources (deb822) for a mirror and the suites asked for, plus their security suites beside a mirror that
 * ends in {@code /debian}, signed by one keyring: what mkosi's sandbox and the builder image's apt both use.
 */
public final class AptSources {
    private AptSources() {}

    /** @param signedBy the keyring's path where apt reads it */
    public static String render(String mirror, List<String> suites, String signedBy) {
        StringBuilder sb = new StringBuilder();
        sb.append("Types: deb\nURIs: ")
                .append(mirror)
                .append("\nSuites: ")
                .append(String.join(" ", suites))
                .append("\nComponents: main\nSigned-By: ")
                .append(signedBy)
                .append('\n');
        String security = securityMirror(mirror);
        List<String> securitySuites = securitySuites(suites);
        if (security != null && !securitySuites.isEmpty()) {
            sb.append("\nTypes: deb\nURIs: ")
                    .append(security)
                    .append("\nSuites: ")
                    .append(String.join(" ", securitySuites))
                    .append("\nComponents: main\nSigned-By: ")
                    .append(signedBy)
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * The security suites of the suites asked for: {@code <codename>-security} once for each release codename
     * ({@code trixie, trixie-updates} give {@code trixie-security}); unstable, experimental and their codenames have
     * none.
     */
    public static List<String> securitySuites(List<String> suites) {
        Set<String> none = Set.of("sid", "unstable", "experimental", "rc-buggy");
        Set<String> out = new LinkedHashSet<>();
        for (String suite : suites) {
            String codename = suite.contains("-") ? suite.substring(0, suite.indexOf('-')) : suite;
            if (!none.contains(codename)) {
                out.add(codename + "-security");
            }
        }
        return List.copyOf(out);
    }

    /** The security archive beside a mirror that ends in {@code /debian}; null for other layouts. */
    public static String securityMirror(String mirror) {
        String m = mirror.endsWith("/") ? mirror.substring(0, mirror.length() - 1) : mirror;
        return m.endsWith("/debian") ? m + "-security" : null;
    }
}
