package io.captainos.core.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks proxies the way apt, curl and wget do: {@code http_proxy}, {@code https_proxy} and {@code no_proxy} from the
 * environment (either case), falling back to Java's own proxy properties. Loopback addresses are never proxied.
 */
final class EnvProxySelector extends ProxySelector {
    private final Map<String, String> env;
    private final ProxySelector fallback;

    EnvProxySelector(Map<String, String> env, ProxySelector fallback) {
        this.env = env;
        this.fallback = fallback;
    }

    @Override
    public List<Proxy> select(URI uri) {
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme().toLowerCase(Locale.ROOT);
        String proxy = var(scheme + "_proxy");
        if (loopback(uri.getHost())) {
            return List.of(Proxy.NO_PROXY);
        }
        if (proxy == null || proxy.isEmpty() || bypassed(uri.getHost())) {
            return fallback == null ? List.of(Proxy.NO_PROXY) : fallback.select(uri);
        }
        URI p = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
        int port = p.getPort() > 0 ? p.getPort() : 80;
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
    }

    private static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private boolean bypassed(String host) {
        String noProxy = var("no_proxy");
        if (noProxy == null || host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.equals("*")
                    || (!e.isEmpty()
                            && (h.equals(e.replaceFirst("^\\.", "")) || h.endsWith(e.startsWith(".") ? e : "." + e)))) {
                return true;
            }
        }
        return false;
    }

    private String var(String name) {
        String v = env.get(name);
        return v != null ? v : env.get(name.toUpperCase(Locale.ROOT));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
}
