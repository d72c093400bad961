package io.captainos.core.debian;

import java.util.Comparator;

/** Orders Debian version strings the way dpkg does: epoch, then upstream version, then revision. */
public final class DebVersion implements Comparator<String> {
    public static final DebVersion ORDER = new DebVersion();

    private DebVersion() {}

    @Override
    public int compare(String a, String b) {
        String[] x = split(a);
        String[] y = split(b);
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        if (c != 0) {
            return c;
        }
        c = part(x[1], y[1]);
        return c != 0 ? c : part(x[2], y[2]);
    }

    private static String[] split(String v) {
        String epoch = "0";
        int colon = v.indexOf(':');
        if (colon > 0) {
            epoch = v.substring(0, colon);
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        String upstream = dash >= 0 ? v.substring(0, dash) : v;
        String revision = dash >= 0 ? v.substring(dash + 1) : "0";
        return new String[] {epoch, upstream, revision};
    }

    private static int part(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !Character.isDigit(a.charAt(i)))
                    || (j < b.length() && !Character.isDigit(b.charAt(j)))) {
                int ac = i < a.length() && !Character.isDigit(a.charAt(i)) ? order(a.charAt(i)) : 0;
                int bc = j < b.length() && !Character.isDigit(b.charAt(j)) ? order(b.charAt(j)) : 0;
                if (ac != bc) {
                    return ac - bc;
                }
                if (i < a.length() && !Character.isDigit(a.charAt(i))) {
                    i++;
                }
                if (j < b.length() && !Character.isDigit(b.charAt(j))) {
                    j++;
                }
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length()
                    && Character.isDigit(a.charAt(i))
                    && j < b.length()
                    && Character.isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && Character.isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && Character.isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff;
            }
        }
        return 0;
    }

    /** dpkg's character order: '~' before everything, then the end, then letters, then the rest. */
    private static int order(char c) {
        if (Character.isLetter(c)) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c + 256;
    }
}
